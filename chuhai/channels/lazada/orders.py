"""Lazada Seller Center order export (Orders → Export; XLSX or CSV), formats.md §4.2.

One row per order item (``orderItemId``; Lazada splits a quantity of 3 into three items), camelCase headers,
about 80 columns; rows are grouped by ``orderNumber`` wherever they are in the file. Quirks handled:

- two columns are both named ``status``: the first is the platform's status (used here), the second a manual
  status the seller types (ignored) — columns are looked up by name and the first of equal names wins;
- ``createTime`` reads ``10 May 2026 06:23`` in the marketplace's local time (day-first when numeric);
- ``sellerDiscountTotal`` is written negative: its size is the seller-funded discount of the item;
- addresses hold fullwidth commas (U+FF0C); city and region are kept with an ordinary ", ";
- phone numbers (scientific notation after Excel) and street addresses are not imported;
- ``orderNumber`` / ``orderItemId`` turned into numbers by Excel (``4.32E+14``) are errors, not ids.

Money: ``unitPrice`` is the item's goods value (VAT-inclusive in every Lazada market), the discount is the seller's
share only, ``shippingFee`` the shipping the buyer paid for the item. ``paidPrice`` — what the buyer finally paid,
after platform vouchers Lazada refunds to the seller — is not the seller's revenue and is not stored; the order
total is computed from the lines.

A cancelled item keeps its SKU and unit price, but its amounts are zero: the buyer is not charged for it, so it
must not count in the order's totals (an order with some items cancelled is common).

Statuses (item level, the platform column): unpaid → pending; pending/packed/ready_to_ship… → open;
shipped → shipped; delivered/confirmed → delivered; returned/failed/shipped_back → returned; canceled →
cancelled. The order's status is derived from its items: all cancelled → cancelled; all unpaid → pending; all
(live items) returned → returned, delivered → delivered, shipped/delivered/returned → shipped; some of them →
partially_shipped; otherwise unshipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import ErrorCollector
from chuhai.channels.ingest.reading import ColumnSpec, Payload, Row, cell, read_table
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source
from chuhai.channels.ingest.values import email_ref, resolve_country

REQUIRED = {
    "order_number": ("orderNumber", "Order Number"),
    "order_item_id": ("orderItemId", "Order Item Id"),
    "create_time": ("createTime", "Created at", "Create Time"),
    "seller_sku": ("sellerSku", "Seller SKU"),
    "unit_price": ("unitPrice", "Unit Price"),
    "status": ("status", "Status"),
}
OPTIONAL = {
    "update_time": ("updateTime", "Updated at", "Update Time"),
    "lazada_sku": ("lazadaSku", "Lazada SKU"),
    "item_name": ("itemName", "Item Name"),
    "variation": ("variation", "Variation"),
    "seller_discount": ("sellerDiscountTotal", "Seller Discount Total"),
    "shipping_fee": ("shippingFee", "Shipping Fee"),
    "quantity": ("quantity", "Quantity"),
    "customer_email": ("customerEmail", "Customer Email"),
    "ship_city": ("shippingCity", "Shipping City"),
    "ship_postal": ("shippingPostCode", "Shipping Post Code"),
    "ship_country": ("shippingCountry", "Shipping Country"),
    "ship_region": ("shippingRegion", "Shipping Region"),
}

ITEM_STATES = {
    "unpaid": "unpaid",
    "pending": "open", "packed": "open", "ready_to_ship": "open", "ready_to_ship_pending": "open",
    "repacked": "open", "topack": "open", "to_pack": "open", "toship": "open", "to_ship": "open",
    "processing": "open",
    "shipped": "shipped", "in_transit": "shipped", "lost_by_3pl": "shipped", "damaged_by_3pl": "shipped",
    "delivered": "delivered", "confirmed": "delivered", "completed": "delivered",
    "returned": "returned", "failed": "returned", "failed_delivery": "returned", "shipped_back": "returned",
    "shipped_back_success": "returned", "package_returned": "returned", "return_to_seller": "returned",
    "canceled": "cancelled", "cancelled": "cancelled",
}
LEFT_WAREHOUSE = {"shipped", "delivered", "returned"}
ITEM_STATUS = {"unpaid": "open", "open": "open", "shipped": "shipped", "delivered": "shipped",
               "returned": "shipped", "cancelled": "cancelled"}
FULLWIDTH_COMMA = "\uff0c"


def status_word(raw) -> str:
    """``Ready To Ship`` / ``ready-to-ship`` → ``ready_to_ship``."""
    return re.sub(r"[\s\-]+", "_", values.text(raw).casefold())


def order_status(states: list[str]) -> str:
    """Our order status from its items' states (see the module docstring)."""
    live = [s for s in states if s != "cancelled"]
    if not live:
        return "cancelled"
    if all(s == "unpaid" for s in live):
        return "pending"
    for state in ("returned", "delivered"):
        if all(s == state for s in live):
            return state
    out = [s for s in live if s in LEFT_WAREHOUSE]
    if len(out) == len(live):
        return "shipped"
    if out:
        return "partially_shipped"
    return "unshipped"


def place_text(raw) -> str:
    return values.text(raw).replace(FULLWIDTH_COMMA, ", ").replace(" ,", ",").strip(" ,")


class _Order:
    __slots__ = ("record", "states")

    def __init__(self, record: OrderRecord):
        self.record = record
        self.states: list[str] = []


class LazadaOrdersExport(Source):
    name = "lazada-orders"
    kind = "orders"
    platforms = ("lazada",)
    label = gettext_lazy("Lazada order export (XLSX/CSV)")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        table = read_table(payload, legacy=ctx.legacy_encoding,
                           is_header=lambda names: "ordernumber" in names or "order number" in names)
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        when = partial(values.timestamp, tz=ctx.zone, dayfirst=True)
        orders: dict[str, _Order] = {}
        for row in table.rows:
            before = len(errors.errors)
            number = cell(row, spec, "order_number", values.identifier, errors, required=True)
            item_id = cell(row, spec, "order_item_id", values.identifier, errors, required=True)
            sku = cell(row, spec, "seller_sku", values.identifier, errors, required=True)
            price = cell(row, spec, "unit_price", values.decimal, errors, required=True)
            created = cell(row, spec, "create_time", when, errors, required=True)
            updated = cell(row, spec, "update_time", when, errors)
            discount = cell(row, spec, "seller_discount", values.decimal, errors, default=ZERO)
            shipping = cell(row, spec, "shipping_fee", values.decimal, errors, default=ZERO)
            quantity = cell(row, spec, "quantity", values.integer, errors, default=1)
            raw_status = row.get(spec["status"])
            state = ITEM_STATES.get(status_word(raw_status))
            if raw_status is None:
                errors.add(row.line, spec.names["status"], None, "value required")
            elif state is None:
                errors.add(row.line, spec.names["status"], raw_status, "unknown Lazada order status")
            if quantity is not None and quantity <= 0:
                errors.add(row.line, spec.names["quantity"], quantity, "quantity must be at least 1")
            if shipping is not None and shipping < 0:
                errors.add(row.line, spec.names["shipping_fee"], shipping, "shipping fee must not be negative")
            if len(errors.errors) != before or errors.truncated:
                continue

            order = orders.get(number)
            if order is None:
                order = orders[number] = _Order(self._record(row, spec, ctx, number, created))
            rec = order.record
            rec.purchased_at = min(rec.purchased_at, created)
            if updated is not None and (rec.source_updated_at is None or updated > rec.source_updated_at):
                rec.source_updated_at = updated
            order.states.append(state)
            name = values.text(row.get(spec["item_name"]))
            variation = values.text(row.get(spec["variation"]))
            rec.lines.append(LineRecord(
                channel_sku=sku, quantity=quantity, gross_amount=price * quantity, unit_price=price,
                discount=abs(discount), shipping=shipping, external_line_id=item_id,
                product_name=f"{name} ({variation})" if name and variation else name or variation,
                item_status=ITEM_STATUS[state],
            ))
            if state == "cancelled":  # not charged: the price stays visible as the unit price only
                line = rec.lines[-1]
                line.gross_amount = line.discount = line.shipping = ZERO
        for order in orders.values():
            order.record.status = order_status(order.states)
            yield order.record

    def _record(self, row: Row, spec: ColumnSpec, ctx: ParseContext, number: str, created) -> OrderRecord:
        country_text = place_text(row.get(spec["ship_country"]))
        country = resolve_country(country_text) if country_text else ctx.marketplace
        region = place_text(row.get(spec["ship_region"]))
        if country_text and not country:  # not an ISO name: keep it visible, never guess
            country, region = "", ", ".join(p for p in (region, country_text) if p)
        return OrderRecord(
            line=row.line, external_id=number, purchased_at=created, status="pending", currency=ctx.currency,
            ship_country=country or "", ship_region=region, ship_city=place_text(row.get(spec["ship_city"])),
            ship_postal=values.text(row.get(spec["ship_postal"])),
            customer_ref=email_ref(values.text(row.get(spec["customer_email"]))),
            prices_include_tax=ctx.prices_include_tax,
        )


