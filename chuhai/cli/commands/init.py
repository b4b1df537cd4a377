"""``chuhai init``: create or migrate the database, company settings and the bundled ECB exchange rates."""

from __future__ import annotations

import sys
import time


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "init",
        help="create or migrate the database and load exchange rates",
        description="Create or migrate the database, create the company settings and load the ECB exchange-rate "
                    "history bundled with chuhai. Safe to run again: it only does what is missing.",
    )
    parser.set_defaults(run=run)


def pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _upgrade_ledger() -> None:
    from chuhai.finance.base_amounts import upgrade_stored_lines

    done = upgrade_stored_lines()
    if "categorised" in done:
        print(f"Ledger lines from an earlier version: {done['categorised']} categorised, {done['linked']} linked "
              "to their orders.")
    if "converted" in done:
        missing = done["missing_rates"]
        print(f"Ledger lines converted to the base currency: {done['converted']}"
              + (f"; {missing} currency-days without a rate (see `chuhai finance convert`)." if missing else "."))


def run(args) -> int:
    from django.core.management import call_command
    from tqdm import tqdm

    from chuhai.core.models import CompanySettings
    from chuhai.finance import fx

    started = time.monotonic()
    pending = pending_migrations()
    if pending:
        print(f"Applying {pending} database migrations…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    company = CompanySettings.load()

    with tqdm(desc="ECB exchange rates", unit=" rates", file=sys.stderr, leave=False) as bar:
        added, last = fx.ensure_ecb_rates(progress=bar.update)
    print(f"ECB exchange rates: {added} added, history up to {last.isoformat() if last else 'none'}.")
    _upgrade_ledger()
    print(f"Database ready: base currency {company.base_currency}, time zone {company.time_zone} "
          f"({time.monotonic() - started:.1f} s).")
    return 0
