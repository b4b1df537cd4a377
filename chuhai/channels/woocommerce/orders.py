"""WooCommerce REST API v3 orders saved as JSON (``GET /wp-json/wc/v3/orders``), formats.md §4.5.

WooCommerce core has no order CSV export, so sellers dump the API: a JSON array of orders (also accepted: an
object ``{"orders": [...]}``, a single order, or an array of such pages). Errors about an order carry its 1-based
position in the list as ``line`` ("record N") and the JSON path in ``column``; a JSON syntax error carries the
file's real line and column.

Mapping:

- order id: ``number`` (what the shop shows; it differs from ``id`` with sequential-number plugins), else ``id``;
- time: ``date_created_gmt`` (UTC without a ``Z``), else ``date_created`` in the marketplace's zone;
  ``date_modified_gmt`` → last updated at source, so a later dump updates the order;
- status: processing → unshipped, completed → shipped, pending/on-hold/checkout-draft → pending, cancelled/failed/
  trash → cancelled, refunded → refunded;
- money arrives as strings (``"29.35"``) except ``line_items[].price`` (a number, not used: it is after discounts).
  A line's ``subtotal`` is its goods value, ``subtotal − total`` its coupon discount, ``total_tax`` its tax;
  ``discount_total`` beyond the lines' discounts is an order-level discount; ``shipping_lines`` give shipping and
  shipping tax; ``total`` is kept as the order total (it includes fee lines, which have no field of their own);
- product names arrive HTML-escaped (``&ndash;``) and are unescaped;
- a line without a SKU is keyed ``wc-<product_id>[-<variation_id>]`` so it can still be mapped;
- buyer: the billing e-mail stored only as a digest (else ``woocommerce:<customer_id>``); ship-to from
  ``shipping`` (else ``billing``); ``prices_include_tax`` as the shop says; the shop remits its own tax.
- Refunds (``refunds[]``) are money movements for the finance import, not order changes; an order refunded in
  full has status refunded.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import CellError, ErrorCollector
from chuhai.channels.ingest.json_payload import load_json, record_list
from chuhai.channels.ingest.reading import Payload
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source
from chuhai.channels.ingest.values import email_ref, resolve_country

STATUSES = {
    "pending": "pending", "on-hold": "pending", "checkout-draft": "pending", "processing": "unshipped",
    "completed": "shipped", "cancelled": "cancelled", "failed": "cancelled", "trash": "cancelled",
    "refunded": "refunded",
}
ITEM_STATUS = {"shipped": "shipped", "cancelled": "cancelled", "refunded": "cancelled"}


def _looks_like_order(item: dict) -> bool:
    return "line_items" in item or ("id" in item and "status" in item)


class _Record:
    """Reads one order object, reporting problems at ``record N`` with the JSON path."""

    def __init__(self, number: int, data: dict, errors: ErrorCollector):
        self.number, self.data, self.errors = number, data, errors
        self.ok = True

    def bad(self, path: str, value, message: str) -> None:
        self.errors.add(self.number, path, None if value is None else str(value), message)
        self.ok = False

    def money(self, container: dict, key: str, path: str, default: Decimal | None = ZERO) -> Decimal | None:
        value = container.get(key)
        if value in (None, ""):
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.bad(path, value, "not an amount")
            return default
        try:
            return values.decimal(value, decimal_comma=False)
        except CellError as exc:
            self.bad(path, value, exc.message)
            return default

    def time(self, key: str, tz) -> dt.datetime | None:
        value = self.data.get(key)
        if value in (None, ""):
            return None
        try:
            return values.timestamp(value, tz=tz)
        except CellError as exc:
            self.bad(key, value, exc.message)
            return None


def _id(value) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else ""
    return str(value).strip()


class WooCommerceOrdersJson(Source):
    name = "woocommerce-orders"
    kind = "orders"
    platforms = ("woocommerce",)
    label = gettext_lazy("WooCommerce orders (REST API JSON)")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        document = load_json(payload, ctx.legacy_encoding)
        orders = record_list(payload, document, (("orders",), ("data",)), _looks_like_order)
        for number, data in enumerate(orders, start=1):
            if not isinstance(data, dict):
                errors.add(number, None, str(data)[:60], "not an order object")
                continue
            record = self._order(_Record(number, data, errors), ctx)
            if record is not None:
                yield record

    def _order(self, r: _Record, ctx: ParseContext) -> OrderRecord | None:
        data = r.data
        external_id = _id(data.get("number")) or _id(data.get("id"))
        if not external_id:
            r.bad("number", data.get("number"), "order number or id required")
        raw_status = str(data.get("status") or "").strip().lower()
        status = STATUSES.get(raw_status)
        if status is None:
            r.bad("status", data.get("status"), "unknown WooCommerce status")
        currency = ctx.currency
        if data.get("currency"):
            try:
                currency = values.currency_code(data["currency"])
            except CellError as exc:
                r.bad("currency", data["currency"], exc.message)
        purchased = r.time("date_created_gmt", dt.UTC) or r.time("date_created", ctx.zone)
        if purchased is None and r.ok:
            r.bad("date_created_gmt", None, "order date required")
        updated = r.time("date_modified_gmt", dt.UTC) or r.time("date_modified", ctx.zone)

        lines = self._lines(r, status)
        shipping_lines = data.get("shipping_lines")
        if isinstance(shipping_lines, list) and shipping_lines:
            shipping = sum((r.money(s, "total", f"shipping_lines[{i}].total") for i, s in enumerate(shipping_lines)
                            if isinstance(s, dict)), ZERO)
            shipping_tax = sum((r.money(s, "total_tax", f"shipping_lines[{i}].total_tax")
                                for i, s in enumerate(shipping_lines) if isinstance(s, dict)), ZERO)
        else:
            shipping = r.money(data, "shipping_total", "shipping_total")
            shipping_tax = r.money(data, "shipping_tax", "shipping_tax")
        discount_total = r.money(data, "discount_total", "discount_total")
        total = r.money(data, "total", "total", default=None)
        if shipping < 0 or shipping_tax < 0:
            r.bad("shipping_lines", shipping, "shipping must not be negative")
        if not r.ok:
            return None
        line_discounts = sum((ln.discount for ln in lines), ZERO)

        billing = data.get("billing") if isinstance(data.get("billing"), dict) else {}
        shipping_to = data.get("shipping") if isinstance(data.get("shipping"), dict) else {}
        if not any(shipping_to.get(k) for k in ("country", "city", "postcode")):
            shipping_to = billing
        country_text = str(shipping_to.get("country") or "").strip()
        country = resolve_country(country_text) if country_text else ""
        region = str(shipping_to.get("state") or "").strip()
        if country_text and not country:
            region = ", ".join(p for p in (region, country_text) if p)
        customer = email_ref(billing.get("email"))
        if not customer and _id(data.get("customer_id")) not in ("", "0"):
            customer = f"woocommerce:{_id(data.get('customer_id'))}"
        return OrderRecord(
            line=r.number, external_id=external_id, purchased_at=purchased, status=status, currency=currency,
            lines=lines, ship_country=country or "", ship_region=region,
            ship_city=str(shipping_to.get("city") or "").strip(),
            ship_postal=str(shipping_to.get("postcode") or "").strip(), customer_ref=customer,
            source_updated_at=updated, tax_model="seller", prices_include_tax=bool(data.get("prices_include_tax")),
            order_total=total, extra_shipping=shipping, extra_tax=shipping_tax,
            extra_discount=max(discount_total - line_discounts, ZERO),
        )

    def _lines(self, r: _Record, status: str | None) -> list[LineRecord]:
        items = r.data.get("line_items")
        if not isinstance(items, list) or not items:
            r.bad("line_items", None, "an order needs line items")
            return []
        lines = []
        item_status = ITEM_STATUS.get(status or "", "open")
        for i, item in enumerate(items):
            path = f"line_items[{i}]"
            if not isinstance(item, dict):
                r.bad(path, item, "not a line item")
                continue
            quantity = item.get("quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
                r.bad(f"{path}.quantity", quantity, "quantity must be a whole number of at least 1")
                continue
            price = r.money(item, "price", f"{path}.price", default=None)
            subtotal = r.money(item, "subtotal", f"{path}.subtotal", default=None)
            if subtotal is None:
                subtotal = price * quantity if price is not None else None
            total = r.money(item, "total", f"{path}.total", default=subtotal)
            tax = r.money(item, "total_tax", f"{path}.total_tax")
            if subtotal is None:
                r.bad(f"{path}.subtotal", None, "line amount required (subtotal or price)")
                continue
            if total > subtotal:
                r.bad(f"{path}.total", total, f"line total above its subtotal {subtotal}")
                continue
            sku = str(item.get("sku") or "").strip()
            if not sku:
                product, variation = _id(item.get("product_id")), _id(item.get("variation_id"))
                sku = f"wc-{product}" + (f"-{variation}" if variation not in ("", "0") else "") if product else ""
            if not sku:
                r.bad(f"{path}.sku", None, "line item without sku or product_id")
                continue
            lines.append(LineRecord(
                channel_sku=sku, quantity=quantity, gross_amount=subtotal, discount=subtotal - total, item_tax=tax,
                external_line_id=_id(item.get("id")), product_name=html.unescape(str(item.get("name") or "")).strip(),
                item_status=item_status,
            ))
        return lines
