#!/usr/bin/env python3
"""Benchmark inventory: allocation during a bulk import, the stock page at scale, and a full ledger rebuild.

Prints, against the issue-4 targets (2-core machine, embedded SQLite):
- allocation throughput while importing an All Orders report of open merchant orders (target ≥ 2,000 order
  lines/s): the import runs through ``import_file`` like ``chuhai import``; the time spent in its allocation step
  (:func:`chuhai.inventory.allocation.sync_orders`, which the import calls in the file's transaction) is measured
  by wrapping that function, and lines allocated are divided by it;
- the stock page's latency with 10,000 SKUs × 10 warehouses (100,000 balances), p50/p95 over sequential requests
  to ``chuhai serve`` as a logged-in user (target p95 ≤ 300 ms), first page and a filtered page;
- ``rebuild_balances()`` over 5,000,000 ledger movements (target ≤ 60 s), and that it found no drift.

    .venv/bin/python benchmarks/inventory.py                       # the full run (several minutes)
    .venv/bin/python benchmarks/inventory.py --movements 1000000   # quicker
    .venv/bin/python benchmarks/inventory.py --check               # exit 1 when a target is missed

Always a fresh temporary CHUHAI_DATA_DIR (never the user's data).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import demo as demo_bench  # noqa: E402  (free_port, wait_until_serving, log_in, measure, percentile)

ROOT = Path(__file__).resolve().parent.parent
CHUHAI = ROOT / ".venv" / "bin" / "chuhai"
TARGETS = {"alloc_lines_s": 2000.0, "stock_p95_ms": 300.0, "rebuild_s": 60.0}
HEADER = ("amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
          "sales-channel\tproduct-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\t"
          "shipping-price\tship-country")


def setup_django(data_dir: Path) -> None:
    for key in [k for k in os.environ if k.startswith("CHUHAI_")]:
        del os.environ[key]
    os.environ.update(CHUHAI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="chuhai.settings.production")
    import django

    django.setup()


def seed_stock(skus: int, warehouses: int) -> tuple[list, list]:
    """Products, warehouses, a receipt movement and a balance per SKU × warehouse (bulk, consistent)."""
    from chuhai.catalog.models import Product
    from chuhai.inventory.ledger import StockBalance, StockMovement
    from chuhai.inventory.models import Warehouse

    rng = random.Random(4)
    Product.objects.bulk_create([Product(sku=f"SKU-{i:05d}", name_en=f"Product {i}") for i in range(skus)],
                                batch_size=2000)
    kinds = ["overseas_3pl"] * (warehouses - 1) + ["domestic"]
    Warehouse.objects.bulk_create([
        Warehouse(code=f"WH-{i:02d}", name=f"Warehouse {i}", type=kinds[i], country="CN" if kinds[i] == "domestic"
                  else rng.choice(["US", "DE", "GB", "JP"]), time_zone="UTC") for i in range(warehouses)])
    products, whs = list(Product.objects.order_by("pk")), list(Warehouse.objects.order_by("pk"))
    balances, movements = [], []
    for p in products:
        for w in whs:
            qty = rng.randrange(20, 400)
            balances.append(StockBalance(product=p, warehouse=w, on_hand=qty))
            movements.append(StockMovement(product=p, warehouse=w, kind="receipt", state="on_hand", quantity=qty,
                                           reference="seed"))
    StockBalance.objects.bulk_create(balances, batch_size=5000)
    StockMovement.objects.bulk_create(movements, batch_size=5000)
    return products, whs


def write_orders(path: Path, lines: int, skus: int) -> int:
    rng = random.Random(11)
    written = orders = 0
    with path.open("w") as fh:
        fh.write(HEADER + "\n")
        while written < lines:
            orders += 1
            oid = f"{rng.randrange(111, 115)}-{rng.randrange(10**7):07d}-{orders:07d}"
            country = rng.choice(["US", "US", "DE", "GB", "JP", "FR"])
            for _ in range(min(rng.choices([1, 2, 3], [80, 15, 5])[0], lines - written)):
                sku = f"SKU-{rng.randrange(skus):05d}"
                qty = rng.choices([1, 2, 3], [85, 12, 3])[0]
                fh.write(f"{oid}\t\t2026-10-20T10:00:00+00:00\t2026-10-20T11:00:00+00:00\tPending\tMerchant\t"
                         f"Amazon.com\tThing\t{sku}\tB000000001\tUnshipped\t{qty}\tUSD\t{9.99 * qty:.2f}\t0.00\t"
                         f"0.00\t{country}\n")
                written += 1
    return orders


def allocation_throughput(work: Path, lines: int, skus: int) -> tuple[float, int, dict]:
    from chuhai.catalog.models import Listing, Product
    from chuhai.channels.ingest import runner
    from chuhai.channels.services import create_account
    from chuhai.finance.fx import load_ecb_rates
    from chuhai.inventory import allocation

    load_ecb_rates(since=__import__("datetime").date(2026, 10, 1))
    account = create_account("AMZ-US", "amazon", "US")
    Listing.objects.bulk_create([Listing(account=account, product=p, channel_sku=p.sku, marketplace="US",
                                         currency="USD") for p in Product.objects.all()], batch_size=5000)
    report = work / "open-orders.txt"
    write_orders(report, lines, skus)
    spent = []
    real = allocation.sync_orders

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    allocation.sync_orders = timed
    try:
        started = time.perf_counter()
        result = runner.import_file("amazon-orders", report, account)
        total = time.perf_counter() - started
    finally:
        allocation.sync_orders = real
    if not result.ok:
        raise SystemExit(f"benchmark: import failed: {result.errors[:3]}")
    counts = {str(k): v for k, v in result.summary.get("allocation", {}).items()}
    print(f"imported {lines:,} open order lines in {total:.1f} s (allocation step {sum(spent):.1f} s): {counts}")
    return sum(spent), lines, counts


def stock_page(data_dir: Path, requests: int) -> tuple[list[float], list[float]]:
    from chuhai.core.users import create_user

    create_user("bench", "viewer", password="bench-password-1")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHUHAI_DATABASE")}
    env.update(CHUHAI_DATA_DIR=str(data_dir))
    port = demo_bench.free_port()
    server = subprocess.Popen([str(CHUHAI), "serve", "--port", str(port)], env={**env, "PORT": str(port)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
            demo_bench.wait_until_serving(client, server)
            demo_bench.log_in(client, "bench", "bench-password-1")
            first = demo_bench.measure(client, "/stock/", requests, warmup=5)
            filtered = demo_bench.measure(client, "/stock/?q=SKU-04&warehouse=WH-03&show=available", requests,
                                          warmup=5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return first, filtered


def ledger_rebuild(movements: int) -> tuple[float, int, int]:
    """Top the ledger up to ``movements`` rows (pairs that cancel out: receipts and shipments), then time a full
    rebuild. Returns (seconds, rows in the ledger, drifts found)."""
    from django.db import connection, transaction

    from chuhai.inventory.ledger import StockBalance, StockMovement
    from chuhai.inventory.stock import rebuild_balances

    keys = list(StockBalance.objects.values_list("product_id", "warehouse_id"))
    have = StockMovement.objects.count()
    table = StockMovement._meta.db_table
    rng = random.Random(5)
    now = "2026-11-01 00:00:00"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        rows = []
        for i in range(max(0, movements - have) // 2):
            product_id, warehouse_id = keys[i % len(keys)]
            qty = rng.randrange(1, 50)
            group = uuid.uuid4().hex
            rows.append((product_id, warehouse_id, "receipt", "on_hand", qty, "", "bench", now, group))
            rows.append((product_id, warehouse_id, "shipment", "on_hand", -qty, "", "bench", now, group))
            if len(rows) >= 100_000:
                cursor.executemany(f"INSERT INTO {table} (product_id, warehouse_id, kind, state, quantity, reason, "
                                   "reference, created_at, \"group\") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                                   rows)
                rows = []
        if rows:
            cursor.executemany(f"INSERT INTO {table} (product_id, warehouse_id, kind, state, quantity, reason, "
                               "reference, created_at, \"group\") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    total = StockMovement.objects.count()
    print(f"ledger filled to {total:,} movements in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    drifts = rebuild_balances()
    return time.perf_counter() - started, total, len(drifts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--warehouses", type=int, default=10)
    parser.add_argument("--order-lines", type=int, default=100_000)
    parser.add_argument("--movements", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chuhai-inventory-") as tmp:
        work = Path(tmp)
        data = work / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHUHAI_")}
        subprocess.run([str(CHUHAI), "init"], env={**env, "CHUHAI_DATA_DIR": str(data)}, check=True,
                       capture_output=True)
        setup_django(data)
        started = time.perf_counter()
        seed_stock(args.skus, args.warehouses)
        print(f"seeded {args.skus:,} SKUs × {args.warehouses} warehouses in {time.perf_counter() - started:.0f} s")
        alloc_s, lines, _counts = allocation_throughput(work, args.order_lines, args.skus)
        first, filtered = stock_page(data, args.requests)
        rebuild_s, ledger_rows, drifts = ledger_rebuild(args.movements)
    rate = lines / alloc_s if alloc_s else float("inf")
    p95, p95_filtered = demo_bench.percentile(first, 95), demo_bench.percentile(filtered, 95)
    rows = [
        ("allocation during import", f"{rate:,.0f} lines/s", f"≥ {TARGETS['alloc_lines_s']:,.0f}",
         rate >= TARGETS["alloc_lines_s"]),
        ("stock page p50 / p95", f"{demo_bench.percentile(first, 50):.0f} / {p95:.0f} ms",
         f"p95 ≤ {TARGETS['stock_p95_ms']:.0f} ms", p95 <= TARGETS["stock_p95_ms"]),
        ("filtered stock page p95", f"{p95_filtered:.0f} ms", f"≤ {TARGETS['stock_p95_ms']:.0f} ms",
         p95_filtered <= TARGETS["stock_p95_ms"]),
        (f"rebuild of {ledger_rows:,} movements", f"{rebuild_s:.1f} s", f"≤ {TARGETS['rebuild_s']:.0f} s",
         rebuild_s <= TARGETS["rebuild_s"]),
    ]
    for name, value, target, ok in rows:
        print(f"  {name:<34} {value:>18}  {target:<14} {'ok' if ok else 'MISSED'}")
    print(f"  drift found by the rebuild: {drifts}")
    missed = drifts or not all(ok for *_r, ok in rows)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
