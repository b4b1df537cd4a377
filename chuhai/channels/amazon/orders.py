"""Amazon All Orders report (``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`` / ``…_BY_LAST_UPDATE_GENERAL``
and the archived-orders variant) → :class:`~chuhai.channels.ingest.records.OrderRecord`.

The file is TSV with one row per order *item*; the header is on line 1 and its column set drifts (the 29/32-column
MWS-era set, newer tails such as ``is-iba``, ``is-heavy-or-bulky``, ``is-replacement-order``, and an archived
variant without ship-city/state/postal). Rows may be shorter than the header (Amazon drops trailing empty cells).

Rows of one order are adjacent in a "by order date" file but not in a "by last update" one, so the file is read
twice: the first pass remembers, per order id, only the line of its last row (a dict of two integers per order);
the second builds each order and hands it on as soon as its last row has been read. Only orders whose rows are
still to come are held in memory.

Amounts: ``item-price`` is the line total (quantity × unit price) and becomes ``gross_amount``; empty money cells
(pending MFN orders) are 0. Promotion discounts are printed negative or positive and stored positive. Gift wrap has
no field of its own on an order line yet, so gift-wrap price and tax are added to the line's shipping and shipping
tax (they are charges to the buyer besides the goods, like shipping, so the order total stays right).

Tax model: Amazon is a *marketplace facilitator* in every US state with a sales tax since Missouri's law took
effect on 2023-01-01 (the last state to adopt one); from then on tax on an Amazon.com order shipped within the US
was collected and remitted by Amazon, so such an order with tax is ``tax_model="marketplace"``. Earlier US orders
depended on the state and date, which this report does not let us decide, so they stay unknown (""), as do other
marketplaces. EU/UK/JP… prices include VAT (``prices_include_tax``), decided by the order's marketplace.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import gettext_lazy

from chuhai.channels.models import default_currency_for
from chuhai.orders.models import FulfilmentChannel, ItemStatus, OrderStatus

from ..ingest import values
from ..ingest.errors import CellError, ErrorCollector
from ..ingest.reading import ColumnSpec, Payload, Row, decode, physical_lines, read_delimited
from ..ingest.records import LineRecord, OrderRecord
from ..ingest.sources import VAT_INCLUSIVE_MARKETS, ParseContext, Source

ZERO = Decimal(0)
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

#: ``sales-channel`` / ``marketplace-name`` domain → marketplace country.
AMAZON_DOMAINS = {
    "amazon.com": "US", "amazon.ca": "CA", "amazon.com.mx": "MX", "amazon.com.br": "BR", "amazon.co.uk": "GB",
    "amazon.de": "DE", "amazon.fr": "FR", "amazon.it": "IT", "amazon.es": "ES", "amazon.nl": "NL", "amazon.se": "SE",
    "amazon.pl": "PL", "amazon.com.be": "BE", "amazon.ie": "IE", "amazon.com.tr": "TR", "amazon.ae": "AE",
    "amazon.sa": "SA", "amazon.eg": "EG", "amazon.in": "IN", "amazon.co.jp": "JP", "amazon.com.au": "AU",
    "amazon.sg": "SG", "amazon.co.za": "ZA",
}

#: Missouri's marketplace facilitator law, the last US state's, took effect on this day.
US_FACILITATOR_EVERYWHERE = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)

ORDER_STATUSES = {
    "pending": OrderStatus.PENDING, "pendingavailability": OrderStatus.PENDING,
    "pendingwaitingforpickup": OrderStatus.PENDING, "invoiceunconfirmed": OrderStatus.PENDING,
    "unshipped": OrderStatus.UNSHIPPED,
    "partiallyshipped": OrderStatus.PARTIALLY_SHIPPED,
    "shipping": OrderStatus.SHIPPED,  # refined by the item statuses, see _order_status
    "shipped": OrderStatus.SHIPPED, "complete": OrderStatus.SHIPPED, "completed": OrderStatus.SHIPPED,
    "shippeddeliveredtobuyer": OrderStatus.DELIVERED, "delivered": OrderStatus.DELIVERED,
    "shippedreturnedtoseller": OrderStatus.RETURNED, "shippedrejectedbybuyer": OrderStatus.RETURNED,
    "cancelled": OrderStatus.CANCELLED, "canceled": OrderStatus.CANCELLED, "unfulfillable": OrderStatus.CANCELLED,
}
ITEM_STATUSES = {"shipped": ItemStatus.SHIPPED, "cancelled": ItemStatus.CANCELLED, "canceled": ItemStatus.CANCELLED}
FULFILMENT = {"amazon": FulfilmentChannel.FBA, "afn": FulfilmentChannel.FBA,
              "merchant": FulfilmentChannel.MERCHANT, "mfn": FulfilmentChannel.MERCHANT}

REQUIRED = {
    "order_id": ("amazon-order-id",),
    "purchase_date": ("purchase-date",),
    "order_status": ("order-status",),
    "sku": ("sku",),
    "quantity": ("quantity", "quantity-purchased"),
}
OPTIONAL = {
    "last_updated": ("last-updated-date",),
    "fulfilment": ("fulfillment-channel", "fulfilment-channel"),
    "sales_channel": ("sales-channel",),
    "product_name": ("product-name",),
    "item_status": ("item-status",),
    "currency": ("currency",),
    "item_price": ("item-price",),
    "item_tax": ("item-tax",),
    "shipping_price": ("shipping-price",),
    "shipping_tax": ("shipping-tax",),
    "gift_wrap_price": ("gift-wrap-price",),
    "gift_wrap_tax": ("gift-wrap-tax",),
    "item_promotion": ("item-promotion-discount",),
    "ship_promotion": ("ship-promotion-discount",),
    "ship_city": ("ship-city",),
    "ship_state": ("ship-state",),
    "ship_postal": ("ship-postal-code",),
    "ship_country": ("ship-country",),
    "promotion_ids": ("promotion-ids",),
    "is_business": ("is-business-order",),
    "is_replacement": ("is-replacement-order",),
}


@lru_cache(maxsize=256)
def status_key(value) -> str:
    """``Shipped - Delivered to Buyer`` → ``shippeddeliveredtobuyer``."""
    return re.sub(r"[^a-z]", "", values.text(value).casefold())


@lru_cache(maxsize=256)
def order_status(value) -> str:
    key = status_key(value)
    if key in ORDER_STATUSES:
        return ORDER_STATUSES[key]
    for prefix, status in (("shipped", OrderStatus.SHIPPED), ("pending", OrderStatus.PENDING)):
        if key.startswith(prefix):  # Shipped - Out for Delivery, Shipped - Lost in Transit, Pending - …
            return status
    raise CellError("unknown Amazon order status", values.text(value))


@lru_cache(maxsize=64)
def fulfilment_channel(value) -> str:
    try:
        return FULFILMENT[values.text(value).casefold()]
    except KeyError as exc:
        raise CellError("unknown fulfillment channel (expected Amazon or Merchant)", values.text(value)) from exc


def marketplace_of(sales_channel: str | None) -> str:
    """ISO country of an Amazon domain; "" (→ the account's) for anything else, notably ``Non-Amazon``: a
    Multi-Channel Fulfilment order, sold elsewhere and shipped by Amazon (it keeps fulfilment ``fba``)."""
    return AMAZON_DOMAINS.get((sales_channel or "").strip().casefold(), "")


@lru_cache(maxsize=512)
def currency_code(value) -> str:
    return values.currency_code(value)


@lru_cache(maxsize=512)
def country_code(value) -> str:
    return values.country_code(value)


@lru_cache(maxsize=64)
def boolean(value) -> bool:
    return values.boolean(value)


def quantity(value) -> int:
    result = values.integer(value)
    if result < 0:
        raise CellError("a negative quantity in an orders report", values.text(value))
    return result


def _is_header(cells: list[str]) -> bool:
    return "amazon-order-id" in cells


class _OrderBuilder:
    """One order while its rows are being read. Holds only the record being built."""

    __slots__ = ("record", "ok", "raw_status", "raw_updated", "raw_currency")

    def __init__(self, record: OrderRecord | None, raw_status: str = "", raw_updated: str = "",
                 raw_currency: str = ""):
        self.record = record
        self.ok = record is not None
        self.raw_status = raw_status
        # as read: the rows of one order usually repeat them, so they are parsed again only when they differ
        self.raw_updated = raw_updated
        self.raw_currency = raw_currency


KEYS = tuple(REQUIRED) + tuple(OPTIONAL)
MONEY_KEYS = ("item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price", "gift_wrap_tax",
              "item_promotion", "ship_promotion")


class _FileReader:
    """Turns the rows of one file into orders. Runs once per row of a possibly million-line file, so each row's
    cells are taken in one pass and plain values (``19.98``, ISO times) take the short paths."""

    def __init__(self, spec: ColumnSpec, ctx: ParseContext, errors: ErrorCollector):
        self.spec, self.ctx, self.errors = spec, ctx, errors
        self.positions = [spec[key] for key in KEYS]
        self.zone = ctx.zone

    def cells(self, row: Row) -> dict[str, str]:
        cells = row.cells
        return dict(zip(KEYS, [cells[i].strip() if i is not None and i < len(cells) else "" for i in self.positions],
                        strict=True))

    def parsed(self, line: int, v: dict, key: str, parse, default=None, required: bool = False):
        raw = v[key]
        if not raw:
            if required:
                self.errors.add(line, self.spec.names[key], None, "value required")
            return default
        try:
            return parse(raw)
        except CellError as exc:
            self.errors.add(line, self.spec.names[key], exc.value if exc.value is not None else raw, exc.message)
            return default

    def time(self, raw: str):
        return values.timestamp(raw, tz=self.zone)

    def start(self, line: int, v: dict) -> _OrderBuilder:
        errors, ctx, parsed = self.errors, self.ctx, self.parsed
        before = len(errors.errors)
        external_id = parsed(line, v, "order_id", values.amazon_order_id, required=True)
        purchased_at = parsed(line, v, "purchase_date", self.time, required=True)
        status = parsed(line, v, "order_status", order_status, required=True)
        fulfilment = parsed(line, v, "fulfilment", fulfilment_channel, default=FulfilmentChannel.MERCHANT)
        marketplace = marketplace_of(v["sales_channel"])
        currency = parsed(line, v, "currency", currency_code) or (
            default_currency_for(marketplace) if marketplace else ctx.currency)
        if len(errors.errors) > before or errors.truncated or external_id is None:
            return _OrderBuilder(None)
        record = OrderRecord(
            line=line,
            external_id=external_id,
            purchased_at=purchased_at,
            status=status,
            currency=currency,
            fulfilment_channel=fulfilment,
            marketplace=marketplace,
            ship_country=parsed(line, v, "ship_country", country_code, default=""),
            ship_region=v["ship_state"],
            ship_city=v["ship_city"],
            ship_postal=v["ship_postal"],
            source_updated_at=parsed(line, v, "last_updated", self.time),
            prices_include_tax=(marketplace in VAT_INCLUSIVE_MARKETS) if marketplace else ctx.prices_include_tax,
            is_replacement=parsed(line, v, "is_replacement", boolean, default=False),
            is_business=parsed(line, v, "is_business", boolean, default=False),
            promotion_ids=v["promotion_ids"],
        )
        return _OrderBuilder(record, raw_status=status_key(v["order_status"]), raw_updated=v["last_updated"],
                             raw_currency=v["currency"])

    def add_line(self, builder: _OrderBuilder, line: int, v: dict) -> bool:
        record, errors, parsed = builder.record, self.errors, self.parsed
        before = len(errors.errors)
        amounts = []
        for key in MONEY_KEYS:
            raw = v[key]
            if not raw:
                amounts.append(ZERO)
            elif _PLAIN_NUMBER.fullmatch(raw):
                amounts.append(Decimal(raw))
            else:
                amounts.append(parsed(line, v, key, values.decimal, default=ZERO))
        gross, item_tax, shipping, shipping_tax, wrap, wrap_tax, item_promotion, ship_promotion = amounts
        sku = v["sku"]
        if not sku or sku[0] == "'":
            sku = parsed(line, v, "sku", values.text, required=True)
        raw_qty = v["quantity"]
        qty = int(raw_qty) if raw_qty.isdigit() else parsed(line, v, "quantity", quantity, required=True)
        if v["currency"] and v["currency"] != builder.raw_currency:
            currency = parsed(line, v, "currency", currency_code)
            if currency and not builder.raw_currency:  # the first row had none (a pending order): this one says
                record.currency, builder.raw_currency = currency, v["currency"]
            elif currency and currency != record.currency:
                errors.add(line, self.spec.names["currency"], currency,
                           f"this order's other rows are in {record.currency}")
        if v["last_updated"] and v["last_updated"] != builder.raw_updated:
            builder.raw_updated = v["last_updated"]
            updated = parsed(line, v, "last_updated", self.time)
            if updated and (record.source_updated_at is None or updated > record.source_updated_at):
                record.source_updated_at = updated
        if len(errors.errors) > before or errors.truncated:  # past the error limit a bad cell is not listed
            return False
        item_status = ITEM_STATUSES.get(status_key(v["item_status"]), ItemStatus.OPEN)
        if record.status == OrderStatus.CANCELLED:
            item_status = ItemStatus.CANCELLED
        record.lines.append(LineRecord(
            channel_sku=sku,
            quantity=qty,
            gross_amount=gross,
            unit_price=None if qty else gross,  # the writer divides; a zero quantity must not be divided by
            item_tax=item_tax,
            shipping=shipping + wrap,
            shipping_tax=shipping_tax + wrap_tax,
            discount=abs(item_promotion) + abs(ship_promotion),  # printed negative or positive: stored positive
            product_name=v["product_name"],
            item_status=item_status,
        ))
        return True

    def finish(self, builder: _OrderBuilder) -> OrderRecord:
        record = builder.record
        record.status = _order_status(builder.raw_status, record)
        tax = sum((ln.item_tax + ln.shipping_tax for ln in record.lines), ZERO)
        if (record.marketplace == "US" and record.ship_country in ("", "US") and tax > 0
                and record.purchased_at >= US_FACILITATOR_EVERYWHERE):
            record.tax_model = "marketplace"
        return record


class AllOrdersReport(Source):
    name = "amazon-orders"
    kind = "orders"
    platforms = ("amazon",)
    label = gettext_lazy("Amazon All Orders report")

    def _table(self, payload: Payload, ctx: ParseContext):
        return read_delimited(payload, legacy=ctx.legacy_encoding, delimiter="\t", is_header=_is_header)

    def _order_ends(self, payload: Payload, ctx: ParseContext, table, id_index: int) -> dict[int, int]:
        """First pass: the line where each order's last row is (keyed by the hash of its id, to stay small).

        Amazon's flat files carry no quoting; when a file has no quote character at all, a line is a row and the
        id is its text up to the column's tab — about eight times faster than the csv module on a million rows."""
        last_line: dict[int, int] = {}
        text = decode(payload, ctx.legacy_encoding)
        if '"' in text:
            for row in table.rows:
                raw = row.get(id_index)
                if raw is not None:
                    last_line[hash(raw)] = row.line
            return last_line
        for number, line in enumerate(physical_lines(text), start=1):  # numbered as the csv reader numbers them
            if number <= table.header_line:
                continue
            cells = line.split("\t", id_index + 1)
            if len(cells) > id_index:
                raw = cells[id_index].strip()
                if raw:
                    last_line[hash(raw)] = number
        return last_line

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        table = self._table(payload, ctx)
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        id_index = spec["order_id"]
        last_line = self._order_ends(payload, ctx, table, id_index)
        del table  # release the first pass's text before the second is read
        table = self._table(payload, ctx)
        reader = _FileReader(spec, ctx, errors)
        open_orders: dict[str, _OrderBuilder] = {}
        for row in table.rows:
            v = reader.cells(row)
            raw = v["order_id"]
            if not raw:
                errors.add(row.line, spec.names["order_id"], None, "value required")
                continue
            builder = open_orders.get(raw)
            if builder is None:
                builder = open_orders[raw] = reader.start(row.line, v)
            if builder.ok:
                builder.ok = reader.add_line(builder, row.line, v)
            if last_line.get(hash(raw)) == row.line:
                del open_orders[raw]
                if builder.ok:
                    yield reader.finish(builder)
        for builder in open_orders.values():  # only when two ids share a hash and the later one ended first
            if builder.ok:
                yield reader.finish(builder)


def _order_status(raw_status: str, record: OrderRecord) -> str:
    """``Shipping`` (FBA: the order is leaving the warehouse) is ``shipped`` unless one of its live items is still
    unshipped, then ``partially_shipped``."""
    if raw_status != "shipping":
        return record.status
    live = [ln for ln in record.lines if ln.item_status != ItemStatus.CANCELLED]
    if any(ln.item_status == ItemStatus.OPEN for ln in live) and any(
            ln.item_status == ItemStatus.SHIPPED for ln in live):
        return OrderStatus.PARTIALLY_SHIPPED
    return record.status
