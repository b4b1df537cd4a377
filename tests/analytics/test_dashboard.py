"""The home dashboard service against a small business whose figures are worked out by hand below."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chuhai.analytics.dashboard import METRICS, home_summary
from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.orders.models import Order, OrderLine

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 31)  # current period 2026-03-02 … 03-31, previous 2026-01-31 … 03-01 (Shanghai days)
D = Decimal


def _order(account, external_id, when, fx_rate, lines, status="shipped", currency=None, base_currency="CNY"):
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace, purchased_at=when,
        status=status, fulfilment_channel="fba", currency=currency or account.currency,
        base_currency=base_currency, fx_rate=D(fx_rate),
    )
    for no, (product, channel_sku, qty, price, discount) in enumerate(lines, start=1):
        OrderLine.objects.create(order=order, line_no=no, product=product, channel_sku=channel_sku, quantity=qty,
                                 unit_price=D(price), discount=D(discount))
    return order


def _utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def business(db):
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
    _order(de, "B", _utc(2026, 3, 20, 12), "7.8", [(charger, "DE-CHG", 3, "20.00", "0"),
                                                  (None, "MYSTERY", 1, "5.00", "0.50")], status="delivered")
    # 00:30 on 2 March in Shanghai is still 1 March in UTC: it belongs to the current period.
    _order(sg, "G", dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), "5.3", [(cable, "SG-CABLE", 1, "8.00", "0")])
    # Not sales: cancelled and awaiting payment.
    _order(us, "C", _utc(2026, 3, 12), "7.1", [(cable, "US-CABLE", 5, "10.00", "0")], status="cancelled")
    _order(us, "P", _utc(2026, 3, 13), "7.1", [(cable, "US-CABLE", 4, "10.00", "0")], status="pending")
    # Previous period, including 23:30 on 1 March in Shanghai.
    _order(us, "F", _utc(2026, 2, 15, 8), "7.0", [(cable, "US-CABLE", 1, "10.00", "0")])
    _order(sg, "H", dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), "5.3", [(cable, "SG-CABLE", 2, "8.00", "0")])
    # Outside both periods.
    _order(us, "E", _utc(2025, 12, 1), "7.2", [(charger, "US-CHG", 9, "25.50", "0")])
    return {"us": us, "de": de, "sg": sg}


# Hand-worked line values in CNY.
A = (2 * D("10.00") - D("1.00")) * D("7.1") + 1 * D("25.50") * D("7.1")   # 134.90 + 181.05 = 315.95
B_CHARGER = 3 * D("20.00") * D("7.8")                                    # 468.00
B_MYSTERY = (D("5.00") - D("0.50")) * D("7.8")                            # 35.10
G = D("8.00") * D("5.3")                                                  # 42.40
F = D("10.00") * D("7.0")                                                 # 70.00
H = 2 * D("8.00") * D("5.3")                                              # 84.80
CURRENT = A + B_CHARGER + B_MYSTERY + G                                   # 861.45
PREVIOUS = F + H                                                          # 154.80


def test_totals_exclude_cancelled_pending_and_out_of_window(business):
    s = home_summary(days=30, today=TODAY)
    assert s["currency"] == "CNY"
    assert (s["start"], s["end"]) == (dt.date(2026, 3, 2), dt.date(2026, 3, 31))
    assert s["totals"] == {"sales": D("861.45"), "orders": 3, "units": 8, "aov": D("287.15")}
    assert s["totals"]["sales"] == CURRENT


def test_previous_period_and_change(business):
    s = home_summary(days=30, today=TODAY)
    assert s["previous"] == {"sales": D("154.80"), "orders": 2, "units": 3, "aov": D("77.40")}
    assert s["change"]["sales"].quantize(D("0.01")) == ((CURRENT - PREVIOUS) * 100 / PREVIOUS).quantize(D("0.01"))
    assert s["change"]["orders"] == D(50)  # 3 vs 2
    assert s["change"]["aov"].quantize(D("0.1")) == ((CURRENT / 3 - PREVIOUS / 2) * 100 / (PREVIOUS / 2)).quantize(D("0.1"))


def test_sales_by_account_and_platform(business):
    s = home_summary(days=30, today=TODAY)
    assert [(a["code"], a["sales"], a["orders"], a["units"]) for a in s["by_account"]] == [
        ("AMZ-DE", B_CHARGER + B_MYSTERY, 1, 4),
        ("AMZ-US", A, 1, 3),
        ("SHOPEE-SG", G, 1, 1),
    ]
    assert [(p["platform"], p["sales"], p["orders"]) for p in s["by_platform"]] == [
        ("amazon", A + B_CHARGER + B_MYSTERY, 2), ("shopee", G, 1),
    ]


def test_top_skus_rank_by_sales_and_keep_unmapped_channel_skus(business):
    s = home_summary(days=30, today=TODAY)
    assert [(r["sku"], r["sales"], r["units"]) for r in s["top_skus"]] == [
        ("CHARGER-2", D("25.50") * D("7.1") + B_CHARGER, 4),
        ("CABLE-1", (2 * D("10.00") - D("1.00")) * D("7.1") + G, 3),
        ("MYSTERY", B_MYSTERY, 1),
    ]
    assert s["top_skus"][0]["name_zh"] == "65W 充电器"


def test_daily_series_uses_company_time_zone(business):
    s = home_summary(days=30, today=TODAY)
    daily = {d["date"]: d["sales"] for d in s["daily"]}
    assert len(daily) == 30 and min(daily) == dt.date(2026, 3, 2) and max(daily) == TODAY
    assert daily[dt.date(2026, 3, 2)] == G          # 00:30 Shanghai time, 1 March UTC
    assert daily[dt.date(2026, 3, 10)] == A
    assert daily[dt.date(2026, 3, 20)] == B_CHARGER + B_MYSTERY
    assert sum(daily.values()) == CURRENT
    by_platform = {p["platform"]: p["values"] for p in s["daily_by_platform"]}
    assert sum(by_platform["amazon"]) == A + B_CHARGER + B_MYSTERY
    assert by_platform["shopee"][0] == G


def test_period_length_moves_the_window(business):
    s = home_summary(days=7, today=TODAY)  # 25–31 March: nothing; previous 18–24 March: order B
    assert s["totals"]["orders"] == 0 and s["totals"]["sales"] == 0 and s["totals"]["aov"] is None
    assert s["previous"]["sales"] == B_CHARGER + B_MYSTERY
    assert s["change"]["sales"] == D(-100)
    assert s["has_orders"] is True


def test_orders_in_another_base_currency_are_reported_not_mixed(business):
    _order(business["us"], "X", _utc(2026, 3, 15), "1", [(None, "US-OTHER", 1, "99.00", "0")], base_currency="USD")
    s = home_summary(days=30, today=TODAY)
    assert s["totals"]["sales"] == CURRENT and s["totals"]["orders"] == 3
    assert s["other_base_orders"] == 1


def test_rounds_to_the_base_currency_minor_unit(business):
    company = CompanySettings.load()
    company.base_currency = "JPY"
    company.save()
    _order(business["us"], "J", _utc(2026, 3, 15), "150.456", [(None, "US-J", 1, "10.00", "0")], base_currency="JPY")
    s = home_summary(days=30, today=TODAY)
    assert s["totals"]["sales"] == D("1505")  # 1504.56 → JPY has no minor unit
    assert s["totals"]["orders"] == 1


@pytest.mark.django_db
def test_empty_database():
    s = home_summary(days=30, today=TODAY)
    assert s["has_orders"] is False
    assert s["totals"]["orders"] == 0 and s["by_account"] == [] and s["top_skus"] == []
    assert len(s["daily"]) == 30


def test_a_handful_of_queries_whatever_the_data(business, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        home_summary(days=30, today=TODAY)


def test_every_metric_has_a_label_and_definition_in_both_languages():
    from django.utils import translation

    for key in ("sales", "orders", "units", "aov"):
        texts = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                texts[language] = (str(METRICS[key].label), str(METRICS[key].definition))
        assert all(texts["en"]) and all(texts["zh-hans"]), key
        assert texts["en"][0] != texts["zh-hans"][0] and texts["en"][1] != texts["zh-hans"][1], key


def test_days_must_be_positive(db):
    with pytest.raises(ValueError):
        home_summary(days=0)
