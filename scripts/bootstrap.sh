#!/usr/bin/env bash
# Create .venv and install the pinned requirements (idempotent; quick when nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  command -v "$PYTHON" >/dev/null || { echo "bootstrap: no $PYTHON found; install Python 3.10+ or set PYTHON=..." >&2; exit 1; }
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || { echo "bootstrap: $PYTHON is $($PYTHON --version 2>&1); Python 3.10 or newer is needed (set PYTHON=...)" >&2; exit 1; }
  echo "==> creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv \
    || { rm -rf .venv; echo "bootstrap: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
stamp=.venv/.requirements.sha
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing requirements.txt"
  .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "is ignored" || true
  # A failed install must stop here (and leave no stamp), so the next run tries again.
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 | { grep -v "is ignored" || true; }
  .venv/bin/pip check
  echo "$want" > "$stamp"
fi
