"""The profit engine (chuhai.finance.profit), worked by hand: one order per platform, every step of arithmetic in
the comments, exact Decimal asserts on the stored ProfitFact rows.

Ledger lines are either imported through the normal import service (Amazon US: a settlement V2 file) or built
exactly as the platform's parser stores them (amount type / description as reported, category from the platform's
default taxonomy via chuhai.finance.categorise.category_of, order id, SKU, posted time).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from chuhai.analytics.metrics import CONTRIBUTION_PARTS, contribution, margin_percent
from chuhai.catalog.services import create_product
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.finance.categorise import category_of
from chuhai.finance.cost_layers import CostOfSale
from chuhai.finance.finance_settings import FinanceSettings
from chuhai.finance.models import FxRate, LedgerLine
from chuhai.finance.profit import recompute
from chuhai.finance.profit_facts import FactKind, ProfitFact
from chuhai.orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db
D = Decimal
UTC = dt.UTC


# -- builders -------------------------------------------------------------------------------------------------------
def company(base="USD", tz="UTC"):
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = base, tz
    settings.save()


def product(sku, cost=None, cost_currency=None, category="Cables", weight_g=250, dims=(120, 90, 20)):
    return create_product(sku, name_en=sku, cost=D(cost) if cost else None, cost_currency=cost_currency,
                          category=category, weight_g=weight_g, length_mm=dims[0], width_mm=dims[1],
                          height_mm=dims[2])


def order(account, external_id, day, lines, *, fx_rate="1", base=None, ship_country="", status="shipped",
          fulfilment="fba", tax_model="", order_total=None, hour=15):
    """``lines``: dicts with product, qty, gross and optional shipping, discount, item_tax, shipping_tax."""
    total = order_total
    if total is None:
        total = sum((D(ln["gross"]) - D(ln.get("discount", "0")) + D(ln.get("shipping", "0"))
                     for ln in lines), D(0))
    created = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace,
        purchased_at=dt.datetime.combine(day, dt.time(hour, 0), tzinfo=UTC), status=status,
        fulfilment_channel=fulfilment, currency=account.currency, order_total=D(total),
        base_currency=base or CompanySettings.load().base_currency, fx_rate=D(fx_rate), ship_country=ship_country,
        tax_model=tax_model)
    for no, ln in enumerate(lines, start=1):
        qty = ln["qty"]
        OrderLine.objects.create(
            order=created, line_no=no, product=ln["product"], channel_sku=ln.get("sku", ln["product"].sku),
            quantity=qty, unit_price=D(ln["gross"]) / qty, gross_amount=D(ln["gross"]),
            shipping=D(ln.get("shipping", "0")), discount=D(ln.get("discount", "0")),
            item_tax=D(ln.get("item_tax", "0")), shipping_tax=D(ln.get("shipping_tax", "0")))
    return created


def ledger(account, order_ref, rows, posted, *, settlement_ref="S-1", source="test"):
    """``rows``: (transaction_type, amount_type, amount_description, amount, sku) as the parser stores them."""
    for n, (transaction_type, amount_type, description, amount, sku) in enumerate(rows):
        LedgerLine.objects.create(
            account=account, settlement_ref=settlement_ref, source=source, fingerprint=f"{order_ref}-{posted}-{n}",
            transaction_type=transaction_type, order_ref=order_ref, sku=sku, amount_type=amount_type,
            amount_description=description, amount=D(amount), currency=account.currency,
            posted_at=dt.datetime.combine(posted, dt.time(6, 0), tzinfo=UTC),
            category=category_of(account.platform, transaction_type, amount_type, description))


def fact(external_id, line_no=1):
    return ProfitFact.objects.get(order__external_id=external_id, order_line__line_no=line_no)


def fees(row):
    return {k: D(v) for k, v in row.fees.items()}


def assert_profit_is_the_sum(row):
    parts = {name: getattr(row, name) for name in CONTRIBUTION_PARTS}
    assert row.profit == contribution(parts)


# -- Amazon US: a real settlement V2 file through the import service -------------------------------------------------
SETTLEMENT_HEADER = ("settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\t"
                     "transaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\t"
                     "amount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\t"
                     "order-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\t"
                     "promotion-id")


def settlement_file(path, settlement_id, total, rows):
    """rows: (transaction-type, order-id, amount-type, amount-description, amount, posted, sku, qty)."""
    lines = [SETTLEMENT_HEADER,
             "\t".join([settlement_id, "2026-03-01 00:00:00 UTC", "2026-03-15 00:00:00 UTC",
                        "2026-03-17 00:00:00 UTC", total, "USD"] + [""] * 18)]
    for transaction_type, order_id, amount_type, description, amount, posted, sku, qty in rows:
        lines.append("\t".join([settlement_id, "", "", "", "", "", transaction_type, order_id, order_id, "", "",
                                "Amazon.com", amount_type, description, amount, "AFN" if order_id else "", "",
                                posted, "", "", "", sku, qty, ""]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def amz_us(db):
    company("USD", "UTC")
    return create_account("AMZ-US", "amazon", "US")


def test_amazon_us_fba_order_from_an_imported_settlement(amz_us, tmp_path):
    cable = product("LK-CC100-1M", cost="3.00", cost_currency="USD")
    order(amz_us, "112-0000001-0000001", dt.date(2026, 3, 10),
          [{"product": cable, "qty": 2, "gross": "25.98", "item_tax": "2.08"}], tax_model="marketplace")
    ts = "2026-03-11 05:23:19 UTC"
    path = settlement_file(tmp_path / "settlement.txt", "18100000001", "10.47", [
        ("Order", "112-0000001-0000001", "ItemPrice", "Principal", "25.98", ts, "LK-CC100-1M", "2"),
        ("Order", "112-0000001-0000001", "ItemPrice", "Tax", "2.08", ts, "LK-CC100-1M", "2"),
        ("Order", "112-0000001-0000001", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", "-2.08", ts,
         "LK-CC100-1M", "2"),
        ("Order", "112-0000001-0000001", "ItemFees", "Commission", "-3.90", ts, "LK-CC100-1M", "2"),
        ("Order", "112-0000001-0000001", "ItemFees", "FBAPerUnitFulfillmentFee", "-8.40", ts, "LK-CC100-1M", "2"),
        ("other-transaction", "", "other-transaction", "Storage Fee", "-3.21", "2026-03-14 00:00:00 UTC", "", ""),
    ])
    # settlement total: 25.98 + 2.08 − 2.08 − 3.90 − 8.40 − 3.21 = 10.47
    assert import_file("amazon-settlement", path, amz_us).status == "succeeded"

    summary = recompute()
    assert summary.lines == 1 and summary.settled_lines == 1 and summary.cogs_estimated == 1

    row = fact("112-0000001-0000001")
    assert row.kind == FactKind.ORDER_LINE and row.settled and row.cogs_estimated
    assert row.day == dt.date(2026, 3, 10) and row.month == dt.date(2026, 3, 1) and row.units == 2
    # revenue: the principal, 25.98; the 2.08 tax Amazon collected and withheld (facilitator) is never revenue
    assert row.revenue == D("25.98") and row.gross_sales == D("25.98") and row.vat == 0
    # platform fees: commission −3.90 + FBA −8.40 = −12.30
    assert row.platform_fees == D("-12.30")
    # cost of goods: no cost-of-sale rows → standard cost 3.00 USD × 2 = 6.00, estimated
    assert row.cogs == D("-6.00")
    # contribution: 25.98 − 12.30 − 6.00 = 7.68; margin 7.68 / 25.98 = 29.56 %
    assert row.profit == D("7.68")
    assert_profit_is_the_sum(row)
    assert round(margin_percent(row.profit, row.revenue), 2) == D("29.56")
    assert fees(row) == {"principal": D("25.98"), "tax_collected": D("2.08"), "marketplace_tax": D("-2.08"),
                         "referral_fee": D("-3.90"), "fulfilment_fee": D("-8.40")}

    # the storage fee has no order: spread over March's SKUs — the only one carries all of it
    storage = ProfitFact.objects.get(kind=FactKind.ALLOCATED)
    assert storage.sku == "LK-CC100-1M" and storage.product_id == cable.pk and storage.listing_sku == "LK-CC100-1M"
    assert storage.other_fees == D("-3.21") and storage.profit == D("-3.21") and storage.month == dt.date(2026, 3, 1)
    assert storage.units == 0 and fees(storage) == {"storage_fee": D("-3.21")}
    # the month's profit ties out to the settlement less the non-revenue tax lines and COGS: 10.47 − 6.00 = 4.47
    assert sum(ProfitFact.objects.values_list("profit", flat=True), D(0)) == D("4.47")


def test_marketplace_facilitator_tax_of_an_unsettled_order_is_not_revenue(amz_us):
    cable = product("LK-CC100-1M")
    # 1 × 12.99, item tax 1.04 collected by Amazon (facilitator): merchant-fulfilled, no ledger yet
    order(amz_us, "MF-1", dt.date(2026, 3, 10), [{"product": cable, "qty": 1, "gross": "12.99", "item_tax": "1.04"}],
          tax_model="marketplace", fulfilment="merchant", order_total="14.03")
    recompute()
    row = fact("MF-1")
    assert not row.settled
    # revenue 12.99 and sales as charged 12.99: the 1.04 is neither
    assert row.revenue == D("12.99") and row.gross_sales == D("12.99") and row.vat == 0
    # estimated referral (seeded Amazon US "Cables" 15 %): 0.15 × 12.99 = 1.9485
    assert row.platform_fees == D("-1.9485")
    # no cost known at all: COGS 0, marked estimated
    assert row.cogs == 0 and row.cogs_estimated
    assert row.profit == D("12.99") - D("1.9485") == D("11.0415")


# -- estimated → settled -------------------------------------------------------------------------------------------
def test_estimates_are_replaced_by_the_settlement(amz_us):
    cable = product("LK-CC100-1M", cost="3.00", cost_currency="USD")  # 250 g, 120 × 90 × 20 mm
    order(amz_us, "112-0000002-0000002", dt.date(2026, 3, 10), [{"product": cable, "qty": 2, "gross": "25.98"}])
    recompute()
    row = fact("112-0000002-0000002")
    assert not row.settled
    # estimates from the seeded schedules (worked in test_estimates): referral 15 % × 25.98 = 3.897;
    # FBA large standard 250 g, 2026 card: 4.20 × 2 = 8.40 → fees −12.297
    assert fees(row) == {"principal": D("25.98"), "referral_fee": D("-3.897"), "fulfilment_fee": D("-8.40")}
    assert row.platform_fees == D("-12.297")
    # 25.98 − 12.297 − 6.00 = 7.683
    assert row.profit == D("7.683")

    # the settlement arrives: Amazon charged 3.90 commission and 8.40 FBA
    ledger(amz_us, "112-0000002-0000002", [
        ("Order", "ItemPrice", "Principal", "25.98", "LK-CC100-1M"),
        ("Order", "ItemFees", "Commission", "-3.90", "LK-CC100-1M"),
        ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-8.40", "LK-CC100-1M"),
    ], dt.date(2026, 3, 12))
    summary = recompute(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert summary.settled_lines == 1 and summary.estimated_lines == 0
    assert ProfitFact.objects.count() == 1
    row = fact("112-0000002-0000002")
    assert row.settled
    # actuals only: −3.90 − 8.40 = −12.30; profit 25.98 − 12.30 − 6.00 = 7.68
    assert fees(row) == {"principal": D("25.98"), "referral_fee": D("-3.90"), "fulfilment_fee": D("-8.40")}
    assert row.platform_fees == D("-12.30") and row.profit == D("7.68")


def test_settlement_before_the_order_is_linked_at_recompute(amz_us):
    cable = product("LK-CC100-1M")
    ledger(amz_us, "EARLY-1", [("Order", "ItemPrice", "Principal", "10.00", "LK-CC100-1M"),
                               ("Order", "ItemFees", "Commission", "-1.50", "LK-CC100-1M")], dt.date(2026, 3, 12))
    order(amz_us, "EARLY-1", dt.date(2026, 3, 10), [{"product": cable, "qty": 1, "gross": "10.00"}])
    assert LedgerLine.objects.filter(order__isnull=True).count() == 2  # the import could not link them
    recompute()
    row = fact("EARLY-1")
    assert row.settled and row.platform_fees == D("-1.50")
    assert LedgerLine.objects.filter(order__isnull=True).count() == 0


def test_recompute_is_idempotent_and_respects_the_range(amz_us):
    cable = product("LK-CC100-1M", cost="3.00", cost_currency="USD")
    order(amz_us, "MAR-1", dt.date(2026, 3, 10), [{"product": cable, "qty": 1, "gross": "12.99"}])
    order(amz_us, "APR-1", dt.date(2026, 4, 2), [{"product": cable, "qty": 1, "gross": "12.99"}])
    recompute()
    fields = ["kind", "order_line_id", "sku", "day", "revenue", "platform_fees", "cogs", "profit", "fees", "settled"]
    first = list(ProfitFact.objects.order_by("order_line_id").values_list(*fields))
    recompute()
    assert list(ProfitFact.objects.order_by("order_line_id").values_list(*fields)) == first
    assert len(first) == 2
    april = ProfitFact.objects.get(order__external_id="APR-1").pk
    # a March rebuild (the 15th widens to the whole month) leaves April's row alone
    summary = recompute(dt.date(2026, 3, 15), dt.date(2026, 3, 15))
    assert summary.date_from == dt.date(2026, 3, 1) and summary.date_to == dt.date(2026, 3, 31)
    assert summary.lines == 1
    assert ProfitFact.objects.get(order__external_id="APR-1").pk == april
    assert ProfitFact.objects.count() == 2


def test_cost_of_sale_rows_win_over_the_standard_cost(amz_us):
    cable = product("LK-CC100-1M", cost="3.00", cost_currency="USD")
    created = order(amz_us, "COGS-1", dt.date(2026, 3, 10), [{"product": cable, "qty": 3, "gross": "38.97"}])
    line = created.lines.get()
    at = dt.datetime(2026, 3, 11, tzinfo=UTC)
    # two units from a layer at 2.50 and one at the standard cost (no layer: an estimate) 3.10
    CostOfSale.objects.create(order_line=line, product=cable, layer=None, quantity=1, unit_cost=D("3.10"),
                              amount=D("3.10"), at=at)
    CostOfSale.objects.create(order_line=line, product=cable, layer=None, quantity=2, unit_cost=D("2.50"),
                              amount=D("5.00"), at=at, movement_group="00000000-0000-0000-0000-000000000001")
    recompute()
    row = fact("COGS-1")
    # COGS = −(3.10 + 5.00) = −8.10; a row without a layer makes it estimated
    assert row.cogs == D("-8.10") and row.cogs_estimated


def test_line_without_sku_is_spread_by_goods_value(amz_us):
    a, b = product("SKU-A"), product("SKU-B")
    order(amz_us, "TWO-1", dt.date(2026, 3, 10), [{"product": a, "qty": 1, "gross": "30.00"},
                                                  {"product": b, "qty": 1, "gross": "10.00"}],
          fulfilment="merchant")
    ledger(amz_us, "TWO-1", [
        ("Order", "ItemPrice", "Principal", "30.00", "SKU-A"),
        ("Order", "ItemPrice", "Principal", "10.00", "SKU-B"),
        ("Order", "ItemFees", "Commission", "-6.00", ""),  # an order-level line: no SKU
    ], dt.date(2026, 3, 12))
    recompute()
    # −6.00 spread by goods value 30 : 10 → −4.50 and −1.50
    assert fact("TWO-1", 1).revenue == D("30.00") and fact("TWO-1", 1).platform_fees == D("-4.50")
    assert fact("TWO-1", 2).revenue == D("10.00") and fact("TWO-1", 2).platform_fees == D("-1.50")


# -- Amazon DE: VAT-inclusive prices --------------------------------------------------------------------------------
@pytest.fixture
def amz_de(db):
    company("EUR", "Europe/Berlin")
    return create_account("AMZ-DE", "amazon", "DE")


def _de_order(account, external_id="302-0000001-0000001", ship_country="DE"):
    charger = product("LK-GAN65", cost="20.00", cost_currency="EUR", category="Chargers")
    order(account, external_id, dt.date(2026, 3, 10), [{"product": charger, "qty": 1, "gross": "119.00"}],
          ship_country=ship_country)
    ledger(account, external_id, [
        ("Order", "ItemPrice", "Principal", "119.00", "LK-GAN65"),
        ("Order", "ItemFees", "Commission", "-17.85", "LK-GAN65"),
        ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-3.57", "LK-GAN65"),
    ], dt.date(2026, 3, 12))


def test_amazon_de_vat_inclusive_price_and_recoverable_fee_vat(amz_de):
    _de_order(amz_de)
    recompute()
    row = fact("302-0000001-0000001")
    # 119.00 EUR gross at DE 19 %: VAT = 119.00 × 19 / 119 = 19.00, net revenue 100.00
    assert row.gross_sales == D("119.00") and row.vat == D("19.00") and row.revenue == D("100.00")
    # Amazon's fees are charged plus 19 % VAT, reclaimed (the default): commission 17.85 / 1.19 = 15.00,
    # FBA 3.57 / 1.19 = 3.00 → platform fees −18.00, no VAT cost
    assert row.platform_fees == D("-18.00") and row.other_fees == 0
    # contribution: 100.00 − 18.00 − 20.00 = 62.00 → margin 62 %
    assert row.cogs == D("-20.00") and row.profit == D("62.00")
    assert margin_percent(row.profit, row.revenue) == D("62")
    assert fees(row) == {"principal": D("100.00"), "referral_fee": D("-15.00"), "fulfilment_fee": D("-3.00")}


def test_amazon_de_fee_vat_not_recoverable_is_a_cost(amz_de):
    settings = FinanceSettings.load()
    settings.vat_on_fees_recoverable = False
    settings.save()
    _de_order(amz_de)
    recompute()
    row = fact("302-0000001-0000001")
    # net fees as before (−18.00); their VAT 2.85 + 0.57 = 3.42 is a cost in other fees
    assert row.platform_fees == D("-18.00") and row.other_fees == D("-3.42")
    assert fees(row)["fee_vat"] == D("-3.42")
    # 100.00 − 18.00 − 3.42 − 20.00 = 58.58
    assert row.profit == D("58.58")


def test_amazon_de_order_shipped_to_france_takes_the_french_rate(amz_de):
    _de_order(amz_de, "302-0000002-0000002", ship_country="FR")
    recompute()
    row = fact("302-0000002-0000002")
    # destination principle (since 2021-07-01): FR 20 % → VAT 119.00 × 20 / 120 = 19.8333…, net 99.1666…
    assert row.vat == D("19.833333") and row.revenue == D("99.166667")
    assert row.vat + row.revenue == D("119.00")


def test_amazon_de_unsettled_order_is_split_too(amz_de):
    charger = product("LK-GAN65", cost="20.00", cost_currency="EUR", category="Chargers")
    order(amz_de, "302-0000003-0000003", dt.date(2026, 3, 10),
          [{"product": charger, "qty": 1, "gross": "119.00", "shipping": "5.95", "discount": "11.90"}],
          ship_country="DE", fulfilment="merchant")
    recompute()
    row = fact("302-0000003-0000003")
    assert not row.settled
    # goods 119.00 → net 100.00; shipping 5.95 → net 5.00; discount 11.90 → net 10.00 (all at 19 %)
    assert row.revenue == D("100.00") and row.shipping_income == D("5.00") and row.promotions == D("-10.00")
    # VAT 19.00 + 0.95 − 1.90 = 18.05; charged 119.00 + 5.95 − 11.90 = 113.05
    assert row.vat == D("18.05") and row.gross_sales == D("113.05")


# -- Shopify: the payout's charge is the whole payment; the payments fee -------------------------------------------
def test_shopify_order_with_payments_fee(db):
    company("USD", "UTC")
    shop = create_account("SHOP-US", "shopify", "US")
    mug = product("MUG-1", cost="12.00", cost_currency="USD")
    # 50.00 goods + 5.00 shipping + 4.40 sales tax (seller remits) = 59.40 paid
    order(shop, "#1001", dt.date(2026, 3, 10),
          [{"product": mug, "qty": 1, "gross": "50.00", "shipping": "5.00", "item_tax": "4.40"}],
          tax_model="seller", order_total="59.40", fulfilment="merchant")
    # Shopify Payments balance transactions: the charge (59.40) and its fee 2.9 % × 59.40 + 0.30 = 2.0226 → 2.02
    ledger(shop, "#1001", [("charge", "amount", "", "59.40", ""), ("charge", "fee", "", "-2.02", "")],
           dt.date(2026, 3, 12))
    recompute()
    row = fact("#1001")
    assert row.settled
    # the charge equals the order total: revenue, shipping and tax come from the order —
    # revenue 50.00, shipping 5.00, the 4.40 tax is not revenue
    assert row.revenue == D("50.00") and row.shipping_income == D("5.00") and row.gross_sales == D("55.00")
    assert row.platform_fees == D("-2.02")
    # 50.00 + 5.00 − 2.02 − 12.00 = 40.98
    assert row.profit == D("40.98")
    assert fees(row)["transaction_fee"] == D("-2.02") and fees(row)["charged"] == D("59.40")


# -- eBay: final value fee, eBay-collected tax ----------------------------------------------------------------------
def test_ebay_order_with_final_value_fee(db):
    company("USD", "UTC")
    ebay = create_account("EBAY-US", "ebay", "US")
    hub = product("HUB-7", cost="10.00", cost_currency="USD")
    order(ebay, "12-34567-89012", dt.date(2026, 3, 10),
          [{"product": hub, "qty": 1, "gross": "40.00", "shipping": "6.00", "item_tax": "3.68"}],
          tax_model="marketplace", fulfilment="merchant")
    # transaction report: FVF 13.25 % × (40.00 + 6.00 + 3.68) = 13.25 % × 49.68 = 6.5826 → 6.58, plus 0.40 per order
    ledger(ebay, "12-34567-89012", [
        ("Order", "item subtotal", "", "40.00", "HUB-7"),
        ("Order", "shipping and handling", "", "6.00", "HUB-7"),
        ("Order", "ebay collected tax", "", "3.68", "HUB-7"),
        ("Order", "final value fee - variable", "", "-6.58", "HUB-7"),
        ("Order", "final value fee - fixed", "", "-0.40", "HUB-7"),
    ], dt.date(2026, 3, 12))
    recompute()
    row = fact("12-34567-89012")
    assert row.settled and row.revenue == D("40.00") and row.shipping_income == D("6.00")
    # the 3.68 eBay collected is kept in fees, never revenue
    assert fees(row)["marketplace_tax"] == D("3.68") and row.gross_sales == D("46.00")
    # fees −6.58 − 0.40 = −6.98; profit 40.00 + 6.00 − 6.98 − 10.00 = 29.02
    assert row.platform_fees == D("-6.98") and fees(row)["referral_fee"] == D("-6.98")
    assert row.profit == D("29.02")


# -- Shopee SG: converted to a CNY base at the ledger's posting date ------------------------------------------------
def test_shopee_sg_order_in_a_cny_base(db):
    company("CNY", "Asia/Shanghai")
    shopee = create_account("SHOPEE-SG", "shopee", "SG")
    # ECB on 2026-03-20: 1 EUR = 1.45 SGD = 7.685 CNY → 1 SGD = 7.685 / 1.45 = 5.30 CNY
    FxRate.objects.create(date=dt.date(2026, 3, 20), currency="SGD", per_eur=D("1.45"))
    FxRate.objects.create(date=dt.date(2026, 3, 20), currency="CNY", per_eur=D("7.685"))
    case = product("CASE-1", cost="40.00", cost_currency="CNY")
    order(shopee, "260310ABCDEF", dt.date(2026, 3, 10),
          [{"product": case, "qty": 1, "gross": "30.00", "shipping": "2.00"}], fx_rate="5.25",
          fulfilment="merchant")
    # income report columns (SGD), posted 2026-03-20
    ledger(shopee, "260310ABCDEF", [
        ("", "original product price", "", "30.00", ""),
        ("", "buyer paid shipping fee", "", "2.00", ""),
        ("", "actual shipping fee", "", "-2.00", ""),
        ("", "commission fee", "", "-1.62", ""),
        ("", "service fee", "", "-1.80", ""),
        ("", "transaction fee", "", "-0.60", ""),
    ], dt.date(2026, 3, 20))
    recompute()
    row = fact("260310ABCDEF")
    assert row.settled and row.currency == "CNY"
    # every line at its posting date's 5.30 (not the order's 5.25): revenue 30.00 × 5.30 = 159.00,
    # shipping 2.00 × 5.30 = 10.60
    assert row.revenue == D("159.00") and row.shipping_income == D("10.60")
    # fees (2.00 + 1.62 + 1.80 + 0.60) = 6.02 SGD × 5.30 = 31.906 CNY; SG prices are not split (no VAT area)
    assert row.platform_fees == D("-31.906") and row.vat == 0
    # 159.00 + 10.60 − 31.906 − 40.00 = 97.694
    assert row.cogs == D("-40.00") and row.profit == D("97.694")


# -- TikTok Shop US: seller discount, affiliate commission ---------------------------------------------------------
def test_tiktok_order_with_affiliate_commission(db):
    company("USD", "UTC")
    tiktok = create_account("TT-US", "tiktok", "US")
    light = product("LIGHT-1", cost="8.00", cost_currency="USD")
    order(tiktok, "576000000000000001", dt.date(2026, 3, 10), [{"product": light, "qty": 1, "gross": "25.00",
                                                                "discount": "2.50"}],
          tax_model="marketplace", fulfilment="merchant")
    # settlement: commission 6 % × 22.50 = 1.35; affiliate 10 % × 22.50 = 2.25; sales tax 1.80 collected by TikTok
    ledger(tiktok, "576000000000000001", [
        ("Order", "subtotal before discounts", "", "25.00", ""),
        ("Order", "seller discounts", "", "-2.50", ""),
        ("Order", "tiktok shop commission fee", "", "-1.35", ""),
        ("Order", "affiliate commission", "", "-2.25", ""),
        ("Order", "sales tax", "", "1.80", ""),
    ], dt.date(2026, 3, 20))
    recompute()
    row = fact("576000000000000001")
    assert row.revenue == D("25.00") and row.promotions == D("-2.50") and row.gross_sales == D("22.50")
    assert row.platform_fees == D("-1.35") and row.advertising == D("-2.25")
    assert fees(row)["marketplace_tax"] == D("1.80")
    # 25.00 − 2.50 − 1.35 − 2.25 − 8.00 = 10.90
    assert row.profit == D("10.90")
    assert_profit_is_the_sum(row)


def test_cancelled_and_credit_lines(amz_us):
    cable = product("LK-CC100-1M", cost="3.00", cost_currency="USD")
    order(amz_us, "CXL-1", dt.date(2026, 3, 10), [{"product": cable, "qty": 1, "gross": "12.99"}],
          status="cancelled")
    recompute()
    row = fact("CXL-1")
    # a cancelled order sold nothing: a row, all zero, nothing estimated
    assert row.units == 0 and row.revenue == 0 and row.platform_fees == 0 and row.cogs == 0
    assert not row.cogs_estimated and json.loads(json.dumps(row.fees)) == {}


def test_day_is_the_purchase_date_in_the_company_time_zone(db):
    company("USD", "Asia/Shanghai")
    account = create_account("AMZ-US", "amazon", "US")
    cable = product("LK-CC100-1M")
    # 2026-03-31 20:00 UTC is 2026-04-01 04:00 in Shanghai (UTC+8): an April sale
    order(account, "TZ-1", dt.date(2026, 3, 31), [{"product": cable, "qty": 1, "gross": "12.99"}], hour=20)
    assert recompute(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).lines == 0
    assert recompute(dt.date(2026, 4, 1), dt.date(2026, 4, 30)).lines == 1
    row = fact("TZ-1")
    assert row.day == dt.date(2026, 4, 1) and row.month == dt.date(2026, 4, 1)
    # the company moves to UTC: a March rebuild takes the order back (its April row goes, no duplicate)
    company("USD", "UTC")
    assert recompute(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).lines == 1
    assert fact("TZ-1").day == dt.date(2026, 3, 31) and ProfitFact.objects.count() == 1


def test_engine_estimates_agree_with_the_fee_estimator(db):
    from chuhai.finance.estimates import explain_order_fees

    company("USD", "UTC")
    amazon = create_account("AMZ-US", "amazon", "US")
    shop = create_account("SHOP-US", "shopify", "US")
    small = product("SMALL-1", weight_g=100, dims=(100, 60, 10))
    large = product("LARGE-1", weight_g=1500, dims=(350, 250, 120))
    bare = product("BARE-1", dims=(None, None, None))  # no dimensions: no FBA fee, skipped
    orders = [
        order(amazon, "E-1", dt.date(2026, 3, 10), [{"product": small, "qty": 3, "gross": "29.97"},
                                                    {"product": large, "qty": 1, "gross": "59.00",
                                                     "shipping": "4.99"}]),
        order(amazon, "E-2", dt.date(2025, 6, 10), [{"product": bare, "qty": 1, "gross": "1.50"}]),
        order(amazon, "E-3", dt.date(2026, 3, 10), [{"product": small, "qty": 1, "gross": "9.99"}],
              fulfilment="merchant"),
        order(shop, "E-4", dt.date(2026, 3, 10), [{"product": small, "qty": 2, "gross": "40.00",
                                                   "shipping": "5.00"}], order_total="48.60",
              fulfilment="merchant"),
    ]
    recompute()
    for created in orders:
        expected = explain_order_fees(created)
        assert expected.fees, created.external_id
        rows = ProfitFact.objects.filter(order=created)
        assert sum(r.platform_fees for r in rows) == -expected.total.quantize(D("0.000001")), created.external_id


def test_estimated_fees_on_a_vat_marketplace_carry_vat_when_not_recoverable(amz_de):
    settings = FinanceSettings.load()
    settings.vat_on_fees_recoverable = False
    settings.save()
    charger = product("LK-GAN65", cost="20.00", cost_currency="EUR", category="Chargers")
    order(amz_de, "302-0000004-0000004", dt.date(2026, 3, 10), [{"product": charger, "qty": 1, "gross": "119.00"}],
          ship_country="DE", fulfilment="merchant")
    recompute()
    row = fact("302-0000004-0000004")
    assert not row.settled and row.platform_fees < 0
    # the schedules are net of VAT: Amazon adds DE 19 % on top, a cost when it cannot be reclaimed
    assert abs(row.other_fees - row.platform_fees * D("0.19")) <= D("0.000001")
    assert fees(row)["fee_vat"] == row.other_fees
