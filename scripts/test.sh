#!/usr/bin/env bash
# `make test`: install what the suite needs, then run the whole suite on SQLite and on PostgreSQL,
# browser tests included. With CI=true a missing browser or database is a failure, never a skip.
# Extra arguments go to pytest (e.g. `make test ARGS="-k fx"`).
set -euo pipefail
cd "$(dirname "$0")/.."
extras=dev
# CI also runs the Spark portability test (tests/analytics/test_spark_portable.py): the `spark` extra (pyspark,
# sqlglot) and Java; CHUHAI_REQUIRE_SPARK makes a missing one a failure instead of a skip.
if [ "${CI:-}" = "true" ]; then extras=dev,spark; export CHUHAI_REQUIRE_SPARK=1; fi
scripts/setup.sh "$extras"
if [ "${CI:-}" = "true" ] && ! command -v java >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "== installing Java for Spark (apt-get)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless) >/dev/null
fi

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
# The two databases run side by side (each pytest process is single-threaded; the live servers take free ports and
# each PostgreSQL run gets its own test database), their output printed one after the other.
# SERIAL=1 runs them one after the other instead. The PostgreSQL run leaves out the tests that use no database
# (CHUHAI_DB_TESTS_ONLY, tests/conftest.py): they run in the SQLite run, and would run there identically.
logs=$(mktemp -d)
run() {
  local label=$1; shift
  local dir; dir=$(mktemp -d)
  local rc=0
  CHUHAI_DATA_DIR="$dir" CHUHAI_SECRET_KEY="test-secret-key-$(date +%s)-0123456789abcdef" "$@" \
    .venv/bin/python -m pytest -q -p no:cacheprovider ${ARGS:-} >"$logs/$label.log" 2>&1 || rc=$?
  rm -rf "$dir"
  echo "$rc" >"$logs/$label.rc"
}
labels=(SQLite)
if [ -n "$PG_URL" ]; then labels+=(PostgreSQL); fi
echo "== tests on ${labels[*]} (started $(date +%H:%M:%S))"
if [ "${SERIAL:-}" = "1" ]; then
  run SQLite env -u CHUHAI_DATABASE_URL
  [ -n "$PG_URL" ] && run PostgreSQL env CHUHAI_DATABASE_URL="$PG_URL" CHUHAI_DB_TESTS_ONLY=1
else
  run SQLite env -u CHUHAI_DATABASE_URL &
  [ -n "$PG_URL" ] && run PostgreSQL env CHUHAI_DATABASE_URL="$PG_URL" CHUHAI_DB_TESTS_ONLY=1 &
  wait
fi
status=0
for label in "${labels[@]}"; do
  echo "== tests on $label"
  cat "$logs/$label.log"
  rc=$(cat "$logs/$label.rc" 2>/dev/null || echo 1)
  [ "$rc" = 0 ] || status=$rc
done
rm -rf "$logs"
if [ -z "$PG_URL" ]; then
  echo "== PostgreSQL not available: skipped (CI=true makes this a failure)"
fi
echo "== finished $(date +%H:%M:%S)"
exit $status
