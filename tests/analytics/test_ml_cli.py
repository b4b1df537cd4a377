"""``chuhai metrics list`` and ``chuhai report METRIC[,METRIC…]`` in every format, next to the existing
``chuhai report profit|pnl|settlements|ads`` subcommands."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from chuhai.analytics.metric_layer import engine
from chuhai.cli.main import main

from .ml_builders import business


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


def cli(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_metrics_list(capsys, transactional_db):
    code, out, _err = cli(capsys, "metrics", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["metric", "name", "unit", "source"]
    net = next(line for line in lines if line.startswith("net_sales "))
    assert "money" in net and "less the goods value credited back" in net
    assert any(line.startswith("repeat_purchase_rate ") and "all but day" in line for line in lines)
    assert any(line.startswith("ship_country ") for line in lines)
    code, out, _err = cli(capsys, "metrics", "list", "--json")
    data = json.loads(out)
    ids = [m["id"] for m in data["metrics"]]
    assert {"orders", "units", "gmv", "net_sales", "refunds", "gross_profit", "customers",
            "repeat_purchase_rate", "aov"} <= set(ids)
    gp = next(m for m in data["metrics"] if m["id"] == "gross_profit")
    assert gp["unit"] == "money" and gp["permission"] == "finance.access_finance" and "cogs" in gp["formula"]


def test_report_json_is_currency_and_rows(capsys, shop):
    code, out, err = cli(capsys, "report", "orders,net_sales", "--by", "month", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == {"currency": "CNY", "rows": [
        {"month": "2026-01", "orders": 1, "net_sales": "315.95"},
        {"month": "2026-02", "orders": 3, "net_sales": "352.00"},
    ]}


def test_report_table_filters_and_period(capsys, shop):
    code, out, err = cli(capsys, "report", "orders,units,gmv", "--by", "account", "--filter", "channel=amazon",
                         "--from", "2026-01-01", "--to", "2026-02-28")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["Channel", "account", "Orders", "Units", "GMV", "Currency"]
    # AMZ-US: O1 + O3 orders, 3 + 2 − 1 units, GMV 337.25 + 360.00
    assert lines[1].split() == ["AMZ-US", "2", "4", "697.25", "CNY"]
    assert len(lines) == 2
    code, out, _err = cli(capsys, "report", "net_sales", "--filter", "ship_country=SG,CA",
                          "--filter", "sku=CABLE-1", "--format", "json")
    # cable lines shipped to SG: O2 42.40 + O7 129.60
    assert json.loads(out)["rows"] == [{"net_sales": "172.00"}]


def test_report_sort_and_limit(capsys, shop):
    code, out, err = cli(capsys, "report", "units,net_sales", "--by", "sku", "--sort=-units", "--limit", "1",
                         "--format", "json")
    assert code == 0, err
    # CABLE-1: 2 + 1 + 3 units, 134.90 + 42.40 + 129.60; CHARGER-2: 1 + 2 − 1 units
    assert json.loads(out)["rows"] == [{"sku": "CABLE-1", "units": 6, "net_sales": "306.90"}]
    code, _out, err = cli(capsys, "report", "units", "--limit", "0")
    assert code == 2


def test_report_csv_and_xlsx(capsys, shop, tmp_path):
    code, out, _err = cli(capsys, "report", "net_sales,repeat_purchase_rate", "--by", "ship_country",
                          "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0] == ["Ship-to country", "Net sales", "Repeat purchase rate", "Currency"]
    assert rows[1:] == [["CA", "180.00", "0.00", "CNY"], ["SG", "172.00", "0.00", "CNY"],
                        ["US", "315.95", "0.00", "CNY"]]
    target = tmp_path / "metrics.xlsx"
    code, _out, _err = cli(capsys, "report", "gmv,orders", "--by", "month", "--format", "xlsx",
                           "--output", str(target))
    assert code == 0
    sheet = load_workbook(target).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Month", "GMV", "Orders", "Currency"]
    # numbers are number cells (openpyxl reads them back as float)
    assert [(r[0], Decimal(str(r[1])), r[2], r[3]) for r in values[1:]] == [
        ("2026-01", Decimal("337.25"), 1, "CNY"), ("2026-02", Decimal("537.3"), 3, "CNY")]
    assert sheet["B2"].number_format.endswith('"CNY"')
    code, _out, err = cli(capsys, "report", "gmv", "--format", "xlsx")
    assert code == 1 and "--output" in err


def test_report_currency(capsys, shop):
    import datetime as dt

    from chuhai.finance.fx import set_manual_rate

    set_manual_rate("CNY", "USD", Decimal("0.14"), dt.date(2026, 1, 1))
    code, out, err = cli(capsys, "report", "net_sales", "--currency", "usd", "--format", "json",
                         "--to", "2026-01-31")
    assert code == 0, err
    # 315.95 × 0.14 = 44.233
    assert json.loads(out) == {"currency": "USD", "rows": [{"net_sales": "44.23"}]}
    code, _out, err = cli(capsys, "report", "net_sales", "--currency", "GBP")
    assert code == 1 and "CNY to GBP on 2026-01-10" in err


@pytest.mark.parametrize(("argv", "message"), [
    (("report", "orders,bogus"), "unknown metric bogus; valid metrics: orders, units"),
    (("report", "orders", "--by", "planet"), "unknown dimension planet; valid dimensions: month"),
    (("report", "orders", "--filter", "planet=earth"), "unknown filter planet; valid filters: account"),
    (("report", "orders", "--filter", "account"), "KEY=VALUE"),
    (("report", "repeat_purchase_rate", "--by", "day"), "cannot be grouped by day"),
])
def test_report_usage_errors_exit_2(capsys, shop, argv, message):
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err


def test_existing_report_subcommands_still_parse(capsys, transactional_db):
    code, out, _err = cli(capsys, "report", "profit", "--help")
    assert code == 0 and "--by {sku,order,listing,account,marketplace,country,month}" in out
    code, out, _err = cli(capsys, "report", "pnl", "--format", "json")
    assert code == 0
    code, _out, err = cli(capsys, "report", "profit", "--by", "planet")
    assert code == 2 and "invalid choice" in err
    code, out, _err = cli(capsys, "report", "--help")
    assert code == 0 and "METRIC[,METRIC" in out and "settlements" in out
    engine.close()


def test_no_metric_id_is_shadowed_by_a_report_subcommand():
    from chuhai.analytics.metric_layer import METRICS
    from chuhai.cli.main import build_parser

    report = build_parser()._subparsers._group_actions[0].choices["report"]
    names = set(report._subparsers._group_actions[0].choices)
    assert names >= {"profit", "pnl", "settlements", "ads"}
    assert not names & set(METRICS)
