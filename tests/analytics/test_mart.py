"""The analytics mart stays in step with the operational database: every change is seen by the next query, only
the touched months are rebuilt, and the figures equal those read directly from the operational database.

Figures of the ml_builders business (see its docstring): net sales 667.95, January (Shanghai) 316.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction

from chuhai.analytics.metric_layer import engine, mart, run
from chuhai.finance.profit_facts import ProfitFact
from chuhai.orders.models import Order, OrderLine

from .ml_builders import business, company, make_order, utc

D = Decimal
JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 28)
METRICS = "orders,units,gmv,net_sales,refunds,customers,new_customers,repeat_purchase_rate"


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


def net_sales(**kwargs):
    return run("net_sales", **kwargs).rows[0]["net_sales"]


def marks():
    with connection.cursor() as cur:
        cur.execute(f"SELECT source, day, version FROM {mart.DIRTY_TABLE} ORDER BY 1, 2")
        return cur.fetchall()


def changed():
    return mart.status()["changed_days"]


def versions():
    return {(s, str(d)[:10]): v for s, d, v in marks()}


def test_triggers_mark_the_days_that_change(shop):
    mart.refresh()
    assert changed() == 0
    before = versions()
    # (marks are never deleted: earlier tests' days may be there too)
    assert set(before) >= {("orders", day) for day in ("2026-01-10", "2026-01-31", "2026-02-05", "2026-02-10",
                                                       "2026-02-11", "2026-02-12", "2026-02-20")} | {
        ("profit", day) for day in ("2026-01-10", "2026-02-05", "2026-02-20", "2026-02-01")}
    order = Order.objects.get(external_id="O3")  # 2026-02-05 10:00 UTC
    order.ship_country = "MX"
    order.save()
    OrderLine.objects.filter(order=order).update(quantity=3)
    after = versions()
    assert [k for k in after if after[k] != before[k]] == [("orders", "2026-02-05")]
    # bumped for the order and again for its line (PostgreSQL bumps once for the old and once for the new rows
    # of an update): the version says the day changed twice
    assert after[("orders", "2026-02-05")] >= before[("orders", "2026-02-05")] + 2
    assert changed() == 1
    ProfitFact.objects.filter(day=dt.date(2026, 1, 10)).delete()
    assert versions()[("profit", "2026-01-10")] > before[("profit", "2026-01-10")]


def test_a_query_sees_inserts_updates_and_deletes(shop):
    assert net_sales() == D("667.95")
    # insert: O8 on 2026-01-20, 1 × 100.00 at 7.0 = 700.00
    make_order(shop["us"], "O8", utc(2026, 1, 20, 3), "7.0", [(shop["cable"], 1, "100.00")], customer="c9")
    assert net_sales() == D("1367.95")
    # update: the line is cancelled → out again
    OrderLine.objects.filter(order__external_id="O8").update(item_status="cancelled")
    assert net_sales() == D("667.95")
    # delete: O7 (129.60) goes → 538.35
    Order.objects.filter(external_id="O7").delete()
    assert net_sales() == D("538.35")
    # an order moved to another month: O3 (360.00) from February to January
    Order.objects.filter(external_id="O3").update(purchased_at=utc(2026, 1, 15))
    by_month = {r["month"]: r["net_sales"] for r in run("net_sales", by="month").rows}
    # January: 134.90 + 181.05 + 360.00 = 675.95; February: 42.40 − 180.00 = −137.60
    assert by_month == {"2026-01": D("675.95"), "2026-02": D("-137.60")}
    assert changed() == 0


def test_only_the_touched_months_are_rebuilt(shop):
    mart.refresh()
    make_order(shop["us"], "O8", utc(2026, 1, 20, 3), "7.0", [(shop["cable"], 1, "100.00")])
    report = mart.refresh()
    # 2026-01-20 UTC: its local day is the 20th or the 21st; the neighbouring days stay in January
    assert (report.full, report.months) == (False, {"orders": ["2026-01"]})
    Order.objects.filter(external_id="O1").update(purchased_at=utc(2026, 3, 31, 20))
    report = mart.refresh()
    # old day 2026-01-10 → January; new day 2026-03-31 UTC (April 1st in Shanghai) → March and April
    assert report.months == {"orders": ["2026-01", "2026-03", "2026-04"]}
    assert {r["month"] for r in run("orders", by="month").rows} == {"2026-01", "2026-02", "2026-04"}


def test_profit_rows_follow_too(shop):
    assert run("gross_profit").rows[0]["gross_profit"] == D("221.20")
    ProfitFact.objects.filter(day=dt.date(2026, 2, 5)).update(cogs=D("-160.00"))
    # 116.20 + (210.00 − 10.00) − 105.00 + 0 = 211.20
    assert run("gross_profit").rows[0]["gross_profit"] == D("211.20")


def test_mart_and_direct_reads_agree(shop, monkeypatch):
    for kwargs in ({}, {"by": "month"}, {"by": "account,sku"}, {"by": "ship_country", "date_from": JAN,
                                                                  "date_to": dt.date(2026, 1, 31)},
                   {"by": "channel", "filters": {"marketplace": "SG"}}):
        with_mart = run(METRICS, **kwargs).rows
        monkeypatch.setenv("CHUHAI_ANALYTICS_MART", "0")
        direct = run(METRICS, **kwargs).rows
        monkeypatch.setenv("CHUHAI_ANALYTICS_MART", "1")
        assert with_mart == direct, kwargs
    assert run("gross_profit,contribution_margin", by="month").rows == run(
        "gross_profit,contribution_margin", by="month").rows


def test_renaming_a_product_needs_no_rebuild(shop):
    run("net_sales")
    shop["cable"].category = "accessories"
    shop["cable"].save()
    assert changed() == 0
    rows = {r["category"]: r["net_sales"] for r in run("net_sales", by="category").rows}
    # cable lines: 134.90 + 42.40 + 129.60 = 306.90
    assert rows["accessories"] == D("306.90")


def test_marks_stay_while_a_transaction_is_open(shop):
    run("net_sales")
    with transaction.atomic():
        make_order(shop["us"], "O8", utc(2026, 1, 20, 3), "7.0", [(shop["cable"], 1, "100.00")])
        # DuckDB cannot see the uncommitted order; the marks must survive for the query after the commit
        assert net_sales() == D("667.95")
        assert changed() > 0
    assert net_sales() == D("1367.95")


def test_a_day_changed_during_a_refresh_is_built_again(shop, monkeypatch):
    mart.refresh()
    Order.objects.filter(external_id="O3").update(ship_country="MX")
    real_marks = mart._marks

    def marks_then_a_change():
        seen = real_marks()  # the refresh has read the versions; another process changes the same day
        Order.objects.filter(external_id="O3").update(ship_country="BR")
        return seen

    monkeypatch.setattr(mart, "_marks", marks_then_a_change)
    report = mart.refresh()
    monkeypatch.setattr(mart, "_marks", real_marks)
    assert report.months == {"orders": ["2026-02"]}
    # the second change happened after the versions were read: still to do, and the next query sees it
    assert changed() == 1
    countries = {r["ship_country"] for r in run("orders", by="ship_country").rows}
    assert "BR" in countries and "MX" not in countries


def test_two_marts_over_one_database_both_follow(shop, settings, tmp_path):
    """Two application servers with data directories of their own share one database: each mart sees every
    change, whichever refreshes first."""
    first_dir = settings.DATA_DIR
    assert net_sales() == D("667.95")
    settings.DATA_DIR = tmp_path
    assert net_sales() == D("667.95")
    make_order(shop["us"], "O8", utc(2026, 1, 20, 3), "7.0", [(shop["cable"], 1, "100.00")])
    assert net_sales() == D("1367.95")
    settings.DATA_DIR = first_dir
    assert net_sales() == D("1367.95")


def test_time_zone_change_rebuilds_everything(shop):
    mart.refresh()
    company(tz="UTC")
    report = mart.refresh()
    assert report.full
    # O2 (2026-01-31 17:30 UTC) is January in UTC: January 134.90 + 181.05 + 42.40 = 358.35
    assert run("net_sales", by="month").rows[0] == {"month": "2026-01", "net_sales": D("358.35")}


def test_status_and_rebuild(shop):
    report = mart.refresh(full=True)
    assert report.full and report.months["orders"] == ["2026-01", "2026-02"]
    status = mart.status()
    assert status["enabled"] and status["changed_days"] == 0
    assert status["sources"]["orders"]["months"] == 2 and status["sources"]["orders"]["bytes"] > 0


def test_cli_mart_status_and_rebuild(shop, capsys):
    from chuhai.cli.main import main

    assert main(["metrics", "mart", "--rebuild", "--json"]) == 0
    out = capsys.readouterr()
    import json

    status = json.loads(out.out)
    assert "rebuilt" in out.err and status["changed_days"] == 0 and status["sources"]["orders"]["months"] == 2
    Order.objects.filter(external_id="O7").delete()
    assert main(["metrics", "mart"]) == 0
    text = capsys.readouterr().out
    assert "changed days  1" in text and "rollup bytes" in text
    assert status["sources"]["orders"]["rollup_bytes"] > 0
