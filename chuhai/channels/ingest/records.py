"""Canonical records: what every platform parser produces, whatever the platform's column names.

Amounts are ``Decimal`` in the record's currency, exactly as reported (no rounding here). Times are aware.
``line`` is the source line of the record's first row, so writers can point errors back into the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(slots=True)
class LineRecord:
    channel_sku: str
    quantity: int
    gross_amount: Decimal
    """Goods value of the line before discounts (unit price × quantity, or the platform's line total)."""
    unit_price: Decimal | None = None
    """Defaults to gross_amount / quantity."""
    item_tax: Decimal = ZERO
    shipping: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    discount: Decimal = ZERO
    """Positive number: promotion/voucher amount the seller funded on this line (item + shipping promotions)."""
    external_line_id: str = ""
    product_name: str = ""
    item_status: str = "open"  # open | shipped | cancelled


@dataclass(slots=True)
class OrderRecord:
    line: int
    external_id: str
    purchased_at: dt.datetime
    status: str  # chuhai.orders.models.OrderStatus value
    currency: str
    lines: list[LineRecord] = field(default_factory=list)
    fulfilment_channel: str = "merchant"  # fba | merchant | 3pl | dropship
    marketplace: str = ""  # ISO country; empty → the account's
    ship_country: str = ""
    ship_region: str = ""
    ship_city: str = ""
    ship_postal: str = ""
    customer_ref: str = ""
    source_updated_at: dt.datetime | None = None
    document_type: str = "order"  # order | credit
    tax_model: str = ""  # "" | seller | marketplace
    prices_include_tax: bool = False
    """EU/UK marketplace prices include VAT: then tax is part of the price and not added to the order total."""
    is_replacement: bool = False
    is_business: bool = False
    promotion_ids: str = ""
    order_total: Decimal | None = None
    """As the platform states it; None → computed from the lines."""
    extra_shipping: Decimal = ZERO
    """Order-level shipping not attributed to a line (Shopify's order Shipping column)."""
    extra_discount: Decimal = ZERO
    """Order-level discount not attributed to a line."""
    extra_tax: Decimal = ZERO
    whole: bool = False
    """The parser guarantees this record holds every row the file has of its order (it yields no other record with
    this external id): the writer then need not remember the order for rows arriving later (a million orders'
    ids). A parser that breaks the promise gets the file rejected by the unique key, never a half order."""
    source_key: str = ""
    """Optional: the source text the record was read from (its cells, plus whatever else decides how they are read,
    such as the account's marketplace and the parser's version), all of it and nothing else. The writer then
    fingerprints this text instead of the record's values, and a re-imported order with the same fingerprint is
    recognised as unchanged without being rebuilt. Empty: the writer fingerprints the values it stores."""


@dataclass(slots=True)
class SettlementRecord:
    line: int
    settlement_id: str
    currency: str
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    deposit_at: dt.datetime | None = None
    total_amount: Decimal | None = None


@dataclass(slots=True)
class LedgerRecord:
    line: int
    amount: Decimal
    currency: str
    settlement_ref: str = ""
    transaction_type: str = ""
    order_ref: str = ""
    sku: str = ""
    quantity: int | None = None
    amount_type: str = ""
    amount_description: str = ""
    posted_at: dt.datetime | None = None
    marketplace: str = ""
    fulfilment: str = ""
    description: str = ""
    raw_key: tuple = ()
    """The source row's identifying cells; with the occurrence count it forms the line's fingerprint."""


@dataclass(slots=True)
class FbaInventoryRecord:
    line: int
    snapshot_date: dt.date
    sku: str
    fnsku: str = ""
    asin: str = ""
    product_name: str = ""
    condition: str = ""
    fulfillable: int = 0
    unsellable: int = 0
    reserved: int = 0
    warehouse_total: int = 0
    total: int = 0
    inbound_working: int = 0
    inbound_shipped: int = 0
    inbound_receiving: int = 0
    researching: int = 0


@dataclass(slots=True)
class ReturnRecord:
    line: int
    returned_at: dt.datetime
    order_ref: str
    sku: str
    quantity: int
    asin: str = ""
    fnsku: str = ""
    product_name: str = ""
    fulfillment_center: str = ""
    disposition: str = ""
    reason: str = ""
    status: str = ""
    license_plate: str = ""
    customer_comments: str = ""


@dataclass(slots=True)
class AdRecord:
    line: int
    start_date: dt.date
    end_date: dt.date
    campaign: str
    currency: str
    report_type: str = "sp_advertised_product"
    portfolio: str = ""
    ad_group: str = ""
    advertised_sku: str = ""
    advertised_asin: str = ""
    targeting: str = ""
    match_type: str = ""
    search_term: str = ""
    impressions: int = 0
    clicks: int = 0
    spend: Decimal = ZERO
    sales: Decimal = ZERO
    orders: int = 0
    units: int = 0
