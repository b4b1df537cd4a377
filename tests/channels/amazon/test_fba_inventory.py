"""Amazon FBA inventory reports (Manage FBA Inventory and AFN inventory) and their snapshot writer."""

import datetime as dt
import gzip
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chuhai.channels.amazon.fba_inventory import FbaInventoryReport
from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import load_payload
from chuhai.channels.ingest.runner import ImportRefused, import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.inventory.models import FbaInventorySnapshot

from ..damage import mutated

FIXTURES = Path(__file__).parent / "fixtures"
MYI = FIXTURES / "fba_myi_unsuppressed.txt"
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def amazon_us(db):
    return create_account("AMZ-US", "amazon", "US")


def parse(path, account, **options):
    errors = ErrorCollector(Path(path).name)
    ctx = ParseContext(account=account, file_name=Path(path).name, options=options)
    records = list(FbaInventoryReport().parse(load_payload(path), ctx, errors))
    return {r.sku: r for r in records}, errors.errors


def test_myi_quantities_mapped_and_mfn_only_skus_skipped(amazon_us):
    records, errors = parse(MYI, amazon_us, snapshot_date="2026-03-01")
    assert errors == []
    assert set(records) == {"TB-BLK-01", "SPAT-SET-2", "TB-WHT-01"}  # SOAP-LAV-6 is merchant-fulfilled only
    black = records["TB-BLK-01"]
    assert (black.fnsku, black.asin, black.condition, black.snapshot_date) == ("X001ABCD12", "B08XYZ1234", "New", DAY)
    assert (black.fulfillable, black.unsellable, black.reserved, black.warehouse_total, black.total) == (
        112, 3, 15, 130, 175)
    assert (black.inbound_working, black.inbound_shipped, black.inbound_receiving) == (20, 25, 0)
    white = records["TB-WHT-01"]
    assert (white.inbound_receiving, white.researching, white.total) == (6, 2, 60)
    # No FBA listing any more, but units still at Amazon: that is inventory and must not vanish.
    assert records["SPAT-SET-2"].unsellable == 4 and records["SPAT-SET-2"].fulfillable == 0


def test_snapshot_date_defaults_to_today_in_the_marketplace_zone(amazon_us):
    records, _ = parse(MYI, amazon_us)
    today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date()
    assert {r.snapshot_date for r in records.values()} == {today}


def test_snapshot_date_option_must_be_a_date(amazon_us):
    with pytest.raises(FileRejected, match="YYYY-MM-DD"):
        parse(MYI, amazon_us, snapshot_date="01/03/2026")


def test_cp1252_file_from_a_eu_marketplace_decodes_and_ignores_locale_prices(db):
    account = create_account("AMZ-DE", "amazon", "DE")
    path = FIXTURES / "fba_myi_de_cp1252.txt"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the fixture really is a legacy-code-page file
    records, errors = parse(path, account, snapshot_date="2026-03-01")
    assert errors == []  # your-price "1.049,00" is not read, so it cannot fail the file
    assert records["KM-EDEL-1"].product_name == "Kaffeemühle Edelstahl „Barista“ – Größe M"
    assert records["KM-EDEL-1"].fulfillable == 7 and records["TB-BLK-01"].product_name == "Bambus-Zahnbürste, 4er-Pack"


def test_gzip_report_reads_like_the_plain_one(amazon_us, tmp_path):
    packed = tmp_path / "myi.txt.gz"
    packed.write_bytes(gzip.compress(MYI.read_bytes()))
    plain, _ = parse(MYI, amazon_us, snapshot_date="2026-03-01")
    unpacked, errors = parse(packed, amazon_us, snapshot_date="2026-03-01")
    assert errors == [] and unpacked == plain


def test_afn_rows_of_one_sku_merge_sellable_and_unsellable(amazon_us):
    records, errors = parse(FIXTURES / "fba_afn_inventory.txt", amazon_us, snapshot_date="2026-03-01")
    assert errors == []
    assert set(records) == {"TB-BLK-01", "TB-WHT-01", "SPAT-SET-2"}
    black = records["TB-BLK-01"]
    assert (black.fnsku, black.condition, black.fulfillable, black.unsellable, black.total) == (
        "X001ABCD12", "NewItem", 112, 3, 115)
    assert black.line == 2
    assert (records["SPAT-SET-2"].fulfillable, records["SPAT-SET-2"].unsellable) == (0, 4)


def test_afn_unknown_or_repeated_warehouse_condition_is_located(amazon_us, tmp_path):
    path = tmp_path / "afn.txt"
    path.write_text("seller-sku\tfulfillment-channel-sku\tasin\tcondition-type\tWarehouse-Condition-code\t"
                    "Quantity Available\n"
                    "A-1\tX0000000A1\tB000000001\tNewItem\tSELLABLE\t5\n"
                    "A-1\tX0000000A1\tB000000001\tNewItem\tSELLABLE\t6\n"
                    "A-2\tX0000000A2\tB000000002\tNewItem\tRESEARCHING\t1\n")
    _, errors = parse(path, amazon_us, snapshot_date="2026-03-01")
    assert [(e.line, e.column) for e in errors] == [(3, "Warehouse-Condition-code"), (4, "Warehouse-Condition-code")]
    assert "line 2" in errors[0].message and errors[1].value == "RESEARCHING"


def test_malformed_cells_are_reported_with_line_and_column(amazon_us):
    _, errors = parse(FIXTURES / "fba_myi_malformed.txt", amazon_us, snapshot_date="2026-03-01")
    located = {(e.line, e.column, e.value) for e in errors}
    assert located == {
        (2, "afn-fulfillable-quantity", "1l2"),
        (3, "sku", "1.23457E+11"),  # Excel turned a numeric SKU into scientific notation
        (4, "afn-fulfillable-quantity", "-2"),
        (4, "afn-listing-exists", "Maybe"),
        (5, "sku", "TB-BLK-01"),  # listed twice
    }


def test_missing_required_column_rejects_the_file_naming_it(amazon_us, tmp_path):
    path = tmp_path / "listing.txt"
    path.write_text("sku\tfnsku\tasin\tproduct-name\nA-1\tX0000000A1\tB000000001\tThing\n")
    with pytest.raises(FileRejected) as rejected:
        parse(path, amazon_us)
    assert rejected.value.errors[0].column == "afn-fulfillable-quantity"


# -- through the import runner and the snapshot writer ------------------------------------------------------------

def snapshots(account):
    return {(s.snapshot_date, s.sku): s for s in FbaInventorySnapshot.objects.filter(account=account)}


def test_import_then_reimport_changes_nothing_and_a_new_download_updates(amazon_us, tmp_path):
    first = import_file("amazon-fba-inventory", MYI, amazon_us, options={"snapshot_date": "2026-03-01"})
    assert (first.status, first.rows_read, first.created, first.updated, first.unchanged) == ("succeeded", 3, 3, 0, 0)
    stored = snapshots(amazon_us)
    assert stored[(DAY, "TB-BLK-01")].fulfillable == 112
    assert stored[(DAY, "TB-BLK-01")].import_run_id == first.run_id

    again = import_file("amazon-fba-inventory", MYI, amazon_us, options={"snapshot_date": "2026-03-01"})
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 3)
    assert snapshots(amazon_us)[(DAY, "TB-BLK-01")].import_run_id == first.run_id

    later = tmp_path / "myi-later.txt"
    later.write_text(MYI.read_text().replace("\t130\t112\t3\t15\t175\t", "\t120\t102\t3\t15\t165\t"))
    changed = import_file("amazon-fba-inventory", later, amazon_us, options={"snapshot_date": "2026-03-01"})
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    row = snapshots(amazon_us)[(DAY, "TB-BLK-01")]
    assert (row.fulfillable, row.warehouse_total, row.total, row.import_run_id) == (102, 120, 165, changed.run_id)

    next_day = import_file("amazon-fba-inventory", later, amazon_us, options={"snapshot_date": "2026-03-02"})
    assert (next_day.created, next_day.updated) == (3, 0)
    assert FbaInventorySnapshot.objects.filter(account=amazon_us).count() == 6


def test_malformed_file_is_rejected_and_writes_nothing(amazon_us):
    result = import_file("amazon-fba-inventory", FIXTURES / "fba_myi_malformed.txt", amazon_us,
                         options={"snapshot_date": "2026-03-01"})
    assert result.status == "rejected"
    assert {e.line for e in result.errors} == {2, 3, 4, 5}
    assert not FbaInventorySnapshot.objects.exists()


def test_dry_run_counts_but_writes_nothing(amazon_us):
    result = import_file("amazon-fba-inventory", MYI, amazon_us, dry_run=True, options={"snapshot_date": "2026-03-01"})
    assert (result.status, result.created) == ("dry_run", 3)
    assert not FbaInventorySnapshot.objects.exists()


def test_only_amazon_accounts_take_fba_reports(db):
    shop = create_account("SHOP-US", "shopify", "US")
    with pytest.raises(ImportRefused):
        import_file("amazon-fba-inventory", MYI, shop)


# -- malformed files never half-import nor fail with an internal error --------------------------------------------

@pytest.mark.parametrize("seed", range(40))
def test_a_damaged_cell_is_imported_whole_or_rejected_whole(amazon_us, tmp_path, seed):
    result = import_file("amazon-fba-inventory", mutated(MYI, seed, tmp_path, "\t"), amazon_us, options={"snapshot_date": "2026-03-01"})
    assert result.status in ("succeeded", "rejected"), result.errors
    if result.status == "rejected":
        assert result.errors and all(e.message for e in result.errors)
        assert not FbaInventorySnapshot.objects.exists()
