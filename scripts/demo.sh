#!/usr/bin/env bash
# `make demo`: set up, load the demo business into the embedded SQLite database (once), then serve it.
# A second run finds the data loaded and starts in seconds. PORT / HOST / DEMO_ARGS override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CHUHAI_DATA_DIR="${CHUHAI_DATA_DIR:-$PWD/var}"
.venv/bin/chuhai init
# shellcheck disable=SC2086
.venv/bin/chuhai demo ${DEMO_ARGS:-}
echo "== chuhai: open http://${HOST:-127.0.0.1}:${PORT:-8000}/ and log in as demo / demo"
exec .venv/bin/chuhai serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
