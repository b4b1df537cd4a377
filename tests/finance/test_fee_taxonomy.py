"""The fee taxonomy applied to the ledger: every Amazon fixture categorised on import (hand-worked sums per
category), other platforms' names, finance's overrides, unknown types kept and listed, lines linked to the right
account's order."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.categorise import (
    categorise_lines,
    category_of,
    delete_mapping,
    link_orders,
    save_mapping,
    unmapped_types,
)
from chuhai.finance.fees import FeeCategory, FeeTypeMapping
from chuhai.finance.models import LedgerLine
from chuhai.orders.models import Order

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "channels" / "amazon" / "fixtures"
#: Fixture files that are refused on purpose (their tests are in tests/channels/amazon).
REFUSED = {"settlement_v2_mangled_id.txt", "transactions_mangled_id.csv", "transactions_bad_total.csv"}
LEDGER_FILES = sorted(p.name for p in FIXTURES.iterdir() if p.name.startswith(("settlement_", "transactions_")))
UTC = dt.UTC


def source_of(name: str) -> str:
    return "amazon-settlement" if name.startswith("settlement_") else "amazon-transactions"


def market_of(name: str) -> str:
    return {"transactions_in.csv": "IN", "transactions_uk.csv": "GB"}.get(name, "US")


def sums_by_category(account) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for category, amount in LedgerLine.objects.filter(account=account).values_list("category", "amount"):
        sums[category] += amount
    return {c: a for c, a in sums.items() if a or c == FeeCategory.OTHER}


def make_order(account, external_id: str) -> Order:
    return Order.objects.create(
        account=account, external_id=external_id, marketplace="US", purchased_at=dt.datetime(2025, 6, 1, tzinfo=UTC),
        status="shipped", fulfilment_channel="fba", currency="USD", base_currency="USD", fx_rate=1)


def add_line(account, n: int, transaction_type="", amount_type="", amount_description="", amount="1.00",
             currency="USD", order_ref="", description="", category=""):
    return LedgerLine.objects.create(
        account=account, source="test", fingerprint=f"fp{account.pk}-{n}", transaction_type=transaction_type,
        amount_type=amount_type, amount_description=amount_description, amount=Decimal(amount), currency=currency,
        order_ref=order_ref, description=description, category=category)


# -- every Amazon fixture -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", LEDGER_FILES)
def test_every_amazon_fixture_imports_with_no_unknown_line(name):
    account = create_account("AMZ", "amazon", market_of(name))
    result = import_file(source_of(name), FIXTURES / name, account)
    if name in REFUSED:
        assert result.status == "rejected"
        return
    assert result.status == "succeeded", result.errors
    lines = LedgerLine.objects.filter(account=account)
    assert lines.exists()
    assert not lines.filter(category="").exists()
    assert list(lines.filter(category=FeeCategory.UNKNOWN).values_list(
        "transaction_type", "amount_type", "amount_description")) == []
    assert unmapped_types() == []
    assert "lines_of_unmapped_types" not in result.summary
    # the SQL detail and its Python twin (used while importing) agree: categorising again changes nothing
    assert categorise_lines() == 0


def test_settlement_v2_by_category_hand_worked():
    account = create_account("AMZ-US", "amazon", "US")
    assert import_file("amazon-settlement", FIXTURES / "settlement_v2_consistent.txt", account).status == "succeeded"
    sums = sums_by_category(account)
    assert sums == {
        FeeCategory.PRINCIPAL: Decimal("14.90"),          # ItemPrice / Principal
        FeeCategory.TAX_COLLECTED: Decimal("1.04"),       # ItemPrice / Tax
        FeeCategory.MARKETPLACE_TAX: Decimal("-1.04"),    # ItemWithheldTax / MarketplaceFacilitatorTax-Principal
        FeeCategory.REFERRAL_FEE: Decimal("-2.24"),       # ItemFees / Commission
        FeeCategory.FULFILMENT_FEE: Decimal("-4.85"),     # ItemFees / FBAPerUnitFulfillmentFee
        FeeCategory.STORAGE_FEE: Decimal("-3.21"),        # other-transaction / Storage Fee
        FeeCategory.SUBSCRIPTION: Decimal("-39.99"),      # Other-Transaction / Subscription Fee
        FeeCategory.RESERVE: Decimal("69.50"),            # 250.00 previous balance - 180.50 current reserve
        FeeCategory.ADVERTISING: Decimal("-45.67"),       # Cost of Advertising / TransactionTotalAmount
        FeeCategory.REIMBURSEMENT: Decimal("16.24"),      # 2 × WAREHOUSE_DAMAGE 8.12
    }
    # 14.90 + 1.04 - 1.04 - 2.24 - 4.85 - 3.21 - 39.99 + 69.50 - 45.67 + 16.24 = 4.68, the settlement's total
    assert sum(sums.values()) == Decimal("4.68")


def test_settlement_v1_by_category_hand_worked():
    account = create_account("AMZ-US", "amazon", "US")
    assert import_file("amazon-settlement", FIXTURES / "settlement_v1_consistent.txt", account).status == "succeeded"
    by_type = {(ln.transaction_type, ln.amount_type, ln.amount_description): ln.category
               for ln in LedgerLine.objects.filter(account=account)}
    assert by_type[("Current Reserve Amount", "Other", "")] == FeeCategory.RESERVE
    assert by_type[("Storage Fee", "Other", "")] == FeeCategory.STORAGE_FEE
    assert by_type[("Subscription Fee", "Other", "")] == FeeCategory.SUBSCRIPTION
    assert by_type[("Refund", "ItemPrice", "Principal")] == FeeCategory.REFUND
    assert by_type[("Refund", "ItemFees", "RefundCommission")] == FeeCategory.REFUND_COMMISSION
    assert by_type[("Order", "Promotion", "Shipping")] == FeeCategory.PROMOTION
    assert by_type[("Order", "", "")] == FeeCategory.OTHER  # the quantity-only row, a zero line
    assert not LedgerLine.objects.filter(account=account, category=FeeCategory.OTHER).exclude(amount=0).exists()


def test_date_range_by_category_hand_worked():
    account = create_account("AMZ-US", "amazon", "US")
    assert import_file("amazon-transactions", FIXTURES / "transactions_us_2020s.csv", account).status == "succeeded"
    assert sums_by_category(account) == {
        FeeCategory.PRINCIPAL: Decimal("24.99"),          # Order: product sales
        FeeCategory.REFUND: Decimal("-24.99"),            # Refund: product sales
        FeeCategory.TAX_COLLECTED: Decimal("-0.23"),      # 2.25 - 0.23 (order) - 2.25 (refund)
        FeeCategory.MARKETPLACE_TAX: Decimal("0.23"),     # -2.02 (order) + 2.25 (refund)
        FeeCategory.PROMOTION: Decimal("-2.50"),          # Order: promotional rebates
        FeeCategory.REFERRAL_FEE: Decimal("-0.67"),       # -3.37 (order) + 2.70 (refund)
        FeeCategory.FULFILMENT_FEE: Decimal("-5.40"),     # Order: fba fees
        FeeCategory.STORAGE_FEE: Decimal("-1234.56"),     # FBA Inventory Fee / FBA Long-Term Storage Fee
        FeeCategory.TRANSFER: Decimal("-10000.00"),       # Transfer / To account ending in: 4417
    }


# -- the rules ----------------------------------------------------------------------------------------------------

def test_most_specific_rule_wins_and_names_are_case_insensitive():
    # Date Range "Service Fee" rows: the description says what the fee is
    assert category_of("amazon", "Service Fee", "other", "Cost of Advertising", overrides=[]) == "advertising"
    assert category_of("amazon", "service fee", "OTHER", "subscription fee", overrides=[]) == "subscription"
    assert category_of("amazon", "Service Fee", "other", "Something new", overrides=[]) == "service_fee"
    # a refund's principal is a refund, its commission a (reversed) referral fee
    assert category_of("amazon", "Refund", "ItemPrice", "Principal", overrides=[]) == "refund"
    assert category_of("amazon", "Refund", "ItemFees", "Commission", overrides=[]) == "referral_fee"
    assert category_of("amazon", "Order", "ItemFees", "NoSuchFee", overrides=[]) == "unknown"
    # rules belong to their platform
    assert category_of("shopee", "", "commission fee", "", overrides=[]) == "referral_fee"
    assert category_of("amazon", "", "commission fee", "", overrides=[]) == "unknown"


def test_an_override_wins_over_a_more_specific_default():
    overrides = [("amazon", "Order", "", "", "other")]
    assert category_of("amazon", "Order", "ItemPrice", "Principal", overrides=overrides) == "other"
    assert category_of("amazon", "Refund", "ItemPrice", "Principal", overrides=overrides) == "refund"


def test_other_platforms_lines_map():
    shopify = create_account("SHOP", "shopify", "US")
    ebay = create_account("EBAY", "ebay", "US")
    shopee = create_account("SHOPEE", "shopee", "SG")
    tiktok = create_account("TT", "tiktok", "US")
    lines = {
        "shopify charge": add_line(shopify, 1, "charge", "amount", order_ref="#1001"),
        "shopify fee": add_line(shopify, 2, "charge", "fee", order_ref="#1001", amount="-0.59"),
        "shopify payout": add_line(shopify, 3, "payout", "amount", amount="-100"),
        "ebay fvf": add_line(ebay, 1, "Order", "final value fee - variable", order_ref="12-345"),
        # a non-order line: its description names the fee, and wins over the row's type
        "ebay ads": add_line(ebay, 2, "Other fee", "net amount", description="Promoted Listings - General fee"),
        "shopee commission": add_line(shopee, 1, "", "Commission Fee", order_ref="2406"),
        "shopee transaction": add_line(shopee, 2, "", "Transaction Fee", order_ref="2406"),
        "shopee service": add_line(shopee, 3, "", "Service Fee", order_ref="2406"),
        "tiktok affiliate": add_line(tiktok, 1, "Order", "Affiliate commission", order_ref="5770"),
    }
    assert categorise_lines() == len(lines)
    got = {name: LedgerLine.objects.get(pk=line.pk).category for name, line in lines.items()}
    assert got == {
        "shopify charge": "principal", "shopify fee": "transaction_fee", "shopify payout": "transfer",
        "ebay fvf": "referral_fee", "ebay ads": "advertising",
        "shopee commission": "referral_fee", "shopee transaction": "transaction_fee", "shopee service": "service_fee",
        "tiktok affiliate": "advertising",
    }


# -- finance's mappings -------------------------------------------------------------------------------------------

def test_override_beats_the_default_and_recategorises(role_users):
    account = create_account("AMZ-US", "amazon", "US")
    import_file("amazon-settlement", FIXTURES / "settlement_v2_consistent.txt", account)
    fee = LedgerLine.objects.get(account=account, amount_description="FBAPerUnitFulfillmentFee")
    assert fee.category == FeeCategory.FULFILMENT_FEE

    mapping, changed = save_mapping("amazon", "", "ItemFees", "FBAPerUnitFulfillmentFee", "service_fee",
                                    user=role_users["finance"], note="our accountant's choice")
    assert changed == 1
    fee.refresh_from_db()
    assert fee.category == FeeCategory.SERVICE_FEE
    assert mapping.created_by == role_users["finance"]
    assert LedgerLine.objects.filter(account=account, category=FeeCategory.REFERRAL_FEE).count() == 1  # untouched

    # the same type in other letters is the same mapping, changed in place
    again, changed = save_mapping("AMAZON", "", "itemfees", "fbaperunitfulfillmentfee", "other")
    assert (again.pk, changed, FeeTypeMapping.objects.count()) == (mapping.pk, 1, 1)
    fee.refresh_from_db()
    assert fee.category == FeeCategory.OTHER

    # a later import of another account uses the mapping too
    other = create_account("AMZ-US2", "amazon", "US")
    import_file("amazon-settlement", FIXTURES / "settlement_v2_consistent.txt", other)
    assert LedgerLine.objects.get(account=other, amount_description="FBAPerUnitFulfillmentFee").category == "other"

    assert delete_mapping(again) == 2
    assert set(LedgerLine.objects.filter(amount_description="FBAPerUnitFulfillmentFee")
               .values_list("category", flat=True)) == {FeeCategory.FULFILMENT_FEE}


@pytest.mark.parametrize("kwargs, message", [
    ({"platform": "nosuch", "transaction_type": "X", "category": "other"}, "Unknown platform"),
    ({"platform": "amazon", "transaction_type": "X", "category": "unknown"}, "Unknown category"),
    ({"platform": "amazon", "transaction_type": "X", "category": "fees"}, "Unknown category"),
    ({"platform": "amazon", "category": "other"}, "at least one"),
    ({"platform": "amazon", "transaction_type": "X" * 101, "category": "other"}, "longer than"),
])
def test_bad_mappings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        save_mapping(**kwargs)
    assert not FeeTypeMapping.objects.exists()


# -- unknown types ------------------------------------------------------------------------------------------------

SETTLEMENT_WITH_NEW_FEE = (
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
    "transaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\tamount-type\t"
    "amount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\torder-item-code\t"
    "merchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id\n"
    "999\t2025-06-01 00:00:00 UTC\t2025-06-15 00:00:00 UTC\t2025-06-17 00:00:00 UTC\t5.55\tUSD"
    + "\t" * 18 + "\n"
    "999\t\t\t\t\t\tOrder\t111-0000000-0000001\t\t\t\tAmazon.com\tItemPrice\tPrincipal\t20.00\tAFN\t\t"
    "2025-06-02 10:00:00 UTC\t\t\t\tSKU-1\t1\t\n"
    "999\t\t\t\t\t\tOrder\t111-0000000-0000001\t\t\t\tAmazon.com\tItemFees\tVineEnrollmentFee\t-7.20\tAFN\t\t"
    "2025-06-02 10:00:00 UTC\t\t\t\tSKU-1\t1\t\n"
    "999\t\t\t\t\t\tother-transaction\t\t\t\t\t\tother-transaction\tVineEnrollmentFee\t-7.25\t\t\t"
    "2025-06-03 10:00:00 UTC\t\t\t\t\t\t\n"
)


def test_unknown_types_are_kept_listed_and_mapped(tmp_path):
    account = create_account("AMZ-US", "amazon", "US")
    path = tmp_path / "settlement.txt"
    path.write_text(SETTLEMENT_WITH_NEW_FEE)
    result = import_file("amazon-settlement", path, account)
    assert result.status == "succeeded", result.errors
    assert result.summary["lines_of_unmapped_types"] == 2
    assert result.summary["settlement_difference"] == "0"  # 20.00 - 7.20 - 7.25 = 5.55: nothing dropped

    types = unmapped_types()
    assert [(t.transaction_type, t.amount_type, t.amount_description, t.lines, t.totals) for t in types] == [
        ("Order", "ItemFees", "VineEnrollmentFee", 1, {"USD": Decimal("-7.20")}),
        ("other-transaction", "other-transaction", "VineEnrollmentFee", 1, {"USD": Decimal("-7.25")}),
    ]
    _, changed = save_mapping("amazon", "", "", "VineEnrollmentFee", "service_fee")
    assert changed == 2
    assert unmapped_types() == []


def test_unmapped_totals_per_currency():
    account = create_account("AMZ-DE", "amazon", "DE")
    add_line(account, 1, "Order", "ItemFees", "NewFee", amount="-1.10", currency="EUR", category="unknown")
    add_line(account, 2, "Order", "ItemFees", "NewFee", amount="-2.25", currency="EUR", category="unknown")
    add_line(account, 3, "Order", "ItemFees", "NewFee", amount="-3.00", currency="GBP", category="unknown")
    add_line(account, 4, "Order", "ItemFees", "Commission", amount="-9.00", currency="EUR",
             category="referral_fee")
    [only] = unmapped_types()
    assert only.key == ("amazon", "Order", "ItemFees", "NewFee")
    assert only.lines == 3
    assert only.totals == {"EUR": Decimal("-3.35"), "GBP": Decimal("-3.00")}  # -1.10 - 2.25; -3.00
    assert only.lines_by_currency == {"EUR": 2, "GBP": 1}


# -- orders -------------------------------------------------------------------------------------------------------

def test_link_orders_uses_the_lines_own_account():
    us = create_account("AMZ-US", "amazon", "US")
    ca = create_account("AMZ-CA", "amazon", "CA")
    order_us = make_order(us, "111-0000000-0000001")
    order_ca = make_order(ca, "111-0000000-0000001")  # the same id on another account
    line_us = add_line(us, 1, "Order", "ItemPrice", "Principal", order_ref="111-0000000-0000001")
    line_ca = add_line(ca, 1, "Order", "ItemPrice", "Principal", order_ref="111-0000000-0000001")
    orphan = add_line(us, 2, "Order", "ItemPrice", "Principal", order_ref="111-9999999-9999999")
    no_order = add_line(us, 3, "other-transaction", "other-transaction", "Storage Fee")
    assert link_orders() == 2
    assert LedgerLine.objects.get(pk=line_us.pk).order == order_us
    assert LedgerLine.objects.get(pk=line_ca.pk).order == order_ca
    assert LedgerLine.objects.get(pk=orphan.pk).order is None
    assert LedgerLine.objects.get(pk=no_order.pk).order is None
    assert link_orders() == 0


def test_import_links_lines_to_orders_already_imported():
    account = create_account("AMZ-US", "amazon", "US")
    order = make_order(account, "121-1397397-5715282")
    result = import_file("amazon-settlement", FIXTURES / "settlement_v2_consistent.txt", account)
    assert result.summary["lines_linked_to_orders"] == 5  # Principal, Tax, withheld tax, Commission, FBA fee
    assert set(LedgerLine.objects.filter(order=order).values_list("order_ref", flat=True)) == {
        "121-1397397-5715282"}
    assert not LedgerLine.objects.filter(account=account, order__isnull=True).exclude(order_ref="").exists()


def test_orders_imported_after_their_settlement_pick_up_its_lines(tmp_path):
    """A settlement often arrives before the order report that holds its orders: the orders import links them."""
    from chuhai.finance.fx import set_manual_rate

    set_manual_rate("USD", "CNY", Decimal("7.1"), dt.date(2024, 1, 1))  # the order needs its rate to base
    account = create_account("AMZ-US", "amazon", "US")
    import_file("amazon-settlement", FIXTURES / "settlement_v2_consistent.txt", account)
    unlinked = LedgerLine.objects.filter(account=account, order_ref="121-1397397-5715282", order__isnull=True)
    assert unlinked.count() == 5
    header, row = (FIXTURES / "orders_multi_item.txt").read_text().splitlines()[:2]
    orders = tmp_path / "orders.txt"
    orders.write_text(header + "\n" + row.replace("113-0000001-0000001", "121-1397397-5715282") + "\n")
    result = import_file("amazon-orders", orders, account)
    assert result.status == "succeeded", result.errors
    assert result.summary["ledger_lines_linked"] == 5
    order = Order.objects.get(account=account, external_id="121-1397397-5715282")
    assert LedgerLine.objects.filter(order=order).count() == 5
    assert not unlinked.exists()
