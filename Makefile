# The commands people type. `make help` lists them.
.PHONY: help demo setup test lint format tsql run worker beat bench

help:  ## list the commands
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

demo:  ## set up, load the sample data into SQLite, start the server
	bash scripts/demo.sh

setup:  ## create .venv and install requirements
	bash scripts/bootstrap.sh

test:  ## the whole test suite on SQLite and PostgreSQL
	bash scripts/test.sh

lint:  ## ruff lint and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:  ## ruff fix and format
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

tsql:  ## render the SQL Server DDL of every migration (no server needed)
	.venv/bin/python manage.py render_mssql_sql

run:  ## start the development server
	.venv/bin/python manage.py runserver

worker:  ## start a Celery worker (needs Redis)
	.venv/bin/celery -A config worker -l info

beat:  ## start the Celery beat scheduler (needs Redis)
	.venv/bin/celery -A config beat -l info
