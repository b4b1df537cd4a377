"""Fee estimates for unsettled orders, worked by hand from the seeded schedules (every step of arithmetic here).

The seeded rows come from the post_migrate handler (chuhai.finance.apps), as on a real install.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.finance.estimates import (
    estimate_order_fees,
    explain_order_fees,
    is_settled,
    size_info,
    size_tier,
)
from chuhai.finance.fees import FeeCategory, FeeSchedule, FeeScheduleKind
from chuhai.finance.models import FxRate, LedgerLine
from chuhai.orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db
UTC = dt.UTC
D = Decimal


# -- builders (used by the other fee schedule tests too) --------------------------------------------------------
def make_product(sku="LK-CC100-1M", category="Cables", weight_g=250, dims=(120, 90, 20)):
    length, width, height = dims if dims else (None, None, None)
    return create_product(sku, name_en=sku, category=category, weight_g=weight_g, length_mm=length,
                          width_mm=width, height_mm=height)


def make_order(account, external_id, day, lines, fulfilment="fba", order_total="0", **extra):
    """``lines``: (product, quantity, unit price[, shipping])."""
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace,
        purchased_at=dt.datetime.combine(day, dt.time(15, 30), tzinfo=UTC), status=extra.pop("status", "shipped"),
        fulfilment_channel=fulfilment, currency=account.currency, order_total=D(order_total), base_currency="CNY",
        fx_rate=D("7.1"), **extra,
    )
    for no, (product, qty, price, *rest) in enumerate(lines, start=1):
        OrderLine.objects.create(order=order, line_no=no, product=product, channel_sku=product.sku, quantity=qty,
                                 unit_price=D(price), shipping=D(rest[0]) if rest else D(0))
    return order


def by_line(fees):
    return {(f.line_no, str(f.category)): f.amount for f in fees}


@pytest.fixture
def amz_us(db):
    return create_account("AMZ-US", "amazon", "US")


# -- the hand-worked Amazon US FBA order ----------------------------------------------------------------------
def test_amazon_us_fba_order_of_two_cables(amz_us):
    cable = make_product()  # 250 g, 120 × 90 × 20 mm, category "Cables"
    order = make_order(amz_us, "112-0000001-0000001", dt.date(2026, 3, 10), [(cable, 2, "12.99")])

    # Referral: Cables → Amazon "Electronics Accessories", 15 %, minimum 0.30 USD per unit.
    #   base = 2 × 12.99 = 25.98 USD;  0.15 × 25.98 = 3.897 USD;  minimum 0.30 × 2 = 0.60 < 3.897 → 3.897
    referral = D("0.15") * (2 * D("12.99"))
    assert referral == D("3.897")
    # FBA: shortest side 20 mm > 0.75 in (19.05 mm) → large standard; dimensional weight
    #   120 × 90 × 20 mm = 216,000 mm³ = 13.18 in³; / 139 = 0.0948 lb = 43 g < 250 g → shipping weight 250 g,
    #   in the 8–12 oz band (227–340 g) of the 2026 card (from 2026-01-15): 4.20 USD × 2 units = 8.40 USD
    fulfilment = D("4.20") * 2
    assert size_info(cable).tier == "large_standard" and size_info(cable).shipping_weight_g == 250

    fees = estimate_order_fees(order)
    assert by_line(fees) == {(1, "referral_fee"): referral, (1, "fulfilment_fee"): fulfilment}
    assert sum(f.amount for f in fees) == D("12.297")  # 3.897 + 8.40, unrounded
    assert all(f.currency == "USD" for f in fees)
    referral_row = FeeSchedule.objects.get(pk=next(f.schedule_id for f in fees if f.category == "referral_fee"))
    assert referral_row.category == "Cables" and referral_row.percent == 15


def test_merchant_fulfilled_order_gets_no_fba_fee(amz_us):
    cable = make_product()
    order = make_order(amz_us, "FBM-1", dt.date(2026, 3, 10), [(cable, 1, "12.99")], fulfilment="merchant")
    # 0.15 × 12.99 = 1.9485; no fulfilment fee: the seller ships it
    assert by_line(estimate_order_fees(order)) == {(1, "referral_fee"): D("1.9485")}


def test_referral_minimum_applies_per_unit(amz_us):
    ties = make_product("LK-TIES-10", category="Cables", weight_g=35, dims=(100, 60, 10))
    order = make_order(amz_us, "MIN-1", dt.date(2026, 3, 10), [(ties, 3, "1.50")], fulfilment="merchant")
    # 0.15 × (3 × 1.50) = 0.15 × 4.50 = 0.675 USD, below the minimum 0.30 × 3 units = 0.90 USD → 0.90
    assert D("0.15") * D("4.50") == D("0.675") < D("0.30") * 3
    fees = explain_order_fees(order).fees
    assert by_line(fees) == {(1, "referral_fee"): D("0.90")}
    assert "0.9" in fees[0].basis


def test_buyer_paid_shipping_is_part_of_the_referral_base(amz_us):
    cable = make_product()
    order = make_order(amz_us, "SHIP-1", dt.date(2026, 3, 10), [(cable, 1, "12.99", "4.01")], fulfilment="merchant")
    # 0.15 × (12.99 + 4.01) = 0.15 × 17.00 = 2.55
    assert by_line(estimate_order_fees(order)) == {(1, "referral_fee"): D("2.55")}


def test_schedule_change_between_two_orders(amz_us):
    cable = make_product()
    before = make_order(amz_us, "OLD-1", dt.date(2026, 1, 14), [(cable, 1, "12.99")])
    after = make_order(amz_us, "NEW-1", dt.date(2026, 1, 15), [(cable, 1, "12.99")])
    # 2026-01-14 is the last day of the 2024 card: 227–340 g large standard = 4.15 USD; from 2026-01-15: 4.20 USD
    assert by_line(estimate_order_fees(before))[(1, "fulfilment_fee")] == D("4.15")
    assert by_line(estimate_order_fees(after))[(1, "fulfilment_fee")] == D("4.20")

    # Finance records a new referral rate for cables from 2026-06-01 without closing the old row: the later
    # valid_from wins from that day, the older row still applies before it.
    FeeSchedule.objects.create(platform="amazon", marketplace="US", kind=FeeScheduleKind.REFERRAL_PERCENT,
                               category="Cables", percent=D("12"), minimum=D("0.30"), currency="USD",
                               valid_from=dt.date(2026, 6, 1), source="test: announced change")
    may = make_order(amz_us, "MAY-1", dt.date(2026, 5, 31), [(cable, 1, "12.99")], fulfilment="merchant")
    june = make_order(amz_us, "JUN-1", dt.date(2026, 6, 1), [(cable, 1, "12.99")], fulfilment="merchant")
    # 0.15 × 12.99 = 1.9485 (May);  0.12 × 12.99 = 1.5588 (June)
    assert by_line(estimate_order_fees(may)) == {(1, "referral_fee"): D("1.9485")}
    assert by_line(estimate_order_fees(june)) == {(1, "referral_fee"): D("1.5588")}


def test_marketplace_specific_row_wins_over_any_marketplace(amz_us):
    cable = make_product()
    FeeSchedule.objects.create(platform="amazon", marketplace="", kind=FeeScheduleKind.REFERRAL_PERCENT,
                               category="Cables", percent=D("20"), currency="USD", valid_from=dt.date(2026, 2, 1),
                               source="test: every marketplace")
    order = make_order(amz_us, "SPEC-1", dt.date(2026, 3, 10), [(cable, 1, "10.00")], fulfilment="merchant")
    # the US row (15 %) is more specific than the any-marketplace row (20 %), though the latter is newer: 1.50
    assert by_line(estimate_order_fees(order)) == {(1, "referral_fee"): D("1.50")}


def test_eur_schedule_applied_to_a_gbp_order_through_fx(db):
    uk = create_account("AMZ-UK", "amazon", "UK")
    cable = make_product()
    FeeSchedule.objects.create(platform="amazon", marketplace="GB", kind=FeeScheduleKind.FULFILMENT_PER_UNIT,
                               size_tier="large_standard", weight_from_g=0, weight_to_g=500, amount=D("3.00"),
                               currency="EUR", valid_from=dt.date(2026, 1, 1), source="test: EUR rate card")
    FxRate.objects.create(date=dt.date(2026, 3, 9), currency="GBP", per_eur=D("0.85"))
    order = make_order(uk, "UK-1", dt.date(2026, 3, 10), [(cable, 2, "10.00")])
    # Referral (seeded GB row, GBP): 15.3 % × (2 × 10.00) = 0.153 × 20.00 = 3.06 GBP
    # FBA: 3.00 EUR per unit; ECB 1 EUR = 0.85 GBP on 2026-03-09 (carried to the 10th) → 2.55 GBP × 2 = 5.10 GBP
    fees = estimate_order_fees(order)
    assert by_line(fees) == {(1, "referral_fee"): D("3.06"), (1, "fulfilment_fee"): D("5.10")}
    assert all(f.currency == "GBP" for f in fees)
    assert "EUR" in next(f.basis for f in fees if f.category == "fulfilment_fee")


def test_missing_rate_is_a_reason_not_a_crash(db):
    uk = create_account("AMZ-UK", "amazon", "GB")
    cable = make_product()
    FeeSchedule.objects.create(platform="amazon", marketplace="GB", kind=FeeScheduleKind.FULFILMENT_PER_UNIT,
                               size_tier="large_standard", amount=D("3.00"), currency="EUR",
                               valid_from=dt.date(2026, 1, 1), source="test")
    order = make_order(uk, "UK-2", dt.date(2026, 3, 10), [(cable, 1, "10.00")])
    result = explain_order_fees(order)
    assert [f.category for f in result.fees] == [FeeCategory.REFERRAL_FEE]
    assert [s.category for s in result.skipped] == [FeeCategory.FULFILMENT_FEE]
    assert "GBP" in result.skipped[0].reason or "EUR" in result.skipped[0].reason


def test_payment_fees_per_order_for_an_own_site(db):
    shop = create_account("SHOPIFY-SITE", "shopify", "US")
    cable = make_product()
    order = make_order(shop, "#1001", dt.date(2026, 3, 10), [(cable, 2, "12.99")], fulfilment="merchant",
                       order_total="30.97")
    # Shopify Payments Basic: 2.9 % × 30.97 paid = 0.89813 USD, plus 0.30 USD per order; no referral fee
    fees = estimate_order_fees(order)
    assert sorted(f.amount for f in fees) == [D("0.30"), D("0.89813")]
    assert {f.line_no for f in fees} == {None} and {f.category for f in fees} == {FeeCategory.TRANSACTION_FEE}


def test_ebay_final_value_fee_and_per_order_fee(db):
    ebay = create_account("EBAY-US", "ebay", "US")
    cable = make_product()
    order = make_order(ebay, "01-1", dt.date(2026, 3, 10), [(cable, 1, "14.99", "3.00")], fulfilment="merchant",
                       order_total="17.99")
    # final value fee 13.6 % × (14.99 + 3.00) = 0.136 × 17.99 = 2.44664; per-order fee 0.40 (order over 10 USD)
    assert by_line(estimate_order_fees(order)) == {(1, "referral_fee"): D("2.44664"),
                                                   (None, "transaction_fee"): D("0.40")}


def test_products_without_dimensions_are_skipped_with_a_reason(amz_us):
    loose = make_product("NO-DIMS", dims=None)
    assert size_tier(loose) == "unknown" and size_tier(None) == "unknown"
    order = make_order(amz_us, "NODIM-1", dt.date(2026, 3, 10), [(loose, 1, "12.99")])
    result = explain_order_fees(order)
    assert by_line(result.fees) == {(1, "referral_fee"): D("1.9485")}  # 0.15 × 12.99
    assert len(result.skipped) == 1 and "NO-DIMS" in result.skipped[0].reason


def test_cancelled_orders_and_credit_documents_are_not_estimated(amz_us):
    cable = make_product()
    cancelled = make_order(amz_us, "C-1", dt.date(2026, 3, 10), [(cable, 1, "12.99")], status="cancelled")
    assert explain_order_fees(cancelled).fees == [] and explain_order_fees(cancelled).skipped
    credit = make_order(amz_us, "C-2", dt.date(2026, 3, 11), [], document_type="credit")
    OrderLine.objects.create(order=credit, line_no=1, product=cable, channel_sku=cable.sku, quantity=-1,
                             unit_price=D("12.99"), gross_amount=D("-12.99"))
    assert explain_order_fees(credit).fees == [] and explain_order_fees(credit).skipped


@pytest.mark.parametrize(("dims", "weight", "tier"), [
    ((150, 80, 10), 100, "small_standard"),     # 10 mm ≤ 19.05 mm, 100 g ≤ 16 oz
    ((150, 80, 20), 100, "large_standard"),     # 20 mm > 0.75 in
    ((381, 304, 19), 453, "small_standard"),    # at the limits: 15 in, 12 in, 0.75 in, 1 lb = 453.6 g
    ((382, 304, 19), 453, "large_standard"),    # 1 mm too long
    ((150, 80, 10), 454, "large_standard"),     # over 16 oz
    ((460, 300, 150), 2000, "large_bulky"),     # 460 mm > 18 in
    ((1600, 300, 300), 5000, "extra_large"),    # 1600 mm > 59 in
])
def test_size_tiers(db, dims, weight, tier):
    assert size_tier(make_product("T", weight_g=weight, dims=dims)) == tier


def test_dimensional_weight_counts_for_large_standard(db):
    # 400 × 300 × 200 mm = 24,000,000 mm³ = 1,464.6 in³; / 139 = 10.536 lb = 4,779.1 g > 500 g unit weight
    box = make_product("BOX", weight_g=500, dims=(400, 300, 200))
    info = size_info(box)
    assert info.tier == "large_standard" and info.shipping_weight_g == 4780


# -- settled ----------------------------------------------------------------------------------------------------
def _ledger_line(account, n, category, order=None, order_ref=""):
    return LedgerLine.objects.create(account=account, source="settlement_v2", fingerprint=f"fp{n}",
                                     transaction_type="Order", amount_type="ItemFees", amount_description="Commission",
                                     amount=D("-3.90"), currency="USD", category=category, order=order,
                                     order_ref=order_ref)


def test_settled_once_the_platform_reports_referral_or_fulfilment(amz_us):
    cable = make_product()
    by_ref = make_order(amz_us, "SET-1", dt.date(2026, 3, 10), [(cable, 1, "12.99")])
    by_fk = make_order(amz_us, "SET-2", dt.date(2026, 3, 10), [(cable, 1, "12.99")])
    other_account = create_account("AMZ-US2", "amazon", "US")
    assert not is_settled(by_ref) and not is_settled(by_fk)

    _ledger_line(amz_us, 1, FeeCategory.PRINCIPAL, order_ref="SET-1")       # revenue only: still estimated
    _ledger_line(other_account, 2, FeeCategory.REFERRAL_FEE, order_ref="SET-1")  # same id, other account
    _ledger_line(amz_us, 3, "", order_ref="SET-1")                          # not categorised yet
    assert not is_settled(by_ref)
    assert explain_order_fees(by_ref).settled is False

    _ledger_line(amz_us, 4, FeeCategory.REFERRAL_FEE, order_ref="SET-1")
    _ledger_line(amz_us, 5, FeeCategory.FULFILMENT_FEE, order=by_fk)
    assert is_settled(by_ref) and is_settled(by_fk)
    assert explain_order_fees(by_ref).settled is True
