#!/usr/bin/env bash
# `make test`: install what the suite needs, then run the whole suite on SQLite and on PostgreSQL,
# browser tests included. With CI=true a missing browser or database is a failure, never a skip.
# Extra arguments go to pytest (e.g. `make test ARGS="-k fx"`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

if ! [ -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing chromium (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  fi
fi
if [ "${CI:-}" = "true" ]; then export CHUHAI_REQUIRE_BROWSER=1; fi

PG_URL=$(scripts/postgres.sh | tail -1) || { [ "${CI:-}" = "true" ] && { echo "PostgreSQL unavailable"; exit 1; }; PG_URL=""; }

export DJANGO_ALLOW_ASYNC_UNSAFE=true   # Playwright's sync API runs an event loop next to the live server
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
status=0
run() {
  local label=$1; shift
  echo "== tests on $label"
  local dir; dir=$(mktemp -d)
  CHUHAI_DATA_DIR="$dir" CHUHAI_SECRET_KEY="test-secret-key-$(date +%s)-0123456789abcdef" "$@" \
    .venv/bin/python -m pytest -q ${ARGS:-} || status=$?
  rm -rf "$dir"
}
run SQLite env -u CHUHAI_DATABASE_URL
if [ -n "$PG_URL" ]; then
  run PostgreSQL env CHUHAI_DATABASE_URL="$PG_URL"
else
  echo "== PostgreSQL not available: skipped (CI=true makes this a failure)"
fi
exit $status
