"""chuhai.analytics.profit: grouping sums, status flags, margins, the P&L and currency conversion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics import profit
from chuhai.finance.fx import set_manual_rate

from .test_profit_report_builders import account, base, fact, order, two_skus

pytestmark = pytest.mark.django_db
D = Decimal
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def by_label(rows):
    return {r.label: r for r in rows}


def test_profit_by_sku_sums_and_status():
    two_skus()
    rows = profit.profit_rows(*MARCH, by="sku")
    assert [r.label for r in rows] == ["LAMP-2", "MUG-1"]  # default sort: revenue, largest first (200 > 150)
    mug, lamp = by_label(rows)["MUG-1"], by_label(rows)["LAMP-2"]
    # MUG-1: f1 + f2 → revenue 100 + 50 = 150, fees -15 - 7.50 = -22.50, COGS -40 - 20 = -60, units 2 + 1 = 3
    assert (mug.revenue, mug.platform_fees, mug.cogs, mug.units) == (D("150"), D("-22.5"), D("-60"), 3)
    # profit 150 - 22.50 - 60 = 67.50; margin 67.50 / 150 × 100 = 45 %
    assert mug.profit == D("67.5")
    assert mug.margin_percent == D(45)
    assert mug.status == profit.PARTLY_ESTIMATED and mug.status_label == "partly estimated"
    assert (mug.facts, mug.settled_facts, mug.settled_share) == (2, 1, D("0.5"))
    assert not mug.cogs_estimated
    # LAMP-2: 200 - 30 - 90 = 80 → 40 %, settled, but its cost is an estimate
    assert (lamp.profit, lamp.margin_percent, lamp.status, lamp.cogs_estimated) == (D(80), D(40), "settled", True)
    total = profit.totals(rows, "CNY")
    assert (total.revenue, total.profit, total.status) == (D(350), D("147.5"), profit.PARTLY_ESTIMATED)


def test_grouping_by_each_dimension():
    data = two_skus()
    by_account = by_label(profit.profit_rows(*MARCH, by="account"))
    # AMZ-US carries f1 + f2 (67.50), AMZ-DE f3 (80)
    assert by_account["AMZ-US"].profit == D("67.5") and by_account["AMZ-DE"].profit == D(80)
    by_country = by_label(profit.profit_rows(*MARCH, by="country"))
    assert {k: v.profit for k, v in by_country.items()} == {"US": D(45), "CA": D("22.5"), "DE": D(80)}
    by_order = profit.profit_rows(*MARCH, by="order", sort="label")
    assert [(r.label, r.order_id) for r in by_order] == [
        ("113-0000001", data["orders"][0].pk), ("113-0000002", data["orders"][1].pk),
        ("303-0000003", data["orders"][2].pk)]
    by_listing = by_label(profit.profit_rows(*MARCH, by="listing"))
    assert set(by_listing) == {"AMZ-US · L-MUG-1", "AMZ-DE · L-LAMP-2"}
    by_market = by_label(profit.profit_rows(*MARCH, by="marketplace"))
    assert by_market["US"].status == profit.PARTLY_ESTIMATED and by_market["DE"].status == profit.SETTLED
    months = profit.profit_rows(None, None, by="month")
    assert [(r.label, r.profit) for r in months] == [("2026-03", D("147.5"))]


def test_filters_and_period_bounds():
    data = two_skus()
    # 2026-03-20 is the last day: f2 (day 20) is in, nothing after
    rows = profit.profit_rows(dt.date(2026, 3, 3), dt.date(2026, 3, 20), by="sku")
    assert {r.label: r.revenue for r in rows} == {"MUG-1": D(50), "LAMP-2": D(200)}
    only_us = profit.profit_rows(*MARCH, by="sku", account="AMZ-US")
    assert [r.label for r in only_us] == ["MUG-1"]
    assert profit.profit_rows(*MARCH, by="sku", account=data["de"].pk)[0].label == "LAMP-2"
    assert profit.profit_rows(*MARCH, by="sku", marketplace="DE")[0].label == "LAMP-2"
    unsettled = profit.profit_rows(*MARCH, by="sku", country="CA")[0]
    assert unsettled.status == profit.ESTIMATED
    with pytest.raises(profit.ProfitReportError):
        profit.profit_rows(*MARCH, by="colour")


def test_sorting_both_ways():
    two_skus()
    assert [r.label for r in profit.profit_rows(*MARCH, by="sku", sort="profit")] == ["MUG-1", "LAMP-2"]
    assert [r.label for r in profit.profit_rows(*MARCH, by="sku", sort="-margin_percent")] == ["MUG-1", "LAMP-2"]
    assert [r.label for r in profit.profit_rows(*MARCH, by="sku", sort="label")] == ["LAMP-2", "MUG-1"]


def test_zero_revenue_has_no_margin_and_period_fees_group_apart():
    base("CNY")
    us = account()
    # a storage fee allocated to no sale: revenue 0, fees -12.34 → profit -12.34, margin undefined (None, not 0 %)
    fact(None, "", dt.date(2026, 3, 31), account_=us, units=0, platform_fees="-12.34", kind="unallocated",
         fees={"storage_fee": "-12.34"})
    row = profit.profit_rows(*MARCH, by="sku")[0]
    assert row.label == "(no SKU)" and row.profit == D("-12.34") and row.margin_percent is None
    order_row = profit.profit_rows(*MARCH, by="order")[0]
    assert order_row.label == "(period fees)" and order_row.order_id is None


def test_sums_are_exact_to_the_micro_unit():
    base("CNY")
    us = account()
    o = order(us, dt.date(2026, 3, 1))
    # 0.1 + 0.2 + ... in floats is not 0.3 + ...: ten facts of 0.100001 sum to exactly 1.000010
    for _ in range(10):
        fact(o, "MUG-1", dt.date(2026, 3, 1), revenue="0.100001")
    row = profit.profit_rows(*MARCH, by="sku")[0]
    assert row.revenue == D("1.00001") and str(row.revenue.normalize()) == "1.00001"


def test_pnl_lines_sum_to_contribution():
    data = two_skus()
    # plus an advertising and logistics cost in April, unsettled
    fact(data["orders"][0], "MUG-1", dt.date(2026, 4, 2), revenue="10", advertising="-3", logistics="-2",
         settled=False)
    statement = profit.pnl(dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    assert statement.months == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    keys = [line.key for line in statement.lines]
    # fees: referral -15 - 7.50 - 20 = -42.50 and fulfilment -10; together the platform fees -52.50 → nothing left
    assert keys == ["revenue", "shipping_income", "promotions", "refunds", "fee:referral_fee", "fee:fulfilment_fee",
                    "advertising", "cogs", "logistics", "contribution", "margin_percent"]
    assert statement.line("fee:referral_fee").cells[0].amount == D("-42.5")
    money_lines = [line for line in statement.lines if line.kind == "money"]
    for index in range(2):
        assert sum(line.cells[index].amount for line in money_lines) == statement.line("contribution").cells[index].amount
    # March: 350 - 52.50 - 150 = 147.50; April: 10 - 3 - 2 = 5 → total 152.50
    contribution = statement.line("contribution")
    assert [c.amount for c in contribution.cells] == [D("147.5"), D(5)]
    assert contribution.total.amount == D("152.5")
    # margin: March 147.50 / 350 = 42.142857...%, total 152.50 / 360
    margin = statement.line("margin_percent")
    assert margin.cells[0].amount.quantize(D("0.01")) == D("42.14")
    assert margin.total.amount == D("152.5") * 100 / D(360)
    # estimated flags: March revenue has f2 unsettled → estimated; April advertising unsettled; March has no ads
    revenue = statement.line("revenue")
    assert [c.estimated for c in revenue.cells] == [True, True]
    assert [c.estimated for c in statement.line("advertising").cells] == [False, True]
    # COGS: LAMP-2's cost is estimated (March); April has no COGS
    assert [c.estimated for c in statement.line("cogs").cells] == [True, False]
    assert statement.line("fee:fulfilment_fee").cells[0].estimated is False  # only on the settled f3
    assert statement.line("fee:referral_fee").cells[0].estimated is True  # f2's estimate


def test_pnl_unitemised_fees_line_keeps_the_sum():
    base("CNY")
    o = order(account(), dt.date(2026, 3, 1))
    # platform fees -20 but the fees JSON names only -15 of them; other fees -4, reimbursements +1
    fact(o, "MUG-1", dt.date(2026, 3, 1), revenue="100", platform_fees="-20", other_fees="-4", reimbursements="1",
         fees={"referral_fee": "-15", "reimbursement": "1"})
    statement = profit.pnl(*MARCH, by_month=False)
    assert statement.months == [] and statement.line("revenue").cells == []
    # itemised: referral -15, reimbursement +1 → rest = (-20 - 4 + 1) - (-15 + 1) = -23 + 14 = -9
    assert statement.line(profit.UNITEMISED).total.amount == D(-9)
    assert statement.line("contribution").total.amount == D(77)  # 100 - 20 - 4 + 1
    assert statement.line("margin_percent").total.amount == D(77)  # 77 / 100 × 100
    assert statement.line("contribution").total.estimated is False


def test_pnl_of_nothing_has_no_margin():
    base("CNY")
    statement = profit.pnl(*MARCH)
    assert statement.months == []
    assert statement.line("contribution").total.amount == 0
    assert statement.line("margin_percent").total.amount is None


def test_currency_conversion_at_month_end_rates():
    two_skus()
    o = order(account(), dt.date(2026, 4, 10))
    fact(o, "MUG-1", dt.date(2026, 4, 10), revenue="70", cogs="-35")
    # my rates CNY → USD: 0.14 from March 1st, 0.125 from March 31st (the month-end rate), 0.1 from April 30th
    set_manual_rate("CNY", "USD", D("0.14"), dt.date(2026, 3, 1))
    set_manual_rate("CNY", "USD", D("0.125"), dt.date(2026, 3, 31))
    set_manual_rate("CNY", "USD", D("0.1"), dt.date(2026, 4, 30))
    statement = profit.pnl(dt.date(2026, 3, 1), dt.date(2026, 4, 30), currency="USD")
    assert statement.currency == "USD"
    assert statement.rate_days == {dt.date(2026, 3, 1): dt.date(2026, 3, 31), dt.date(2026, 4, 1): dt.date(2026, 4, 30)}
    revenue = statement.line("revenue")
    # March 350 CNY × 0.125 = 43.75 USD; April 70 × 0.1 = 7 USD; total 50.75 USD
    assert [c.amount for c in revenue.cells] == [D("43.75"), D("7.0")]
    assert revenue.total.amount == D("50.75")
    # by SKU: MUG-1 = March (150 × 0.125 = 18.75) + April (70 × 0.1 = 7) = 25.75 USD revenue
    rows = by_label(profit.profit_rows(dt.date(2026, 3, 1), dt.date(2026, 4, 30), by="sku", currency="USD"))
    assert rows["MUG-1"].revenue == D("25.75") and rows["MUG-1"].currency == "USD"
    # profit MUG-1: March 67.50 × 0.125 = 8.4375, April 35 × 0.1 = 3.5 → 11.9375
    assert rows["MUG-1"].profit == D("11.9375")
    # the base currency itself needs no rate
    assert profit.profit_rows(*MARCH, by="sku", currency="CNY")[0].revenue == D(200)


def test_rate_day_is_month_end_or_today():
    assert profit.rate_day(dt.date(2026, 2, 1), today=dt.date(2026, 12, 1)) == dt.date(2026, 2, 28)
    assert profit.rate_day(dt.date(2026, 12, 1), today=dt.date(2026, 12, 2)) == dt.date(2026, 12, 2)
