"""The mix metrics of the layer (chuhai/analytics/metric_layer/mix.py): ``net_sales_share`` (a share of the
request's total) and ``channel_concentration`` (a two-level aggregate), on ml_builders' hand-checked business,
through :func:`run`, the CLI and the channels/markets dashboards that now read them.

Net sales of ml_builders' business (base CNY), by channel and month (Shanghai days):
    January:  amazon O1 134.90 + 181.05 = 315.95;                    shopee —
    February: amazon O3 360.00 − O4 180.00 = 180.00;                 shopee O2 42.40 + O7 129.60 = 172.00
    Total 667.95 = amazon 495.95 + shopee 172.00. Marketplace US = amazon, SG = shopee.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from chuhai.analytics import dashboards
from chuhai.analytics.metric_layer import METRICS, MetricError, engine, run
from chuhai.analytics.metric_layer.definitions import AGGREGATES
from chuhai.analytics.metric_layer.query import InnerAggregate
from chuhai.cli.main import main
from chuhai.finance.fx import set_manual_rate

from .ml_builders import business

D = Decimal
JAN_FEB = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 2, 28)}


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


def test_definitions_are_registered():
    for metric_id in ("net_sales_share", "channel_concentration"):
        metric = METRICS[metric_id]
        assert metric.unit == "percent" and metric.source == "orders" and metric.permission == "orders.view_order"
        assert str(metric.definition) and metric.formula
        assert {"month", "channel", "marketplace", "sku"} <= set(metric.dimensions)
    agg = AGGREGATES["top_channel_net_sales"]
    assert isinstance(agg, InnerAggregate) and agg.inner == "channel" and agg.outer == "MAX" and agg.money
    with pytest.raises(ValueError):
        InnerAggregate("x", "orders", "COUNT(*)", inner="nope")
    with pytest.raises(ValueError):
        InnerAggregate("x", "orders", "COUNT(*)", inner="channel", outer="DROP TABLE")


def test_channel_concentration_by_month_and_total(shop):
    rows = run("net_sales,channel_concentration", by="month").rows
    assert rows == [
        # January: amazon only → 315.95 ÷ 315.95 = 100 %
        {"month": "2026-01", "net_sales": D("315.95"), "channel_concentration": D("100.00")},
        # February: max(amazon 180.00, shopee 172.00) ÷ 352.00 = 51.136 % → 51.14
        {"month": "2026-02", "net_sales": D("352.00"), "channel_concentration": D("51.14")},
    ]
    # whole period: amazon 495.95 ÷ 667.95 = 74.2496 % → 74.25
    assert run("channel_concentration").rows == [{"channel_concentration": D("74.25")}]
    # grouped by the inner dimension itself, each row is its only channel
    assert [r["channel_concentration"] for r in run("channel_concentration", by="channel").rows] == [
        D("100.00"), D("100.00")]
    # by SKU: CABLE-1 amazon 134.90, shopee 42.40 + 129.60 = 172.00 → 172.00 ÷ 306.90 = 56.044 % → 56.04
    assert run("channel_concentration", by="sku", filters={"sku": "CABLE-1"}).rows == [
        {"sku": "CABLE-1", "channel_concentration": D("56.04")}]


def test_channel_concentration_filters_and_empty(shop):
    # chargers were only sold on amazon: 181.05 + 360.00 − 180.00 = 361.05 of 361.05
    assert run("channel_concentration", filters={"category": "chargers"}).rows[0]["channel_concentration"] == D(
        "100.00")
    # 20 February: only the credit note (−180.00): a share of a negative total is empty
    day = dt.date(2026, 2, 20)
    assert run("channel_concentration", date_from=day, date_to=day).rows == [{"channel_concentration": None}]
    # no orders at all: empty, not an error
    empty = dt.date(2025, 6, 1)
    assert run("channel_concentration,net_sales_share", date_from=empty, date_to=empty).rows == [
        {"channel_concentration": None, "net_sales_share": None}]


def test_net_sales_share_is_of_the_request_total(shop):
    rows = run("net_sales,net_sales_share", by="marketplace", **JAN_FEB).rows
    # SG 172.00 ÷ 667.95 = 25.7504 % → 25.75; US 495.95 ÷ 667.95 = 74.2496 % → 74.25 (the market mix)
    assert [(r["marketplace"], r["net_sales"], r["net_sales_share"]) for r in rows] == [
        ("SG", D("172.00"), D("25.75")), ("US", D("495.95"), D("74.25"))]
    # by month: 315.95 ÷ 667.95 = 47.302 → 47.30; 352.00 ÷ 667.95 = 52.698 → 52.70
    assert [r["net_sales_share"] for r in run("net_sales_share", by="month").rows] == [D("47.30"), D("52.70")]
    # the total follows the filters: within ship-to SG and CA (172.00 + 180.00 = 352.00) CA is 180 ÷ 352 = 51.14 %
    rows = run("net_sales_share", by="ship_country", filters={"ship_country": "SG,CA"}).rows
    assert rows == [{"ship_country": "CA", "net_sales_share": D("51.14")},
                    {"ship_country": "SG", "net_sales_share": D("48.86")}]
    # ... and is not cut by limit: the top SKU keeps its share of all SKUs (CHARGER-2 361.05 ÷ 667.95 = 54.05 %)
    assert run("net_sales_share", by="sku", sort="-net_sales_share", limit=1).rows == [
        {"sku": "CHARGER-2", "net_sales_share": D("54.05")}]
    # a row with negative net sales has a negative share: 20 Feb −180.00 ÷ 667.95 = −26.948 → −26.95
    by_day = {r["day"]: r["net_sales_share"] for r in run("net_sales_share", by="day").rows}
    assert by_day[dt.date(2026, 2, 20)] == D("-26.95")
    # without grouping the row is the total: 100 %
    assert run("net_sales_share").rows == [{"net_sales_share": D("100.00")}]


def test_mix_in_another_currency_converts_before_dividing(shop):
    set_manual_rate("CNY", "USD", D("0.14"), dt.date(2026, 1, 1))
    set_manual_rate("CNY", "USD", D("0.15"), dt.date(2026, 2, 1))
    # amazon: 315.95 × 0.14 = 44.233 (Jan) + (360.00 − 180.00) × 0.15 = 27.00 (Feb) = 71.233
    # shopee: (42.40 + 129.60) × 0.15 = 25.80;  total 97.033
    row = run("net_sales,channel_concentration", currency="USD", **JAN_FEB).rows[0]
    assert row["net_sales"] == D("97.03")
    # 71.233 ÷ 97.033 = 73.411 % → 73.41 (in CNY it is 74.25: the rates differ by month)
    assert row["channel_concentration"] == D("73.41")
    rows = run("net_sales_share", by="channel", currency="USD", **JAN_FEB).rows
    # shopee 25.80 ÷ 97.033 = 26.589 % → 26.59
    assert rows == [{"channel": "amazon", "net_sales_share": D("73.41")},
                    {"channel": "shopee", "net_sales_share": D("26.59")}]
    # February alone, one rate: 180.00 ÷ 352.00 as in CNY
    feb = run("channel_concentration", by="month", currency="USD", date_from=dt.date(2026, 2, 1)).rows
    assert feb == [{"month": "2026-02", "channel_concentration": D("51.14")}]


def test_existing_metrics_unchanged_next_to_mix(shop):
    # asking for mix metrics with others changes nothing in the others (O1..O7 figures of test_ml_metrics)
    rows = run("orders,net_sales,units,channel_concentration,net_sales_share", by="month").rows
    assert [(r["orders"], r["net_sales"], r["units"]) for r in rows] == [(1, D("315.95"), 3), (3, D("352.00"), 5)]


def test_dashboards_read_the_mix_metrics(shop):
    period = dashboards.Period(dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    view = dashboards.channels(period)
    assert view.concentration == D("74.25")  # the layer's channel_concentration
    assert [(r["channel"], r["share"]) for r in view.by_channel.rows] == [("amazon", D("74.25")),
                                                                          ("shopee", D("25.75"))]
    assert "net_sales_share" not in view.by_channel.rows[0]
    assert [c.key for c in view.by_channel.spec().columns][:3] == ["channel", "net_sales", "share"]
    markets = dashboards.markets(period)
    # ship-to US 315.95 ÷ 667.95 = 47.30; CA 180.00 → 26.95; SG 172.00 → 25.75
    assert [(r["ship_country"], r["share"]) for r in markets.by_ship_country.rows] == [
        ("US", D("47.30")), ("CA", D("26.95")), ("SG", D("25.75"))]


def test_cli_report_channel_concentration_by_month(capsys, shop):
    capsys.readouterr()
    assert main(["report", "channel_concentration", "--by", "month"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Month", "Channel", "concentration"]
    assert [line.split() for line in lines[1:]] == [["2026-01", "100.00"], ["2026-02", "51.14"]]
    assert main(["report", "net_sales_share", "--by", "marketplace", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"currency": "CNY", "rows": [
        {"marketplace": "SG", "net_sales_share": "25.75"}, {"marketplace": "US", "net_sales_share": "74.25"}]}
    code = main(["report", "channel_concentration", "--by", "warehouse_of_nothing"])
    assert code == 2


def test_unknown_dimension_still_reported(shop):
    with pytest.raises(MetricError):
        run("channel_concentration", by="nope")
