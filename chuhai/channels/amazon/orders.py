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
from operator import itemgetter

from django.utils.translation import gettext_lazy

from chuhai.channels.models import default_currency_for
from chuhai.orders.models import FulfilmentChannel, ItemStatus, OrderStatus

from ..ingest import values
from ..ingest.errors import CellError, ErrorCollector
from ..ingest.reading import ColumnSpec, Payload, decode, physical_lines, read_delimited
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

    __slots__ = ("record", "ok", "raw_status", "raw_updated", "raw_currency", "source")

    def __init__(self, record: OrderRecord | None, raw_status: str = "", raw_updated: str = "",
                 raw_currency: str = ""):
        self.record = record
        self.ok = record is not None
        self.raw_status = raw_status
        # as read: the rows of one order usually repeat them, so they are parsed again only when they differ
        self.raw_updated = raw_updated
        self.raw_currency = raw_currency
        self.source: list[str] = []  # the cells read from each of its rows, for the record's source_key


KEYS = tuple(REQUIRED) + tuple(OPTIONAL)
#: Positions of the keys' values in a row's values tuple (see :meth:`_FileReader.values`).
(ORDER_ID, PURCHASE_DATE, ORDER_STATUS, SKU, QUANTITY, LAST_UPDATED, FULFILMENT_CHANNEL, SALES_CHANNEL, PRODUCT_NAME,
 ITEM_STATUS, CURRENCY, ITEM_PRICE, ITEM_TAX, SHIPPING_PRICE, SHIPPING_TAX, GIFT_WRAP_PRICE, GIFT_WRAP_TAX,
 ITEM_PROMOTION, SHIP_PROMOTION, SHIP_CITY, SHIP_STATE, SHIP_POSTAL, SHIP_COUNTRY, PROMOTION_IDS, IS_BUSINESS,
 IS_REPLACEMENT) = range(len(KEYS))
assert KEYS[IS_REPLACEMENT] == "is_replacement" and KEYS[ITEM_PRICE] == "item_price"
MONEY = range(ITEM_PRICE, SHIP_PROMOTION + 1)
_AMAZON_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
#: Distinct money cells remembered per file (prices and "0.00" repeat across a million rows).
MONEY_CACHE_SIZE = 100_000
_fromisoformat = dt.datetime.fromisoformat
_strip = str.strip
#: Part of each record's source_key: change it when the same cells would be read into different records.
PARSER_VERSION = "amazon-orders-1"


class _FileReader:
    """Turns the rows of one file into orders. Runs once per row of a possibly million-line file, so each row's
    cells are taken in one pass (a tuple indexed by the constants above) and plain values (``19.98``, ISO times,
    Amazon order ids) take short paths; anything else goes through the general value parsers and their errors."""

    def __init__(self, spec: ColumnSpec, ctx: ParseContext, errors: ErrorCollector, width: int):
        self.spec, self.ctx, self.errors = spec, ctx, errors
        self.names = [spec.names[key] for key in KEYS]
        self.zone = ctx.zone
        self.width = width
        # a missing optional column reads the empty cell appended after the row's last one
        self._pick = itemgetter(*[width if spec[key] is None else spec[key] for key in KEYS])
        self.money: dict[str, Decimal] = {"": ZERO}
        self.line_amounts: dict[tuple, tuple] = {}  # a row's eight money cells → what _line_amounts made of them
        self.item_statuses: dict[str, str] = {}
        # the order-level cells that take a small set of values (status, channel...) → what they were read as
        self.order_cells: dict[tuple, tuple] = {}
        # what else decides how the cells are read: the account's marketplace and currency fill the gaps
        self.source_prefix = f"{PARSER_VERSION}\x1d{ctx.marketplace}\x1d{ctx.currency}\x1d"

    def values(self, cells: list[str]) -> tuple[str, ...]:
        """The stripped cells of one row, in KEYS order ("" for missing ones)."""
        width = self.width
        if len(cells) != width:  # Amazon drops trailing empty cells; extra cells have no column
            cells = cells[:width] if len(cells) > width else cells + [""] * (width - len(cells))
        cells.append("")
        return tuple(map(_strip, self._pick(cells)))

    def parsed(self, line: int, v: tuple, key: int, parse, default=None, required: bool = False):
        raw = v[key]
        if not raw:
            if required:
                self.errors.add(line, self.names[key], None, "value required")
            return default
        try:
            return parse(raw)
        except CellError as exc:
            self.errors.add(line, self.names[key], exc.value if exc.value is not None else raw, exc.message)
            return default

    def _timestamp(self, raw: str):
        return values.timestamp(raw, tz=self.zone)

    def time(self, line: int, v: tuple, key: int, required: bool = False):
        raw = v[key]
        if raw:
            try:
                moment = _fromisoformat(raw)
                if moment.tzinfo is not None:
                    return moment
            except ValueError:
                pass
        return self.parsed(line, v, key, self._timestamp, required=required)

    def amount(self, line: int, v: tuple, key: int) -> Decimal:
        raw = v[key]
        if _PLAIN_NUMBER.fullmatch(raw):
            result = Decimal(raw)
        else:
            result = self.parsed(line, v, key, values.decimal, default=None)
            if result is None:
                return ZERO
        if len(self.money) >= MONEY_CACHE_SIZE:
            self.money = {"": ZERO}
        self.money[raw] = result
        return result

    def _line_amounts(self, line: int, v: tuple, before: int) -> tuple[Decimal, ...]:
        """(gross, item tax, shipping, shipping tax, discount) of a row whose eight money cells were not seen
        together before in this file; remembered when none of them was wrong."""
        money = self.money
        gross, item_tax, shipping, shipping_tax, wrap, wrap_tax, item_promotion, ship_promotion = [
            amount if (amount := money.get(v[i])) is not None else self.amount(line, v, i) for i in MONEY]
        amounts = (
            gross, item_tax,
            # gift wrap is charged besides the goods, like shipping (see the module docstring)
            shipping if wrap is ZERO else shipping + wrap,
            shipping_tax if wrap_tax is ZERO else shipping_tax + wrap_tax,
            # printed negative or positive: stored positive
            ZERO if item_promotion is ZERO and ship_promotion is ZERO else abs(item_promotion) + abs(ship_promotion),
        )
        if len(self.errors.errors) == before and not self.errors.truncated:
            if len(self.line_amounts) >= MONEY_CACHE_SIZE:
                self.line_amounts = {}
            self.line_amounts[v[ITEM_PRICE:SHIP_PROMOTION + 1]] = amounts
        return amounts

    def start(self, line: int, v: tuple) -> _OrderBuilder:
        errors = self.errors
        before = len(errors.errors)
        external_id = v[ORDER_ID]
        if not _AMAZON_ID.fullmatch(external_id):
            external_id = self.parsed(line, v, ORDER_ID, values.amazon_order_id, required=True)
        purchased_at = self.time(line, v, PURCHASE_DATE, required=True)
        key = (v[ORDER_STATUS], v[FULFILMENT_CHANNEL], v[SALES_CHANNEL], v[CURRENCY], v[SHIP_COUNTRY],
               v[IS_REPLACEMENT], v[IS_BUSINESS])
        known = self.order_cells.get(key)
        if known is None:
            return self._start(line, v, external_id, purchased_at, before, key)
        if len(errors.errors) > before or errors.truncated or external_id is None:
            return _OrderBuilder(None)
        status, fulfilment, marketplace, currency, ship_country, is_replacement, is_business, vat, raw_status = known
        record = OrderRecord(
            line, external_id, purchased_at, status, currency, [], fulfilment, marketplace, ship_country,
            v[SHIP_STATE], v[SHIP_CITY], v[SHIP_POSTAL], "", self.time(line, v, LAST_UPDATED),
            prices_include_tax=vat, is_replacement=is_replacement, is_business=is_business,
            promotion_ids=v[PROMOTION_IDS],
        )
        return _OrderBuilder(record, raw_status, v[LAST_UPDATED], v[CURRENCY])

    def _start(self, line: int, v: tuple, external_id, purchased_at, before: int, key: tuple) -> _OrderBuilder:
        """:meth:`start` for order-level cells not seen before in this file: read them one by one, with their
        errors, and remember what they were read as when none was wrong."""
        errors, ctx, parsed = self.errors, self.ctx, self.parsed
        status = parsed(line, v, ORDER_STATUS, order_status, required=True)
        fulfilment = parsed(line, v, FULFILMENT_CHANNEL, fulfilment_channel, default=FulfilmentChannel.MERCHANT)
        marketplace = marketplace_of(v[SALES_CHANNEL])
        currency = parsed(line, v, CURRENCY, currency_code) or (
            _default_currency(marketplace) if marketplace else ctx.currency)
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
            ship_country=parsed(line, v, SHIP_COUNTRY, country_code, default=""),
            ship_region=v[SHIP_STATE],
            ship_city=v[SHIP_CITY],
            ship_postal=v[SHIP_POSTAL],
            source_updated_at=self.time(line, v, LAST_UPDATED),
            prices_include_tax=(marketplace in VAT_INCLUSIVE_MARKETS) if marketplace else ctx.prices_include_tax,
            is_replacement=parsed(line, v, IS_REPLACEMENT, boolean, default=False),
            is_business=parsed(line, v, IS_BUSINESS, boolean, default=False),
            promotion_ids=v[PROMOTION_IDS],
        )
        raw_status = status_key(v[ORDER_STATUS])
        if len(errors.errors) == before and not errors.truncated:
            self.order_cells[key] = (status, fulfilment, marketplace, currency, record.ship_country,
                                     record.is_replacement, record.is_business, record.prices_include_tax, raw_status)
        return _OrderBuilder(record, raw_status=raw_status, raw_updated=v[LAST_UPDATED], raw_currency=v[CURRENCY])

    def add_line(self, builder: _OrderBuilder, line: int, v: tuple) -> bool:
        record, errors, parsed = builder.record, self.errors, self.parsed
        before = len(errors.errors)
        amounts = self.line_amounts.get(v[ITEM_PRICE:SHIP_PROMOTION + 1])
        if amounts is None:
            amounts = self._line_amounts(line, v, before)
        gross, item_tax, shipping, shipping_tax, discount = amounts
        sku = v[SKU]
        if not sku or sku[0] == "'":
            sku = parsed(line, v, SKU, values.text, required=True)
        raw_qty = v[QUANTITY]
        qty = int(raw_qty) if raw_qty.isdigit() else parsed(line, v, QUANTITY, quantity, required=True)
        raw_currency = v[CURRENCY]
        if raw_currency and raw_currency != builder.raw_currency:
            currency = parsed(line, v, CURRENCY, currency_code)
            if currency and not builder.raw_currency:  # the first row had none (a pending order): this one says
                record.currency, builder.raw_currency = currency, raw_currency
            elif currency and currency != record.currency:
                errors.add(line, self.names[CURRENCY], currency, f"this order's other rows are in {record.currency}")
        raw_updated = v[LAST_UPDATED]
        if raw_updated and raw_updated != builder.raw_updated:
            builder.raw_updated = raw_updated
            updated = self.time(line, v, LAST_UPDATED)
            if updated and (record.source_updated_at is None or updated > record.source_updated_at):
                record.source_updated_at = updated
        if len(errors.errors) > before or errors.truncated:  # past the error limit a bad cell is not listed
            return False
        if record.status == OrderStatus.CANCELLED:
            item_status = ItemStatus.CANCELLED
        else:
            item_status = self.item_statuses.get(v[ITEM_STATUS])
            if item_status is None:
                item_status = ITEM_STATUSES.get(status_key(v[ITEM_STATUS]), ItemStatus.OPEN)
                if len(self.item_statuses) < 1000:
                    self.item_statuses[v[ITEM_STATUS]] = item_status
        record.lines.append(LineRecord(
            sku, qty, gross,
            None if qty else gross,  # unit price: the writer divides; a zero quantity must not be divided by
            item_tax, shipping, shipping_tax, discount, "", v[PRODUCT_NAME], item_status,
        ))
        builder.source.append("\x1f".join(v))
        return True

    def finish(self, builder: _OrderBuilder) -> OrderRecord:
        record = builder.record
        record.source_key = self.source_prefix + "\x1e".join(builder.source)
        record.whole = True  # the first pass found the order's last row: every row of it is in this record
        record.status = _order_status(builder.raw_status, record)
        if (record.marketplace == "US" and record.ship_country in ("", "US")
                and record.purchased_at >= US_FACILITATOR_EVERYWHERE
                and sum((ln.item_tax + ln.shipping_tax for ln in record.lines), ZERO) > 0):
            record.tax_model = "marketplace"
        return record


@lru_cache(maxsize=64)
def _default_currency(marketplace: str) -> str:
    return default_currency_for(marketplace)


def _plain_rows(text: str, header_line: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a file without any quote character: a line is a row and its cells are split at the
    tabs, several times faster than the csv module and numbered as it numbers them."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):  # bare carriage returns: see physical_lines
        for number, line in enumerate(physical_lines(text), start=1):
            if number > header_line and line.strip():  # blank lines (or only tabs) are skipped, as by the reader
                yield number, line.rstrip("\r\n").split("\t")
        return
    number, pos, end, find = 0, 0, len(text), text.find
    while pos < end:  # physical_lines' slicing, inlined: this runs once per row
        nl = find("\n", pos)
        if nl < 0:
            nl = end
        line = text[pos:nl]
        pos = nl + 1
        number += 1
        if number > header_line and line.strip():
            yield number, line.rstrip("\r").split("\t")


class AllOrdersReport(Source):
    name = "amazon-orders"
    kind = "orders"
    platforms = ("amazon",)
    label = gettext_lazy("Amazon All Orders report")

    def _table(self, payload: Payload, ctx: ParseContext, text: str | None = None):
        return read_delimited(payload, legacy=ctx.legacy_encoding, delimiter="\t", is_header=_is_header, text=text)

    def _order_ends(self, text: str, table, id_index: int) -> dict[int, int]:
        """First pass: the line where each order's last row is (keyed by the hash of its id, to stay small).

        Amazon's flat files carry no quoting; when a file has no quote character at all, a line is a row and the
        id is its text up to the column's tab — about eight times faster than the csv module on a million rows."""
        last_line: dict[int, int] = {}
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
        text = decode(payload, ctx.legacy_encoding)  # once, for both passes
        table = self._table(payload, ctx, text)
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        id_index = spec["order_id"]
        width = len(table.columns.names)
        last_line = self._order_ends(text, table, id_index)
        if '"' in text:
            rows = ((row.line, row.cells) for row in self._table(payload, ctx, text).rows)
        else:
            rows = _plain_rows(text, table.header_line)
        del table, text  # the rows hold the text while they are read
        reader = _FileReader(spec, ctx, errors, width)
        order_id_name = spec.names["order_id"]
        values_of, start, add_line, finish = reader.values, reader.start, reader.add_line, reader.finish
        open_orders: dict[str, _OrderBuilder] = {}
        for number, cells in rows:
            v = values_of(cells)
            raw = v[ORDER_ID]
            if not raw:
                errors.add(number, order_id_name, None, "value required")
                continue
            builder = open_orders.get(raw)
            if builder is None:
                builder = open_orders[raw] = start(number, v)
            if builder.ok:
                builder.ok = add_line(builder, number, v)
            if last_line.get(hash(raw)) == number:
                del open_orders[raw]
                if builder.ok:
                    yield finish(builder)
        for builder in open_orders.values():  # only when two ids share a hash and the later one ended first
            if builder.ok:
                yield finish(builder)


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
