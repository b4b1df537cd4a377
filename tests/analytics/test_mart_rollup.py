"""The mart's daily rollups: a request grouped and filtered only by order-level dimensions reads its additive
aggregates from the rollup, and gets exactly the rows it gets from the order lines and profit rows themselves
(with the mart, and with the operational database read directly). A SKU or category in the request, or a
non-additive aggregate (distinct customers), reads the rows.

Figures of the ml_builders business (see its docstring).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.metric_layer import engine, mart, run
from chuhai.analytics.metric_layer.sources import CUSTOMER_DAYS, DAILY, PRODUCT_MONTHS, MartSource
from chuhai.finance.fx import set_manual_rate
from chuhai.finance.profit_facts import ProfitFact
from chuhai.orders.models import Order

from .ml_builders import business, make_order, utc

D = Decimal
ORDER_METRICS = "orders,units,gmv,net_sales,refunds,aov,return_rate,customers,new_customers,returning_customers"
MIX_METRICS = "net_sales,net_sales_share,channel_concentration"
PROFIT_METRICS = "gross_profit,contribution_margin,margin_percent"
REQUESTS = (
    {},
    {"by": "month"},
    {"by": "day", "date_from": dt.date(2026, 2, 1), "date_to": dt.date(2026, 2, 28)},
    {"by": "account"},
    {"by": "channel,marketplace"},
    {"by": "ship_country", "filters": {"account": "AMZ-US"}},
    {"by": "month,channel", "filters": {"marketplace": "SG,US", "ship_country": "SG,CA"}},
    {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 1, 31)},
)


@pytest.fixture
def shop(transactional_db):
    data = business()
    set_manual_rate("CNY", "USD", D("0.14"), dt.date(2026, 1, 1))
    set_manual_rate("CNY", "USD", D("0.15"), dt.date(2026, 2, 1))
    yield data
    engine.close()


@pytest.fixture
def rollup_reads(monkeypatch):
    """(source, rollup kind) of each rollup a request read (recorded, the real reads still run)."""
    seen: list[tuple[str, str]] = []
    real = mart.rollup_relation

    def recording(source, kind):
        seen.append((source.name, kind))
        return real(source, kind)

    monkeypatch.setattr(mart, "rollup_relation", recording)
    return seen


def three_ways(monkeypatch, metrics, seen=None, **kwargs):
    """(rollup, mart rows, database rows) results of one request; ``seen`` (rollup_reads) keeps the rollups
    the first one read."""
    rolled = run(metrics, **kwargs).rows
    first_reads = list(seen or ())
    with monkeypatch.context() as m:
        m.setattr(MartSource, "answers_from_rollup", lambda self, kind="daily": False)
        rows = run(metrics, **kwargs).rows
    with monkeypatch.context() as m:
        m.setenv("CHUHAI_ANALYTICS_MART", "0")
        direct = run(metrics, **kwargs).rows
    if seen is not None:
        seen[:] = first_reads
    return rolled, rows, direct


@pytest.mark.parametrize("currency", [None, "USD"])
def test_rollup_rows_equal_the_line_rows(shop, monkeypatch, rollup_reads, currency):
    for kwargs in REQUESTS:
        for metrics in (ORDER_METRICS, MIX_METRICS, PROFIT_METRICS):
            rollup_reads.clear()
            rolled, rows, direct = three_ways(monkeypatch, metrics, rollup_reads, currency=currency, **kwargs)
            assert rolled == rows == direct, (metrics, kwargs)
            assert rolled, (metrics, kwargs)
            # the rollups read: customers come from the
            # customer-days rollup (read twice: the buyers' first purchases, for "new customers", come from it too)
            expected = {PROFIT_METRICS: [("profit", DAILY)], MIX_METRICS: [("orders", DAILY)],
                        ORDER_METRICS: [("orders", DAILY), *[("orders", CUSTOMER_DAYS)] * 2]}[metrics]
            assert rollup_reads == expected, (metrics, kwargs)


def test_hand_checked_figures_from_the_rollup(shop, rollup_reads):
    by_month = {r["month"]: r for r in run("orders,units,net_sales,gmv,refunds", by="month").rows}
    # January: O1 (2 lines, one order); February: O2, O3, O7 and the credit O4
    assert (by_month["2026-01"]["orders"], by_month["2026-02"]["orders"]) == (1, 3)
    assert by_month["2026-01"]["net_sales"] == D("315.95") and by_month["2026-02"]["net_sales"] == D("352.00")
    assert by_month["2026-02"]["units"] == 1 + 2 - 1 + 3 and by_month["2026-02"]["refunds"] == D("180.00")
    assert by_month["2026-01"]["gmv"] == D("337.25")  # 156.20 + 181.05
    assert rollup_reads == [("orders", DAILY)]
    # USD at each day's rate: 315.95 × 0.14 = 44.233 and 352.00 × 0.15 = 52.80 → 97.03 (rounded once)
    assert run("net_sales", currency="USD").rows[0]["net_sales"] == D("97.03")


def test_line_level_requests_and_distinct_customers_read_the_rows(shop, rollup_reads):
    # line sums over whole months: the product-months rollup; over part of a month: the rows
    run("net_sales", by="sku")
    run("net_sales", filters={"category": "cables"}, date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
    assert rollup_reads == [("orders", PRODUCT_MONTHS)] * 2
    rollup_reads.clear()
    run("net_sales", by="sku", date_from=dt.date(2026, 2, 2))
    run("net_sales", by="day,sku")
    run("customers,repeat_purchase_rate", by="sku")
    assert rollup_reads == []
    # customers are not additive: net sales from the daily rollup, customers from the customer-days one
    rows = run("net_sales,customers,new_customers,repeat_purchase_rate", by="month").rows
    assert rollup_reads == [("orders", DAILY), ("orders", CUSTOMER_DAYS), ("orders", CUSTOMER_DAYS)]
    # January c1; February c1 (O2) and c2 (O3); c2 is new in February, c1 was new in January; nobody ordered
    # twice within a month
    assert [(r["customers"], r["new_customers"], r["repeat_purchase_rate"]) for r in rows] == [
        (1, 1, D("0.00")), (2, 1, D("0.00"))]


def test_rollups_follow_changes(shop, monkeypatch):
    assert run("orders,net_sales", by="month").rows[0] == {"month": "2026-01", "orders": 1,
                                                           "net_sales": D("315.95")}
    # a new January order (100.00 × 7.0) and O3 moved to January: only those months' rollups are rebuilt
    make_order(shop["us"], "O8", utc(2026, 1, 20, 3), "7.0", [(shop["cable"], 1, "100.00")], customer="c9")
    Order.objects.filter(external_id="O3").update(purchased_at=utc(2026, 1, 15))
    ProfitFact.objects.filter(day=dt.date(2026, 1, 10)).update(cogs=D("-50.00"))
    jan = run("orders,net_sales", by="month").rows[0]
    assert jan == {"month": "2026-01", "orders": 3, "net_sales": D("1375.95")}  # 315.95 + 700.00 + 360.00
    assert run("gross_profit", by="month").rows[0]["gross_profit"] == D("106.20")  # 116.20 − 10.00
    rolled, rows, direct = three_ways(monkeypatch, "orders,net_sales,gmv", by="month,account")
    assert rolled == rows == direct


def test_a_rebuilt_mart_has_its_rollups(shop):
    report = mart.refresh(full=True)
    assert report.full
    status = mart.status()["sources"]
    assert status["orders"]["rollup_bytes"] > 0 and status["profit"]["rollup_bytes"] > 0
    assert run("orders").rows[0]["orders"] == 4


LINE_REQUESTS = (
    {"by": "sku"},
    {"by": "category", "date_from": dt.date(2026, 2, 1), "date_to": dt.date(2026, 2, 28)},
    {"by": "sku", "date_from": dt.date(2026, 1, 10), "date_to": dt.date(2026, 2, 20)},
    {"by": "sku,account", "filters": {"marketplace": "SG,US"}},
    {"by": "month,category"},
    {"by": "channel", "filters": {"category": "cables"}},
    {"by": "sku", "sort": "-net_sales", "limit": 2},
)


@pytest.mark.parametrize("currency", [None, "USD"])
def test_line_level_sums_from_grouped_lines_equal_the_rows(shop, monkeypatch, rollup_reads, currency):
    """SKU/category requests sum their line-additive aggregates over the lines grouped by the columns the
    request needs (then joined to products and accounts) — over whole months, the product-months rollup grouped
    the same way: the same rows as summing the joined lines, with the mart and without; order and customer
    counts still come from the lines."""
    groupings = []
    real = MartSource.grouped_rollup

    def recording(self):
        rollup = real(self)
        groupings.append((self.name, rollup.keys))
        return rollup

    monkeypatch.setattr(MartSource, "grouped_rollup", recording)
    for kwargs in LINE_REQUESTS:
        for metrics in ("net_sales,units,gmv,refunds,orders,customers", PROFIT_METRICS):
            if "limit" in kwargs and metrics == PROFIT_METRICS:
                continue
            groupings.clear()
            rollup_reads.clear()
            grouped, rows, direct = three_ways(monkeypatch, metrics, rollup_reads, currency=currency, **kwargs)
            assert grouped == rows == direct, (metrics, kwargs)
            assert grouped, (metrics, kwargs)
            assert groupings, (metrics, kwargs)
            source, keys = groupings[0]
            assert source == ("profit" if metrics == PROFIT_METRICS else "orders")
            # the day only when a dimension or a conversion needs it
            assert ("day" in keys) == (currency is not None or "month" in kwargs["by"]), (keys, kwargs)
            assert ("account_id" in keys) == bool({"account", "channel"} & set(kwargs["by"].split(","))), keys
            whole_months = kwargs.get("date_from", dt.date(2026, 1, 1)).day == 1 and (
                kwargs.get("date_to", dt.date(2026, 1, 31)) + dt.timedelta(days=1)).day == 1
            assert rollup_reads == ([(source, PRODUCT_MONTHS)] if whole_months and currency is None else []), kwargs
