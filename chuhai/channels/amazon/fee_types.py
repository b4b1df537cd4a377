"""Amazon's money-line vocabulary mapped onto our fee categories (the default; finance's mappings win over it).

A rule is ``(transaction_type, amount_type, amount_description, category)`` matched case-insensitively against what
the ledger stores; ``""`` matches anything, ``None`` only an empty value, and the most specific matching rule wins
(see :mod:`chuhai.finance.categorise`). ``amount_description`` is the line's *detail*: its amount description, or,
for a line with neither amount description nor order (Date Range ``Service Fee``, ``FBA Inventory Fee``,
``Transfer``…), its ``description`` column.

Where the names come from:

- Settlement report flat file V2 (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``), formats.md §1.2 and the real
  rows of ``tests/channels/amazon/fixtures/settlement_v2_*.txt``: ``amount-type`` ``ItemPrice`` (Principal,
  Shipping, Tax, ShippingTax, GiftWrap…), ``ItemFees`` (Commission, FBAPerUnitFulfillmentFee, RefundCommission,
  ShippingChargeback…), ``Promotion``, ``ItemWithheldTax`` (MarketplaceFacilitatorTax-Principal/-Shipping,
  TCS-CGST…), ``other-transaction`` (Current Reserve Amount, Previous Reserve Amount Balance, Storage Fee,
  Subscription Fee…), ``Cost of Advertising`` (TransactionTotalAmount), ``FBA Inventory Reimbursement``
  (WAREHOUSE_DAMAGE…).
- Settlement V1 (wide) as :mod:`chuhai.channels.amazon.settlement` stores it: the same descriptions under the
  column pair's name (``ItemPrice``, ``ItemFees``, ``OtherFees``, ``Other``…), and non-order rows whose
  ``transaction-type`` *is* the name (``Current Reserve Amount``, ``Storage Fee``, ``Subscription Fee``) — the
  real 2015 sample and ``settlement_v1_consistent.txt``.
- Finances API charge and fee types (formats.md §1.8, real 2016 dump): ShippingCharge, GiftWrapTax,
  FBAWeightBasedFee, FixedClosingFee, VariableClosingFee, GiftwrapChargeback, SalesTaxCollectionFee.
- Date Range / unified transaction report (formats.md §1.3; fixtures ``transactions_*.csv``): one line per money
  column, stored under the column's name (``product sales``, ``selling fees``, ``fba fees``, ``other transaction
  fees``, ``other``…), ``type`` Order, Refund, Adjustment, Transfer, Service Fee, FBA Inventory Fee, SAFE-T
  Reimbursement, Liquidations, Chargeback Refund, Deal Fee, Coupon Fee; the report's preamble defines "selling
  fees" (referral and variable closing fees) and "other transaction fees" (shipping chargebacks and holdbacks,
  per-item and sales-tax collection fees).
- Non-order descriptions Amazon prints on both reports (FBA Inbound Placement Service Fee, FBA Inbound
  Transportation Fee, FBA Long-Term Storage Fee, Coupon redemption fee, Lightning Deal Fee, reimbursement reasons
  REVERSAL_REIMBURSEMENT / WAREHOUSE_LOST…) are from Seller Central's fee pages; any spelling not listed here shows
  up on the Fee types page to be mapped.
"""

from __future__ import annotations

from chuhai.finance.fees import FeeCategory as C

#: Transaction types whose charge lines are money given back to the buyer.
REFUND_TYPES = ("Refund", "Chargeback Refund", "A-to-z Guarantee Claim", "GuaranteeClaim")


def _anywhere(name: str, category: str) -> tuple:
    """A name Amazon writes as a V1 ``transaction-type``, a V2 ``amount-description`` or a Date Range
    description: the same category whichever column carries it."""
    return ((name, "", "", category), ("", "", name, category))


def _rules() -> tuple:
    rules: list[tuple] = []
    add = rules.append

    # -- settlement: charges (ItemPrice) ------------------------------------------------------------------------
    for description, category in (
        ("Principal", C.PRINCIPAL), ("Shipping", C.SHIPPING_INCOME), ("ShippingCharge", C.SHIPPING_INCOME),
        ("GiftWrap", C.GIFT_WRAP_INCOME), ("Tax", C.TAX_COLLECTED), ("ShippingTax", C.TAX_COLLECTED),
        ("GiftWrapTax", C.TAX_COLLECTED), ("RestockingFee", C.REFUND), ("Goodwill", C.REFUND),
    ):
        add(("", "ItemPrice", description, category))
    for refund in REFUND_TYPES:
        for description in ("Principal", "Shipping", "ShippingCharge", "GiftWrap"):
            add((refund, "ItemPrice", description, C.REFUND))
        for column in ("product sales", "shipping credits", "gift wrap credits"):  # Date Range
            add((refund, column, "", C.REFUND))

    # -- settlement: fees (ItemFees, ShipmentFees, OrderFees) -----------------------------------------------------
    fees = (
        ("Commission", C.REFERRAL_FEE), ("VariableClosingFee", C.REFERRAL_FEE),
        ("FixedClosingFee", C.REFERRAL_FEE), ("RefundCommission", C.REFUND_COMMISSION),
        ("FBAPerUnitFulfillmentFee", C.FULFILMENT_FEE), ("FBAPerOrderFulfillmentFee", C.FULFILMENT_FEE),
        ("FBAWeightBasedFee", C.FULFILMENT_FEE), ("ShippingChargeback", C.FULFILMENT_FEE),
        ("ShippingHB", C.FULFILMENT_FEE), ("GiftwrapChargeback", C.FULFILMENT_FEE),
        ("FBACustomerReturnPerUnitFee", C.FULFILMENT_FEE), ("FBADisposalFee", C.FULFILMENT_FEE),
        ("FBARemovalFee", C.FULFILMENT_FEE), ("SalesTaxCollectionFee", C.TRANSACTION_FEE),
        ("DigitalServicesFee", C.SERVICE_FEE), ("DigitalServicesFeeFBA", C.SERVICE_FEE),
        ("FBAStorageFee", C.STORAGE_FEE), ("FBALongTermStorageFee", C.STORAGE_FEE),
    )
    for description, category in fees:
        for amount_type in ("ItemFees", "ShipmentFees", "OrderFees"):
            add(("", amount_type, description, category))

    # -- settlement: promotions and withheld taxes ---------------------------------------------------------------
    add(("", "Promotion", "", C.PROMOTION))
    add(("", "ItemWithheldTax", "", C.MARKETPLACE_TAX))
    for description in ("MarketplaceFacilitatorTax-Principal", "MarketplaceFacilitatorTax-Shipping",
                        "MarketplaceFacilitatorTax-Giftwrap", "MarketplaceFacilitatorTax-Other",
                        "MarketplaceFacilitatorVAT-Principal", "MarketplaceFacilitatorVAT-Shipping",
                        "LowValueGoodsTax-Principal", "LowValueGoodsTax-Shipping",
                        "TCS-CGST", "TCS-SGST", "TCS-IGST", "TCS-UTGST", "TDS (Section 194-O)"):
        add(("", "", description, C.MARKETPLACE_TAX))

    # -- non-order lines: reserves, storage, subscription, advertising, inbound, deals ----------------------------
    for name, category in (
        ("Current Reserve Amount", C.RESERVE), ("Previous Reserve Amount Balance", C.RESERVE),
        ("Storage Fee", C.STORAGE_FEE), ("StorageRenewalBilling", C.STORAGE_FEE),
        ("FBA storage fee", C.STORAGE_FEE), ("FBA Long-Term Storage Fee", C.STORAGE_FEE),
        ("Subscription Fee", C.SUBSCRIPTION), ("Subscription", C.SUBSCRIPTION),
        ("Cost of Advertising", C.ADVERTISING),
        ("FBA Inbound Placement Service Fee", C.INBOUND_FEE), ("FBAInboundPlacementServiceFee", C.INBOUND_FEE),
        ("FBA Inbound Transportation Fee", C.INBOUND_FEE), ("FBAInboundTransportationFee", C.INBOUND_FEE),
        ("Inbound Transportation Fee", C.INBOUND_FEE), ("Inbound Transportation Program Fee", C.INBOUND_FEE),
        ("Coupon redemption fee", C.COUPON_DEAL), ("CouponRedemptionFee", C.COUPON_DEAL),
        ("Lightning Deal Fee", C.COUPON_DEAL), ("LightningDealFee", C.COUPON_DEAL),
        ("Deal Fee", C.COUPON_DEAL), ("Coupon Fee", C.COUPON_DEAL),
        ("FBA Removal Order: Disposal Fee", C.FULFILMENT_FEE), ("FBA Removal Order: Return Fee", C.FULFILMENT_FEE),
        ("DisposalComplete", C.FULFILMENT_FEE), ("RemovalComplete", C.FULFILMENT_FEE),
        ("Payable to Amazon", C.TRANSFER), ("Successful charge", C.TRANSFER), ("Transfer", C.TRANSFER),
        ("SAFE-T Reimbursement", C.REIMBURSEMENT), ("FBA Inventory Reimbursement", C.REIMBURSEMENT),
    ):
        rules.extend(_anywhere(name, category))
    add(("", "Cost of Advertising", "", C.ADVERTISING))
    add(("", "FBA Inventory Reimbursement", "", C.REIMBURSEMENT))
    # FBA reimbursement reasons (settlement V2 amount-description of FBA Inventory Reimbursement lines)
    for reason in ("REVERSAL_REIMBURSEMENT", "WAREHOUSE_DAMAGE", "WAREHOUSE_LOST", "WAREHOUSE_LOST_MANUAL",
                   "WAREHOUSE_DAMAGE_EXCEPTION", "CUSTOMER_RETURN", "CUSTOMER_SERVICE_ISSUE",
                   "FREE_REPLACEMENT_REFUND_ITEMS", "MISSING_FROM_INBOUND", "INBOUND_CARRIER_DAMAGE",
                   "REMOVAL_ORDER_LOST", "REMOVAL_ORDER_DAMAGED", "COMPENSATED_CLAWBACK", "INCORRECT_FEES_ITEMS"):
        add(("", "", reason, C.REIMBURSEMENT))

    # -- Date Range report: money columns -----------------------------------------------------------------------
    for column, category in (
        ("product sales", C.PRINCIPAL), ("product sales tax", C.TAX_COLLECTED),
        ("shipping credits", C.SHIPPING_INCOME), ("shipping credits tax", C.TAX_COLLECTED),
        ("gift wrap credits", C.GIFT_WRAP_INCOME), ("giftwrap credits tax", C.TAX_COLLECTED),
        ("promotional rebates", C.PROMOTION), ("promotional rebates tax", C.TAX_COLLECTED),
        ("sales tax collected", C.TAX_COLLECTED),
        ("marketplace facilitator tax", C.MARKETPLACE_TAX), ("marketplace withheld tax", C.MARKETPLACE_TAX),
        # collected from the buyer and remitted by Amazon (e.g. Colorado's retail delivery fee)
        ("regulatory fee", C.MARKETPLACE_TAX), ("tax on regulatory fee", C.MARKETPLACE_TAX),
        # India: GST the seller owes, and the TCS / TDS Amazon withholds on it
        ("total sales tax liable(gst before adjusting tcs)", C.TAX_COLLECTED),
        ("tcs-cgst", C.MARKETPLACE_TAX), ("tcs-sgst", C.MARKETPLACE_TAX), ("tcs-igst", C.MARKETPLACE_TAX),
        ("tcs-utgst", C.MARKETPLACE_TAX), ("tds (section 194-o)", C.MARKETPLACE_TAX),
        ("selling fees", C.REFERRAL_FEE), ("fba fees", C.FULFILMENT_FEE),
        ("other transaction fees", C.TRANSACTION_FEE),
    ):
        add(("", column, "", category))
    # The ``other`` column and non-order rows: by the row's type (a known description above wins).
    add(("Service Fee", "", "", C.SERVICE_FEE))
    add(("FBA Inventory Fee", "", "", C.STORAGE_FEE))
    add(("Adjustment", "", "", C.REIMBURSEMENT))
    add(("Liquidations", "", "", C.OTHER))

    # -- rows without money ------------------------------------------------------------------------------------
    add(("", "total", "", C.OTHER))  # Date Range: a row whose cells are all zero
    add(("", None, None, C.OTHER))  # settlement V1: the quantity-only row of an item (a zero line)
    return tuple(rules)


DEFAULT_RULES = _rules()
