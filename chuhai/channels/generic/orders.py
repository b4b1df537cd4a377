"""Orders from any CSV/XLSX, described by a mapping file (:mod:`.mapping`) — a distributor's sheet, a dropship
partner's export, or a data set such as UCI "Online Retail".

Rules, chosen on the real Online Retail file (541,909 lines) and documented here because they decide numbers:

- **Grouping**: rows with the same ``order_id`` form one order, wherever they are in the file. A first, cheap pass
  finds the ids whose rows are not adjacent (one invoice in Online Retail, ``542806``); every other order is
  yielded as soon as its rows end, so memory stays flat however long the file is.
- **Credit documents**: an order is a credit (``document_type="credit"``) when its ``cancellation.column`` starts
  with ``cancellation.prefix`` (``C536379``), or when it has a negative quantity, or when its goods value is
  negative (Online Retail's ``A563186`` "Adjust bad debt": quantity 1 at −11,062.06). Credits keep the file's
  signs — negative quantities and amounts — so summing every document gives the file's own total; their status is
  ``cancellation.status`` (default ``refunded``, a status that counts in revenue, so the credit reduces it).
- **Zero and negative prices** (adjustments, damages, samples, ``POST``/``M``/``D``/``BANK CHARGES`` codes) are
  kept as lines under their own channel SKU; nothing is dropped. Quantity 0 is an error (an order line has units).
- **One order, one buyer**: the rows of an order must agree on currency, customer, ship-to country and
  cancellation flag; a row that disagrees is an error naming it. Their times may differ (43 Online Retail
  invoices straddle a minute boundary): the order's purchase time is the earliest.
- **Countries**: ISO codes and exact ISO names become the ship-to country (``United Kingdom`` → GB, ``USA`` → US);
  any other text (``EIRE``, ``RSA``, ``Channel Islands``, ``European Community``, ``Unspecified``) is never guessed:
  the ship-to country stays empty and the text is kept in the ship-to region, where people see it. The mapping's
  ``countries`` section records a person's decision (``{EIRE: IE}``).
- **Customers**: ``customer_id`` is kept as it is, an e-mail only as a digest; rows without either are guest
  orders with an empty customer reference.
- **Status**: a ``status`` column (translated by ``statuses``), else ``constants.status``, else ``shipped`` —
  a line in a sales export is a sale that happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import ErrorCollector, FileRejected, RowError
from chuhai.channels.ingest.reading import ColumnSpec, Payload, Row, Table, cell, normalize_header, read_table
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source
from chuhai.channels.ingest.values import email_ref, resolve_country
from chuhai.orders.models import FulfilmentChannel, OrderStatus

from .mapping import DEFAULT_STATUS, Mapping, MappingError, parse_mapping, read_mapping

CANCEL_KEY = "cancellation"
ITEM_STATUS = {
    OrderStatus.PENDING: "open", OrderStatus.UNSHIPPED: "open", OrderStatus.PARTIALLY_SHIPPED: "open",
    OrderStatus.SHIPPED: "shipped", OrderStatus.DELIVERED: "shipped", OrderStatus.RETURNED: "shipped",
    OrderStatus.REFUNDED: "shipped", OrderStatus.CANCELLED: "cancelled",
}


def order_key(raw) -> str:
    """The grouping key of a row: the order id cell as text (an XLSX number 1001.0 groups with "1001")."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


_PLAIN_INTEGER = re.compile(r"-?\d{1,18}").fullmatch
_PLAIN_DECIMAL = re.compile(r"-?\d{1,20}(?:\.\d{1,12})?").fullmatch


def fast_integer(raw) -> int:
    """:func:`values.integer`, with a shortcut for the plain ``12`` / ``-3`` that make up most files."""
    if type(raw) is str and _PLAIN_INTEGER(raw):
        return int(raw)
    return values.integer(raw)


def fast_identifier(raw) -> str:
    """:func:`values.identifier`, with a shortcut for text that cannot be an Excel-mangled number."""
    if type(raw) is str and "e" not in raw and "E" not in raw and not raw.startswith("'"):
        return raw
    return values.identifier(raw)


def decimal_parser(decimal_comma: bool | None):
    """:func:`values.decimal`, with a shortcut for plain ``2.55`` when the mapping does not declare decimal
    commas (where ``1.234`` would mean a thousand)."""
    slow = partial(values.decimal, decimal_comma=decimal_comma)
    if decimal_comma:
        return slow

    def parse(raw) -> Decimal:
        if type(raw) is str and _PLAIN_DECIMAL(raw):
            return Decimal(raw)
        return slow(raw)

    return parse


def last_value_cache(parse):
    """Remember the last parsed value: consecutive rows of an order repeat their date and currency."""
    last = [object(), None]

    def cached(raw):
        if raw == last[0] and type(raw) is type(last[0]):
            return last[1]
        value = parse(raw)
        last[0], last[1] = raw, value
        return value

    return cached


class _Draft:
    """An order being assembled from its rows."""

    __slots__ = ("key", "line", "external_id", "purchased_at", "updated_at", "currency", "customer_ref",
                 "country_text", "ship_country", "ship_region", "ship_city", "ship_postal", "status", "fulfilment",
                 "cancelled", "lines", "broken", "raw_order")

    def __init__(self, key: str):
        self.key = key
        self.line = 0
        self.external_id = ""
        self.purchased_at = None
        self.updated_at = None
        self.lines: list[LineRecord] = []
        self.broken = False


class _Builder:
    """Turns rows into drafts and drafts into order records, reporting located errors."""

    def __init__(self, m: Mapping, spec: ColumnSpec, ctx: ParseContext, errors: ErrorCollector):
        self.m, self.spec, self.ctx, self.errors = m, spec, ctx, errors
        zone = m.zone or ctx.zone
        self.money = decimal_parser(m.decimal_comma)
        self.purchase_time = last_value_cache(partial(values.timestamp, formats=m.formats.get("purchase_time", ()),
                                                      tz=zone, dayfirst=m.dayfirst))
        self.updated_time = last_value_cache(partial(values.timestamp, formats=m.formats.get("updated_time", ()),
                                                     tz=zone, dayfirst=m.dayfirst))
        self.currency = last_value_cache(values.currency_code)
        self.has = {name: spec.positions.get(name) is not None for name in (*m.columns, CANCEL_KEY)}
        self.order_cells = [spec.positions[name] for name in ("currency", "customer_id", "customer_email",
                                                              "ship_country", CANCEL_KEY) if self.has.get(name)]

    # -- rows ----------------------------------------------------------------------------------------------------
    def _bad(self, row: Row, key: str, value, message: str) -> None:
        self.errors.add(row.line, self.spec.names[key], value, message)

    def _text(self, row: Row, key: str) -> str:
        return values.text(row.get(self.spec[key])) if self.has.get(key) else ""

    def add(self, draft: _Draft, row: Row) -> None:
        spec, errors = self.spec, self.errors
        before = len(errors.errors)
        first = not draft.line
        if first:
            draft.line = row.line
            draft.external_id = cell(row, spec, "order_id", values.identifier, errors, required=True) or ""

        sku = cell(row, spec, "sku", fast_identifier, errors, required=True)
        quantity = cell(row, spec, "quantity", fast_integer, errors, required=True)
        price = cell(row, spec, "unit_price", self.money, errors, required=True)
        if quantity == 0:
            self._bad(row, "quantity", 0, "quantity 0: an order line must have units")
        when = cell(row, spec, "purchase_time", self.purchase_time, errors, required=True)
        if when is not None and (draft.purchased_at is None or when < draft.purchased_at):
            draft.purchased_at = when
        if self.has.get("updated_time"):
            updated = cell(row, spec, "updated_time", self.updated_time, errors)
            if updated is not None and (draft.updated_at is None or updated > draft.updated_at):
                draft.updated_at = updated

        self._order_fields(draft, row, first)

        amounts = {name: cell(row, spec, name, self.money, errors, default=ZERO)
                   for name in ("item_tax", "shipping", "discount") if self.has.get(name)}
        line_total = cell(row, spec, "line_total", self.money, errors) if self.has.get("line_total") else None
        if len(errors.errors) != before or errors.truncated:
            draft.broken = True
            return
        line = LineRecord(channel_sku=sku, quantity=quantity, gross_amount=price * quantity, unit_price=price,
                          product_name=self._text(row, "product_name"), external_line_id=self._text(row, "line_id"))
        if line_total is not None:
            line.gross_amount = line_total
        for name, amount in amounts.items():
            setattr(line, name, abs(amount) if name == "discount" else amount)
        draft.lines.append(line)

    def _order_fields(self, draft: _Draft, row: Row, first: bool) -> None:
        """Order-level values: set from the order's first row, checked on the others (cheaply: a row whose
        order-level cells are the first row's own text agrees by definition)."""
        spec, m = self.spec, self.m
        raw = tuple(row.get(i) for i in self.order_cells)
        if not first and raw == draft.raw_order:
            return
        currency = m.constants.get("currency")
        if self.has.get("currency"):
            currency = cell(row, spec, "currency", self.currency, self.errors, default=currency)
            if currency is None:
                self._bad(row, "currency", None, "currency required (no constants.currency in the mapping)")
        customer = ""
        if self.has.get("customer_id"):
            customer = cell(row, spec, "customer_id", values.identifier, self.errors, default="")
        if not customer and self.has.get("customer_email"):
            customer = email_ref(self._text(row, "customer_email"))
        country_text = self._text(row, "ship_country")
        cancelled = bool(self.has.get(CANCEL_KEY)
                         and self._text(row, CANCEL_KEY).startswith(m.cancellation_prefix))
        if first:
            draft.raw_order = raw
            draft.currency, draft.customer_ref, draft.country_text = currency, customer, country_text
            draft.cancelled = cancelled
            self._place(draft, row, country_text)
            draft.status = self._status(row)
            draft.fulfilment = self._fulfilment(row)
            return
        customer_key = "customer_id" if self.has.get("customer_id") else "customer_email"
        checks = [
            ("currency", currency, draft.currency, "currency"),
            (customer_key, customer, draft.customer_ref, "customer"),
            ("ship_country", country_text, draft.country_text, "ship-to country"),
            (CANCEL_KEY, cancelled, draft.cancelled, "cancellation mark"),
        ]
        for key, ours, theirs, what in checks:
            if ours != theirs and self.has.get(key):
                self._bad(row, key, self._text(row, key), f"order {draft.external_id} has a different {what} on "
                                                          f"line {draft.line}; the rows of one order must agree")

    def _place(self, draft: _Draft, row: Row, country_text: str) -> None:
        m = self.m
        draft.ship_region = self._text(row, "ship_region")
        draft.ship_city = self._text(row, "ship_city")
        draft.ship_postal = self._text(row, "ship_postal")
        draft.ship_country = ""
        if country_text:
            code = m.countries.get(country_text.casefold()) or resolve_country(country_text)
            if code:
                draft.ship_country = code
            else:  # not ISO: keep the text visible rather than guess a code
                draft.ship_region = ", ".join(p for p in (draft.ship_region, country_text) if p)
        else:
            draft.ship_country = m.constants.get("ship_country", "")

    def _status(self, row: Row) -> str:
        raw = self._text(row, "status")
        if not raw:
            return self.m.constants.get("status", DEFAULT_STATUS)
        word = raw.casefold()
        status = self.m.statuses.get(word) or (word if word in OrderStatus.values else None)
        if status is None:
            self._bad(row, "status", raw, "unknown status: add it to the mapping's statuses section "
                                          f"(our statuses: {', '.join(OrderStatus.values)})")
            return DEFAULT_STATUS
        return status

    def _fulfilment(self, row: Row) -> str:
        raw = self._text(row, "fulfilment_channel").casefold()
        if not raw:
            return self.m.constants.get("fulfilment_channel", FulfilmentChannel.MERCHANT)
        if raw not in FulfilmentChannel.values:
            self._bad(row, "fulfilment_channel", raw, f"use one of {', '.join(FulfilmentChannel.values)}")
            return FulfilmentChannel.MERCHANT
        return raw

    # -- orders --------------------------------------------------------------------------------------------------
    def finish(self, draft: _Draft) -> OrderRecord | None:
        if draft.broken or not draft.lines or draft.purchased_at is None or not draft.currency:
            return None
        goods = sum((line.gross_amount for line in draft.lines), Decimal(0))
        credit = draft.cancelled or goods < 0 or any(line.quantity < 0 for line in draft.lines)
        status = self.m.credit_status if credit else draft.status
        item_status = ITEM_STATUS[status]
        for line in draft.lines:
            line.item_status = item_status
        constants = self.m.constants
        return OrderRecord(
            line=draft.line, external_id=draft.external_id, purchased_at=draft.purchased_at, status=status,
            currency=draft.currency, lines=draft.lines, fulfilment_channel=draft.fulfilment,
            ship_country=draft.ship_country, ship_region=draft.ship_region, ship_city=draft.ship_city,
            ship_postal=draft.ship_postal, customer_ref=draft.customer_ref, source_updated_at=draft.updated_at,
            document_type="credit" if credit else "order", tax_model=constants.get("tax_model", ""),
            prices_include_tax=constants.get("prices_include_tax", self.ctx.prices_include_tax),
        )


class MappedOrders(Source):
    name = "generic-orders"
    kind = "orders"
    platforms = ()
    label = gettext_lazy("Orders from any CSV/XLSX (with a mapping file)")
    needs_mapping = True

    def mapping_for(self, ctx: ParseContext) -> Mapping:
        """``ctx.mapping`` (the runner loads the YAML) or ``ctx.options["mapping"]``: a dict, or a YAML path."""
        raw = ctx.mapping if ctx.mapping is not None else ctx.options.get("mapping")
        try:
            if raw is None:
                raise MappingError(["this source needs a mapping file (--mapping FILE.yaml)"])
            if not isinstance(raw, dict):
                raw = read_mapping(raw)
            return parse_mapping(raw)
        except MappingError as exc:
            raise FileRejected(ctx.file_name, [RowError(None, "mapping", None, f"mapping: {p}")
                                               for p in exc.problems]) from exc

    def _open(self, payload: Payload, ctx: ParseContext, m: Mapping) -> tuple[Table, ColumnSpec]:
        keys = {normalize_header(m.columns["order_id"]), normalize_header(m.columns["sku"])}
        table = read_table(payload, legacy=ctx.legacy_encoding, is_header=lambda names: keys <= set(names))
        required = {name: (header,) for name, header in m.columns.items()}
        if m.cancellation_column:
            required[CANCEL_KEY] = (m.cancellation_column,)
        return table, ColumnSpec(table, required=required, optional={})

    def _scattered(self, payload: Payload, ctx: ParseContext, m: Mapping) -> set[str]:
        """Order ids whose rows are not all adjacent (the cheap first pass)."""
        table, spec = self._open(payload, ctx, m)
        index = spec["order_id"]
        done: set[str] = set()
        scattered: set[str] = set()
        current = None
        for row in table.rows:
            key = order_key(row.get(index))
            if key != current:
                if current is not None:
                    done.add(current)
                if key in done:
                    scattered.add(key)
                current = key
        return scattered

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        m = self.mapping_for(ctx)
        scattered = self._scattered(payload, ctx, m)
        table, spec = self._open(payload, ctx, m)
        builder = _Builder(m, spec, ctx, errors)
        index = spec["order_id"]
        held: dict[str, _Draft] = {}
        current: _Draft | None = None
        for row in table.rows:
            key = order_key(row.get(index))
            if current is None or key != current.key:
                if current is not None and current.key not in scattered:
                    record = builder.finish(current)
                    if record is not None:
                        yield record
                current = held.get(key)
                if current is None:
                    current = _Draft(key)
                    if key in scattered:
                        held[key] = current
            builder.add(current, row)
        if current is not None and current.key not in scattered:
            record = builder.finish(current)
            if record is not None:
                yield record
        for draft in held.values():
            record = builder.finish(draft)
            if record is not None:
                yield record

