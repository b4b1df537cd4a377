"""The home dashboard service against a small business whose figures are worked out by hand below.

Every figure comes from the metric layer (DuckDB reading committed data: ``transactional_db``), so its
definitions apply: a credit note is not an order (its negative goods value and units are netted), a cancelled
item of an order in a sale status is left out.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chuhai.analytics import metric_layer
from chuhai.analytics.dashboard import KPI_METRICS, METRICS, TOP_SKU_COUNT, home_summary
from chuhai.analytics.metric_layer import engine
from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.orders.models import Order, OrderLine

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 31)  # current period 2026-03-02 … 03-31, previous 2026-01-31 … 03-01 (Shanghai days)
D = Decimal


def _order(account, external_id, when, fx_rate, lines, status="shipped", currency=None, base_currency="CNY",
           document_type="order"):
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace, purchased_at=when,
        status=status, fulfilment_channel="fba", currency=currency or account.currency,
        base_currency=base_currency, fx_rate=D(fx_rate), document_type=document_type,
    )
    for no, line in enumerate(lines, start=1):
        product, channel_sku, qty, price, discount = line[:5]
        item_status = line[5] if len(line) > 5 else "shipped"
        OrderLine.objects.create(order=order, line_no=no, product=product, channel_sku=channel_sku, quantity=qty,
                                 unit_price=D(price), discount=D(discount), item_status=item_status)
    return order


def _utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def business(transactional_db):
    company = CompanySettings.load()
    company.base_currency, company.time_zone = "CNY", "Asia/Shanghai"
    company.save()
    us = create_account("AMZ-US", "amazon", "US")        # USD
    de = create_account("AMZ-DE", "amazon", "DE")        # EUR
    sg = create_account("SHOPEE-SG", "shopee", "SG")     # SGD
    cable = create_product("CABLE-1", name_en="USB-C cable", name_zh="USB-C 数据线")
    charger = create_product("CHARGER-2", name_en="65W charger", name_zh="65W 充电器")
    # Current period.
    _order(us, "A", _utc(2026, 3, 10, 2), "7.1", [(cable, "US-CABLE", 2, "10.00", "1.00"),
                                                 (charger, "US-CHG", 1, "25.50", "0")])
    # B's third item was cancelled: the order stays a sale, the item is left out.
    _order(de, "B", _utc(2026, 3, 20, 12), "7.8", [(charger, "DE-CHG", 3, "20.00", "0"),
                                                  (None, "MYSTERY", 1, "5.00", "0.50"),
                                                  (cable, "DE-CABLE", 2, "10.00", "0", "cancelled")],
           status="delivered")
    # 00:30 on 2 March in Shanghai is still 1 March in UTC: it belongs to the current period.
    _order(sg, "G", dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), "5.3", [(cable, "SG-CABLE", 1, "8.00", "0")])
    # A credit note refunding A's charger (08:00 on 25 March in Shanghai): not an order, its value netted.
    _order(us, "R", _utc(2026, 3, 25), "7.1", [(charger, "US-CHG", -1, "25.50", "0")], status="refunded",
           document_type="credit")
    # Not sales: cancelled and awaiting payment.
    _order(us, "C", _utc(2026, 3, 12), "7.1", [(cable, "US-CABLE", 5, "10.00", "0")], status="cancelled")
    _order(us, "P", _utc(2026, 3, 13), "7.1", [(cable, "US-CABLE", 4, "10.00", "0")], status="pending")
    # Previous period, including 23:30 on 1 March in Shanghai.
    _order(us, "F", _utc(2026, 2, 15, 8), "7.0", [(cable, "US-CABLE", 1, "10.00", "0")])
    _order(sg, "H", dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), "5.3", [(cable, "SG-CABLE", 2, "8.00", "0")])
    # Outside both periods.
    _order(us, "E", _utc(2025, 12, 1), "7.2", [(charger, "US-CHG", 9, "25.50", "0")])
    yield {"us": us, "de": de, "sg": sg}
    engine.close()


# Hand-worked line values in CNY.
A_CABLE = (2 * D("10.00") - D("1.00")) * D("7.1")                         # 134.90
A_CHARGER = 1 * D("25.50") * D("7.1")                                     # 181.05
A = A_CABLE + A_CHARGER                                                   # 315.95
B_CHARGER = 3 * D("20.00") * D("7.8")                                     # 468.00
B_MYSTERY = (D("5.00") - D("0.50")) * D("7.8")                            # 35.10 (cancelled cable: left out)
B = B_CHARGER + B_MYSTERY                                                 # 503.10
G = D("8.00") * D("5.3")                                                  # 42.40
R = -1 * D("25.50") * D("7.1")                                            # −181.05 (credit note)
F = D("10.00") * D("7.0")                                                 # 70.00
H = 2 * D("8.00") * D("5.3")                                              # 84.80
CURRENT = A + B + G + R                                                   # 680.40
PREVIOUS = F + H                                                          # 154.80
CURRENT_UNITS = 3 + 4 + 1 - 1                                             # A, B (not the cancelled 2), G, R
CURRENT_ORDERS = 3                                                        # A, B, G: the credit note is not one


def test_totals_follow_the_metric_layer_definitions(business):
    s = home_summary(days=30, today=TODAY)
    assert s["currency"] == "CNY"
    assert (s["start"], s["end"]) == (dt.date(2026, 3, 2), dt.date(2026, 3, 31))
    assert CURRENT == D("680.40") and CURRENT_UNITS == 7
    assert s["totals"] == {"sales": CURRENT, "orders": CURRENT_ORDERS, "units": CURRENT_UNITS,
                           "aov": D("226.80")}  # 680.40 / 3
    assert s["totals"]["aov"] == CURRENT / CURRENT_ORDERS


def test_the_figures_are_the_layers(business):
    s = home_summary(days=30, today=TODAY)
    row = metric_layer.run("net_sales,orders,units,aov", date_from=dt.date(2026, 3, 2), date_to=TODAY).rows[0]
    assert s["totals"] == {"sales": row["net_sales"], "orders": row["orders"], "units": row["units"],
                           "aov": row["aov"]}


def test_previous_period_and_change(business):
    s = home_summary(days=30, today=TODAY)
    assert (s["previous_start"], s["previous_end"]) == (dt.date(2026, 1, 31), dt.date(2026, 3, 1))
    assert s["previous"] == {"sales": D("154.80"), "orders": 2, "units": 3, "aov": D("77.40")}
    assert s["change"]["sales"] == (CURRENT - PREVIOUS) * 100 / PREVIOUS
    assert s["change"]["orders"] == D(50)  # 3 vs 2
    assert s["change"]["units"] == (D(7) - 3) * 100 / 3
    assert s["change"]["aov"] == (D("226.80") - D("77.40")) * 100 / D("77.40")


def test_sales_by_account_and_platform(business):
    s = home_summary(days=30, today=TODAY)
    assert [(a["code"], a["sales"], a["orders"], a["units"]) for a in s["by_account"]] == [
        ("AMZ-DE", B, 1, 4),
        ("AMZ-US", A + R, 1, 2),       # 134.90: the credit note nets A's charger out
        ("SHOPEE-SG", G, 1, 1),
    ]
    assert [(a["platform"], str(a["platform_label"])) for a in s["by_account"]][0] == ("amazon", "Amazon")
    assert [(p["platform"], p["sales"], p["orders"], p["units"]) for p in s["by_platform"]] == [
        ("amazon", A + B + R, 2, 6), ("shopee", G, 1, 1),
    ]


def test_top_skus_rank_by_net_sales_and_keep_unmapped_channel_skus(business):
    s = home_summary(days=30, today=TODAY)
    assert [(r["sku"], r["sales"], r["units"], r["orders"]) for r in s["top_skus"]] == [
        ("CHARGER-2", A_CHARGER + B_CHARGER + R, 1 + 3 - 1, 2),   # 468.00; orders A and B, not the credit note
        ("CABLE-1", A_CABLE + G, 2 + 1, 2),                        # 177.30; B's cancelled cable left out
        ("MYSTERY", B_MYSTERY, 1, 1),
    ]
    assert (s["top_skus"][0]["name_en"], s["top_skus"][0]["name_zh"]) == ("65W charger", "65W 充电器")
    assert (s["top_skus"][2]["name_en"], s["top_skus"][2]["name_zh"]) == ("", "")


def test_top_skus_are_limited(business):
    product = create_product("MANY-0", name_en="Many")
    for n in range(TOP_SKU_COUNT):
        _order(business["sg"], f"M{n}", _utc(2026, 3, 5), "5.3", [(None, f"MANY-{n + 1:02d}", 1, "1.00", "0")])
    _order(business["sg"], "M-P", _utc(2026, 3, 5), "5.3", [(product, "SG-MANY", 1, "1.00", "0")])
    s = home_summary(days=30, today=TODAY)
    assert len(s["top_skus"]) == TOP_SKU_COUNT
    # 5.30 each: ranked after the three above, ties in SKU order ("MANY-0" sorts before "MANY-01")
    assert [r["sku"] for r in s["top_skus"][3:]] == ["MANY-0", *(f"MANY-{n:02d}" for n in range(1, 7))]
    assert s["top_skus"][3]["name_en"] == "Many"


def test_daily_series_uses_company_time_zone(business):
    s = home_summary(days=30, today=TODAY)
    daily = {d["date"]: d["sales"] for d in s["daily"]}
    assert len(daily) == 30 and min(daily) == dt.date(2026, 3, 2) and max(daily) == TODAY
    assert daily[dt.date(2026, 3, 2)] == G          # 00:30 Shanghai time, 1 March UTC
    assert daily[dt.date(2026, 3, 10)] == A
    assert daily[dt.date(2026, 3, 20)] == B
    assert daily[dt.date(2026, 3, 25)] == R          # the credit note's day
    assert daily[dt.date(2026, 3, 3)] == D("0.00")
    assert sum(daily.values()) == CURRENT
    by_platform = {p["platform"]: p["values"] for p in s["daily_by_platform"]}
    assert list(by_platform) == ["amazon", "shopee"]
    assert sum(by_platform["amazon"]) == A + B + R
    assert by_platform["amazon"][8] == A             # 10 March is the 9th day
    assert by_platform["shopee"][0] == G and sum(by_platform["shopee"]) == G


def test_period_length_moves_the_window(business):
    s = home_summary(days=7, today=TODAY)  # 25–31 March: the credit note only; previous 18–24 March: order B
    assert s["totals"] == {"sales": R, "orders": 0, "units": -1, "aov": None}
    assert s["previous"]["sales"] == B and s["previous"]["orders"] == 1
    assert s["change"]["sales"] == (R - B) * 100 / B
    assert s["change"]["orders"] == D(-100) and s["change"]["aov"] is None
    assert s["has_orders"] is True


def test_orders_in_another_base_currency_are_reported_not_mixed(business):
    _order(business["us"], "X", _utc(2026, 3, 15), "1", [(None, "US-OTHER", 1, "99.00", "0")], base_currency="USD")
    s = home_summary(days=30, today=TODAY)
    assert s["totals"]["sales"] == CURRENT and s["totals"]["orders"] == CURRENT_ORDERS
    assert s["other_base_orders"] == 1


def test_rounds_to_the_base_currency_minor_unit(business):
    company = CompanySettings.load()
    company.base_currency = "JPY"
    company.save()
    _order(business["us"], "J", _utc(2026, 3, 15), "150.456", [(None, "US-J", 1, "10.00", "0")], base_currency="JPY")
    s = home_summary(days=30, today=TODAY)
    assert s["currency"] == "JPY"
    assert s["totals"]["sales"] == D("1505")  # 1504.56 → JPY has no minor unit
    assert s["totals"]["orders"] == 1
    assert s["other_base_orders"] == 4  # A, B, G and the credit note R, stored in CNY


@pytest.mark.django_db
def test_empty_database():
    s = home_summary(days=30, today=TODAY)
    assert s["has_orders"] is False
    assert s["totals"] == {"sales": D("0.00"), "orders": 0, "units": 0, "aov": None}
    assert s["by_account"] == [] and s["top_skus"] == [] and s["daily_by_platform"] == []
    assert len(s["daily"]) == 30


def test_only_orders_that_are_not_sales(transactional_db):
    company = CompanySettings.load()
    company.base_currency, company.time_zone = "CNY", "Asia/Shanghai"
    company.save()
    us = create_account("AMZ-US", "amazon", "US")
    _order(us, "P", _utc(2026, 3, 13), "7.1", [(None, "US-CABLE", 4, "10.00", "0")], status="pending")
    try:
        s = home_summary(days=30, today=TODAY)
    finally:
        engine.close()
    assert s["has_orders"] is True
    assert s["totals"] == {"sales": D("0.00"), "orders": 0, "units": 0, "aov": None}
    assert s["by_account"] == [] and s["top_skus"] == [] and sum(d["sales"] for d in s["daily"]) == 0


def test_own_queries_do_not_grow_with_the_data(business, monkeypatch):
    """Besides the metric layer's calls, the dashboard makes five Django queries whatever the data: the company
    settings, the other-base-currency count, whether any order exists, the names of the accounts and of the
    products shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuhai.analytics import dashboard

    layer_calls: list[int] = []
    real_run = dashboard.run

    def counted_run(*args, **kwargs):
        before = len(connection.queries)
        try:
            return real_run(*args, **kwargs)
        finally:
            layer_calls.append(len(connection.queries) - before)

    monkeypatch.setattr(dashboard, "run", counted_run)

    def own_queries() -> int:
        layer_calls.clear()
        with CaptureQueriesContext(connection) as queries:
            home_summary(days=30, today=TODAY)
        assert len(layer_calls) == 7  # two periods, accounts, channels, SKUs, days, days × channels
        return len(queries) - sum(layer_calls)

    assert own_queries() == 5
    for n in range(4):
        account = create_account(f"SHOP-{n}", "shopee", "SG")
        product = create_product(f"EXTRA-{n}", name_en=f"Extra {n}")
        _order(account, f"N{n}", _utc(2026, 3, 6), "5.3", [(product, f"SG-EXTRA-{n}", 1, "3.00", "0")])
    assert own_queries() == 5


def test_labels_and_definitions_are_the_layers_in_both_languages():
    from django.utils import translation

    assert KPI_METRICS == {"sales": "net_sales", "orders": "orders", "units": "units", "aov": "aov"}
    for key, metric_id in KPI_METRICS.items():
        assert METRICS[key] is metric_layer.METRICS[metric_id]
        texts = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                texts[language] = (str(METRICS[key].name), str(METRICS[key].definition))
        assert all(texts["en"]) and all(texts["zh-hans"]), key
        assert texts["en"][0] != texts["zh-hans"][0] and texts["en"][1] != texts["zh-hans"][1], key


def test_days_must_be_positive(db):
    with pytest.raises(ValueError):
        home_summary(days=0)
