"""Walmart Marketplace Orders API (``GET /v3/orders``) saved as JSON, formats.md §4.6.

Accepted shapes: the raw response ``{"list": {"meta": …, "elements": {"order": [...]}}}``, ``{"elements":
{"order": [...]}}``, ``{"order": [...]}``, a bare array of orders (the SDKs' unwrapped form), one order, or an array
of saved responses (pages). Errors about an order carry its 1-based position as ``line`` ("record N") and the
JSON path in ``column``.

- **Order id**: ``purchaseOrderId``. Walmart ships, acknowledges, cancels and refunds per purchase order, and one
  checkout (``customerOrderId``) can be split into several purchase orders with their own lines and statuses; the
  customer order id is the buyer's reference and is not the unit chuhai tracks.
- **Times**: ``orderDate`` and ``statusDate`` are epoch **milliseconds** (a value that only makes sense as seconds
  is an error, not a date in 1970); the latest ``statusDate`` is the order's last update, so a later dump with
  new statuses updates it.
- **Lines**: ``orderLines.orderLine[]``; quantity ``orderLineQuantity.amount`` is a string. Charges
  (``charges.charge[]``): ``PRODUCT`` is the line's goods value (a negative PRODUCT charge is a discount),
  ``SHIPPING`` its shipping, each ``tax.taxAmount`` the tax on it. Amounts are JSON numbers; charge amounts are the
  line's totals, not per unit.
- **Statuses** per line (``orderLineStatuses.orderLineStatus[]``, each with a quantity): Created/Acknowledged →
  open, Shipped, Delivered, Cancelled. A cancelled line keeps its SKU, quantity and unit price, but its amounts
  are zero: the buyer was not charged, so it must not count in the order's totals. Order: all cancelled → cancelled; every live line delivered → delivered,
  shipped or delivered → shipped; some → partially_shipped; else unshipped (Walmart releases orders once paid).
- **Tax**: Walmart is the marketplace facilitator that collects and remits US sales tax (tax_model
  ``marketplace``; prices exclude tax).
- Ship-to: ``shippingInfo.postalAddress`` (``country`` is alpha-3, ``USA``); the buyer's relay e-mail is stored
  only as a digest; ``orderType: REPLACEMENT`` marks a replacement order; ``shipNode.type`` ``WFSFulfilled`` /
  ``3PLFulfilled`` → 3pl, else merchant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import CellError, ErrorCollector
from chuhai.channels.ingest.json_payload import load_json, path_get, record_list
from chuhai.channels.ingest.reading import Payload
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source
from chuhai.channels.ingest.values import email_ref, resolve_country

LINE_STATES = {"created": "open", "acknowledged": "open", "shipped": "shipped", "delivered": "delivered",
               "cancelled": "cancelled", "canceled": "cancelled"}
FULFILMENT = {"wfsfulfilled": "3pl", "3plfulfilled": "3pl", "sellerfulfilled": "merchant"}
UNIT_PRICE_PLACES = Decimal("1e-6")
#: Epoch milliseconds below this (2001-09-09) are almost certainly seconds.
MIN_MILLISECONDS = 1_000_000_000_000


def _looks_like_order(item: dict) -> bool:
    return "purchaseOrderId" in item or "orderLines" in item


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def order_status(states: list[str]) -> str:
    live = [s for s in states if s != "cancelled"]
    if not live:
        return "cancelled"
    if all(s == "delivered" for s in live):
        return "delivered"
    out = [s for s in live if s in ("shipped", "delivered")]
    if len(out) == len(live):
        return "shipped"
    return "partially_shipped" if out else "unshipped"


class _Record:
    def __init__(self, number: int, data: dict, errors: ErrorCollector):
        self.number, self.data, self.errors = number, data, errors
        self.ok = True

    def bad(self, path: str, value, message: str) -> None:
        self.errors.add(self.number, path, None if value is None else str(value), message)
        self.ok = False

    def millis(self, value, path: str, required: bool = False) -> dt.datetime | None:
        if value in (None, ""):
            if required:
                self.bad(path, None, "date required")
            return None
        try:
            ms = int(values.decimal(value, decimal_comma=False)) if not isinstance(value, bool) else None
        except CellError:
            ms = None
        if ms is None:
            self.bad(path, value, "not an epoch time in milliseconds")
            return None
        if abs(ms) < MIN_MILLISECONDS:
            self.bad(path, value, "looks like epoch seconds; Walmart sends milliseconds")
            return None
        try:
            return dt.datetime.fromtimestamp(ms // 1000, dt.UTC) + dt.timedelta(milliseconds=ms % 1000)
        except (OverflowError, OSError, ValueError):
            self.bad(path, value, "not a date (epoch milliseconds out of range)")
            return None

    def amount(self, money, path: str) -> tuple[Decimal, str]:
        """``{"currency": "USD", "amount": 10}`` → (Decimal, currency)."""
        if not isinstance(money, dict):
            self.bad(path, money, "amount missing")
            return ZERO, ""
        value = money.get("amount")
        try:
            if isinstance(value, bool) or value in (None, ""):
                raise CellError("not an amount", str(value))
            number = values.decimal(value, decimal_comma=False)
        except CellError as exc:
            self.bad(f"{path}.amount", value, exc.message)
            return ZERO, ""
        currency = ""
        if money.get("currency"):
            try:
                currency = values.currency_code(money["currency"])
            except CellError as exc:
                self.bad(f"{path}.currency", money["currency"], exc.message)
        return number, currency


class WalmartOrdersJson(Source):
    name = "walmart-orders"
    kind = "orders"
    platforms = ("walmart",)
    label = gettext_lazy("Walmart orders (Orders API JSON)")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        document = load_json(payload, ctx.legacy_encoding)
        orders = record_list(payload, document, (("list", "elements", "order"), ("elements", "order"), ("order",),
                                                 ("orders",)), _looks_like_order)
        for number, data in enumerate(orders, start=1):
            if not isinstance(data, dict):
                errors.add(number, None, str(data)[:60], "not an order object")
                continue
            record = self._order(_Record(number, data, errors), ctx)
            if record is not None:
                yield record

    def _order(self, r: _Record, ctx: ParseContext) -> OrderRecord | None:
        data = r.data
        external_id = str(data.get("purchaseOrderId") or "").strip()
        if not external_id:
            r.bad("purchaseOrderId", None, "purchase order id required")
        else:
            try:
                external_id = values.identifier(data["purchaseOrderId"])
            except CellError as exc:
                r.bad("purchaseOrderId", data["purchaseOrderId"], exc.message)
        purchased = r.millis(data.get("orderDate"), "orderDate", required=True)
        currencies: set[str] = set()
        states: list[str] = []
        lines: list[LineRecord] = []
        updated = None
        order_lines = _as_list(path_get(data, "orderLines", "orderLine"))
        if not order_lines:
            r.bad("orderLines.orderLine", None, "an order needs order lines")
        fulfilment = "merchant"
        for i, item in enumerate(order_lines):
            path = f"orderLines.orderLine[{i}]"
            if not isinstance(item, dict):
                r.bad(path, item, "not an order line")
                continue
            line = self._line(r, item, path, currencies, states)
            if line is not None:
                lines.append(line)
            status_date = r.millis(item.get("statusDate"), f"{path}.statusDate")
            if status_date and (updated is None or status_date > updated):
                updated = status_date
            node = str(path_get(item, "fulfillment", "shipNode", "type") or path_get(data, "shipNode", "type")
                       or "").casefold()
            fulfilment = FULFILMENT.get(node, fulfilment)
        if len(currencies) > 1:
            r.bad("charges", ", ".join(sorted(currencies)), "one order in several currencies")
        if not r.ok:
            return None
        address = path_get(data, "shippingInfo", "postalAddress")
        address = address if isinstance(address, dict) else {}
        country_text = str(address.get("country") or "").strip()
        country = resolve_country(country_text) if country_text else ""
        region = str(address.get("state") or "").strip()
        if country_text and not country:
            region = ", ".join(p for p in (region, country_text) if p)
        return OrderRecord(
            line=r.number, external_id=external_id, purchased_at=purchased, status=order_status(states),
            currency=currencies.pop() if currencies else ctx.currency, lines=lines, fulfilment_channel=fulfilment,
            ship_country=country or "", ship_region=region, ship_city=str(address.get("city") or "").strip(),
            ship_postal=str(address.get("postalCode") or "").strip(),
            customer_ref=email_ref(data.get("customerEmailId")), source_updated_at=updated,
            tax_model="marketplace", prices_include_tax=False,
            is_replacement=str(data.get("orderType") or "").upper() == "REPLACEMENT",
        )

    def _line(self, r: _Record, item: dict, path: str, currencies: set, states: list) -> LineRecord | None:
        before = r.ok
        r.ok = True
        sku = str(path_get(item, "item", "sku") or "").strip()
        if not sku:
            r.bad(f"{path}.item.sku", None, "SKU required")
        raw_quantity = path_get(item, "orderLineQuantity", "amount")
        try:
            quantity = values.integer(raw_quantity) if raw_quantity not in (None, "") else None
        except CellError:
            quantity = None
        if quantity is None or quantity <= 0:
            r.bad(f"{path}.orderLineQuantity.amount", raw_quantity, "quantity must be a whole number of at least 1")
        gross = discount = item_tax = shipping = shipping_tax = ZERO
        for j, charge in enumerate(_as_list(path_get(item, "charges", "charge"))):
            where = f"{path}.charges.charge[{j}]"
            if not isinstance(charge, dict):
                r.bad(where, charge, "not a charge")
                continue
            kind = str(charge.get("chargeType") or "").upper()
            amount, currency = r.amount(charge.get("chargeAmount"), f"{where}.chargeAmount")
            tax, tax_currency = ZERO, ""
            if charge.get("tax"):
                tax, tax_currency = r.amount(path_get(charge, "tax", "taxAmount"), f"{where}.tax.taxAmount")
            currencies.update(c for c in (currency, tax_currency) if c)
            if kind == "PRODUCT":
                if amount >= 0:
                    gross += amount
                else:
                    discount -= amount
                item_tax += tax
            elif kind == "SHIPPING":
                shipping += amount
                shipping_tax += tax
            else:
                r.bad(f"{where}.chargeType", charge.get("chargeType"), "unknown charge type (PRODUCT or SHIPPING)")
        if shipping < 0 or item_tax < 0 or shipping_tax < 0:
            r.bad(f"{path}.charges", None, "shipping and taxes must not be negative")
        line_states = []
        for j, entry in enumerate(_as_list(path_get(item, "orderLineStatuses", "orderLineStatus"))):
            raw = entry.get("status") if isinstance(entry, dict) else entry
            state = LINE_STATES.get(str(raw or "").strip().casefold())
            if state is None:
                r.bad(f"{path}.orderLineStatuses.orderLineStatus[{j}].status", raw, "unknown Walmart line status")
            else:
                line_states.append(state)
        if not line_states and r.ok:
            r.bad(f"{path}.orderLineStatuses", None, "line status required")
        ok, r.ok = r.ok, before and r.ok
        if not ok:
            return None
        states.extend(line_states)
        live = [s for s in line_states if s != "cancelled"]
        item_status = "cancelled" if not live else ("shipped" if any(s in ("shipped", "delivered") for s in live)
                                                    else "open")
        line = LineRecord(
            channel_sku=sku, quantity=quantity, gross_amount=gross, discount=discount,
            item_tax=item_tax, shipping=shipping, shipping_tax=shipping_tax,
            external_line_id=str(item.get("lineNumber") or ""),
            product_name=str(path_get(item, "item", "productName") or "").strip(), item_status=item_status,
        )
        if item_status == "cancelled":  # nothing was charged: the price stays visible as the unit price
            line.unit_price = (gross / quantity).quantize(UNIT_PRICE_PLACES)
            line.gross_amount = line.discount = line.item_tax = line.shipping = line.shipping_tax = ZERO
        return line
