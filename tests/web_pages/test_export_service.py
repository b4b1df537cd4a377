"""chuhai.core.exports on its own: empty money cells, local times, minor units per row's currency."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from chuhai.core.exports import DATETIME, MONEY, Column, TableSpec, export_csv, export_xlsx, money_text


@dataclass
class Row:
    at: dt.datetime
    amount: Decimal | None
    currency: str


SPEC = TableSpec("test", (
    Column("at", "At", lambda r: r.at, kind=DATETIME),
    Column("amount", "Amount", lambda r: r.amount, kind=MONEY, currency=lambda r: r.currency),
))
ROWS = [
    Row(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC), Decimal("1234.5"), "KWD"),
    Row(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC), None, "USD"),
    Row(dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC), Decimal("99.5"), "JPY"),
]


def test_money_column_needs_a_currency():
    with pytest.raises(ValueError):
        Column("x", "X", lambda r: r, kind=MONEY)


def test_csv_rounds_per_currency_and_leaves_missing_amounts_empty():
    with timezone.override("Asia/Shanghai"):
        rows = list(csv.reader(io.StringIO(export_csv(SPEC, ROWS).decode("utf-8-sig"))))
    assert rows[0] == ["At", "Amount"]
    assert rows[1] == ["2026-03-02 04:00:00", "1234.500"]  # 20:00 UTC is 04:00 next day in Shanghai; KWD has 3
    assert rows[2][1] == ""
    assert rows[3][1] == "100"  # JPY: no minor unit, half-up


def test_xlsx_keeps_numbers_numeric_and_times_local():
    with timezone.override("Asia/Shanghai"):
        sheet = load_workbook(io.BytesIO(export_xlsx(SPEC, ROWS))).active
    assert sheet["A2"].value == dt.datetime(2026, 3, 2, 4, 0)
    assert sheet["B2"].value == pytest.approx(1234.5) and sheet["B2"].number_format == '#,##0.000 "KWD"'
    assert sheet["B3"].value is None
    assert sheet["B4"].value == 100


def test_money_text_groups_for_the_reader():
    assert money_text(Decimal("1234.5"), "EUR", "de") == "1.234,50 EUR"
    assert money_text(Decimal("1234.5"), "CNY", "zh-hans") == "1,234.50 CNY"
    assert money_text(None, "CNY") == ""
