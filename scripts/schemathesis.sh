#!/usr/bin/env bash
# schemathesis against a live gunicorn and the published schema (--checks all): migrates a throwaway SQLite
# database, seeds a little data, issues an API key, serves it, and fails on any server error or response that
# breaks the schema. Environment: SCHEMATHESIS_MAX_EXAMPLES (default 25), SCHEMATHESIS_SEED (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

export DJANGO_SETTINGS_MODULE=config.settings.local DJANGO_DEBUG=False
# Without DEBUG the settings refuse the repository's key: a throwaway one for this run.
DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DJANGO_SECRET_KEY
export DATABASE_TYPE=sqlite SQLITE_DB_PATH="$WORK/db.sqlite3" MEDIA_ROOT="$WORK/files" REDIS_URL=""
export CELERY_TASK_ALWAYS_EAGER=True LOG_LEVEL=WARNING
# Fuzzing sends thousands of requests: raise the rate limits for this run (they are tested in tests/api/).
export API_RATE_LIMITS_DEFAULT=1000000/m API_RATE_LIMITS_TOKEN=1000000/m API_RATE_LIMITS_EXPENSIVE=1000000/m
export API_RATE_LIMITS_ANONYMOUS=1000000/m API_RATE_LIMITS_FAILED_CREDENTIALS=1000000/m

echo "==> throwaway database $SQLITE_DB_PATH"
.venv/bin/python manage.py migrate --no-input -v 0
.venv/bin/python manage.py shell < scripts/schemathesis_seed.py
.venv/bin/python manage.py create_admin --username fuzzer --password "$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(16))')" >/dev/null
API_KEY="$(.venv/bin/python manage.py create_api_key fuzzer --name schemathesis 2>/dev/null)"

PORT="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "==> gunicorn on 127.0.0.1:$PORT"
# --limit-request-line 0: the fuzzer's longest query strings reach the API (gunicorn's own 414 is not the API's).
.venv/bin/gunicorn config.wsgi:application -b "127.0.0.1:$PORT" -w 2 --limit-request-line 0 --log-level warning >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/health/" >/dev/null && break; sleep 0.5; done

echo "==> schemathesis run (--checks all)"
status=0
.venv/bin/schemathesis --config-file scripts/schemathesis.toml run "http://127.0.0.1:$PORT/api/schema/" --url "http://127.0.0.1:$PORT" \
  --checks all -H "Authorization: Api-Key $API_KEY" \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" --seed "${SCHEMATHESIS_SEED:-1}" --generation-database none \
  --workers 1 --no-color "$@" || status=$?
if [ "$status" != 0 ] && grep -q Traceback "$WORK/gunicorn.log"; then
  echo "==> server log (without the 4xx warning lines)"; grep -v "WARNING django.request" "$WORK/gunicorn.log" | tail -200
fi
exit "$status"
