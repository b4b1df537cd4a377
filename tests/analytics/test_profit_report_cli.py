"""``chuhai report profit|pnl`` in every format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from chuhai.cli.main import main

from .test_profit_report_builders import two_skus

pytestmark = pytest.mark.django_db
MARCH = ("--from", "2026-03-01", "--to", "2026-03-31")


def run(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_profit_json(capsys):
    two_skus()
    code, out, _err = run(capsys, "report", "profit", "--by", "sku", *MARCH, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["label"] for r in rows] == ["LAMP-2", "MUG-1"]
    # MUG-1: 150 - 22.50 - 60 = 67.50 at 45 %
    assert rows[1]["profit"] == "67.50" and rows[1]["margin_percent"] == "45.00"
    assert rows[1]["status"] == "partly_estimated" and rows[0]["cogs_estimated"] is True
    assert rows[1]["currency"] == "CNY"


def test_profit_table_and_csv_file(capsys, tmp_path):
    two_skus()
    code, out, _err = run(capsys, "report", "profit", "--by", "account", *MARCH)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Channel account") and "AMZ-DE" in lines[1] and "80.00" in lines[1]
    target = tmp_path / "profit.csv"
    code, _out, _err = run(capsys, "report", "profit", "--by", "country", *MARCH, "--format", "csv",
                           "--output", str(target))
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert code == 0 and rows[0][0] == "Ship-to country"
    assert {r[0] for r in rows[1:]} == {"US", "CA", "DE"}


def test_pnl_xlsx_and_json(capsys, tmp_path):
    two_skus()
    target = tmp_path / "pnl.xlsx"
    code, _out, _err = run(capsys, "report", "pnl", *MARCH, "--format", "xlsx", "--output", str(target))
    assert code == 0
    sheet = load_workbook(target).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["Line"] == ("Line", "2026-03", "Total", "Currency", "Estimated")
    assert rows["Contribution"][2] == 147.5 and rows["Net revenue"][1] == 350
    code, out, _err = run(capsys, "report", "pnl", *MARCH, "--total-only", "--format", "json")
    lines = {line["line"]: line for line in json.loads(out)}
    assert lines["Cost of goods"] == {"line": "Cost of goods", "total": "-150.00", "currency": "CNY",
                                      "estimated": "total"}
    assert lines["Margin %"]["currency"] == "%"


def test_errors_are_one_line(capsys):
    two_skus()
    code, _out, err = run(capsys, "report", "profit", "--account", "NOPE")
    assert code == 1 and "no channel account 'NOPE'" in err
    code, _out, err = run(capsys, "report", "pnl", *MARCH, "--currency", "VND")
    assert code == 1 and "VND" in err
    code, _out, err = run(capsys, "report", "pnl", "--format", "xlsx")
    assert code != 0 and "--output" in err
