#!/usr/bin/env bash
# One command on a fresh machine: install, migrate SQLite, load the sample set, create a demo
# login, start the server. Environment: PORT (8000), DEMO_USER (admin), DEMO_PASSWORD (marketdata-demo),
# CELERY_TASK_ALWAYS_EAGER (true).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
DEMO_USER="${DEMO_USER:-admin}"
DEMO_PASSWORD="${DEMO_PASSWORD:-marketdata-demo}"
export DJANGO_SETTINGS_MODULE=config.settings.local
export DATABASE_TYPE=sqlite
# No broker in the demo: Celery tasks run in the calling process, and /health/ready/ does not
# wait for Redis. Set CELERY_TASK_ALWAYS_EAGER=false to use a worker and the broker at CELERY_BROKER_URL.
export CELERY_TASK_ALWAYS_EAGER="${CELERY_TASK_ALWAYS_EAGER:-true}"

bash scripts/bootstrap.sh
echo "==> migrating the SQLite database (var/marketdata.sqlite3)"
.venv/bin/python manage.py migrate --no-input
echo "==> loading the sample set"
.venv/bin/python manage.py load_sample_data
.venv/bin/python manage.py create_admin --username "$DEMO_USER" --password "$DEMO_PASSWORD"
.venv/bin/python manage.py collectstatic --no-input -v 0

cat <<MSG

  marketdata is running on SQLite with the sample set.
    Admin:    http://127.0.0.1:$PORT/admin/     user: $DEMO_USER   password: $DEMO_PASSWORD
    API docs: http://127.0.0.1:$PORT/api/docs/
    Health:   http://127.0.0.1:$PORT/health/ready/
  Stop with Ctrl-C.

MSG
exec .venv/bin/python manage.py runserver "127.0.0.1:$PORT"
