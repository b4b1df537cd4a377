#!/usr/bin/env bash
# `make demo`: set up, load the demo business once into the embedded SQLite database, then serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CHUHAI_DATA_DIR="${CHUHAI_DATA_DIR:-$PWD/var}"
.venv/bin/chuhai init
if [ ! -f "$CHUHAI_DATA_DIR/.demo-loaded" ]; then
  .venv/bin/chuhai demo ${DEMO_ARGS:-}
  touch "$CHUHAI_DATA_DIR/.demo-loaded"
fi
.venv/bin/chuhai demo --logins
exec .venv/bin/chuhai serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
