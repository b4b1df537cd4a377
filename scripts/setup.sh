#!/usr/bin/env bash
# Create .venv and install chuhai into it (idempotent; quick when nothing changed).
# Usage: scripts/setup.sh [extras]   e.g. scripts/setup.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $($PY --version)"
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
stamp=".venv/.chuhai-installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "== installing chuhai${extras:+[$extras]} into .venv"
  .venv/bin/pip install -q -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
