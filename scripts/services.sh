#!/usr/bin/env bash
# Start the local services tests use beyond PostgreSQL and Redis: Azurite (Blob Storage emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
AZURITE_VERSION=3.35.0
if [ ! -x node_modules/.bin/azurite-blob ]; then
  echo "==> installing azurite@$AZURITE_VERSION (npm)"
  npm install --no-save --no-audit --no-fund --silent "azurite@$AZURITE_VERSION" >/dev/null
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
  mkdir -p var/azurite
  nohup node_modules/.bin/azurite-blob --blobHost 127.0.0.1 --blobPort 10000 --location var/azurite \
    --disableTelemetry --skipApiVersionCheck --silent >var/azurite.log 2>&1 &
  for _ in $(seq 30); do (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null && break; sleep 0.5; done
fi
echo "azurite blob: 127.0.0.1:10000"
