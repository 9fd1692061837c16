#!/usr/bin/env bash
# The whole test suite: on SQLite (the embedded default), then on PostgreSQL (127.0.0.1:5432).
# Extra arguments go to pytest (e.g. scripts/test.sh -k cfi).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=config.settings.test
WORKERS="${TEST_WORKERS:-2}"

echo "==> test suite on SQLite"
DATABASE_TYPE=sqlite .venv/bin/pytest -n "$WORKERS" "$@"

if [ "${SKIP_POSTGRES:-0}" != "1" ]; then
  echo "==> test suite on PostgreSQL (${POSTGRES_HOST:-127.0.0.1}:${POSTGRES_PORT:-5432})"
  DATABASE_TYPE=postgresql POSTGRES_DB="${POSTGRES_DB:-marketdata}" POSTGRES_USER="${POSTGRES_USER:-postgres}" \
    .venv/bin/pytest -n "$WORKERS" "$@"
fi
