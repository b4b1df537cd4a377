"""Issue 6's real-data check: the whole UCI "Online Retail" file imported, then revenue by country (the metric
layer), the RFM grid and the cohort table (chuhai.analytics.customers) against an independent computation from the
raw CSV — csv module, Decimal and plain Python only, no chuhai function.

Company: base GBP (the file's currency, so every fx_rate is 1) and time zone Europe/London (the file's shop times),
so a local day is the date written in the file. The data lives outside the repository; the test skips when absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pycountry
import pytest
from django.db import connection

from chuhai.analytics import customers as cust
from chuhai.analytics.metric_layer import engine, run
from chuhai.channels.generic.mapping import bundled_mapping
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "online_retail.csv.gz"
#: Country values of the file that are not ISO names: the import keeps them as text with an empty country code.
NOT_ISO = {"EIRE", "RSA", "Channel Islands", "European Community", "Unspecified"}
CENT = Decimal("0.01")

pytestmark = [
    pytest.mark.skipif(not DATA.exists(), reason=f"Online Retail data not found at {DATA} "
                                                 "(../shared/data is not part of the repository)"),
    pytest.mark.slow,  # the import: ~30 s on SQLite, ~60 s on PostgreSQL
]


def ntile5(keys: list) -> dict:
    """SQL's NTILE(5) over ``keys`` sorted ascending ((sort key, customer) pairs): the first n mod 5 groups
    get n // 5 + 1 rows, the others n // 5."""
    ordered = sorted(keys)
    n = len(ordered)
    size, extra = divmod(n, 5)
    out, i = {}, 0
    for group in range(1, 6):
        for _ in range(size + (1 if group <= extra else 0)):
            out[ordered[i][-1]] = group
            i += 1
    return out


def half_up(amount: Decimal) -> Decimal:
    """Money to the penny, half up (the rounding of every money figure chuhai shows)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def raw_figures() -> dict:
    """From the file alone. A document is a credit (refund) when its number starts with C, or it has a negative
    quantity, or its goods total is negative; every other invoice is an order."""
    rows_by_invoice: dict[str, list] = defaultdict(list)
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            rows_by_invoice[row["InvoiceNo"]].append(row)
    by_country = defaultdict(lambda: {"net": Decimal(0), "orders": 0, "customers": set()})
    customer = defaultdict(lambda: {"net": Decimal(0), "orders": 0, "days": []})
    last_order_day = None
    total = Decimal(0)
    for invoice, rows in rows_by_invoice.items():
        goods = sum((Decimal(r["Quantity"]) * Decimal(r["UnitPrice"]) for r in rows), Decimal(0))
        credit = invoice.startswith("C") or goods < 0 or any(int(r["Quantity"]) < 0 for r in rows)
        first = rows[0]
        name = first["Country"]
        country = "" if name in NOT_ISO else pycountry.countries.lookup(name).alpha_2
        day = dt.date.fromisoformat(first["InvoiceDate"][:10])
        ref = first["CustomerID"]
        total += goods
        by_country[country]["net"] += goods
        if not credit:
            by_country[country]["orders"] += 1
            last_order_day = max(last_order_day or day, day)
        if ref:
            customer[ref]["net"] += goods
            if not credit:
                customer[ref]["orders"] += 1
                customer[ref]["days"].append(day)
                by_country[country]["customers"].add(ref)
    buyers = {ref: c for ref, c in customer.items() if c["orders"]}
    return {"total": total, "by_country": by_country, "customers": buyers, "last_order_day": last_order_day,
            "all_refs": len(customer)}


def expected_rfm(raw: dict) -> tuple[dt.date, dict]:
    as_of = raw["last_order_day"] + dt.timedelta(days=1)
    custs = raw["customers"]
    r = ntile5([(max(c["days"]), ref) for ref, c in custs.items()])
    f = ntile5([(c["orders"], c["net"], ref) for ref, c in custs.items()])
    cells = defaultdict(lambda: [0, Decimal(0)])
    for ref, c in custs.items():
        cells[(r[ref], f[ref])][0] += 1
        cells[(r[ref], f[ref])][1] += c["net"]
    return as_of, {key: (n, half_up(money)) for key, (n, money) in cells.items()}


def expected_cohorts(raw: dict) -> dict:
    """{cohort month 'YYYY-MM': {offset: active customers}} and the sizes under offset 0."""
    out: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for c in raw["customers"].values():
        first = min(c["days"])
        months = {month_index(d) for d in c["days"]}
        for m in months:
            out[first.strftime("%Y-%m")][m - month_index(first)] += 1
    return {k: dict(v) for k, v in out.items()}


@pytest.mark.django_db(transaction=True)
def test_online_retail_revenue_by_country_rfm_grid_and_cohorts():
    raw = raw_figures()
    # the data README's figures: Σ quantity × price £9,747,747.93; 4,372 customer ids
    assert half_up(raw["total"]) == Decimal("9747747.93") and raw["all_refs"] == 4_372

    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = "GBP", "Europe/London"
    settings.save()
    account = create_account("RETAIL-GB", "distributor", "GB", currency="GBP")
    started = time.monotonic()
    result = import_file("generic-orders", DATA, account, mapping=bundled_mapping("online_retail"))
    assert result.status == "succeeded", result.errors[:5]
    print(f"\nOnline Retail imported in {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE orders_order, orders_orderline")
        else:
            _wal_checkpoint(cursor)
    try:
        _check(raw)
    finally:
        engine.close()
        if connection.vendor == "sqlite":
            _delete_in_small_transactions()


# DuckDB's sqlite_scanner is a second SQLite library in this process and POSIX file locks are per process: when it
# opens the file it takes itself for the only user and resets the WAL index (-shm) that Django's SQLite keeps
# memory-mapped. Mapped regions beyond the first (a WAL of more than ~4,000 frames, like the 541,909-line import or
# the teardown flush of it) then die of SIGBUS. So the WAL is emptied before DuckDB reads, and the data is deleted
# in small transactions before the flush. (Reported to the lead: an engine issue, not this test's.)

def _wal_checkpoint(cursor) -> None:
    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _delete_in_small_transactions(chunk: int = 10_000) -> None:
    from django.db import transaction

    for table in ("orders_orderline", "orders_order"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
            low, high = cursor.fetchone()
        while low is not None and low <= high:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id >= %s AND id < %s", [low, low + chunk])
            with connection.cursor() as cursor:
                _wal_checkpoint(cursor)
            low += chunk


def _check(raw: dict) -> None:
    started = time.monotonic()
    # -- revenue by country: the metric layer's net_sales by ship_country (non-ISO names under "")
    rows = run("net_sales,orders,customers", by="ship_country").rows
    assert run("net_sales").rows[0]["net_sales"] == Decimal("9747747.93")
    got = {r["ship_country"] or "": (r["net_sales"], r["orders"], r["customers"]) for r in rows}
    want = {country: (half_up(v["net"]), v["orders"], len(v["customers"]))
            for country, v in raw["by_country"].items()}
    assert got == want
    assert len(got) == 34 and got["GB"][0] == Decimal("8187806.36")

    # -- RFM grid: counts and net sales of the 25 cells
    as_of, cells = expected_rfm(raw)
    rfm = cust.rfm()
    assert rfm.as_of == as_of == dt.date(2011, 12, 10)
    assert rfm.customers == len(raw["customers"]) == 4_339
    assert {(c.r, c.f): (c.customers, c.monetary) for c in rfm.grid if c.customers} == cells
    assert sum(s.customers for s in rfm.segments) == 4_339

    # -- cohorts: every cohort's size and active customers at each offset
    want_cohorts = expected_cohorts(raw)
    cohorts = cust.cohorts()
    got_cohorts = {row.month: {c.offset: c.active for c in row.cells if c.active} for row in cohorts.rows}
    assert got_cohorts == want_cohorts
    assert [row.month for row in cohorts.rows][:2] == ["2010-12", "2011-01"] and len(cohorts.rows) == 13
    december = cohorts.rows[0]
    assert december.size == want_cohorts["2010-12"][0] and december.observed_months == 13
    assert december.retention(1) == (Decimal(want_cohorts["2010-12"][1]) * 100 / december.size).quantize(CENT)
    print(f"Online Retail figures checked in {time.monotonic() - started:.1f} s: {len(got)} countries, "
          f"{rfm.customers} customers, December cohort {december.size}, month 1 retention "
          f"{december.retention(1)} %")
