"""The dashboards service (chuhai.analytics.dashboards) on the hand-checked business of ml_builders.

Figures per order (base CNY; see ml_builders' docstring): O1 AMZ-US 10 Jan, net 315.95 (gmv 337.25, 3 units,
customer c1, ship US); O2 SHOPEE-SG 1 Feb (Shanghai), net 42.40 (c1, SG); O3 AMZ-US 5 Feb, net 360.00 (c2, CA);
O4 credit 20 Feb, net −180.00 (1 unit back, CA); O7 SHOPEE-SG 12 Feb, net 129.60 (guest, SG).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics import dashboards
from chuhai.analytics.dashboards import Period
from chuhai.analytics.metric_layer import engine
from chuhai.analytics.metric_layer.mix import share
from chuhai.finance.fx import set_manual_rate

from .ml_builders import business

D = Decimal
FEB = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
JAN_FEB = Period(dt.date(2026, 1, 1), dt.date(2026, 2, 28))


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


def test_previous_period_has_equal_length():
    # February (28 days) → the 28 days before: 4 January – 31 January
    assert dashboards.previous_period(FEB) == Period(dt.date(2026, 1, 4), dt.date(2026, 1, 31))
    assert dashboards.previous_period(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1))) == \
        Period(dt.date(2026, 2, 28), dt.date(2026, 2, 28))
    assert dashboards.default_period(dt.date(2026, 3, 30)) == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 30))


def test_change_and_share_arithmetic():
    assert dashboards.change_percent(D("150"), D("100")) == D("50.00")
    assert dashboards.change_percent(D("50"), D("-100")) == D("150.00")  # from −100 up to 50: +150 % of |−100|
    assert dashboards.change_percent(D("5"), D("0")) is None
    assert dashboards.change_percent(None, D("3")) is None
    # shares are the layer's (metric_layer.mix.share, rounded at the edge)
    assert share(D("1"), D("3")).quantize(D("0.01")) == D("33.33")
    assert share(D("1"), D("0")) is None and share(D("1"), D("-2")) is None


def test_overview_compares_with_the_previous_period(shop):
    view = dashboards.overview(FEB)
    assert view.currency == "CNY"
    assert view.previous == Period(dt.date(2026, 1, 4), dt.date(2026, 1, 31))
    assert [k.id for k in view.kpis] == list(dashboards.ORDER_KPIS)  # no profit figures without finance
    net = view.kpi("net_sales")
    # February: 42.40 + 360.00 − 180.00 + 129.60 = 352.00; January 4–31: O1 = 315.95
    assert (net.value, net.previous) == (D("352.00"), D("315.95"))
    # (352.00 − 315.95) / 315.95 × 100 = 11.4100… → 11.41
    assert net.change == D("11.41")
    orders = view.kpi("orders")
    assert (orders.value, orders.previous, orders.change) == (3, 1, D("200.00"))  # O2, O3, O7 vs O1
    gmv = view.kpi("gmv")
    # 47.70 + 360.00 + 129.60 = 537.30 vs 337.25 → +59.318… %
    assert (gmv.value, gmv.previous, gmv.change) == (D("537.30"), D("337.25"), D("59.32"))
    assert (view.kpi("units").value, view.kpi("units").previous) == (5, 3)  # 1 + 2 − 1 + 3 vs 2 + 1
    refunds = view.kpi("refunds")
    assert (refunds.value, refunds.previous, refunds.change) == (D("180.00"), D("0.00"), None)
    assert view.kpi("aov").value == D("117.33")  # 352.00 / 3
    assert view.kpi("return_rate").value == D("16.67")  # 1 unit back / 6 sold
    assert (view.kpi("customers").value, view.kpi("repeat_purchase_rate").value) == (2, D("0.00"))
    assert str(net.definition).startswith("Goods value of sales")


def test_overview_profit_figures_only_for_finance(shop):
    view = dashboards.overview(FEB, finance=True)
    assert [k.id for k in view.kpis][-3:] == ["gross_profit", "contribution_margin", "margin_percent"]
    gp = view.kpi("gross_profit")
    # February: P2 210.00 + P3 −105.00 + P4 0 = 105.00; January: P1 116.20 → (105 − 116.20)/116.20 = −9.64 %
    assert (gp.value, gp.previous, gp.change) == (D("105.00"), D("116.20"), D("-9.64"))
    cm = view.kpi("contribution_margin")
    assert (cm.value, cm.previous) == (D("35.50"), D("96.20"))  # 146.00 − 105.00 − 5.50 vs 96.20
    # margin: 35.50 / 360.00 = 9.86 %; January 96.20 / 134.90 = 71.31 %
    assert (view.kpi("margin_percent").value, view.kpi("margin_percent").previous) == (D("9.86"), D("71.31"))


def test_daily_series_up_to_62_days_monthly_beyond(shop):
    view = dashboards.overview(FEB)
    assert view.grain == "day" and len(view.series) == 28  # every day, zeros included
    by_day = {p["key"]: p for p in view.series}
    assert (by_day["2026-02-01"]["net_sales"], by_day["2026-02-01"]["orders"]) == (D("42.40"), 1)
    assert (by_day["2026-02-20"]["net_sales"], by_day["2026-02-20"]["orders"]) == (D("-180.00"), 0)
    assert (by_day["2026-02-02"]["net_sales"], by_day["2026-02-02"]["orders"]) == (D("0"), 0)
    assert sum(p["net_sales"] for p in view.series) == D("352.00")

    quarter = dashboards.overview(Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31)))  # 90 days
    assert quarter.grain == "month"
    assert [(p["key"], p["net_sales"], p["orders"]) for p in quarter.series] == [
        ("2026-01", D("315.95"), 1), ("2026-02", D("352.00"), 3), ("2026-03", D("0"), 0)]


def test_filters_narrow_the_overview(shop):
    view = dashboards.overview(FEB, filters={"account": "SHOPEE-SG"})
    # O2 42.40 + O7 129.60 = 172.00; nothing from SHOPEE-SG in January
    assert (view.kpi("net_sales").value, view.kpi("orders").value) == (D("172.00"), 2)
    assert view.kpi("net_sales").previous == D("0.00")
    assert dashboards.overview(FEB, filters={"category": "chargers"}).kpi("net_sales").value == D("180.00")


def test_currency_converts_at_each_days_rate(shop):
    set_manual_rate("CNY", "USD", D("0.14"), dt.date(2026, 1, 1))
    set_manual_rate("CNY", "USD", D("0.15"), dt.date(2026, 2, 1))
    view = dashboards.overview(FEB, currency="usd")
    assert view.currency == "USD"
    assert view.kpi("net_sales").value == D("52.80")  # 352.00 × 0.15
    assert view.kpi("net_sales").previous == D("44.23")  # 315.95 × 0.14 = 44.233


def test_channels_shares_and_concentration(shop):
    view = dashboards.channels(JAN_FEB)
    # amazon: 315.95 + 360.00 − 180.00 = 495.95; shopee: 42.40 + 129.60 = 172.00; total 667.95
    assert [(r["channel"], r["net_sales"], r["share"]) for r in view.by_channel.rows] == [
        ("amazon", D("495.95"), D("74.25")), ("shopee", D("172.00"), D("25.75"))]
    assert view.concentration == D("74.25")  # 495.95 / 667.95 = 74.2496 %
    assert [(r["account"], r["orders"]) for r in view.by_account.rows] == [("AMZ-US", 2), ("SHOPEE-SG", 2)]
    assert "gross_profit" not in view.by_account.rows[0]
    spec = view.by_account.spec()
    assert [c.key for c in spec.columns][:3] == ["account", "net_sales", "share"]


def test_markets_mix(shop):
    view = dashboards.markets(JAN_FEB, finance=True)
    assert [(r["marketplace"], r["share"]) for r in view.by_marketplace.rows] == [("US", D("74.25")),
                                                                                 ("SG", D("25.75"))]
    # ship-to: US 315.95 (47.30 %), CA 360.00 − 180.00 = 180.00 (26.95 %), SG 172.00 (25.75 %); the storage fee
    # spread onto CABLE-1 (P4) has no order, hence no ship-to country: a row with no sales and its −5.50
    assert [(r["ship_country"], r["net_sales"], r["share"]) for r in view.by_ship_country.rows] == [
        ("US", D("315.95"), D("47.30")), ("CA", D("180.00"), D("26.95")), ("SG", D("172.00"), D("25.75")),
        ("", D("0.00"), D("0.00"))]
    assert view.by_ship_country.rows[-1]["contribution_margin"] == D("-5.50")
    assert view.by_ship_country.rows[0]["gross_profit"] == D("116.20")  # P1 (finance sees profit figures)
    assert view.by_ship_country.total_net_sales == D("667.95")
