# The two commands: `make demo` runs chuhai with demo data; `make test` runs the whole suite (SQLite + PostgreSQL).
.PHONY: demo test setup lint bench clean

demo:
	@bash scripts/demo.sh

test:
	@bash scripts/test.sh

setup:
	@bash scripts/setup.sh dev

lint: setup
	.venv/bin/ruff check .

bench: setup
	.venv/bin/python benchmarks/demo.py

clean:
	rm -rf .venv var
