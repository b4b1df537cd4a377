"""TikTok Shop's order export (Seller Center → Orders → Export), formats.md §4.3.

- CSV in UTF-8 with a BOM, or XLSX; one row per SKU, ``Order ID`` repeated; order-level cells (status, times,
  shipping, taxes, buyer, address) are read from the order's first row.
- Under the header there is usually a description row (``Platform unique order ID.``, ``Current order status.``…).
  It is recognised by its content (an order id cell that is prose, not an id) and dropped — never assumed.
- IDs and times end in a tab inside the cell (``583870900000000001\\t``) to stop Excel; an ID Excel still mangled
  is an error.
- Dates are ``DD/MM/YYYY HH:MM:SS`` in South-East Asia and ``MM/DD/YYYY hh:mm:ss AM`` in the US: the account's
  marketplace decides (US → month first, elsewhere day first), in the marketplace's time zone.
- Status values are localised (``จัดส่งแล้ว``, ``运输中``): a small synonym table; an unknown value is an error.

Money: ``SKU Subtotal Before Discount`` → ``gross_amount``; ``SKU Seller Discount`` → ``discount``. ``SKU Platform
Discount`` is TikTok's own promotion, paid back to the seller, so it is not the seller's cost and is kept out of
the discount (it therefore also stays out of the order total, which is computed from these figures rather than
taken from ``Order Amount``, the buyer's payment after TikTok's subsidy). ``Shipping Fee After Discount`` →
``extra_shipping``; ``Taxes`` → ``extra_tax`` (in the US TikTok collects and remits sales tax: tax model
"marketplace").

Fulfillment Type: ``Fulfilled by TikTok`` (TikTok's own warehouses, like FBA but not Amazon's) is recorded as
"3pl"; ``Fulfilled by seller`` as "merchant".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import CellError, ErrorCollector
from chuhai.channels.ingest.reading import ColumnSpec, Payload, Row, cell, read_table, rows_by_order
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source

REQUIRED = {
    "order_id": ("Order ID",),
    "status": ("Order Status",),
    "quantity": ("Quantity",),
    "gross": ("SKU Subtotal Before Discount",),
    "created": ("Created Time",),
}
OPTIONAL = {
    "sku_id": ("SKU ID",),
    "seller_sku": ("Seller SKU",),
    "product_name": ("Product Name",),
    "variation": ("Variation",),
    "unit_price": ("SKU Unit Original Price",),
    "seller_discount": ("SKU Seller Discount",),
    "platform_discount": ("SKU Platform Discount",),
    "shipping": ("Shipping Fee After Discount",),
    "taxes": ("Taxes",),
    "fulfillment_type": ("Fulfillment Type",),
    "buyer_username": ("Buyer Username",),
    "country": ("Country",),
    "state": ("State",),
    "city": ("City",),
    "zipcode": ("Zipcode",),
}

#: Order Status (casefolded) in the seller centre's languages → ours. Unknown values are errors, not guesses.
STATUSES = {
    # English
    "unpaid": "pending", "on hold": "pending",
    "awaiting shipment": "unshipped", "to ship": "unshipped", "awaiting collection": "unshipped",
    "partially shipping": "partially_shipped", "partially shipped": "partially_shipped",
    "shipped": "shipped", "in transit": "shipped",
    "delivered": "delivered", "completed": "delivered",
    "cancelled": "cancelled", "canceled": "cancelled",
    # Thai
    "ยังไม่ได้ชำระเงิน": "pending", "ที่ต้องจัดส่ง": "unshipped", "รอการจัดส่ง": "unshipped",
    "จัดส่งแล้ว": "shipped", "อยู่ระหว่างการขนส่ง": "shipped", "จัดส่งสำเร็จ": "delivered",
    "เสร็จสมบูรณ์": "delivered", "ยกเลิกแล้ว": "cancelled",
    # Simplified Chinese
    "待付款": "pending", "待发货": "unshipped", "待揽收": "unshipped", "部分发货": "partially_shipped",
    "已发货": "shipped", "运输中": "shipped", "已送达": "delivered", "已签收": "delivered", "已完成": "delivered",
    "已取消": "cancelled",
}
MAX_SKU = 100


def tiktok_status(value) -> str:
    raw = values.text(value)
    try:
        return STATUSES[re.sub(r"\s+", " ", raw).casefold()]
    except KeyError:
        raise CellError("unknown TikTok Shop order status", raw) from None


def fulfilment_channel(value) -> str:
    """``Fulfilled by TikTok`` / ``FBT`` → "3pl" (TikTok's warehouses); seller fulfilment → "merchant"."""
    raw = values.text(value).casefold()
    return "3pl" if "tiktok" in raw or raw == "fbt" else "merchant"


def is_description_row(row: Row, spec: ColumnSpec) -> bool:
    """The row of column descriptions under the header: its Order ID cell is prose (``Platform unique order
    ID.``), which no real order id is."""
    order_id = values.text(row.get(spec["order_id"]))
    return bool(order_id) and " " in order_id and not order_id.replace(" ", "").isdigit()


class TiktokOrdersExport(Source):
    name = "tiktok-orders"
    kind = "orders"
    platforms = ("tiktok",)
    label = gettext_lazy("TikTok Shop order export")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        table = read_table(payload, legacy=ctx.legacy_encoding,
                           is_header=lambda cells: "order id" in cells and "order status" in cells)
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        zone, dayfirst, amount = ctx.zone, ctx.marketplace != "US", values.amount_parser(ctx.marketplace)

        def created(value):
            return values.timestamp(value, tz=zone, dayfirst=dayfirst)

        data_rows = (row for index, row in enumerate(table.rows)
                     if not (index == 0 and is_description_row(row, spec)))
        for order_id, rows in rows_by_order(data_rows, spec, "order_id", errors).items():
            record = _order(order_id, rows, spec, ctx, created, amount, errors)
            if record is not None:
                yield record


def _order(order_id: str, rows: list[Row], spec: ColumnSpec, ctx: ParseContext, created, amount,
           errors: ErrorCollector) -> OrderRecord | None:
    first = rows[0]
    before = len(errors.errors)
    status = cell(first, spec, "status", tiktok_status, errors, required=True)
    purchased_at = cell(first, spec, "created", created, errors, required=True)
    shipping = cell(first, spec, "shipping", amount, errors, default=ZERO)
    taxes = cell(first, spec, "taxes", amount, errors, default=ZERO)
    for key, figure in (("shipping", shipping), ("taxes", taxes)):
        if figure < 0:
            errors.add(first.line, spec.names[key], figure, "cannot be negative")
    lines = [line for line in (_line(row, spec, status, amount, errors) for row in rows) if line is not None]
    username = values.text(first.get(spec["buyer_username"]))
    if len(errors.errors) > before or status is None or purchased_at is None:
        return None
    return OrderRecord(
        line=first.line,
        external_id=order_id,
        purchased_at=purchased_at,
        status=status,
        currency=ctx.currency,
        lines=lines,
        fulfilment_channel=fulfilment_channel(first.get(spec["fulfillment_type"])),
        ship_country=values.country_or_blank(first.get(spec["country"])),
        ship_region=values.text(first.get(spec["state"]))[:100],
        ship_city=values.text(first.get(spec["city"]))[:100],
        ship_postal=values.text(first.get(spec["zipcode"]))[:20],
        customer_ref=values.buyer_ref(username, "tiktok") if username else "",
        tax_model="marketplace" if ctx.marketplace == "US" else "",
        prices_include_tax=ctx.prices_include_tax,
        extra_shipping=shipping,
        extra_tax=taxes,
    )


def _line(row: Row, spec: ColumnSpec, status: str | None, amount, errors: ErrorCollector) -> LineRecord | None:
    quantity = cell(row, spec, "quantity", values.integer, errors, required=True)
    gross = cell(row, spec, "gross", amount, errors, required=True)
    unit_price = cell(row, spec, "unit_price", amount, errors)
    discount = cell(row, spec, "seller_discount", amount, errors, default=ZERO)
    sku_id = cell(row, spec, "sku_id", values.identifier, errors, default="")
    seller_sku = cell(row, spec, "seller_sku", values.identifier, errors, default="")
    if quantity is None or gross is None:
        return None
    if quantity <= 0:
        errors.add(row.line, spec.names["quantity"], quantity, "quantity must be at least 1")
        return None
    name = values.text(row.get(spec["product_name"]))
    variation = values.text(row.get(spec["variation"]))
    label = f"{name} [{variation}]" if variation else name
    channel_sku = seller_sku or sku_id
    if not channel_sku:
        errors.add(row.line, spec.names["sku_id"], None, "the item has neither a Seller SKU nor a SKU ID")
        return None
    if status == "cancelled":
        item_status = "cancelled"
    elif status in ("shipped", "delivered"):
        item_status = "shipped"
    else:
        item_status = "open"
    return LineRecord(
        channel_sku=channel_sku[:MAX_SKU],
        quantity=quantity,
        gross_amount=gross,
        unit_price=unit_price,
        discount=abs(discount),
        product_name=label[:500],
        item_status=item_status,
    )
