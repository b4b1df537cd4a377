"""Advertising: Sponsored Products spend and attributed sales per SKU × day, the SKU's total sales from our
order lines, and ACOS / TACOS / ROAS from the metric layer — hand-worked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.ads import ad_report, ad_total
from chuhai.analytics.models import AdPerformance
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings

from ..finance.test_estimates import make_order, make_product

D = Decimal
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def us(db):
    settings = CompanySettings.load()
    settings.base_currency = "USD"
    settings.save()
    return create_account("AMZ-US", "amazon", "US")


def ad(account, campaign, sku, spend, sales, day=DAY, report_type="sp_advertised_product", **extra):
    return AdPerformance.objects.create(account=account, report_type=report_type, start_date=day, end_date=day,
                                        campaign=campaign, ad_group="g", advertised_sku=sku, currency="USD",
                                        spend=D(spend), sales=D(sales), **extra)


def test_acos_tacos_roas_hand_worked(us):
    cable = make_product()
    # spend 25.00 over two campaigns; attributed sales 100.00; the SKU's total sales that day 250.00
    ad(us, "Exact", "LK-CC100-1M", "15.00", "60.00", impressions=1000, clicks=20, orders=3)
    ad(us, "Auto", "LK-CC100-1M", "10.00", "40.00", impressions=500, clicks=10, orders=2)
    ad(us, "Auto", "LK-CC100-1M", "99.00", "99.00", report_type="sp_search_term", search_term="cable")  # ignored
    make_order(us, "111-1", DAY, [(cable, 10, "20.00")])  # 200.00
    make_order(us, "111-2", DAY, [(cable, 2, "25.00")])  # 50.00 → 250.00 that day
    make_order(us, "111-3", DAY + dt.timedelta(days=1), [(cable, 1, "99.00")])  # another day: not in TACOS
    make_order(us, "111-4", DAY, [(cable, 1, "99.00")], status="cancelled")  # not a sale

    [row] = ad_report(DAY, DAY, by="sku")
    assert (row.sku, row.account, row.spend, row.sales, row.total_sales) == (
        "LK-CC100-1M", "AMZ-US", D("25.00"), D("100.00"), D("250.00"))
    assert (row.impressions, row.clicks, row.orders) == (1500, 30, 5)
    assert row.acos == D(25)  # 25.00 / 100.00 × 100 = 25 %
    assert row.tacos == D(10)  # 25.00 / 250.00 × 100 = 10 %
    assert row.roas == D(4)  # 100.00 / 25.00 = 4

    by_campaign = {r.campaign: r for r in ad_report(DAY, DAY, by="campaign")}
    assert by_campaign["Exact"].acos == D(25) and by_campaign["Exact"].total_sales == D("250.00")
    # 15.00 / 250.00 × 100 = 6 %
    assert by_campaign["Exact"].tacos == D(6)
    [day] = ad_report(by="day")
    assert (day.day, day.spend, day.total_sales) == (DAY, D("25.00"), D("250.00"))
    total = ad_total()
    assert (total.spend, total.sales, total.total_sales, total.roas) == (D("25.00"), D("100.00"), D("250.00"),
                                                                        D(4))


def test_no_spend_or_no_sales_is_no_ratio(us):
    ad(us, "Exact", "NOSALE", "5.00", "0")
    [row] = ad_report(by="sku")
    assert (row.acos, row.tacos, row.roas) == (None, None, D(0))


def test_fourteen_day_report_only_where_no_seven_day_one(us):
    ad(us, "Exact", "A", "5.00", "10.00")
    ad(us, "Exact", "A", "5.00", "12.00", report_type="sp_advertised_product_14d")  # same day: the 7-day wins
    ad(us, "Exact", "A", "3.00", "9.00", day=DAY + dt.timedelta(days=1), report_type="sp_advertised_product_14d")
    rows = {r.day: r for r in ad_report(by="day")}
    assert (rows[DAY].spend, rows[DAY].sales) == (D("5.00"), D("10.00"))
    assert rows[DAY + dt.timedelta(days=1)].sales == D("9.00")


def test_other_currency_is_converted_at_the_days_rate(us):
    from chuhai.finance.fx import set_manual_rate

    set_manual_rate("EUR", "USD", D("1.10"), dt.date(2026, 1, 1))
    eu = create_account("AMZ-DE", "amazon", "DE")
    AdPerformance.objects.create(account=eu, start_date=DAY, end_date=DAY, campaign="DE", advertised_sku="A",
                                 currency="EUR", spend=D("10.00"), sales=D("50.00"))
    [row] = ad_report(by="account")
    assert (row.currency, row.spend, row.sales) == ("USD", D("11.00"), D("55.00"))  # × 1.10
    with pytest.raises(ValueError):
        ad_report(by="nonsense")
