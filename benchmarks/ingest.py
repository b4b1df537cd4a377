#!/usr/bin/env python3
"""Benchmark ingestion: a generated 1,000,000-line Amazon All Orders report through ``chuhai import``.

Prints, against the issue-3 targets (2-core machine, embedded SQLite):
- import time of the whole file (target ≤ 60 s) and the importing process's peak memory (target ≤ 1 GB);
- re-import time of the same file (target ≤ 30 s) and that it changed nothing;
- the floor: parsing the same file with the csv module plus a raw ``executemany`` insert of its rows into a bare
  SQLite table, and our import time as a multiple of it (target ≤ 3×);
- for reference (not the floor): a raw ``executemany`` of the rows the import stored into chuhai's own order and
  order-line tables (same schema: indexes, unique and CHECK constraints, foreign keys), rows already in memory —
  what the database alone costs for these tables, whatever the code in front of it.

    .venv/bin/python benchmarks/ingest.py                 # 1,000,000 lines
    .venv/bin/python benchmarks/ingest.py --lines 100000  # a quicker look

Runs the installed console script in subprocesses with a fresh temporary CHUHAI_DATA_DIR (never the user's data).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUHAI = ROOT / ".venv" / "bin" / "chuhai"
TARGETS = {"import_s": 60.0, "rss_mb": 1024.0, "reimport_s": 30.0, "ratio": 3.0}

HEADER = ("amazon-order-id merchant-order-id purchase-date last-updated-date order-status fulfillment-channel "
          "sales-channel order-channel url ship-service-level product-name sku asin item-status quantity currency "
          "item-price item-tax shipping-price shipping-tax gift-wrap-price gift-wrap-tax item-promotion-discount "
          "ship-promotion-discount ship-city ship-state ship-postal-code ship-country promotion-ids "
          "is-business-order purchase-order-number price-designation").split()
STATES = [("SEATTLE", "WA", "98101"), ("AUSTIN", "TX", "73301"), ("NEW YORK", "NY", "10001"),
          ("MIAMI", "FL", "33101"), ("DENVER", "CO", "80201"), ("CHICAGO", "IL", "60601")]


def generate(path: Path, lines: int, seed: int = 7) -> int:
    """A realistic All Orders TSV: 1–3 items per order, FBA and merchant, some cancelled items; returns orders."""
    rng = random.Random(seed)
    skus = [(f"SKU-{i:05d}", f"B0{rng.randrange(10**8):08d}", round(rng.uniform(5, 80), 2)) for i in range(5000)]
    start = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    written = orders = 0
    with path.open("w", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(HEADER)
        while written < lines:
            orders += 1
            oid = f"{rng.randrange(111, 115)}-{rng.randrange(10**7):07d}-{orders:07d}"
            when = start + dt.timedelta(seconds=orders * 30)
            status = rng.choices(["Shipped", "Pending", "Cancelled"], [90, 7, 3])[0]
            channel = rng.choice(["Amazon", "Merchant"])
            city, state, postal = rng.choice(STATES)
            for _ in range(min(rng.choices([1, 2, 3], [80, 15, 5])[0], lines - written)):
                sku, asin, price = rng.choice(skus)
                qty = rng.choices([1, 2, 3], [85, 12, 3])[0]
                item_status = "Cancelled" if status == "Cancelled" else ("Unshipped" if status == "Pending" else "Shipped")
                amount = f"{price * qty:.2f}" if status != "Pending" or channel == "Amazon" else ""
                tax = f"{price * qty * 0.08:.2f}" if amount else ""
                out.writerow([oid, oid, when.isoformat(), (when + dt.timedelta(days=1)).isoformat(), status, channel,
                              "Amazon.com", "", "", "Standard", f"Product {sku}", sku, asin, item_status, qty, "USD",
                              amount, tax, "0.00" if amount else "", "0.00" if amount else "", "", "", "", "",
                              city, state, postal, "US", "", "false", "", ""])
                written += 1
    return orders


def floor_seconds(path: Path, workdir: Path) -> float:
    """csv parse + raw executemany insert of every row into a bare SQLite table (WAL), committed."""
    db = workdir / "floor.sqlite3"
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(f"CREATE TABLE rows ({', '.join(f'c{i} TEXT' for i in range(len(HEADER)))})")
    placeholders = ",".join("?" * len(HEADER))
    with path.open(newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader)
        batch = []
        for row in reader:
            batch.append(row)
            if len(batch) == 10000:
                con.executemany(f"INSERT INTO rows VALUES ({placeholders})", batch)
                batch = []
        con.executemany(f"INSERT INTO rows VALUES ({placeholders})", batch)
    con.commit()
    con.close()
    return time.perf_counter() - started


def schema_reference_seconds(imported_db: Path, workdir: Path) -> float:
    """Raw executemany of the imported orders and lines into empty copies of chuhai's tables (same indexes and
    constraints, chuhai's connection settings), committed; the rows are read into memory before the clock starts."""
    db = workdir / "schema-reference.sqlite3"
    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-131072", "temp_store=MEMORY"):
        con.execute(f"PRAGMA {pragma}")
    con.execute("ATTACH DATABASE ? AS imported", (str(imported_db),))
    schema = con.execute("SELECT type, name, sql FROM imported.sqlite_master WHERE sql IS NOT NULL "
                         "AND name NOT LIKE 'sqlite_%' ORDER BY type = 'table' DESC").fetchall()
    for _type, _name, sql in schema:
        con.execute(sql)
    for table in [name for kind, name, _sql in schema if kind == "table"]:
        if table not in ("orders_order", "orders_orderline"):  # what the order rows refer to (accounts, runs...)
            con.execute(f'INSERT INTO "{table}" SELECT * FROM imported."{table}"')

    def rows(table):  # decimals as the text Django binds, not as the REAL SQLite returns
        return [tuple(str(v) if isinstance(v, float) else v for v in row)
                for row in con.execute(f'SELECT * FROM imported."{table}" ORDER BY id')]

    orders, lines = rows("orders_order"), rows("orders_orderline")
    con.execute("DETACH DATABASE imported")
    con.execute("PRAGMA foreign_keys=ON")  # as chuhai's connections have it (off while the copies were made)
    started = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    for table, data in (("orders_order", orders), ("orders_orderline", lines)):
        sql = f'INSERT INTO "{table}" VALUES ({",".join("?" * len(data[0]))})'
        for start in range(0, len(data), 2000):
            con.executemany(sql, data[start:start + 2000])
    con.execute("COMMIT")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def run(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Run a command; returns (seconds, peak RSS of that child in MB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"benchmark: {' '.join(cmd[1:3])} failed with exit code {proc.returncode}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024, proc.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chuhai-ingest-") as tmp:
        work = Path(tmp)
        report = work / "All-Orders.txt"
        t = time.perf_counter()
        orders = generate(report, args.lines)
        print(f"generated {args.lines:,} lines / {orders:,} orders ({report.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHUHAI_")}
        env.update(CHUHAI_DATA_DIR=str(work / "data"))
        run([str(CHUHAI), "init"], env)
        run([str(CHUHAI), "accounts", "add", "AMZ-US", "--platform", "amazon", "--marketplace", "US"], env)
        floor = floor_seconds(report, work)
        cmd = [str(CHUHAI), "import", "amazon-orders", str(report), "--account", "AMZ-US", "--json"]
        first_s, first_rss, out1 = run(cmd, env)
        second_s, _rss2, out2 = run(cmd, env)
        schema_s = schema_reference_seconds(work / "data" / "chuhai.sqlite3", work)
    import json

    first, second = json.loads(out1.splitlines()[-1]), json.loads(out2.splitlines()[-1])
    ratio = first_s / floor
    rows = [
        ("import", f"{first_s:.1f} s", f"≤ {TARGETS['import_s']:.0f} s", first_s <= TARGETS["import_s"]),
        ("peak memory", f"{first_rss:.0f} MB", f"≤ {TARGETS['rss_mb']:.0f} MB", first_rss <= TARGETS["rss_mb"]),
        ("re-import", f"{second_s:.1f} s", f"≤ {TARGETS['reimport_s']:.0f} s", second_s <= TARGETS["reimport_s"]),
        ("floor (csv + raw insert)", f"{floor:.1f} s", "", True),
        ("import / floor", f"{ratio:.1f}×", f"≤ {TARGETS['ratio']:.0f}×", ratio <= TARGETS["ratio"]),
    ]
    reference = f"{schema_s:.1f} s ({schema_s / floor:.1f}× the floor)"
    print(f"first import: {first['orders_created']:,} orders, {first['lines_created']:,} lines; "
          f"re-import: created {second['orders_created']}, updated {second['orders_updated']}, "
          f"unchanged {second['unchanged']:,}")
    for name, value, target, ok in rows:
        print(f"  {name:<26} {value:>10}  {target:<10} {'ok' if ok else 'MISSED'}")
    print(f"  reference, not a target: raw inserts of the stored rows into chuhai's order tables: {reference}")
    zero_changes = second["orders_created"] == second["orders_updated"] == second["lines_created"] == 0
    print(f"  re-import changed nothing: {'yes' if zero_changes else 'NO'}")
    missed = not zero_changes or not all(ok for *_r, ok in rows)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
