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
