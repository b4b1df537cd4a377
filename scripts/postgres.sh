#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1 with a role that may create test databases.
# Prints the database URL to use on its last line. Installs Debian's postgresql when missing and running as root.
set -euo pipefail
PGPORT="${CHUHAI_PG_PORT:-5432}"
URL="postgres://chuhai:chuhai@127.0.0.1:${PGPORT}/chuhai"

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else bash -c "$*"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ] || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing postgresql (apt-get)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  else
    echo "PostgreSQL is not installed and this is not root: install postgresql" >&2; exit 1
  fi
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
  echo "== creating PostgreSQL $ver cluster" >&2
  pg_createcluster "$ver" main -p "$PGPORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
  echo "== starting PostgreSQL $ver" >&2
  pg_ctlcluster "$ver" main start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p "$PGPORT" -q && break
  sleep 1
done
as_postgres "psql -p $PGPORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='chuhai'\"" | grep -q 1 ||
  as_postgres "psql -p $PGPORT -qc \"CREATE ROLE chuhai LOGIN CREATEDB PASSWORD 'chuhai'\"" >&2
as_postgres "psql -p $PGPORT -tAc \"SELECT 1 FROM pg_database WHERE datname='chuhai'\"" | grep -q 1 ||
  as_postgres "createdb -p $PGPORT -O chuhai chuhai" >&2
echo "$URL"
