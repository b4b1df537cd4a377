"""Tables as data: one *table spec* describes a table's columns once, and both the web page and the CSV / Excel
exports are drawn from it, so what a seller sees on screen and what lands in their spreadsheet cannot drift apart.

A :class:`Column` knows its (translatable) header, how to read a value from a row object and what kind of value it
is. Money columns carry a currency getter: the amount is rounded once, here, with :func:`chuhai.core.money.quantize`
to that currency's minor unit, and leaves as a number (``Decimal``) — a number cell with a currency number format in
Excel, a plain ``1234.50`` in CSV (the spec shows the currency in a column of its own) and ``1,234.50 USD`` on screen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from .money import minor_units, quantize

TEXT, NUMBER, MONEY, DATE, DATETIME, BOOL = "text", "number", "money", "date", "datetime", "bool"
KINDS = (TEXT, NUMBER, MONEY, DATE, DATETIME, BOOL)


@dataclass(frozen=True)
class Column:
    """One column: ``header`` (lazy-translated), ``value(row)`` and the kind of value it yields.

    ``currency(row)`` is required for money columns. ``url(row)``, ``display(row)`` and ``code`` only affect the web
    page (a link, a friendlier label, an identifier's font); exports always take ``value``.
    """

    key: str
    header: Any
    value: Callable[[Any], Any]
    kind: str = TEXT
    currency: Callable[[Any], str] | None = None
    url: Callable[[Any], str] | None = None
    display: Callable[[Any], Any] | None = None
    #: An identifier (SKU, order id, code): shown in a monospace font and never wrapped.
    code: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == MONEY and self.currency is None:
            raise ValueError(f"money column {self.key!r} needs a currency getter")

    def cell_value(self, row) -> Any:
        """The exported value: money rounded to its currency, datetimes in the active time zone, None kept."""
        value = self.value(row)
        if value is None or (value == "" and self.kind != TEXT):
            return None
        if self.kind == MONEY:
            return quantize(Decimal(value), self.currency(row))
        if self.kind == DATETIME and timezone.is_aware(value):
            return timezone.localtime(value)
        return value

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, MONEY)


@dataclass(frozen=True)
class TableSpec:
    """A named list of columns (``name`` becomes the export file name and the Excel sheet title)."""

    name: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def values(self, row) -> list[Any]:
        return [c.cell_value(row) for c in self.columns]


# -- screen -----------------------------------------------------------------------------------------------------

def babel_locale(language: str | None = None) -> str:
    """Django's active language as a babel locale (``zh-hans`` → ``zh_Hans``)."""
    return to_locale(language or get_language() or "en")


def amount_pattern(currency: str) -> str:
    digits = minor_units(currency)
    return "#,##0" + ("." + "0" * digits if digits else "")


def money_text(amount: Decimal | None, currency: str, language: str | None = None) -> str:
    """``1,234.50 USD``: rounded to the currency's minor unit, grouped for the reader's locale, with the ISO code
    (symbols such as ``$`` are ambiguous across the marketplaces a seller works in)."""
    if amount is None or not currency:
        return ""
    value = quantize(Decimal(amount), currency)
    return f"{format_decimal(value, format=amount_pattern(currency), locale=babel_locale(language))} {currency}"


def decimal_text(value: Decimal, places: int = 10, language: str | None = None) -> str:
    """A rate or ratio for reading: up to ``places`` decimals, trailing zeros dropped, never ``2.54E+4``."""
    return format_decimal(value, format="#,##0." + "#" * places, locale=babel_locale(language))


def display_text(column: Column, row, language: str | None = None) -> str:
    """What the web table shows in a cell."""
    if column.display is not None:
        shown = column.display(row)
        return "" if shown is None else str(shown)
    value = column.value(row)
    if value is None:
        return ""
    if column.kind == MONEY:
        return money_text(value, column.currency(row), language)
    if column.kind == BOOL:
        return _("Yes") if value else _("No")
    if column.kind == DATETIME:
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if column.kind == DATE:
        return value.isoformat()
    if column.kind == NUMBER and isinstance(value, (int, Decimal)):
        return format_decimal(value, locale=babel_locale(language), decimal_quantization=False)
    return str(value)


# -- files ------------------------------------------------------------------------------------------------------

def _csv_text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == BOOL:
        return _("Yes") if value else _("No")
    if column.kind == DATETIME:
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, Decimal, int)):
        return str(value) if not isinstance(value, dt.date) else value.isoformat()
    return str(value)


def export_csv(spec: TableSpec, rows: Iterable) -> bytes:
    """UTF-8 *with* BOM (Excel otherwise reads Chinese as mojibake), one header row, numbers without grouping."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spec.headers())
    for row in rows:
        writer.writerow([_csv_text(c, v) for c, v in zip(spec.columns, spec.values(row), strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def excel_money_format(currency: str) -> str:
    """A number format that keeps the cell numeric but shows the currency: ``#,##0.00 "USD"``."""
    return f'{amount_pattern(currency)} "{currency}"'


def export_xlsx(spec: TableSpec, rows: Iterable) -> bytes:
    """An .xlsx with real number cells (money as ``Decimal`` with a currency number format), a bold header row
    frozen at the top. Written in openpyxl's streaming mode so large tables stay within memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=spec.name[:31] or "export")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        width = 18 if column.kind in (DATETIME, MONEY) else max(10, min(40, len(str(column.header)) + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for title in spec.headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(spec.columns, spec.values(row), strict=True):
            if column.kind == DATETIME and value is not None:
                value = value.replace(tzinfo=None)  # Excel has no time zones; the value is already local time
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind == MONEY and value is not None:
                cell.number_format = excel_money_format(column.currency(row))
            elif column.kind == DATETIME:
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif column.kind == DATE:
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORTERS = {
    "csv": (export_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
