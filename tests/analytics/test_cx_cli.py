"""``chuhai report rfm|cohorts|clv``: the customer analytics tables of /analytics/customers/ in every format, their
filters and errors, and the guarantee that these names never shadow a metric id of ``chuhai report METRIC``.

Data: ml_builders' business (see test_cx_api for the hand-worked figures: c1 Lost with 358.35, c2 Hibernating
with 180.00, as of 13 Feb; cohorts 2026-01 (c1) and 2026-02 (c2); CLV 538.35).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from chuhai.analytics import customers as cust
from chuhai.analytics.metric_layer import METRICS, engine
from chuhai.cli.commands import customers_report
from chuhai.cli.main import main

from .ml_builders import business


@pytest.fixture
def shop(transactional_db):
    data = business(with_profit=False)
    yield data
    engine.close()


def cli(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rfm_segments_csv_and_grid_json(capsys, shop):
    code, out, err = cli(capsys, "report", "rfm", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["Segment"] for r in rows] == [str(name) for name in cust.SEGMENTS.values()]
    lost = next(r for r in rows if r["Segment"] == "Lost")
    # c1: share 1/2, recency 1 Feb → 13 Feb = 12 days, 2 orders, 315.95 + 42.40
    assert (lost["Customers"], lost["Share of customers %"], lost["Average recency (days)"],
            lost["Average orders"], lost["Net sales"], lost["Currency"]) == ("1", "50.00", "12.00", "2.00",
                                                                              "358.35", "CNY")
    code, out, err = cli(capsys, "report", "rfm", "--table", "grid", "--format", "json")
    assert code == 0, err
    grid = json.loads(out)
    assert len(grid) == 25 and grid[0] == {"r": 5, "f": 1, "segment": "New", "customers": 0, "monetary": "0.00",
                                           "currency": "CNY"}
    assert [(c["r"], c["f"], c["customers"], c["monetary"]) for c in grid if c["customers"]] == [
        (2, 1, 1, "180.00"), (1, 2, 1, "358.35")]
    # --as-of moves recency: 1 Feb → 1 Mar = 28 days
    code, out, _err = cli(capsys, "report", "rfm", "--as-of", "2026-03-01", "--format", "json")
    assert next(s for s in json.loads(out) if s["segment"] == "Lost")["avg_recency"] == "28.00"


def test_cohorts_and_clv(capsys, shop):
    code, out, err = cli(capsys, "report", "cohorts", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == [
        {"cohort": "2026-01", "customers": 1, "m0": "100.00", "m1": "100.00"},
        {"cohort": "2026-02", "customers": 1, "m0": "100.00", "m1": None},
    ]
    code, out, err = cli(capsys, "report", "clv", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    # January: 358.35 over 2 observed months = 179.175 → 179.18
    assert [(r["Cohort"], r["Net sales"], r["Observed months"], r["Per customer per month"]) for r in rows] == [
        ("2026-01", "358.35", "2", "179.18"), ("2026-02", "180.00", "1", "180.00")]
    code, out, err = cli(capsys, "report", "clv", "--table", "summary", "--format", "json")
    assert code == 0, err
    summary = {r["figure"]: r["value"] for r in json.loads(out)}
    # 538.35 / 3 orders = 179.45; repeat 50 % → lifespan 2 → CLV 538.35
    assert (summary["customers"], summary["orders"], summary["aov"], summary["lifespan"], summary["clv"]) == (
        2, 3, "179.45", "2.00", "538.35")
    code, out, err = cli(capsys, "report", "clv", "--table", "summary")
    assert code == 0 and out.splitlines()[0].split()[:2] == ["Figure", "Definition"]


def test_period_filters_and_xlsx(capsys, shop, tmp_path):
    # January only, US marketplace: c1 with O1 (315.95), as of 11 Jan
    code, out, err = cli(capsys, "report", "rfm", "--from", "2026-01-01", "--to", "2026-01-31",
                         "--filter", "marketplace=us", "--format", "json")
    assert code == 0, err
    assert [(s["segment"], s["customers"], s["monetary"]) for s in json.loads(out) if s["customers"]] == [
        ("Lost", 1, "315.95")]
    # SHOPEE-SG: c1's first order there is O2 (1 Feb local): one February cohort with 42.40
    code, out, err = cli(capsys, "report", "clv", "--filter", "account=SHOPEE-SG", "--format", "json")
    assert code == 0, err
    assert [(r["cohort"], r["net_sales"]) for r in json.loads(out)] == [("2026-02", "42.40")]
    # a list of values: ship to CA or US → c1 (O1) and c2 (O3, O4)
    code, out, _err = cli(capsys, "report", "cohorts", "--filter", "ship_country=CA,US", "--format", "json")
    assert [(r["cohort"], r["customers"]) for r in json.loads(out)] == [("2026-01", 1), ("2026-02", 1)]
    target = tmp_path / "segments.xlsx"
    code, out, err = cli(capsys, "report", "rfm", "--format", "xlsx", "--output", str(target))
    assert code == 0, err
    values = list(load_workbook(target).active.values)
    assert values[0][:2] == ("Segment", "Customers") and len(values) == 1 + 11


def test_errors(capsys, shop):
    code, _out, err = cli(capsys, "report", "rfm", "--filter", "sku=CABLE-1")
    assert code == 2 and "unknown filter sku" in err and "account, marketplace, ship_country" in err
    code, _out, err = cli(capsys, "report", "cohorts", "--filter", "account")
    assert code == 2 and "KEY=VALUE" in err
    code, _out, err = cli(capsys, "report", "clv", "--currency", "USD")
    assert code == 1 and "base currency (CNY)" in err
    assert cli(capsys, "report", "clv", "--currency", "cny", "--format", "json")[0] == 0
    code, _out, err = cli(capsys, "report", "rfm", "--from", "2026-03-01", "--to", "2026-01-01")
    assert code == 1 and "--from is after --to" in err
    code, _out, err = cli(capsys, "report", "cohorts", "--format", "xlsx")
    assert code == 1 and "--output" in err


def test_names_never_shadow_a_metric(capsys, shop):
    assert not set(customers_report.NAMES) & set(METRICS)
    customers_report.check_names()
    with pytest.raises(RuntimeError, match="orders is both a metric id"):
        customers_report.check_names(("rfm", "orders"))
    # metric reports still dispatch: a metric id, and a list that starts with a report name is a metric list
    code, out, err = cli(capsys, "report", "customers", "--format", "json")
    assert code == 0 and json.loads(out) == {"currency": "CNY", "rows": [{"customers": 2}]}, err
    code, _out, err = cli(capsys, "report", "rfm,orders")
    assert code == 2 and "rfm" in err
    code, out, _err = cli(capsys, "report", "--help")
    assert code == 0 and "rfm" in out and "cohorts" in out and "clv" in out
