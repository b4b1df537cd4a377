"""``chuhai import``: exit codes 0 / 2 / 1, the --json shape, dry runs and rejected files writing nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from chuhai.channels.models import ImportRun
from chuhai.cli.main import main
from chuhai.orders.models import Order, OrderLine

from .support import BAD, GOOD, orders_csv

ISSUE_KEYS = {"source", "file", "rows_read", "orders_created", "orders_updated", "lines_created", "unchanged",
              "errors"}


@pytest.fixture
def chuhai(capsys):
    def run(*argv: str):
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_import_exits_0_and_prints_one_json_object_per_file(chuhai, account, cable, write):
    first = write("march.csv", GOOD)
    second = write("april.csv", orders_csv("111-0000004-0000004,2024-03-20T10:00:00+00:00,CBL-1,Cable,1,9.99,shipped"))

    code, out, err = chuhai("import", "test-orders", str(first), str(second), "--account", "AMZ-US", "--json")

    assert code == 0, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["file"] for o in objects] == ["march.csv", "april.csv"]
    assert all(ISSUE_KEYS <= set(o) for o in objects)
    assert [(o["status"], o["orders_created"], o["lines_created"], o["errors"]) for o in objects] == [
        ("succeeded", 3, 3, []), ("succeeded", 1, 1, [])]
    assert Order.objects.count() == 4
    assert {r.file_name for r in ImportRun.objects.all()} == {"march.csv", "april.csv"}

    code, out, _err = chuhai("import", "test-orders", str(first), "--account", "AMZ-US", "--json")
    again = json.loads(out)
    assert code == 0 and (again["orders_created"], again["unchanged"]) == (0, 3)
    assert Order.objects.count() == 4


def test_human_output_names_status_and_counts(chuhai, account, cable, write):
    path = write("march.csv", GOOD)
    code, out, _err = chuhai("import", "test-orders", str(path), "--account", "AMZ-US")
    assert code == 0
    assert out.startswith("march.csv: imported")
    assert "orders created 3" in out and "lines created 3" in out and "unmapped skus 1" in out


def test_rejected_file_exits_2_writes_nothing_and_is_logged_with_its_errors(chuhai, account, cable, write):
    good, bad = write("good.csv", GOOD), write("bad.csv", BAD)

    code, out, err = chuhai("import", "test-orders", str(good), str(bad), "--account", "AMZ-US")

    assert code == 2
    assert "bad.csv: REJECTED" in out
    assert "bad.csv:3: column 'qty': not a number (value 'two')" in err.splitlines()
    # the good file went in; nothing of the bad file did (its valid line 2 neither)
    assert set(Order.objects.values_list("external_id", flat=True)) == {
        "111-0000001-0000001", "111-0000002-0000002", "111-0000003-0000003"}
    run = ImportRun.objects.get(file_name="bad.csv")
    assert run.status == "rejected"
    assert run.errors == [{"line": 3, "column": "qty", "value": "two", "message": "not a number"}]


def test_rejected_file_in_json_mode(chuhai, account, write):
    code, out, _err = chuhai("import", "test-orders", str(write("bad.csv", BAD)), "--account", "AMZ-US", "--json")
    result = json.loads(out)
    assert code == 2
    assert (result["status"], result["orders_created"]) == ("rejected", 0)
    assert {"line": 3, "column": "qty", "value": "two", "message": "not a number"} in result["errors"]
    assert Order.objects.count() == 0


def test_dry_run_reports_changes_and_writes_nothing(chuhai, account, write):
    path = write("march.csv", GOOD)

    code, out, _err = chuhai("import", "test-orders", str(path), "--account", "AMZ-US", "--dry-run", "--json")

    result = json.loads(out)
    assert code == 0
    assert (result["status"], result["orders_created"], result["lines_created"]) == ("dry_run", 3, 3)
    assert Order.objects.count() == OrderLine.objects.count() == 0
    from chuhai.catalog.models import UnmappedSku

    assert not UnmappedSku.objects.exists()
    assert ImportRun.objects.get().status == "dry_run"


def test_internal_error_exits_1_and_is_logged_as_failed(chuhai, account, write):
    code, out, err = chuhai("import", "test-broken", str(write("x.csv", GOOD)), "--account", "AMZ-US", "--json")
    assert code == 1
    result = json.loads(out)
    assert result["status"] == "failed" and "parser bug" in result["errors"][0]["message"]
    assert ImportRun.objects.get().status == "failed"


@pytest.mark.parametrize("argv, fragment", [
    (("--account", "NOPE"), "no channel account 'NOPE'"),
    (("--account", "EBAY-US"), "test-orders reports come from amazon"),
])
def test_refused_requests_exit_1_with_one_line(chuhai, account, write, argv, fragment):
    from chuhai.channels.services import create_account

    create_account("EBAY-US", "ebay", "US")
    code, out, err = chuhai("import", "test-orders", str(write("march.csv", GOOD)), *argv)
    assert code == 1
    assert err.strip().startswith("chuhai: error: ") and fragment in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert Order.objects.count() == 0


def test_missing_file_is_refused_before_anything_is_imported(chuhai, account, write):
    good = write("march.csv", GOOD)
    code, _out, err = chuhai("import", "test-orders", str(good), "/no/such/file.csv", "--account", "AMZ-US")
    assert code == 1 and "no such file: /no/such/file.csv" in err
    assert not ImportRun.objects.exists()


def test_bad_yaml_mapping_names_the_file_and_line(chuhai, account, write):
    mapping = write("mapping.yaml", "columns:\n  order_id: InvoiceNo\n  sku: [StockCode\nconstants: {currency: GBP}\n")
    code, _out, err = chuhai("import", "test-orders", str(write("march.csv", GOOD)), "--account", "AMZ-US",
                             "--mapping", str(mapping))
    assert code == 1
    assert f"{mapping}:4: not valid YAML" in err
    not_a_mapping = write("list.yaml", "- a\n- b\n")
    code, _out, err = chuhai("import", "test-orders", str(write("march.csv", GOOD)), "--account", "AMZ-US",
                             "--mapping", str(not_a_mapping))
    assert code == 1 and "must be a YAML mapping" in err
    assert not ImportRun.objects.exists()


def test_mapping_file_reaches_the_parser(chuhai, account, write, monkeypatch):
    seen = {}
    from tests.imports import support

    original = support.CsvOrders.parse

    def spy(self, payload, ctx, errors):
        seen["mapping"] = ctx.mapping
        return original(self, payload, ctx, errors)

    monkeypatch.setattr(support.CsvOrders, "parse", spy)
    mapping = write("mapping.yaml", "columns: {order_id: InvoiceNo}\nconstants: {currency: GBP}\n")
    code, _out, _err = chuhai("import", "test-orders", str(write("march.csv", GOOD)), "--account", "AMZ-US",
                              "--mapping", str(mapping))
    assert code == 0
    assert seen["mapping"] == {"columns": {"order_id": "InvoiceNo"}, "constants": {"currency": "GBP"}}


def test_as_user_is_recorded_and_unknown_user_refused(chuhai, account, role_users, write):
    path = write("march.csv", GOOD)
    assert chuhai("import", "test-orders", str(path), "--account", "AMZ-US", "--as", "operations_user")[0] == 0
    assert ImportRun.objects.get().user == role_users["operations"]
    code, _out, err = chuhai("import", "test-orders", str(path), "--account", "AMZ-US", "--as", "ghost")
    assert code == 1 and "no active user 'ghost'" in err


def test_help_lists_every_source(chuhai):
    code, out, _err = chuhai("import", "--help")
    assert code == 0
    for name in ("amazon-orders", "amazon-settlement", "generic-orders", "walmart-orders"):
        assert name in out
    code, _out, err = chuhai("import", "no-such-source", "x.csv", "--account", "A")
    assert code == 2 and "invalid choice" in err


AMAZON_FIXTURES = Path(__file__).parent.parent / "channels" / "amazon" / "fixtures"


def test_real_amazon_orders_files_through_the_cli(chuhai, account):
    """End to end with the real Amazon All Orders parser (when installed): exit codes follow the files."""
    from chuhai.channels.ingest.registry import available_sources
    from chuhai.finance.fx import load_ecb_rates

    if "amazon-orders" not in available_sources() or not AMAZON_FIXTURES.is_dir():
        pytest.skip("the amazon-orders parser or its fixtures are not installed")
    load_ecb_rates(since=dt.date(2025, 6, 1), until=dt.date(2025, 6, 30))
    good, mangled = AMAZON_FIXTURES / "orders_multi_item.txt", AMAZON_FIXTURES / "orders_mangled_id.txt"

    code, out, _err = chuhai("import", "amazon-orders", str(good), "--account", "AMZ-US", "--json")
    result = json.loads(out)
    assert code == 0 and result["status"] == "succeeded"
    assert result["orders_created"] == Order.objects.count() > 0
    assert result["lines_created"] == OrderLine.objects.count()

    code, out, err = chuhai("import", "amazon-orders", str(mangled), "--account", "AMZ-US")
    assert code == 2
    assert all(line.startswith("orders_mangled_id.txt:") for line in err.splitlines())
    assert "orders_mangled_id.txt:2: column " in err


def test_fba_inventory_snapshot_date_comes_from_the_command_line(chuhai, account):
    from chuhai.inventory.models import FbaInventorySnapshot

    fixture = Path(__file__).parent.parent / "channels" / "amazon" / "fixtures" / "fba_myi_unsuppressed.txt"
    code, out, err = chuhai("import", "amazon-fba-inventory", str(fixture), "--account", "AMZ-US",
                            "--snapshot-date", "2026-03-31", "--json")
    assert code == 0, err
    assert json.loads(out)["created"] > 0
    assert set(FbaInventorySnapshot.objects.values_list("snapshot_date", flat=True)) == {dt.date(2026, 3, 31)}
    code, _out, err = chuhai("import", "amazon-fba-inventory", str(fixture), "--account", "AMZ-US",
                             "--snapshot-date", "31/03/2026")
    assert code == 2 and "31/03/2026" in err
