"""Amazon "Date Range" / custom unified transaction report (Payments → Reports Repository, CSV) →
:class:`~chuhai.channels.ingest.records.LedgerRecord` lines.

The CSV has every field quoted, CRLF line ends and a preamble of 4–8 lines whose length varies, so the header is
found by its first cell (``date/time``), never by skipping a fixed count. Column sets drift: US 2017 (23 columns,
``sales tax collected`` and ``Marketplace Facilitator Tax``), the 2020s (``product sales tax``, ``Regulatory Fee``,
``marketplace withheld tax``…, with or without order city/state/postal), UK spelling (``fulfilment``,
``postage credits``) and India (``TCS-CGST``, ``TDS (Section 194-O)``, ``Transaction Status``…). Columns are read by
name; unknown ones are ignored.

Each non-zero money cell of a row becomes one ledger line whose ``amount_type`` is the column's canonical name
(``product sales``) and ``transaction_type`` the row's ``type`` (Order, Refund, Transfer…). Zero cells carry no
money and are not stored (a 2020s row has 15 money columns, mostly zero); a row whose cells are all zero is kept as
one zero line of type ``total`` so that no row is lost. ``total`` is never a line: it is the check — the parts of
every row must add up to it exactly, and a row that does not is a located error (a money column we do not know,
or a damaged file). The currency is taken from the preamble's "All amounts in USD", else the account's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext_lazy

from ..ingest import values
from ..ingest.errors import CellError, ErrorCollector, FileRejected
from ..ingest.reading import ColumnSpec, Payload, Row, read_delimited
from ..ingest.reading import cell as read_cell
from ..ingest.records import LedgerRecord
from ..ingest.sources import ParseContext, Source
from .settlement import local_time, order_ref

ZERO = Decimal(0)

#: First cell of the header line, in the languages Seller Central exports.
DATE_HEADERS = {"date/time", "datum/uhrzeit", "date/heure", "fecha/hora", "data/ora", "日付/時間", "datum/tijd"}

#: canonical money column → the header names it goes by.
MONEY_COLUMNS = {
    "product sales": ("product sales",),
    "product sales tax": ("product sales tax",),
    "shipping credits": ("shipping credits", "postage credits"),
    "shipping credits tax": ("shipping credits tax", "postage credits tax"),
    "gift wrap credits": ("gift wrap credits", "giftwrap credits"),
    "giftwrap credits tax": ("giftwrap credits tax", "gift wrap credits tax"),
    "regulatory fee": ("regulatory fee",),
    "tax on regulatory fee": ("tax on regulatory fee",),
    "promotional rebates": ("promotional rebates",),
    "promotional rebates tax": ("promotional rebates tax",),
    "sales tax collected": ("sales tax collected",),
    "marketplace facilitator tax": ("marketplace facilitator tax",),
    "marketplace withheld tax": ("marketplace withheld tax",),
    "total sales tax liable(gst before adjusting tcs)": ("total sales tax liable(gst before adjusting tcs)",
                                                         "total sales tax liable (gst before adjusting tcs)"),
    "tcs-cgst": ("tcs-cgst",),
    "tcs-sgst": ("tcs-sgst",),
    "tcs-igst": ("tcs-igst",),
    "tcs-utgst": ("tcs-utgst",),
    "tds (section 194-o)": ("tds (section 194-o)",),
    "selling fees": ("selling fees",),
    "fba fees": ("fba fees",),
    "other transaction fees": ("other transaction fees",),
    "other": ("other",),
}

REQUIRED = {
    "posted_at": ("date/time",),
    "settlement_id": ("settlement id",),
    "type": ("type",),
    "total": ("total",),
}
OPTIONAL = {
    "order_id": ("order id",),
    "sku": ("sku",),
    "description": ("description",),
    "quantity": ("quantity",),
    "marketplace": ("marketplace",),
    "fulfilment": ("fulfillment", "fulfilment"),
    **{f"money:{name}": synonyms for name, synonyms in MONEY_COLUMNS.items()},
}
KEY_CELLS = ("posted_at", "settlement_id", "type", "order_id", "sku", "description", "quantity", "marketplace",
             "fulfilment")
PREAMBLE_CURRENCY = re.compile(r"All amounts in ([A-Z]{3})\b")
#: ``Jun 8, 2025 10:23:05 PM PDT`` written without quotes (a re-saved file) splits into ``Jun 8`` and ``2025 …``.
SPLIT_DATE = (re.compile(r"^[A-Za-z]{3,9}\.? \d{1,2}$"), re.compile(r"^\s*\d{4}\b"))


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0] in DATE_HEADERS


def preamble_currency(payload: Payload) -> str | None:
    match = PREAMBLE_CURRENCY.search(payload.data[:4096].decode("utf-8", errors="ignore"))
    return match.group(1) if match else None


def rejoin_split_date(row: Row, width: int) -> Row:
    """A row one cell too long whose first two cells are the halves of an unquoted US date is made whole."""
    cells = row.cells
    if (len(cells) == width + 1 and SPLIT_DATE[0].match(cells[0] or "") and SPLIT_DATE[1].match(cells[1] or "")):
        return Row(row.line, [f"{cells[0]},{cells[1]}", *cells[2:]])
    return row


class TransactionReport(Source):
    name = "amazon-transactions"
    kind = "transactions"
    platforms = ("amazon",)
    label = gettext_lazy("Amazon Date Range / unified transaction report")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[LedgerRecord]:
        table = None
        refused = None
        for delimiter in (",", ";", "\t"):  # as exported, or re-saved by a European spreadsheet
            try:
                table = read_delimited(payload, legacy=ctx.legacy_encoding, delimiter=delimiter,
                                       is_header=_is_header)
                break
            except FileRejected as exc:
                refused = refused or exc
        if table is None:
            raise refused
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        money = [(key.removeprefix("money:"), key) for key in spec.positions
                 if key.startswith("money:") and spec[key] is not None]
        currency = preamble_currency(payload)
        if currency:
            try:
                currency = values.currency_code(currency)
            except CellError:
                currency = None
        currency = currency or ctx.currency

        width = len(table.columns.names)
        for row in table.rows:
            before = len(errors.errors)
            row = rejoin_split_date(row, width)

            def cell(key, parse, **kwargs):
                return read_cell(row, spec, key, parse, errors, **kwargs)  # noqa: B023 (used at once)

            posted = cell("posted_at", lambda v: local_time(v, ctx), required=True)
            total = cell("total", values.decimal, required=True)
            common = dict(
                line=row.line,
                currency=currency,
                settlement_ref=cell("settlement_id", values.identifier, default=""),
                transaction_type=values.text(row.get(spec["type"])),
                order_ref=cell("order_id", order_ref, default=""),
                sku=values.text(row.get(spec["sku"])),
                quantity=cell("quantity", values.integer),
                posted_at=posted,
                marketplace=values.text(row.get(spec["marketplace"])),
                fulfilment=values.text(row.get(spec["fulfilment"])),
                description=values.text(row.get(spec["description"])),
            )
            parts = [(name, cell(key, values.decimal)) for name, key in money if row.get(spec[key]) is not None]
            if len(errors.errors) > before or errors.truncated:  # past the error limit a bad cell is not listed
                continue
            added = sum((amount for _, amount in parts), ZERO)
            if added != total:
                errors.add(row.line, spec.names["total"], values.text(row.get(spec["total"])),
                           f"the row's amounts add up to {added}, not to its total (difference {total - added}); "
                           f"a money column chuhai does not know, or a damaged file")
                continue
            key = tuple(values.text(row.get(spec[name])) for name in KEY_CELLS)
            lines = [(name, amount) for name, amount in parts if amount != 0] or [("total", ZERO)]
            for name, amount in lines:
                yield LedgerRecord(amount=amount, amount_type=name, raw_key=(*key, name, str(amount)), **common)
