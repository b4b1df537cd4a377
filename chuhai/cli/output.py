"""Printing for people (aligned plain-text tables) and for scripts (JSON with stable keys, money as strings)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from chuhai.core.money import minor_units


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = (),
                file=None) -> None:
    """Print rows under headers in aligned columns; ``right`` lists column indexes aligned right (numbers)."""
    file = file or sys.stdout
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], display_width(value))
    lines = [headers, *cells]
    for row in lines:
        text = "  ".join(_pad(str(v), widths[i], i in right) for i, v in enumerate(row))
        print(text.rstrip(), file=file)


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: object, file=None) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_default), file=file or sys.stdout)


def amount_text(amount: Decimal | None, currency: str) -> str | None:
    """A stored amount as plain text: at least the currency's minor unit (12.50), more only when it has more
    significant digits (unit cost 0.0375), never float noise or trailing zeros of the storage precision."""
    if amount is None:
        return None
    places = minor_units(currency) if currency else 2
    value = Decimal(amount).normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent < places:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")


def rate_text(rate: Decimal, significant: int = 10) -> str:
    """An exchange rate to ``significant`` digits, without exponent (0.006712345678, 7.8123)."""
    if rate == 0:
        return "0"
    rounded = rate.quantize(Decimal(1).scaleb(rate.adjusted() - significant + 1))
    return format(rounded.normalize(), "f")


REPORT_FORMATS = ("table", "csv", "json", "xlsx")


def add_report_arguments(parser, by_choices: Sequence[str] = (), default_by: str | None = None) -> None:
    """The options every ``chuhai report ...`` command shares: period, grouping, currency, format and output."""
    from .arguments import iso_date, upper

    parser.add_argument("--from", dest="date_from", type=iso_date, metavar="D", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=iso_date, metavar="D", help="last day, inclusive")
    if by_choices:
        parser.add_argument("--by", choices=by_choices, default=default_by or by_choices[0],
                            help="group rows by (default: %(default)s)")
    parser.add_argument("--currency", type=upper, metavar="CCY",
                        help="report in this currency (default: the company's base currency)")
    parser.add_argument("--format", choices=REPORT_FORMATS, default="table", help="default: %(default)s")
    parser.add_argument("--output", metavar="FILE", help="write to FILE instead of the screen (needed for xlsx)")


def write_report(spec, rows: Sequence, fmt: str, output: str | None, file=None) -> None:
    """Write a report drawn from a :class:`chuhai.core.exports.TableSpec` — the same spec the web page and its
    Excel export use — as an aligned table, CSV, JSON (money as strings, rounded to the currency) or XLSX."""
    from chuhai.core.exports import export_csv, export_xlsx

    if fmt == "xlsx" and not output:
        raise SystemExit("--format xlsx needs --output FILE")
    if fmt in ("csv", "xlsx"):
        data = export_csv(spec, rows) if fmt == "csv" else export_xlsx(spec, rows)
        if output:
            with open(output, "wb") as fh:
                fh.write(data)
        else:
            (file or sys.stdout).write(data.decode("utf-8-sig"))
        return
    if fmt == "json":
        keys = [c.key for c in spec.columns]
        text = json.dumps([dict(zip(keys, spec.values(row), strict=True)) for row in rows], ensure_ascii=False,
                          indent=2, default=_default)
    else:
        import io

        buffer = io.StringIO()
        right = [i for i, c in enumerate(spec.columns) if c.numeric]
        print_table(spec.headers(), [["" if v is None else v for v in spec.values(row)] for row in rows],
                    right=right, file=buffer)
        text = buffer.getvalue().rstrip("\n")
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        print(text, file=file or sys.stdout)
