"""The metric layer (DuckDB over the operational database) on the hand-checked business of ml_builders.

DuckDB reads through its own connection, so the data must be committed: these tests use ``transactional_db``.
Every expected figure is worked out in ml_builders' docstring (and repeated where it is used).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.dashboard import home_summary
from chuhai.analytics.metric_layer import METRICS, MetricError, engine, run
from chuhai.analytics.metric_layer.definitions import REQUIRED_METRICS
from chuhai.finance.fx import FxRateMissing, set_manual_rate

from .ml_builders import business, make_order, utc

D = Decimal
ALL_ORDER_METRICS = ("orders,units,gmv,net_sales,refunds,aov,customers,repeat_purchase_rate,new_customers,"
                     "returning_customers,return_rate")


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


@pytest.fixture
def plain_shop(transactional_db):
    data = business(with_credit_and_cancelled=False, with_profit=False)
    yield data
    engine.close()


def only(result):
    assert len(result.rows) == 1
    return result.rows[0]


def test_required_ids_exist():
    assert set(REQUIRED_METRICS) <= set(METRICS)
    from chuhai.analytics.metric_layer import DIMENSIONS

    assert {"month", "account", "marketplace", "ship_country", "sku", "channel"} <= set(DIMENSIONS)
    for metric in METRICS.values():
        assert str(metric.definition) and metric.formula and metric.unit in ("money", "count", "percent", "ratio")


def test_totals_of_every_order_metric(shop):
    row = only(run(ALL_ORDER_METRICS))
    # orders: O1, O2, O3, O7 (credit O4, cancelled O5, pending O6 are not orders)
    assert row["orders"] == 4
    # units: 2 + 1 (O1) + 1 (O2, cancelled item left out) + 2 (O3) − 1 (O4) + 3 (O7) = 8
    assert row["units"] == 8
    # GMV: 156.20 + 181.05 + 47.70 + 360.00 + 129.60 = 874.55 (credit notes not subtracted)
    assert row["gmv"] == D("874.55")
    # net sales: 134.90 + 181.05 + 42.40 + 360.00 − 180.00 + 129.60 = 667.95
    assert row["net_sales"] == D("667.95")
    assert row["refunds"] == D("180.00")
    # AOV: 667.95 / 4 = 166.9875 → 166.99
    assert row["aov"] == D("166.99")
    # customers c1 (O1, O2) and c2 (O3); the guest O7 has none; c1 repeats → 1 / 2
    assert (row["customers"], row["repeat_purchase_rate"]) == (2, D("50.00"))
    assert (row["new_customers"], row["returning_customers"]) == (2, 0)
    # return rate: 1 unit credited / 9 units sold = 11.11 %
    assert row["return_rate"] == D("11.11")
    assert isinstance(row["orders"], int) and isinstance(row["units"], int)


def test_by_month_uses_the_company_time_zone(shop):
    rows = run(ALL_ORDER_METRICS + ",gross_profit,contribution_margin,margin_percent", by="month").rows
    jan, feb = rows
    # O2 was bought on 31 January at 17:30 UTC = 1 February 01:30 in Shanghai: a February order.
    assert jan["month"] == "2026-01" and feb["month"] == "2026-02"
    assert (jan["orders"], jan["units"], jan["gmv"], jan["net_sales"]) == (1, 3, D("337.25"), D("315.95"))
    # Feb: O2, O3, O7 orders; units 1 + 2 − 1 + 3 = 5; GMV 47.70 + 360 + 129.60; net 42.40 + 360 − 180 + 129.60
    assert (feb["orders"], feb["units"], feb["gmv"], feb["net_sales"]) == (3, 5, D("537.30"), D("352.00"))
    assert (jan["refunds"], feb["refunds"]) == (D("0.00"), D("180.00"))
    # Feb AOV 352.00 / 3 = 117.333 → 117.33
    assert feb["aov"] == D("117.33")
    # c1 ordered in January (O1) and February (O2): new in January, returning in February; c2 new in February.
    assert (jan["customers"], jan["new_customers"], jan["returning_customers"]) == (1, 1, 0)
    assert (feb["customers"], feb["new_customers"], feb["returning_customers"]) == (2, 1, 1)
    # nobody placed two orders within one month
    assert jan["repeat_purchase_rate"] == feb["repeat_purchase_rate"] == D("0.00")
    # Feb return rate: 1 credited / (1 + 2 + 3) sold = 16.67 %
    assert feb["return_rate"] == D("16.67")
    # Profit: Jan P1 GP 116.20, contribution 96.20, margin 96.20 / 134.90 = 71.31 %
    assert (jan["gross_profit"], jan["contribution_margin"], jan["margin_percent"]) == (
        D("116.20"), D("96.20"), D("71.31"))
    # Feb: GP 210.00 − 105.00 + 0 = 105.00; contribution 146.00 − 105.00 − 5.50 = 35.50; 35.50 / 360 = 9.86 %
    assert (feb["gross_profit"], feb["contribution_margin"], feb["margin_percent"]) == (
        D("105.00"), D("35.50"), D("9.86"))


def test_profit_metrics_totals(shop):
    row = only(run("gross_profit,contribution_margin,margin_percent"))
    # GP 116.20 + 210.00 − 105.00 = 221.20; contribution 96.20 + 146 − 105 − 5.50 = 131.70;
    # margin % = 131.70 / (134.90 + 360.00) × 100 = 26.611… → 26.61
    assert row == {"gross_profit": D("221.20"), "contribution_margin": D("131.70"), "margin_percent": D("26.61")}


def test_by_account_and_channel_mix_sources(shop):
    rows = run("orders,units,net_sales,customers,gross_profit", by="account").rows
    assert rows == [
        # AMZ-US: O1, O3 orders; units 3 + 2 − 1; net 315.95 + 360 − 180; c1, c2; GP 116.20 + 210 − 105
        {"account": "AMZ-US", "orders": 2, "units": 4, "net_sales": D("495.95"), "customers": 2,
         "gross_profit": D("221.20")},
        # SHOPEE-SG: O2, O7; units 1 + 3; net 42.40 + 129.60; c1 only (O7 is a guest); storage fee has GP 0
        {"account": "SHOPEE-SG", "orders": 2, "units": 4, "net_sales": D("172.00"), "customers": 1,
         "gross_profit": D("0.00")},
    ]
    channels = {r["channel"]: r["orders"] for r in run("orders", by="channel").rows}
    assert channels == {"amazon": 2, "shopee": 2}


def test_by_two_dimensions_and_sku_grain(shop):
    rows = run("orders,net_sales,units", by="sku,ship_country").rows
    as_map = {(r["sku"], r["ship_country"]): (r["orders"], r["net_sales"], r["units"]) for r in rows}
    assert as_map == {
        ("CABLE-1", "US"): (1, D("134.90"), 2),
        ("CABLE-1", "SG"): (2, D("172.00"), 4),        # O2 42.40 + O7 129.60
        ("CHARGER-2", "US"): (1, D("181.05"), 1),
        ("CHARGER-2", "CA"): (1, D("180.00"), 1),      # O3 360.00, credit O4 −180.00; units 2 − 1
    }


def test_filters(shop):
    assert only(run("orders,net_sales", filters={"ship_country": "us"})) == {"orders": 1, "net_sales": D("315.95")}
    assert only(run("orders,net_sales", filters={"account": "SHOPEE-SG"})) == {
        "orders": 2, "net_sales": D("172.00")}
    # sku: the cable lines of O1, O2, O7: 134.90 + 42.40 + 129.60 = 306.90
    assert only(run("orders,net_sales,units", filters={"sku": "CABLE-1"})) == {
        "orders": 3, "net_sales": D("306.90"), "units": 6}
    # category chargers: 181.05 + 360.00 − 180.00 = 361.05; two lists values: SG and CA
    assert only(run("net_sales", filters={"category": "chargers"}))["net_sales"] == D("361.05")
    assert only(run("orders", filters={"ship_country": ["SG", "CA"]}))["orders"] == 3
    assert only(run("orders", filters={"channel": "shopee", "marketplace": "SG"}))["orders"] == 2
    assert only(run("gross_profit", filters={"sku": "CHARGER-2"}))["gross_profit"] == D("105.00")
    # nothing matches: one row of zeros, not an error
    assert only(run("orders,net_sales,aov", filters={"account": "NOPE"})) == {
        "orders": 0, "net_sales": D("0.00"), "aov": None}


def test_date_range_is_inclusive_local_days(shop):
    # 1 February (Shanghai) holds O2 only (bought 31 January 17:30 UTC).
    feb1 = dt.date(2026, 2, 1)
    assert only(run("orders,net_sales", date_from=feb1, date_to=feb1)) == {"orders": 1, "net_sales": D("42.40")}
    # up to 31 January: O1 only
    assert only(run("orders", date_to=dt.date(2026, 1, 31)))["orders"] == 1
    # profit rows by their day: 5–20 February holds P2 and P3: GP 210 − 105
    assert only(run("gross_profit", date_from=dt.date(2026, 2, 5), date_to=dt.date(2026, 2, 20))) == {
        "gross_profit": D("105.00")}
    with pytest.raises(MetricError, match="after it ends"):
        run("orders", date_from=dt.date(2026, 2, 2), date_to=dt.date(2026, 2, 1))


def test_currency_converts_at_each_days_rate(shop):
    set_manual_rate("CNY", "USD", D("0.14"), dt.date(2026, 1, 1))
    set_manual_rate("CNY", "USD", D("0.15"), dt.date(2026, 2, 1))
    result = run("net_sales,refunds,gross_profit,orders", by="month", currency="usd")
    assert result.currency == "USD"
    jan, feb = result.rows
    # Jan: 315.95 × 0.14 = 44.233 → 44.23; Feb (O2 is on 1 Feb local, rate 0.15): 352.00 × 0.15 = 52.80
    assert (jan["net_sales"], feb["net_sales"]) == (D("44.23"), D("52.80"))
    assert feb["refunds"] == D("27.00")                 # 180.00 × 0.15
    # GP Jan 116.20 × 0.14 = 16.268 → 16.27; Feb 105.00 × 0.15 = 15.75
    assert (jan["gross_profit"], feb["gross_profit"]) == (D("16.27"), D("15.75"))
    assert jan["orders"] == 1
    # Totals convert before rounding: 44.233 + 52.80 = 97.033 → 97.03
    assert only(run("net_sales", currency="USD"))["net_sales"] == D("97.03")
    # base currency named explicitly: no conversion
    assert only(run("net_sales", currency="CNY"))["net_sales"] == D("667.95")


def test_missing_rate_names_currency_and_day(shop):
    set_manual_rate("CNY", "GBP", D("0.11"), dt.date(2026, 2, 1))  # nothing for January
    with pytest.raises(FxRateMissing, match=r"CNY to GBP on 2026-01-10"):
        run("net_sales", currency="GBP")
    # February alone converts: 352.00 × 0.11 = 38.72
    assert only(run("net_sales", currency="GBP", date_from=dt.date(2026, 2, 1)))["net_sales"] == D("38.72")


def test_unknown_ids_list_the_valid_ones(shop):
    with pytest.raises(MetricError, match=r"unknown metric revenue_x; valid metrics: orders, units, gmv"):
        run("orders,revenue_x")
    with pytest.raises(MetricError, match=r"unknown dimension country; valid dimensions: month, day, account"):
        run("orders", by="country")
    with pytest.raises(MetricError, match=r"unknown filter month; valid filters: account"):
        run("orders", filters={"month": "2026-01"})
    with pytest.raises(MetricError, match=r"repeat_purchase_rate cannot be grouped by day"):
        run("repeat_purchase_rate", by="day")
    with pytest.raises(MetricError, match="at least one metric"):
        run("")
    with pytest.raises(MetricError, match="ISO 4217"):
        run("orders", currency="XXQ")


def test_json_shape(shop):
    data = run("orders,net_sales,repeat_purchase_rate", by="ship_country").as_json()
    assert data["currency"] == "CNY"
    assert data["rows"][0] == {"ship_country": "CA", "orders": 1, "net_sales": "180.00",
                               "repeat_purchase_rate": "0.00"}
    assert [r["ship_country"] for r in data["rows"]] == ["CA", "SG", "US"]


def test_sort_and_limit(shop):
    # net sales by SKU × country: CHARGER-2/US 181.05, CHARGER-2/CA 180.00, CABLE-1/SG 172.00, CABLE-1/US 134.90
    rows = run("net_sales", by="sku,ship_country", sort="-net_sales", limit=2).rows
    assert [(r["sku"], r["ship_country"], r["net_sales"]) for r in rows] == [
        ("CHARGER-2", "US", D("181.05")), ("CHARGER-2", "CA", D("180.00"))]
    assert [r["ship_country"] for r in run("orders", by="ship_country", sort="-ship_country").rows] == [
        "US", "SG", "CA"]
    # AOV of a group without orders is empty: sorted last either way
    rows = run("aov", by="account", filters={"account": ["AMZ-US", "SHOPEE-SG"]}, sort="aov").rows
    assert [r["aov"] for r in rows] == [D("86.00"), D("247.98")]   # 172.00 / 2; 495.95 / 2 = 247.975
    with pytest.raises(MetricError, match="cannot sort by units: sort by one of sku, net_sales"):
        run("net_sales", by="sku", sort="units")
    with pytest.raises(MetricError, match="limit"):
        run("net_sales", limit=0)


def test_a_top_n_ranks_by_the_rounded_figure_then_the_dimensions(shop):
    """A limit ranks the groups in SQL (only the top groups leave DuckDB); the rows are those of the full sort."""
    # CABLE-1 net sales 306.90 + 54.15 × 0.99991 = 54.145126 → 361.045126, which rounds to CHARGER-2's 361.05:
    # tied as shown, so the SKU decides (CABLE-1 first), though its exact figure is the smaller one
    make_order(shop["us"], "O8", utc(2026, 2, 25), "0.99991", [(shop["cable"], 1, "54.15")], customer="c9")
    full = run("net_sales,units", by="sku", sort="-net_sales").rows
    assert [(r["sku"], r["net_sales"]) for r in full] == [("CABLE-1", D("361.05")), ("CHARGER-2", D("361.05"))]
    for limit in (1, 2, 5):
        assert run("net_sales,units", by="sku", sort="-net_sales", limit=limit).rows == full[:limit]
    # ascending, by a count, and by day (several groups tie): the same rows as the full sort
    for sort, by in (("net_sales", "sku"), ("-units", "sku"), ("units", "sku"), ("-net_sales", "day"),
                     ("net_sales", "account,sku")):
        everything = run("net_sales,units", by=by, sort=sort).rows
        for limit in (1, 2, 3):
            assert run("net_sales,units", by=by, sort=sort, limit=limit).rows == everything[:limit], (sort, by)


def test_reads_data_committed_after_the_engine_opened(shop):
    assert only(run("orders"))["orders"] == 4
    make_order(shop["us"], "O8", utc(2026, 2, 25), "7.2", [(shop["cable"], 1, "10.00")], customer="c9", ship="US")
    # 10.00 × 7.2 = 72.00 more
    assert only(run("orders,net_sales")) == {"orders": 5, "net_sales": D("739.95")}


def test_orders_in_another_base_currency_are_left_out(shop):
    make_order(shop["us"], "OLD", utc(2026, 2, 25), "1.0", [(shop["cable"], 1, "10.00")], base_currency="USD")
    assert only(run("orders"))["orders"] == 4


# -- agreement with the home dashboard (chuhai/analytics/dashboard.py) -------------------------------------------

def test_agrees_with_the_home_dashboard(plain_shop):
    # Dashboard period: the 59 days ending 28 February = 1 January … 28 February (Shanghai days).
    summary = home_summary(days=59, today=dt.date(2026, 2, 28))
    period = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 2, 28)}
    row = only(run("net_sales,orders,units,aov", **period))
    totals = summary["totals"]
    assert (row["net_sales"], row["orders"], row["units"], row["aov"]) == (
        totals["sales"], totals["orders"], totals["units"], totals["aov"])
    # O1 315.95 + O2 42.40 + O3 360.00 + O7 129.60 = 847.95 over 4 orders
    assert totals["sales"] == D("847.95") and totals["orders"] == 4
    by_account = {r["account"]: r for r in run("net_sales,orders,units", by="account", **period).rows}
    for acc in summary["by_account"]:
        mine = by_account[acc["code"]]
        assert (mine["net_sales"], mine["orders"], mine["units"]) == (acc["sales"], acc["orders"], acc["units"])
    by_sku = {r["sku"]: r for r in run("net_sales,orders,units", by="sku", **period).rows}
    for top in summary["top_skus"]:
        mine = by_sku[top["sku"]]
        assert (mine["net_sales"], mine["orders"], mine["units"]) == (top["sales"], top["orders"], top["units"])
    by_day = {r["day"]: r["net_sales"] for r in run("net_sales", by="day", **period).rows}
    for day in summary["daily"]:
        assert by_day.get(day["date"], D("0.00")) == day["sales"]
    platforms = {r["channel"]: r["net_sales"] for r in run("net_sales", by="channel", **period).rows}
    assert platforms == {p["platform"]: p["sales"] for p in summary["by_platform"]}


def test_the_home_dashboard_shows_the_layers_figures(shop):
    """The home page's totals are the layer's: the credit note O4 is not an order and O2's cancelled item (2
    units, 318.00) is left out, as everywhere else."""
    summary = home_summary(days=59, today=dt.date(2026, 2, 28))["totals"]
    row = only(run("net_sales,orders,units", date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 2, 28)))
    assert (summary["orders"], summary["units"], summary["sales"]) == (row["orders"], row["units"], row["net_sales"])
    # O1 in January; O2, O3 and O7 in February (hand figures: tests/analytics/test_mart_rollup.py)
    assert summary["orders"] == 4 and summary["sales"] == D("315.95") + D("352.00")


def test_summer_time_zone_months(transactional_db):
    """Europe/London has summer time: the ICU path. 31 Jan 23:30 UTC is 31 Jan (GMT); 31 Mar 23:30 UTC is
    1 April 00:30 (BST)."""
    from chuhai.analytics.metric_layer.query import fixed_offset_seconds
    from chuhai.channels.services import create_account

    from .ml_builders import company

    assert fixed_offset_seconds("Asia/Shanghai") == 8 * 3600 and fixed_offset_seconds("Europe/London") is None
    try:
        company(tz="Europe/London")
        shop = create_account("SHOP-UK", "shopify", "GB")
        from chuhai.catalog.services import create_product

        mug = create_product("MUG-1", name_en="Mug")
        make_order(shop, "W", utc(2026, 1, 31, 23, 30), "9.0", [(mug, 1, "10.00")])
        make_order(shop, "S", utc(2026, 3, 31, 23, 30), "9.0", [(mug, 2, "10.00")])
        rows = run("orders,units", by="month").rows
        assert rows == [{"month": "2026-01", "orders": 1, "units": 1}, {"month": "2026-04", "orders": 1, "units": 2}]
        # the date range is local too: 1 April (BST) starts at 31 March 23:00 UTC
        assert only(run("units", date_from=dt.date(2026, 4, 1)))["units"] == 2
    finally:
        engine.close()
