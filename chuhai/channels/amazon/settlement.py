"""Amazon settlement report, flat file (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`` and ``…_FLAT_FILE_V2``) →
one :class:`~chuhai.channels.ingest.records.SettlementRecord` and its
:class:`~chuhai.channels.ingest.records.LedgerRecord` lines.

Both layouts are TSV and are told apart by their header:

- V2 (narrow): each row carries one amount with its ``amount-type`` / ``amount-description`` (``ItemPrice`` /
  ``Principal``) → one ledger line per row.
- V1 (wide): a row carries its amounts in typed column pairs (``price-type`` / ``price-amount``,
  ``item-related-fee-type`` / ``item-related-fee-amount``…) → one ledger line per non-empty amount column, with
  ``amount_type`` naming the column pair in V2's vocabulary (``ItemPrice``, ``ItemFees``, ``Promotion``…) and
  ``amount_description`` the paired type cell (``Principal``, ``FBAPerOrderFulfillmentFee``) — so both layouts
  land on the same words.

The first data row is the settlement summary (id, period, deposit date, total, currency). A row with no amount at
all (V1 splits an item into a quantity-only row and amount rows) is kept as a zero line carrying its quantity, so
no row of the file is lost; zero lines do not change any sum. Non-order lines — reserves, Cost of Advertising,
Storage Fee, Subscription Fee, FBA Inventory Reimbursement — are lines like any other; ``amount-type`` is brought
to one spelling (``Other-Transaction`` → ``other-transaction``).

``posted-date-time`` (``2025-06-09 05:23:19 UTC``) is preferred; a bare ``posted-date`` may have been rewritten by a
spreadsheet (``09/06/25``), so slash dates are read month-first in the marketplaces that write them so (US, CA,
PH) and day-first elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from ..ingest import values
from ..ingest.errors import CellError, ErrorCollector, FileRejected, RowError
from ..ingest.reading import ColumnSpec, Payload, Row, cell, read_delimited
from ..ingest.records import LedgerRecord, SettlementRecord
from ..ingest.sources import ParseContext, Source

#: Marketplaces whose slash dates are month/day/year.
MONTH_FIRST_MARKETS = {"US", "CA", "PH"}

#: V1 amount columns: (amount column, its type column or None, amount_type in V2's words).
V1_AMOUNTS = (
    ("price-amount", "price-type", "ItemPrice"),
    ("item-related-fee-amount", "item-related-fee-type", "ItemFees"),
    ("shipment-fee-amount", "shipment-fee-type", "ShipmentFees"),
    ("order-fee-amount", "order-fee-type", "OrderFees"),
    ("misc-fee-amount", None, "MiscFees"),
    ("other-fee-amount", "other-fee-reason-description", "OtherFees"),
    ("promotion-amount", "promotion-type", "Promotion"),
    ("direct-payment-amount", "direct-payment-type", "DirectPayment"),
    ("other-amount", None, "Other"),
)

#: One spelling for V2 ``amount-type`` values whose casing varies between files.
AMOUNT_TYPES = {name.casefold(): name for name in (
    "ItemPrice", "ItemFees", "Promotion", "ItemWithheldTax", "other-transaction", "Cost of Advertising",
    "FBA Inventory Reimbursement", "ShipmentFees", "OrderFees",
)}

SUMMARY = {
    "settlement_id": ("settlement-id",),
    "total": ("total-amount",),
    "currency": ("currency",),
    "transaction_type": ("transaction-type",),
}
COMMON = {
    "start": ("settlement-start-date",),
    "end": ("settlement-end-date",),
    "deposit": ("deposit-date",),
    "order_id": ("order-id",),
    "merchant_order_id": ("merchant-order-id",),
    "adjustment_id": ("adjustment-id",),
    "shipment_id": ("shipment-id",),
    "marketplace": ("marketplace-name",),
    "fulfilment": ("fulfillment-id",),
    "posted_date": ("posted-date",),
    "posted_date_time": ("posted-date-time",),
    "order_item_code": ("order-item-code",),
    "merchant_order_item_id": ("merchant-order-item-id",),
    "merchant_adjustment_item_id": ("merchant-adjustment-item-id",),
    "sku": ("sku",),
    "quantity": ("quantity-purchased",),
    "promotion_id": ("promotion-id",),
}
#: The cells that identify a row (with its amount), in this order, for the line's fingerprint.
KEY_CELLS = ("transaction_type", "order_id", "merchant_order_id", "adjustment_id", "shipment_id", "marketplace",
             "fulfilment", "posted_date", "posted_date_time", "order_item_code", "merchant_order_item_id",
             "merchant_adjustment_item_id", "sku", "quantity", "promotion_id")
V2 = {"amount_type": ("amount-type",), "amount_description": ("amount-description",), "amount": ("amount",)}


def local_time(value, ctx: ParseContext):
    """A settlement or transaction date in the marketplace's conventions; naive times are marketplace-local."""
    if ctx.marketplace in MONTH_FIRST_MARKETS:
        formats = ("%m/%d/%y", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M")
    else:
        formats = ("%d/%m/%y", "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M", "%d.%m.%y")
    return values.timestamp(value, formats=formats, tz=ctx.zone, dayfirst=ctx.marketplace not in MONTH_FIRST_MARKETS)


def memoised(convert, limit: int = 100_000):
    """``convert`` remembering its results: a settlement's 200,000 rows carry a few thousand distinct dates, and
    parsing each one once instead of per row saves a quarter of the parse. Errors are raised every time."""
    cache: dict = {}

    def get(value):
        try:
            return cache[value]
        except KeyError:
            pass
        if len(cache) >= limit:
            cache.clear()
        result = cache[value] = convert(value)
        return result

    return get


def key_reader(spec: ColumnSpec):
    """``row → tuple of values.text(cell) for KEY_CELLS``, the same texts (so the same fingerprints), without a
    function call per cell: this runs for 15 cells of every row."""
    positions = [spec[name] for name in KEY_CELLS]
    text = values.text

    def read(row: Row) -> tuple:
        cells = row.cells
        size = len(cells)
        out = []
        for index in positions:
            value = cells[index] if index is not None and index < size else None
            if isinstance(value, str):
                value = value.strip()
                out.append(value[1:] if value.startswith("'") else value)
            else:
                out.append(text(value))
        return tuple(out)

    return read


def order_ref(value) -> str:
    return values.amazon_order_id(value)


def _is_header(cells: list[str]) -> bool:
    return "settlement-id" in cells and "transaction-type" in cells


class SettlementReport(Source):
    name = "amazon-settlement"
    kind = "settlement"
    platforms = ("amazon",)
    label = gettext_lazy("Amazon settlement report (flat file V1/V2)")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector
              ) -> Iterator[SettlementRecord | LedgerRecord]:
        table = read_delimited(payload, legacy=ctx.legacy_encoding, delimiter="\t", is_header=_is_header)
        columns = table.columns
        if columns.find("amount-type") is not None and columns.find("amount") is not None:
            spec = ColumnSpec(table, {**SUMMARY, **V2}, COMMON)
            amounts = None
        elif any(columns.find(amount) is not None for amount, _, _ in V1_AMOUNTS):
            optional = dict(COMMON)
            for amount, type_column, _ in V1_AMOUNTS:
                optional[amount] = (amount,)
                if type_column:
                    optional[type_column] = (type_column,)
            spec = ColumnSpec(table, SUMMARY, optional)
            amounts = [(a, t, label) for a, t, label in V1_AMOUNTS if spec[a] is not None]
        else:
            raise FileRejected(table.file_name, [RowError(
                table.header_line, "amount-type, amount", None,
                "not a settlement flat file: neither the V2 columns (amount-type, amount-description, amount) nor "
                "the V1 amount columns (price-amount, item-related-fee-amount…) are there")])

        summary = None
        when = memoised(lambda v: local_time(v, ctx))
        key_of = key_reader(spec)
        for row in table.rows:
            if summary is None:
                summary = self._summary(row, spec, ctx, errors)
                yield summary
                if not self._has_content(row, spec, amounts):
                    continue
            elif self._is_repeated_summary(row, spec, amounts, summary, errors):
                continue
            settlement_id = values.text(row.get(spec["settlement_id"]))
            if settlement_id and settlement_id != summary.settlement_id:
                errors.add(row.line, spec.names["settlement_id"], settlement_id,
                           f"a settlement report holds one settlement; this file's summary is "
                           f"{summary.settlement_id}")
                continue
            yield from self._lines(row, spec, amounts, summary, ctx, errors, when, key_of)
        if summary is None:
            raise FileRejected(table.file_name, [RowError(None, None, None, "the settlement report has no rows")])

    def _summary(self, row: Row, spec: ColumnSpec, ctx: ParseContext, errors: ErrorCollector) -> SettlementRecord:
        def when(key):
            return cell(row, spec, key, lambda v: local_time(v, ctx), errors)

        settlement_id = cell(row, spec, "settlement_id", values.identifier, errors, required=True)
        total = cell(row, spec, "total", values.decimal, errors)
        if total is None:
            errors.add(row.line, spec.names["total"], None,
                       "the first row must be the settlement summary, with the settlement's total amount")
        return SettlementRecord(
            line=row.line,
            settlement_id=settlement_id or "",
            currency=cell(row, spec, "currency", values.currency_code, errors, required=True, default=ctx.currency),
            start_at=when("start"), end_at=when("end"), deposit_at=when("deposit"),
            total_amount=total,
        )

    def _has_content(self, row: Row, spec: ColumnSpec, amounts) -> bool:
        if row.get(spec["transaction_type"]) is not None:
            return True
        if amounts is None:
            return row.get(spec["amount"]) is not None
        return any(row.get(spec[a]) is not None for a, _, _ in amounts)

    def _is_repeated_summary(self, row, spec, amounts, summary: SettlementRecord, errors) -> bool:
        """A later summary-only row: ignored when it repeats the summary, an error when it contradicts it."""
        if self._has_content(row, spec, amounts):
            return False
        total = row.get(spec["total"])
        if total is None:
            return True
        try:
            same = values.decimal(total) == summary.total_amount
        except CellError:
            same = False
        if not same:
            errors.add(row.line, spec.names["total"], total,
                       f"a second summary row contradicts the first (total {summary.total_amount})")
        return True

    def _lines(self, row: Row, spec: ColumnSpec, amounts, summary: SettlementRecord, ctx: ParseContext,
               errors: ErrorCollector, when, key_of) -> Iterator[LedgerRecord]:
        before = len(errors.errors)
        posted = None
        if row.get(spec["posted_date_time"]) is not None:
            posted = cell(row, spec, "posted_date_time", when, errors)
        elif row.get(spec["posted_date"]) is not None:
            posted = cell(row, spec, "posted_date", when, errors)
        common = dict(
            line=row.line,
            currency=cell(row, spec, "currency", values.currency_code, errors, default=summary.currency),
            settlement_ref=summary.settlement_id,
            transaction_type=values.text(row.get(spec["transaction_type"])),
            order_ref=cell(row, spec, "order_id", order_ref, errors, default=""),
            sku=cell(row, spec, "sku", values.text, errors, default=""),
            quantity=cell(row, spec, "quantity", values.integer, errors),
            posted_at=posted,
            marketplace=values.text(row.get(spec["marketplace"])),
            fulfilment=values.text(row.get(spec["fulfilment"])),
        )
        key = key_of(row)
        found = []
        if amounts is None:
            raw = row.get(spec["amount"])
            amount_type = values.text(row.get(spec["amount_type"]))
            description = values.text(row.get(spec["amount_description"]))
            if raw is not None or amount_type or description:
                amount = values.decimal(0) if raw is None else cell(row, spec, "amount", values.decimal, errors)
                found.append((AMOUNT_TYPES.get(amount_type.casefold(), amount_type), description, "amount",
                              amount, raw or ""))
        else:
            for amount_column, type_column, label in amounts:
                raw = row.get(spec[amount_column])
                if raw is None:
                    continue
                description = values.text(row.get(spec[type_column])) if type_column else ""
                found.append((label, description, amount_column,
                              cell(row, spec, amount_column, values.decimal, errors), raw))
        if len(errors.errors) > before or errors.truncated:  # past the error limit a bad cell is not listed
            return
        if not found:  # a quantity-only (or otherwise amount-less) row: kept as a zero line
            found.append(("", "", "", values.decimal(0), ""))
        for amount_type, description, column, amount, raw in found:
            yield LedgerRecord(amount=amount, amount_type=amount_type, amount_description=description,
                               raw_key=(*key, column, amount_type, description, raw), **common)
