#!/usr/bin/env python3
"""Benchmark analytics: the dashboards' metric queries over 10,000,000 order lines (20,000 SKUs, 30 channel accounts,
3 years), on the embedded SQLite (DuckDB in its query server process) or PostgreSQL (``--database-url``).

Targets (issue 6): per dashboard query p50 ≤ 1 s and p95 ≤ 2 s; peak memory ≤ 1.5 GB; ≥ 5× faster than the
same queries in pandas; the overview page's full load in Chromium p95 ≤ 2 s.

What it does, in a temporary CHUHAI_DATA_DIR (``chuhai init``) and a fresh database:

1. Generates the data inside the database with ``INSERT … SELECT`` over a number series (not timed; minutes):
   30 accounts on 8 platforms and 16 marketplaces, 20,000 products in 40 categories, ``--lines`` order lines in
   orders of 1–3 lines over 2023-01-01 … 2025-12-31 (≈ 2 % cancelled, ≈ 1 % pending, ≈ 3 % credit notes, ≈ 5 %
   guests, the rest ~1/3 as many buyers as orders so people come back), SKU popularity skewed (ABC classes make
   sense), and one profit row per sold line (revenue, fees, COGS) so the finance figures have data.
2. Builds the analytics mart (Parquet per source and month) and prints the time.
3. Times each dashboard's service call (the page's real queries: overview with the previous period and the series,
   channels, markets, products, customers' RFM grid and cohorts, and plain metric queries), ``--runs`` times each
   over a few periods and filters, and prints p50/p95 per dashboard.
4. Peak memory: the high-water resident set of this process and of the DuckDB query server process.
5. Baseline: the same queries written in pandas over the same rows already loaded in memory (loading not timed),
   and the ratio pandas ÷ chuhai per query.
6. Incremental step: inserts one more day of orders and times the next query (mart refresh of that month + query).
7. Browser (unless ``--no-browser``): serves the data with gunicorn, logs in with Chromium and loads /analytics/
   ``--page-runs`` times until its charts are drawn; prints p50/p95.

    .venv/bin/python benchmarks/analytics.py                          # SQLite, 10M lines (≈ 15 min)
    .venv/bin/python benchmarks/analytics.py --lines 1000000           # quicker
    .venv/bin/python benchmarks/analytics.py --database-url postgres://chuhai:chuhai@127.0.0.1:5432/chuhai
    .venv/bin/python benchmarks/analytics.py --keep /tmp/bench-an      # keep the data; --reuse it next time

Needs pandas for the baseline (``pip install -e '.[bench]'``; skipped with a note if missing). Never touches the
user's data: CHUHAI_* variables from the environment are ignored.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUHAI = ROOT / ".venv" / "bin" / "chuhai"
TARGETS = {"p50_s": 1.0, "p95_s": 2.0, "peak_mb": 1536.0, "ratio": 5.0, "page_p95_s": 2.0}
BENCH_DB = "chuhai_bench_analytics"
START = dt.date(2023, 1, 1)
DAYS = 3 * 365 + 1  # 2023-01-01 … 2025-12-31
N_ACCOUNTS, N_PRODUCTS, N_CATEGORIES = 30, 20_000, 40
ACCOUNTS = [  # (platform, marketplace, fx to CNY)
    ("amazon", "US", "7.1"), ("amazon", "DE", "7.8"), ("amazon", "GB", "9.0"), ("amazon", "JP", "0.049"),
    ("amazon", "FR", "7.8"), ("amazon", "IT", "7.8"), ("amazon", "ES", "7.8"), ("amazon", "CA", "5.2"),
    ("amazon", "AU", "4.7"), ("ebay", "US", "7.1"), ("ebay", "GB", "9.0"), ("ebay", "DE", "7.8"),
    ("shopee", "SG", "5.3"), ("shopee", "MY", "1.5"), ("shopee", "TH", "0.2"), ("shopee", "PH", "0.125"),
    ("lazada", "SG", "5.3"), ("lazada", "MY", "1.5"), ("tiktok", "US", "7.1"), ("tiktok", "GB", "9.0"),
    ("walmart", "US", "7.1"), ("walmart", "MX", "0.4"), ("temu", "US", "7.1"), ("temu", "DE", "7.8"),
    ("shopify", "US", "7.1"), ("shopify", "CA", "5.2"), ("aliexpress", "ES", "7.8"), ("aliexpress", "PL", "1.8"),
    ("woocommerce", "SE", "0.68"), ("amazon", "SE", "0.68"),
]


# -- set-up -----------------------------------------------------------------------------------------------------------

def setup_django(data_dir: Path, database_url: str | None) -> None:
    for key in [k for k in os.environ if k.startswith("CHUHAI_")]:
        del os.environ[key]
    os.environ.update(CHUHAI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="chuhai.settings.production",
                      CHUHAI_SECRET_KEY="benchmark-secret-key-0123456789abcdef0123456789", CHUHAI_DEBUG="0")
    if database_url:
        os.environ["CHUHAI_DATABASE_URL"] = database_url
    import django

    django.setup()


def fresh_postgres(url: str) -> str:
    """A new empty database next to ``url``'s, returned as a URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {BENCH_DB}")
    return url.rsplit("/", 1)[0] + "/" + BENCH_DB


class Sql:
    """The few places the generator's SQL differs between SQLite and PostgreSQL."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def series(self, first: int, last: int) -> str:
        if self.pg:
            return f"(SELECT i FROM generate_series(CAST({first} AS BIGINT), CAST({last} AS BIGINT)) AS g(i)) s"
        return (f"(WITH RECURSIVE g(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM g WHERE i < {last}) "
                "SELECT i FROM g) s")

    def at(self, seconds: str) -> str:
        """The instant ``seconds`` after 2023-01-01 00:00 UTC, as the column stores it."""
        if self.pg:
            return f"(TIMESTAMPTZ '2023-01-01 00:00:00+00' + ({seconds}) * INTERVAL '1 second')"
        return f"datetime('2023-01-01 00:00:00', '+' || ({seconds}) || ' seconds')"

    def local_date(self, column: str) -> str:
        """Company-local (Asia/Shanghai, UTC+8) date of a stored instant."""
        if self.pg:
            return f"(({column}) AT TIME ZONE 'Asia/Shanghai')::date"
        return f"date({column}, '+8 hours')"

    def month_start(self, column: str) -> str:
        if self.pg:
            return f"date_trunc('month', ({column}) AT TIME ZONE 'Asia/Shanghai')::date"
        return f"date({column}, '+8 hours', 'start of month')"

    def true(self) -> str:
        return "TRUE" if self.pg else "1"

    def false(self) -> str:
        return "FALSE" if self.pg else "0"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"


#: The order columns both the generation and the incremental step fill.
INSERT_ORDERS = """INSERT INTO orders_order (id, account_id, external_id, marketplace, purchased_at, status,
    fulfilment_channel, document_type, tax_model, is_replacement, is_business, promotion_ids, customer_ref,
    ship_country, ship_region, ship_city, ship_postal, currency, items_total, shipping_total, tax_total,
    discount_total, order_total, base_currency, fx_rate, source_hash, created_at, updated_at)"""


def generate(lines: int, chunk_orders: int = 500_000) -> dict:
    """The data set of the module docstring, generated inside the database; returns counts."""
    from django.db import connection, transaction

    from chuhai.catalog.models import Product
    from chuhai.channels.services import create_account
    from chuhai.core.models import CompanySettings

    sql = Sql(connection.vendor)
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = "CNY", "Asia/Shanghai"
    settings.save()
    accounts = [create_account(f"A{i + 1:02d}-{platform.upper()[:4]}-{market}", platform, market)
                for i, (platform, market, _fx) in enumerate(ACCOUNTS[:N_ACCOUNTS])]
    account_ids = [a.pk for a in accounts]
    Product.objects.bulk_create([
        Product(sku=f"S{i:05d}", name_en=f"Item {i}", category=f"Category {i % N_CATEGORIES:02d}",
                purchase_cost=(i % 200) + 3, cost_currency="CNY")
        for i in range(N_PRODUCTS)], batch_size=5000)
    first_product = Product.objects.order_by("pk").values_list("pk", flat=True).first()
    orders_n = lines // 2
    span = DAYS * 86400
    # account of order i: 30 accounts, the first ones busier (i² mod keeps it deterministic)
    account_case = "CASE " + " ".join(
        f"WHEN (s.i * 7919) % 100 < {bound} THEN {account_ids[k]}"
        for k, bound in enumerate(_cumulative_shares(len(account_ids)))) + f" ELSE {account_ids[-1]} END"
    fx_case = "CASE x.account_id " + " ".join(
        f"WHEN {a.pk} THEN {ACCOUNTS[k][2]}" for k, a in enumerate(accounts)) + " END"
    market_case = "CASE a.id " + " ".join(f"WHEN {a.pk} THEN '{a.marketplace}'" for a in accounts) + " END"
    currency_case = "CASE a.id " + " ".join(f"WHEN {a.pk} THEN '{a.currency}'" for a in accounts) + " END"
    t = sql.true() if sql.pg else "1"
    f = sql.false()
    counts = {"orders": 0, "lines": 0, "profit_rows": 0}
    made_lines = 0
    with connection.cursor() as cur, mart_triggers_off(cur, sql.pg):
        if not sql.pg:
            cur.execute("PRAGMA cache_size = -262144")
            cur.execute("PRAGMA synchronous = OFF")
        for first in range(1, orders_n + 1, chunk_orders):
            last = min(orders_n, first + chunk_orders - 1)
            # growth: later orders denser (purchase second ~ span × sqrt(i / n)), jitter within the hour
            at = sql.at(f"CAST({span} * sqrt(CAST(s.i AS DOUBLE PRECISION) / {orders_n}) AS INTEGER) % {span}"
                        if sql.pg else
                        f"CAST({span} * sqrt(CAST(s.i AS REAL) / {orders_n}) AS INTEGER) % {span}")
            with transaction.atomic():
                cur.execute(f"""
                    {INSERT_ORDERS}
                    SELECT x.i, x.account_id, 'B' || {sql.text('x.i')}, {market_case}, x.at,
                           CASE WHEN x.i % 50 = 0 THEN 'cancelled' WHEN x.i % 97 = 0 THEN 'pending'
                                WHEN x.i % 33 = 0 THEN 'refunded' ELSE 'shipped' END,
                           'fba', CASE WHEN x.i % 33 = 0 THEN 'credit' ELSE 'order' END, '', {f}, {f}, '',
                           CASE WHEN x.i % 20 = 0 THEN '' ELSE 'C' || {sql.text(f'(x.i * 2654435761) % {max(orders_n // 3, 1)}')} END,
                           {market_case}, '', '', '', {currency_case}, 0, 0, 0, 0, 0, 'CNY', {fx_case}, '', x.at, x.at
                    FROM (SELECT s.i, {account_case} AS account_id, {at} AS at FROM {sql.series(first, last)}) x
                    JOIN channels_channelaccount a ON a.id = x.account_id""")
                # lines: 1–3 per order (avg 2); SKU popularity skewed to the low ids (p = N·u² for uniform u)
                h = "(((o.id * 31 + k.n * 7777) * 2654435761) % 10007)"
                cur.execute(f"""
                    INSERT INTO orders_orderline (order_id, line_no, external_line_id, product_id, channel_sku,
                        product_name, item_status, quantity, unit_price, gross_amount, item_tax, shipping,
                        shipping_tax, discount)
                    SELECT y.oid, y.n, '', {first_product} + y.p, 'S' || {sql.text('y.p')}, '',
                           CASE WHEN (y.oid + y.n) % 100 = 0 THEN 'cancelled' ELSE 'shipped' END,
                           y.q, 5.99 + y.p % 200, y.q * (5.99 + y.p % 200), 0,
                           CASE WHEN y.n = 1 THEN 2.99 ELSE 0 END, 0, 0
                    FROM (SELECT o.id AS oid, k.n AS n, {h} * {h} / {10007 * 10007 // N_PRODUCTS + 1} AS p,
                                 CASE WHEN o.document_type = 'credit' THEN -1 ELSE 1 + (o.id + k.n) % 5 / 4 END AS q
                          FROM orders_order o
                          JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) k ON k.n <= 1 + o.id % 3
                          WHERE o.id BETWEEN {first} AND {last}) y""")
            cur.execute("SELECT MAX(id) FROM orders_orderline")
            made_lines = cur.fetchone()[0] or 0
            print(f"  orders {last:>10,} / {orders_n:,}   lines {made_lines:>11,}", flush=True)
        counts["orders"], counts["lines"] = orders_n, made_lines
        print("  profit rows …", flush=True)
        statuses = "('shipped', 'refunded')"
        revenue = "((l.gross_amount - l.discount) * o.fx_rate)"
        cur.execute(f"""
            INSERT INTO finance_profitfact (kind, order_line_id, order_id, account_id, product_id, sku, listing_sku,
                marketplace, ship_country, day, month, units, currency, gross_sales, vat, revenue, shipping_income,
                promotions, refunds, platform_fees, advertising, other_fees, reimbursements, cogs, logistics, profit,
                fees, settled, cogs_estimated, computed_at)
            SELECT 'order_line', l.id, o.id, o.account_id, l.product_id, 'S' || {sql.text(f'l.product_id - {first_product}')},
                   l.channel_sku, o.marketplace, o.ship_country, {sql.local_date('o.purchased_at')},
                   {sql.month_start('o.purchased_at')}, l.quantity, 'CNY',
                   CASE WHEN l.quantity > 0 THEN {revenue} ELSE 0 END, 0,
                   CASE WHEN l.quantity > 0 THEN {revenue} ELSE 0 END, 0, 0,
                   CASE WHEN l.quantity < 0 THEN {revenue} ELSE 0 END,
                   -0.15 * {revenue}, -0.05 * {revenue}, 0, 0, -0.4 * {revenue}, -0.1 * {revenue},
                   0.3 * {revenue}, '{{}}', {t}, {f}, o.purchased_at
            FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id
            WHERE o.status IN {statuses} AND l.item_status <> 'cancelled'""")
        counts["profit_rows"] = _count(cur, "finance_profitfact")
        if sql.pg:
            cur.execute("ANALYZE")
        else:
            cur.execute("ANALYZE")
    return counts


@contextlib.contextmanager
def mart_triggers_off(cur, pg: bool):
    """A bulk load without the mart's change-mark triggers (one mark per row costs minutes at 10M rows); the mart
    is rebuilt whole afterwards, so a ``*`` mark says so."""
    marks = importlib.import_module("chuhai.analytics.migrations.0003_mart_change_marks")
    tables = list(marks.PG_DAYS)
    if pg:
        for table in tables:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    else:
        for statement in marks.SQLITE_DROP:
            if "DROP TRIGGER" in statement:
                cur.execute(statement)
    try:
        yield
    finally:
        if pg:
            for table in tables:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            for statement in marks.SQLITE:
                if statement.lstrip().startswith("CREATE TRIGGER"):
                    cur.execute(statement)
        cur.execute(f"INSERT INTO {marks.TABLE} (source, day, version) VALUES ('*', '1970-01-01', 1)")


def _cumulative_shares(n: int) -> list[int]:
    """Percent bounds giving account k a share falling with k (the first accounts are the big ones)."""
    weights = [1 / (k + 2) for k in range(n)]
    total = sum(weights)
    bounds, acc = [], 0.0
    for w in weights[:-1]:
        acc += w / total * 100
        bounds.append(max(1, round(acc)))
    return bounds


def _count(cur, table: str) -> int:
    cur.execute(f"SELECT COUNT(*) FROM {table}")
    return cur.fetchone()[0]


# -- the queries ----------------------------------------------------------------------------------------------------

def dashboard_queries() -> list[tuple[str, object]]:
    """(name, callable) per dashboard query: the services the pages call, with their real arguments."""
    from chuhai.analytics import customers, dashboards
    from chuhai.analytics.metric_layer import run

    year = dashboards.Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    month = dashboards.Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    all_time = dashboards.Period(START, dt.date(2025, 12, 31))
    de = {"marketplace": ["DE"]}
    queries = [
        ("overview 12 months (finance)", lambda: dashboards.overview(year, finance=True)),
        ("overview 30 days", lambda: dashboards.overview(month)),
        ("overview 3 years, DE, USD", lambda: dashboards.overview(all_time, filters=de, currency="USD")),
        ("channels 12 months", lambda: dashboards.channels(year)),
        ("markets 12 months", lambda: dashboards.markets(year)),
        ("metric net_sales,orders by month, 3 years", lambda: run("net_sales,orders", by="month")),
        ("metric top 20 SKUs by net sales", lambda: run("net_sales,units", by="sku", sort="-net_sales",
                                                        limit=20, date_from=year.start, date_to=year.end)),
        ("metric gross profit by category, 12 months", lambda: run("gross_profit,margin_percent", by="category",
                                                                   date_from=year.start, date_to=year.end)),
        ("customers RFM grid, 12 months", lambda: customers.rfm(year.start, year.end)),
        ("customers cohorts, 12 months", lambda: customers.cohorts(year.start, year.end)),
    ]
    try:
        from chuhai.analytics import products

        if hasattr(products, "abc"):
            queries.append(("products ABC, 12 months", lambda: products.abc(year.start, year.end)))
    except ImportError:
        pass
    return queries


def time_queries(queries, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for _round in range(runs):
        for name, call in queries:
            started = time.perf_counter()
            call()
            times.setdefault(name, []).append(time.perf_counter() - started)
    return times


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def high_water_mb(pid: int | None = None) -> float:
    path = f"/proc/{pid or 'self'}/status"
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if pid is None else 0.0


def reset_peak(pid: int | None = None) -> None:
    """Start the high-water mark afresh (Linux: writing 5 to clear_refs resets VmHWM), so the peak is the
    queries', not the data generation's."""
    try:
        Path(f"/proc/{pid or 'self'}/clear_refs").write_text("5")
    except OSError:
        pass


def server_pid() -> int | None:
    from chuhai.analytics.metric_layer import engine

    con = engine._state.get("con")
    process = getattr(con, "_process", None)
    return process.pid if process is not None else None


# -- pandas baseline --------------------------------------------------------------------------------------------------

def pandas_baseline(runs: int) -> tuple[float, dict[str, float]] | None:
    """The same figures in pandas over the order lines loaded once (the load is reported, not counted)."""
    try:
        import pandas as pd
    except ImportError:
        print("  pandas is not installed (pip install -e '.[bench]'): baseline skipped")
        return None
    import duckdb

    from chuhai.analytics.metric_layer import mart

    started = time.perf_counter()
    # The rows the layer reads (the mart's order lines), materialised into pandas by DuckDB.
    con = duckdb.connect()
    stored = mart._source_dir("orders")
    frame = con.execute(f"SELECT * FROM read_parquet('{stored}/month=*/*.parquet', hive_partitioning=true)").df()
    con.close()
    frame["goods"] = frame["goods"].astype(float)
    frame["charged"] = frame["charged"].astype(float)
    frame["day"] = pd.to_datetime(frame["day"])
    loaded = time.perf_counter() - started
    year = (frame["day"] >= "2025-01-01") & (frame["day"] <= "2025-12-31")

    def kpis(mask):
        part = frame[mask]
        sale = part[~part["is_credit"]]
        return {"orders": sale["order_id"].nunique(), "units": part["quantity"].sum(), "net": part["goods"].sum(),
                "gmv": sale["charged"].sum(), "customers": sale.loc[sale["customer_ref"] != "", "customer_ref"].nunique()}

    queries = {
        "overview 12 months": lambda: (kpis(year), kpis((frame["day"] >= "2024-01-01") & (frame["day"] <= "2024-12-31")),
                                       frame[year].groupby(frame["day"].dt.to_period("M"))
                                       .agg(net=("goods", "sum"), orders=("order_id", "nunique"))),
        "net_sales,orders by month, 3 years": lambda: frame.groupby(frame["day"].dt.to_period("M"))
        .agg(net=("goods", "sum"), orders=("order_id", "nunique")),
        "top 20 SKUs": lambda: frame[year].groupby("product_id")["goods"].sum().nlargest(20),
        "by marketplace 12 months": lambda: frame[year].groupby("marketplace")
        .agg(net=("goods", "sum"), orders=("order_id", "nunique"), units=("quantity", "sum")),
    }
    out = {}
    for name, call in queries.items():
        out[name] = statistics.median(_timed(call) for _ in range(runs))
    return loaded, out


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


#: pandas query → the chuhai query it is compared with.
BASELINE_PAIRS = {
    "overview 12 months": "overview 12 months (finance)",
    "net_sales,orders by month, 3 years": "metric net_sales,orders by month, 3 years",
    "top 20 SKUs": "metric top 20 SKUs by net sales",
    "by marketplace 12 months": "markets 12 months",
}


# -- incremental ------------------------------------------------------------------------------------------------------

def incremental_step() -> tuple[int, float, float]:
    """One more day of orders (5,000 orders, ~10,000 lines on 2025-12-31), then the next query: (lines added,
    refresh + query seconds, query seconds after)."""
    from django.db import connection, transaction

    from chuhai.analytics.metric_layer import run

    with connection.cursor() as cur:
        cur.execute("SELECT MAX(id) FROM orders_order")
        top = cur.fetchone()[0]
        cur.execute("SELECT MIN(id) FROM catalog_product")
        first_product = cur.fetchone()[0]
        cur.execute("SELECT id, marketplace, currency FROM channels_channelaccount ORDER BY id LIMIT 1")
        account, market, currency = cur.fetchone()
        sql = Sql(connection.vendor)
        at = sql.at(f"{(DAYS - 1) * 86400} + s.i % 86400")
        with transaction.atomic():
            cur.execute(f"""
                {INSERT_ORDERS}
                SELECT {top} + s.i, {account}, 'N' || {sql.text(f'{top} + s.i')}, '{market}', {at}, 'shipped', 'fba',
                       'order', '', {sql.false()}, {sql.false()}, '', 'C' || {sql.text('s.i')}, '{market}', '', '', '',
                       '{currency}', 0, 0, 0, 0, 0, 'CNY', 7.1, '', {at}, {at}
                FROM {sql.series(1, 5000)}""")
            cur.execute(f"""
                INSERT INTO orders_orderline (order_id, line_no, external_line_id, product_id, channel_sku,
                    product_name, item_status, quantity, unit_price, gross_amount, item_tax, shipping,
                    shipping_tax, discount)
                SELECT o.id, k.n, '', {first_product} + (o.id * 13 + k.n) % {N_PRODUCTS}, 'X', '', 'shipped', 1,
                       19.99, 19.99, 0, 0, 0, 0
                FROM orders_order o JOIN (SELECT 1 AS n UNION ALL SELECT 2) k ON TRUE
                WHERE o.id > {top}""")
    started = time.perf_counter()
    run("net_sales,orders", by="month")
    with_refresh = time.perf_counter() - started
    started = time.perf_counter()
    run("net_sales,orders", by="month")
    return 10_000, with_refresh, time.perf_counter() - started


# -- browser ----------------------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_load_times(runs: int) -> list[float] | None:
    from django.contrib.auth.models import User

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("  playwright is not installed: browser step skipped")
        return None
    if not Path("/usr/bin/chromium").exists():
        print("  /usr/bin/chromium missing: browser step skipped")
        return None
    from django.contrib.auth.models import Group

    user = User.objects.filter(username="bench").first() or User(username="bench")  # a --reuse run has it
    user.set_password("bench-password-123")
    user.is_superuser = True
    user.save()
    del Group
    port = _free_port()
    env = {**os.environ, "PORT": str(port)}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "chuhai.wsgi", "-b", f"127.0.0.1:{port}",
                               "-w", "2", "--timeout", "300"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    times = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page()
            base = f"http://127.0.0.1:{port}"
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "bench")
            page.fill("input[name=password]", "bench-password-123")
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_load_state("networkidle")
            url = f"{base}/analytics/?date_from=2025-01-01&date_to=2025-12-31"
            for i in range(runs + 2):  # two warm-ups: each gunicorn worker starts its query engine once
                started = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("canvas", timeout=120_000)
                page.wait_for_load_state("networkidle")
                if i >= 2:
                    times.append(time.perf_counter() - started)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return times


# -- main -------------------------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000_000, help="order lines (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=7, help="runs of each dashboard query (default: %(default)s)")
    parser.add_argument("--page-runs", type=int, default=10, help="overview page loads (default: %(default)s)")
    parser.add_argument("--database-url", help="PostgreSQL server to use (a database named "
                        f"{BENCH_DB} is created there); default: SQLite")
    parser.add_argument("--keep", type=Path, help="keep the data directory here (reuse it with --reuse)")
    parser.add_argument("--reuse", type=Path, help="a data directory kept by --keep (skips the generation)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    tmp = None
    if args.reuse:
        data = args.reuse
        url = (data / "database-url").read_text().strip() if (data / "database-url").exists() else None
    else:
        if args.keep:
            data = args.keep
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir(parents=True)
        else:
            tmp = tempfile.TemporaryDirectory(prefix="chuhai-analytics-")
            data = Path(tmp.name)
        url = fresh_postgres(args.database_url) if args.database_url else None
        if url:
            (data / "database-url").write_text(url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHUHAI_")}
        env.update(CHUHAI_DATA_DIR=str(data), **({"CHUHAI_DATABASE_URL": url} if url else {}))
        subprocess.run([str(CHUHAI), "init"], env=env, check=True, capture_output=True)
    setup_django(data, url)
    from django.db import connection

    from chuhai.analytics.metric_layer import engine, mart

    backend = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"analytics benchmark on {backend}, data in {data}")
    if not args.reuse:
        started = time.perf_counter()
        counts = generate(args.lines)
        print(f"generated {counts['orders']:,} orders, {counts['lines']:,} lines, {counts['profit_rows']:,} "
              f"profit rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    report = mart.refresh(full=not args.reuse)
    print(f"mart {'built' if report.full else 'refreshed'} in {time.perf_counter() - started:.1f} s "
          f"({sum(len(m) for m in report.months.values())} source-months)")
    queries = dashboard_queries()
    for _name, call in queries:  # warm-up: engine start, OS cache
        call()
    reset_peak()
    reset_peak(server_pid())
    times = time_queries(queries, args.runs)
    rows = []
    print(f"\n{'dashboard query':<46} {'p50 s':>7} {'p95 s':>7}")
    for name, values in times.items():
        p50, p95 = p(values, 0.5), p(values, 0.95)
        print(f"{name:<46} {p50:>7.3f} {p95:>7.3f}")
        rows.append((f"{name} p50", p50, TARGETS["p50_s"]))
        rows.append((f"{name} p95", p95, TARGETS["p95_s"]))
    pid = server_pid()
    peak = high_water_mb() + (high_water_mb(pid) if pid else 0.0)
    print(f"\npeak resident memory: {peak:.0f} MB (this process {high_water_mb():.0f} MB"
          + (f" + query server {high_water_mb(pid):.0f} MB" if pid else "") + ")")
    rows.append(("peak memory MB (queries)", peak, TARGETS["peak_mb"]))
    added, with_refresh, after = incremental_step()
    print(f"\nincremental: +{added:,} lines on one day → next query {with_refresh:.2f} s (refresh of one month "
          f"included), then {after:.3f} s")
    if not args.no_pandas:
        baseline = pandas_baseline(max(3, args.runs // 2))
        if baseline:
            loaded, pandas_times = baseline
            print(f"\npandas baseline (order lines loaded once in {loaded:.1f} s, not counted)")
            print(f"{'query':<40} {'pandas s':>9} {'chuhai p50 s':>13} {'ratio':>7}")
            for name, seconds in pandas_times.items():
                ours = p(times[BASELINE_PAIRS[name]], 0.5)
                ratio = seconds / ours if ours else float("inf")
                print(f"{name:<40} {seconds:>9.3f} {ours:>13.3f} {ratio:>6.1f}×")
                rows.append((f"pandas ratio {name}", ratio, TARGETS["ratio"]))
            print(f"peak resident memory with the pandas frame: {high_water_mb():.0f} MB (not the target's)")
    if not args.no_browser:
        engine.close()
        connection.close()
        page_times = page_load_times(args.page_runs)
        if page_times:
            print(f"\noverview page in Chromium ({len(page_times)} loads): p50 {p(page_times, 0.5):.2f} s, "
                  f"p95 {p(page_times, 0.95):.2f} s")
            rows.append(("overview page p95 s", p(page_times, 0.95), TARGETS["page_p95_s"]))
    missed = []
    for name, value, target in rows:
        ok = value >= target if name.startswith("pandas ratio") else value <= target
        if not ok:
            missed.append(f"{name}: {value:.2f} (target {target})")
    print("\ntargets: " + ("all met" if not missed else "MISSED — " + "; ".join(missed)))
    engine.close()
    if tmp is not None:
        tmp.cleanup()
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
