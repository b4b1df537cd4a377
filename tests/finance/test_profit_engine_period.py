"""Period fees (no order: storage, subscription, advertising…) spread over a month's SKUs — by revenue, by units,
by volume, and advertising by Sponsored Products spend share — worked by hand; months without sales; the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.models import AdPerformance
from chuhai.channels.services import create_account
from chuhai.cli.main import main
from chuhai.finance.finance_settings import FinanceSettings
from chuhai.finance.profit import recompute, spread
from chuhai.finance.profit_facts import FactKind, ProfitFact

from .test_profit_engine import company, ledger, order, product

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def march(db):
    """AMZ-US in March 2026: SKU-A sold 1 unit for 30.00, SKU-B 3 units for 10.00 (both unsettled)."""
    company("USD", "UTC")
    account = create_account("AMZ-US", "amazon", "US")
    a = product("SKU-A", dims=(100, 100, 100))  # 1,000,000 mm³ per unit
    b = product("SKU-B", dims=(100, 100, 20))   # 200,000 mm³ per unit
    order(account, "A-1", dt.date(2026, 3, 5), [{"product": a, "qty": 1, "gross": "30.00"}], fulfilment="merchant")
    order(account, "B-1", dt.date(2026, 3, 6), [{"product": b, "qty": 3, "gross": "10.00"}], fulfilment="merchant")
    return account


def allocated():
    return {r.sku: r for r in ProfitFact.objects.filter(kind=FactKind.ALLOCATED)}


def storage(account, amount="-8.00", day=dt.date(2026, 3, 20), sku=""):
    ledger(account, "", [("other-transaction", "other-transaction", "Storage Fee", amount, sku)], day,
           settlement_ref=f"S-{day}")


def basis(value):
    settings = FinanceSettings.load()
    settings.fee_allocation_basis = value
    settings.save()


def test_storage_fee_by_revenue(march):
    storage(march)
    recompute()
    rows = allocated()
    # revenue 30.00 : 10.00 → SKU-A 8.00 × 30/40 = 6.00, SKU-B 8.00 × 10/40 = 2.00
    assert rows["SKU-A"].other_fees == D("-6.00") and rows["SKU-B"].other_fees == D("-2.00")
    assert rows["SKU-A"].profit == D("-6.00") and rows["SKU-A"].month == dt.date(2026, 3, 1)
    assert rows["SKU-A"].units == 0 and rows["SKU-A"].settled
    assert not ProfitFact.objects.filter(kind=FactKind.UNALLOCATED).exists()


def test_storage_fee_by_units(march):
    basis("units")
    storage(march)
    recompute()
    rows = allocated()
    # units 1 : 3 → SKU-A 8.00 × 1/4 = 2.00, SKU-B 8.00 × 3/4 = 6.00
    assert rows["SKU-A"].other_fees == D("-2.00") and rows["SKU-B"].other_fees == D("-6.00")


def test_storage_fee_by_volume(march):
    basis("volume")
    storage(march)
    recompute()
    rows = allocated()
    # volume sold: A 1 × 1,000,000 = 1,000,000 mm³; B 3 × 200,000 = 600,000 mm³ → 8.00 × 10/16 = 5.00, × 6/16 = 3.00
    assert rows["SKU-A"].other_fees == D("-5.00") and rows["SKU-B"].other_fees == D("-3.00")


def test_advertising_by_spend_share(march):
    basis("units")  # units say 1 : 3; the spend share below says 3 : 1 and wins
    ledger(march, "", [("Cost of Advertising", "Cost of Advertising", "TransactionTotalAmount", "-40.00", "")],
           dt.date(2026, 3, 25), settlement_ref="S-ads")
    for day, sku, spend in ((dt.date(2026, 3, 1), "SKU-A", "2.00"), (dt.date(2026, 3, 2), "SKU-A", "1.00"),
                            (dt.date(2026, 3, 2), "SKU-B", "1.00")):
        AdPerformance.objects.create(account=march, start_date=day, end_date=day, campaign="C1",
                                     advertised_sku=sku, currency="USD", spend=D(spend))
    recompute()
    rows = allocated()
    # spend A 2.00 + 1.00 = 3.00, B 1.00 → 40.00 × 3/4 = 30.00 and 40.00 × 1/4 = 10.00
    assert rows["SKU-A"].advertising == D("-30.00") and rows["SKU-B"].advertising == D("-10.00")


def test_advertising_without_ads_report_falls_back_to_the_basis(march):
    basis("units")
    ledger(march, "", [("Cost of Advertising", "Cost of Advertising", "TransactionTotalAmount", "-40.00", "")],
           dt.date(2026, 3, 25), settlement_ref="S-ads")
    recompute()
    rows = allocated()
    # no Sponsored Products rows: units 1 : 3 → 10.00 and 30.00
    assert rows["SKU-A"].advertising == D("-10.00") and rows["SKU-B"].advertising == D("-30.00")


def test_month_without_sales_is_unallocated(march):
    storage(march, "-5.00", dt.date(2026, 4, 15))
    ledger(march, "", [("Other-Transaction", "Other-Transaction", "Subscription Fee", "-39.99", "")],
           dt.date(2026, 4, 16), settlement_ref="S-sub")
    summary = recompute()
    row = ProfitFact.objects.get(kind=FactKind.UNALLOCATED)
    # April has no sales: one row for the account and month, −5.00 − 39.99 = −44.99
    assert row.month == dt.date(2026, 4, 1) and row.sku == "" and row.product_id is None
    assert row.other_fees == D("-44.99") and row.profit == D("-44.99")
    assert {k: D(v) for k, v in row.fees.items()} == {"storage_fee": D("-5.00"), "subscription": D("-39.99")}
    assert summary.unallocated_rows == 1 and summary.unallocated_amount == D("-44.99")


def test_period_line_with_a_sku_goes_to_that_sku(march):
    ledger(march, "", [("FBA Inventory Reimbursement", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", "8.12",
                        "SKU-B")], dt.date(2026, 3, 13), settlement_ref="S-r")
    recompute()
    rows = allocated()
    assert set(rows) == {"SKU-B"} and rows["SKU-B"].reimbursements == D("8.12")


def test_spread_keeps_the_total_exact():
    # 10.00 in three equal parts: 3.333333 + 3.333333 + 3.333334 = 10.00
    parts = spread(D("10.00"), [D(1), D(1), D(1)])
    assert parts == [D("3.333333"), D("3.333333"), D("3.333334")] and sum(parts) == D("10.00")


def test_cli_rebuild(march, capsys):
    storage(march)
    assert main(["profit", "rebuild", "--from", "2026-03-01", "--to", "2026-03-31", "--account", "AMZ-US"]) == 0
    out = capsys.readouterr().out
    assert "2 order lines of 2 orders, 0.0 % settled" in out
    assert "period fees -8.00 USD: 2 SKU rows" in out
    assert ProfitFact.objects.count() == 4
    assert main(["profit", "rebuild", "--account", "NOPE"]) != 0
