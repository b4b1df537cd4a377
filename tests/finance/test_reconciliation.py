"""Settlement reconciliation: every consistent settlement imported reconciles to 0.00 (property test over generated
Amazon V2 files), an inconsistent one shows its difference, unmatched lines are listed, shipped orders not settled
after N days are flagged, and FBA lost/damaged units minus those already reimbursed are due, with the evidence."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.fees import FeeCategory
from chuhai.finance.finance_settings import FinanceSettings
from chuhai.finance.models import LedgerLine, Settlement
from chuhai.finance.payouts import PayoutReceipt
from chuhai.finance.reconciliation import (
    SettlementState,
    reimbursements_due,
    settlement_status,
    settlements,
    unmatched_lines,
    unsettled_orders,
)

from .test_estimates import make_order, make_product

D = Decimal
UTC = dt.UTC
HEADER = ("settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
          "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
          "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
          "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
          "promotion-id")
#: (amount-type, amount-description) of an order's lines, as in tests/channels/amazon/fixtures/settlement_v2_*.txt
ORDER_LINES = (("ItemPrice", "Principal"), ("ItemPrice", "Tax"), ("ItemWithheldTax",
                                                                  "MarketplaceFacilitatorTax-Principal"),
               ("ItemFees", "Commission"), ("ItemFees", "FBAPerUnitFulfillmentFee"), ("Promotion", "Principal"))
OTHER_LINES = (("other-transaction", "other-transaction", "Storage Fee"),
               ("other-transaction", "other-transaction", "Subscription Fee"),
               ("Cost of Advertising", "Cost of Advertising", "TransactionTotalAmount"),
               ("other-transaction", "other-transaction", "Current Reserve Amount"))


def settlement_text(settlement_id: str, lines: list[dict], total: Decimal | None) -> str:
    """An Amazon settlement flat file V2: the header, the summary row, one row per line."""
    def row(**cells):
        return "\t".join(str(cells.get(h.replace("-", "_"), "")) for h in HEADER)

    rows = ["\t".join(HEADER), row(settlement_id=settlement_id, settlement_start_date="2025-06-01 00:00:00 UTC",
                                   settlement_end_date="2025-06-15 00:00:00 UTC",
                                   deposit_date="2025-06-17 00:00:00 UTC",
                                   total_amount="" if total is None else total, currency="USD")]
    for ln in lines:
        rows.append(row(settlement_id=settlement_id, marketplace_name="Amazon.com",
                        posted_date_time="2025-06-09 05:23:19 UTC", **ln))
    return "\n".join(rows) + "\n"


def order_line(order_id, sku, amount_type, description, amount, quantity=1):
    return {"transaction_type": "Order", "order_id": order_id, "merchant_order_id": order_id,
            "amount_type": amount_type, "amount_description": description, "amount": amount,
            "fulfillment_id": "AFN", "sku": sku, "quantity_purchased": quantity}


@pytest.fixture
def us(db):
    return create_account("AMZ-US", "amazon", "US")


def import_text(tmp_path, account, text, name="settlement.txt"):
    path = tmp_path / name
    path.write_text(text)
    result = import_file("amazon-settlement", path, account)
    assert result.status == "succeeded", [str(e) for e in result.errors]
    return result


# -- the property: every consistent settlement reconciles to 0.00 -----------------------------------------------
cents = st.integers(min_value=-99_999, max_value=99_999).map(lambda c: D(c) / 100)


@st.composite
def settlement_lines(draw):
    """Orders with a random selection of charge and fee lines, plus non-order lines; amounts to the cent."""
    lines = []
    for n in range(draw(st.integers(1, 6))):
        order_id = f"111-0000000-{n:07d}"
        for amount_type, description in draw(st.lists(st.sampled_from(ORDER_LINES), min_size=1, max_size=6)):
            lines.append(order_line(order_id, "LK-CC100-1M", amount_type, description, draw(cents)))
    for transaction_type, amount_type, description in draw(st.lists(st.sampled_from(OTHER_LINES), max_size=4)):
        lines.append({"transaction_type": transaction_type, "amount_type": amount_type,
                      "amount_description": description, "amount": draw(cents)})
    return lines


def test_every_consistent_settlement_reconciles_to_zero(us, tmp_path):
    cable = make_product()
    for n in range(6):  # the orders exist in chuhai, so no line is unmatched
        make_order(us, f"111-0000000-{n:07d}", dt.date(2025, 6, 5), [(cable, 1, "10.00")])
    ids = itertools.count(90_000_000_000)

    @settings(max_examples=20, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(settlement_lines())
    def check(lines):
        settlement_id = str(next(ids))
        total = sum((ln["amount"] for ln in lines), D(0))  # consistent: the total is the sum of the lines
        import_text(tmp_path, us, settlement_text(settlement_id, lines, total))
        check = settlement_status(Settlement.objects.get(settlement_id=settlement_id))
        assert check.difference == D("0.00")
        assert check.expected == total and check.lines == len(lines)
        assert check.status == SettlementState.RECONCILED and check.unmatched == 0
        assert sum(check.by_category.values(), D(0)) == total
        listed = {c.settlement_id: c for c in settlements(account=us)}[settlement_id]
        assert (listed.difference, listed.status, listed.lines) == (D(0), SettlementState.RECONCILED, len(lines))

    check()


def test_inconsistent_settlement_shows_its_difference_and_receipts(us, tmp_path):
    cable = make_product()
    make_order(us, "111-0000000-0000001", dt.date(2025, 6, 5), [(cable, 1, "20.00")])
    lines = [order_line("111-0000000-0000001", "LK-CC100-1M", "ItemPrice", "Principal", D("20.00")),
             order_line("111-0000000-0000001", "LK-CC100-1M", "ItemFees", "Commission", D("-3.00")),
             {"transaction_type": "other-transaction", "amount_type": "other-transaction",
              "amount_description": "Subscription Fee", "amount": D("-39.99")}]
    # lines: 20.00 - 3.00 - 39.99 = -22.99; Amazon reports -20.00 → difference -20.00 - (-22.99) = +2.99
    import_text(tmp_path, us, settlement_text("1001", lines, D("-20.00")))
    settlement = Settlement.objects.get(settlement_id="1001")
    PayoutReceipt.objects.create(account=us, settlement=settlement, provider="pingpong", reference="PP-1",
                                 received_on=dt.date(2025, 6, 18), amount=D("-20.00"), currency="USD")
    check = settlement_status(settlement)
    assert (check.expected, check.paid, check.difference) == (D("-22.99"), D("-20.00"), D("2.99"))
    assert check.status == SettlementState.DIFFERENCE
    assert check.by_category == {FeeCategory.PRINCIPAL: D("20.00"), FeeCategory.REFERRAL_FEE: D("-3.00"),
                                 FeeCategory.SUBSCRIPTION: D("-39.99")}
    assert [r.reference for r in check.receipts] == ["PP-1"] and check.received == {"USD": D("-20.00")}
    [listed] = settlements(account=us)
    assert (listed.difference, listed.status, listed.received) == (D("2.99"), "difference", {"USD": D("-20.00")})
    assert settlements(account=us, status="reconciled") == []


def test_settlement_without_total_is_not_paid_yet(us, tmp_path):
    import_text(tmp_path, us, settlement_text("1002", [
        {"transaction_type": "other-transaction", "amount_type": "other-transaction",
         "amount_description": "Storage Fee", "amount": D("-1.00")}], D("-1.00")))
    Settlement.objects.filter(settlement_id="1002").update(total_amount=None)  # an open period: no total yet
    check = settlement_status(Settlement.objects.get(settlement_id="1002"))
    assert (check.status, check.difference) == (SettlementState.NOT_PAID, None)


def test_unmatched_lines_are_listed(us, tmp_path):
    cable = make_product()
    make_order(us, "111-0000000-0000001", dt.date(2025, 6, 5), [(cable, 1, "20.00")])
    lines = [order_line("111-0000000-0000001", "LK-CC100-1M", "ItemPrice", "Principal", D("20.00")),
             order_line("111-0000000-0000099", "LK-CC100-1M", "ItemPrice", "Principal", D("15.00")),  # not ours
             {"transaction_type": "other-transaction", "amount_type": "other-transaction",
              "amount_description": "Mystery Programme Fee", "amount": D("-5.00")}]  # a type nobody mapped
    import_text(tmp_path, us, settlement_text("1003", lines, D("30.00")))  # 20 + 15 - 5 = 30: no difference
    settlement = Settlement.objects.get(settlement_id="1003")
    check = settlement_status(settlement)
    assert (check.difference, check.status, check.unmatched) == (D(0), SettlementState.UNMATCHED, 2)
    assert sorted((ln.order_ref, ln.amount_description) for ln in unmatched_lines(settlement)) == [
        ("", "Mystery Programme Fee"), ("111-0000000-0000099", "Principal")]
    assert settlements(account=us)[0].unmatched == 2


def test_list_takes_few_queries(us, tmp_path, django_assert_max_num_queries):
    for n in range(5):
        import_text(tmp_path, us, settlement_text(str(2000 + n), [
            {"transaction_type": "other-transaction", "amount_type": "other-transaction",
             "amount_description": "Storage Fee", "amount": D("-1.00")}], D("-1.00")), name=f"s{n}.txt")
    with django_assert_max_num_queries(3):
        assert len(settlements()) == 5


# -- orders not settled -----------------------------------------------------------------------------------------
def test_shipped_orders_not_settled_after_n_days(us):
    cable = make_product()
    # as of 2026-04-30 with 21 days: bought before 2026-04-09 and no ledger line → flagged
    make_order(us, "111-0000000-0000001", dt.date(2026, 4, 1), [(cable, 1, "10.00")], order_total="10.00")
    make_order(us, "111-0000000-0000002", dt.date(2026, 4, 20), [(cable, 1, "10.00")])  # only 10 days old
    make_order(us, "111-0000000-0000003", dt.date(2026, 3, 1), [(cable, 1, "10.00")], status="unshipped")
    settled = make_order(us, "111-0000000-0000004", dt.date(2026, 3, 1), [(cable, 1, "10.00")])
    LedgerLine.objects.create(account=us, source="amazon-transactions", fingerprint="x1", order=settled,
                              order_ref=settled.external_id, amount=D("10.00"), currency="USD")
    make_order(us, "111-0000000-0000005", dt.date(2026, 3, 2), [(cable, 1, "10.00")], status="delivered")
    # a line naming the order id but not linked yet still counts as settled
    make_order(us, "111-0000000-0000006", dt.date(2026, 3, 3), [(cable, 1, "10.00")])
    LedgerLine.objects.create(account=us, source="amazon-transactions", fingerprint="x2",
                              order_ref="111-0000000-0000006", amount=D("10.00"), currency="USD")

    found = unsettled_orders(dt.date(2026, 4, 30), days=21)
    # 2026-04-30 - 2026-04-01 = 29 days; 2026-04-30 - 2026-03-02 = 59 days (March has 31 days: 29 + 30)
    assert [(u.external_id, u.age_days) for u in found] == [("111-0000000-0000005", 59),
                                                             ("111-0000000-0000001", 29)]
    assert found[1].order.order_total == D("10.00")
    settings_row = FinanceSettings.load()
    settings_row.unsettled_after_days = 30
    settings_row.save()
    assert [u.external_id for u in unsettled_orders(dt.date(2026, 4, 30))] == ["111-0000000-0000005"]


# -- FBA reimbursements due -------------------------------------------------------------------------------------
@pytest.fixture
def fba(us):
    from chuhai.catalog.services import create_listing, create_product
    from chuhai.inventory.channel_rules import AllocationRule
    from chuhai.inventory.models import Warehouse

    warehouse = Warehouse.objects.create(code="FBA-US", type="fba", country="US", time_zone="America/Los_Angeles")
    AllocationRule.objects.create(account=us, fba_warehouse=warehouse)
    mug = create_product("MUG-01", name_en="Mug", cost=D("3.20"), cost_currency="CNY")
    create_listing(us, mug, "MUG-AMZ")
    return {"account": us, "warehouse": warehouse, "mug": mug}


def test_reimbursements_due_are_lost_units_minus_reimbursed(fba):
    from chuhai.inventory import stock
    from chuhai.inventory.fba_reconciliation import apply_corrections
    from chuhai.inventory.models import FbaInventorySnapshot

    account, warehouse, mug = fba["account"], fba["warehouse"], fba["mug"]
    stock.receive(mug, warehouse, 10)
    FbaInventorySnapshot.objects.create(account=account, snapshot_date=dt.date(2026, 3, 8), sku="MUG-AMZ",
                                        fnsku="X-MUG", fulfillable=6, unsellable=1)
    # ledger 10 sellable vs Amazon 6 → 4 lost; Amazon 1 unsellable vs ledger 0 → 1 damaged
    # Amazon already reimbursed one unit of MUG-AMZ (8.12 USD)
    LedgerLine.objects.create(account=account, source="amazon-settlement", fingerprint="r1", sku="MUG-AMZ",
                              quantity=1, amount=D("8.12"), currency="USD", category=FeeCategory.REIMBURSEMENT,
                              transaction_type="FBA Inventory Reimbursement", amount_description="WAREHOUSE_LOST")
    due = {r.kind: r for r in reimbursements_due()}
    lost, damaged = due["lost"], due["damaged"]
    # lost: 4 found - 1 reimbursed = 3 due × 3.20 CNY = 9.60 CNY
    assert (lost.units_found, lost.units_reimbursed, lost.units_due) == (4, 1, 3)
    assert (lost.value, lost.cost_currency) == (D("9.60"), "CNY")
    assert (lost.snapshot_date, lost.amazon, lost.ledger) == (dt.date(2026, 3, 8), 6, 10)
    assert lost.references == ["fba-recon:AMZ-US:2026-03-08"] and "MUG-AMZ" in lost.channel_skus
    assert lost.reimbursed_amount == {"USD": D("8.12")}
    assert (damaged.units_found, damaged.units_reimbursed, damaged.units_due) == (1, 0, 1)

    # once the ledger is corrected the difference is gone, but the units written off are still due
    apply_corrections(account, dt.date(2026, 3, 8), reason="checked with Amazon")
    after = {r.kind: r for r in reimbursements_due(account)}
    assert (after["lost"].units_found, after["lost"].units_due) == (4, 3)
    assert after["lost"].references == ["fba-recon:AMZ-US:2026-03-08"]
    # a reversal (the unit turned up) takes a reimbursed unit back: 4 - (1 - 1) = 4 due
    LedgerLine.objects.create(account=account, source="amazon-settlement", fingerprint="r2", sku="MUG-AMZ",
                              quantity=1, amount=D("-8.12"), currency="USD", category=FeeCategory.REIMBURSEMENT,
                              transaction_type="FBA Inventory Reimbursement",
                              amount_description="REVERSAL_REIMBURSEMENT")
    assert {r.kind: r.units_due for r in reimbursements_due(account)}["lost"] == 4


def test_list_filters_by_period_and_converts_to_a_report_currency(us, tmp_path):
    from chuhai.finance.fx import set_manual_rate

    import_text(tmp_path, us, settlement_text("3001", [
        {"transaction_type": "other-transaction", "amount_type": "other-transaction",
         "amount_description": "Storage Fee", "amount": D("-10.00")}], D("-10.00")))
    # the period ends 2025-06-15
    assert [c.settlement_id for c in settlements(dt.date(2025, 6, 15), dt.date(2025, 6, 15))] == ["3001"]
    assert settlements(date_from=dt.date(2025, 6, 16)) == []
    assert settlements(date_to=dt.date(2025, 6, 14)) == []
    set_manual_rate("USD", "CNY", D("7.2"), dt.date(2025, 1, 1))
    [check] = settlements(currency="cny")
    # deposit 2025-06-17 at 7.2: -10.00 USD → -72.00 CNY; difference 0 → 0
    assert check.converted == {"expected": D("-72.00"), "paid": D("-72.00"), "difference": D(0)}


def test_the_benchmark_file_imports_and_reconciles(us, tmp_path):
    """The benchmark's generated settlement is what the parser expects, and consistent (small size here)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "finance_settlements.py"
    spec = importlib.util.spec_from_file_location("finance_settlements_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    file = tmp_path / "bench.txt"
    total = bench.write_settlement(file, 500)
    result = import_file("amazon-settlement", file, us)
    assert result.status == "succeeded" and result.lines_created == 500
    check = settlement_status(Settlement.objects.get(account=us))
    assert (check.lines, check.expected, check.difference) == (500, total, D("0.00"))
    assert check.by_category.get(FeeCategory.UNKNOWN) is None  # every generated row is a known type
