"""Amazon FBA customer returns report and its writer."""

import datetime as dt
import gzip
from pathlib import Path

import pytest

from chuhai.channels.amazon.returns import CustomerReturnsReport
from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import load_payload
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.logistics.models import CustomerReturn

from ..damage import mutated

FIXTURES = Path(__file__).parent / "fixtures"
RETURNS = FIXTURES / "returns_customer.txt"
HEADER = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
          "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n")


@pytest.fixture
def amazon_us(db):
    return create_account("AMZ-US", "amazon", "US")


def parse(path, account):
    errors = ErrorCollector(Path(path).name)
    ctx = ParseContext(account=account, file_name=Path(path).name)
    return list(CustomerReturnsReport().parse(load_payload(path), ctx, errors)), errors.errors


def test_one_record_per_returned_unit_with_codes_and_comments(amazon_us):
    records, errors = parse(RETURNS, amazon_us)
    assert errors == []
    assert len(records) == 5
    by_lpn = {r.license_plate: r for r in records}
    first, second = by_lpn["LPNRR123456789"], by_lpn["LPNRR123456790"]
    # Two units of one order returned together: same time, two licence plates, two rows.
    assert first.order_ref == second.order_ref == "113-4820215-2760224"
    assert first.returned_at == second.returned_at == dt.datetime(2026, 9, 14, 7, 3, 57, tzinfo=dt.UTC)
    assert (first.disposition, second.disposition) == ("SELLABLE", "CUSTOMER_DAMAGED")
    assert second.customer_comments == "Opened|box torn"
    plug = by_lpn["LPNHK987654321"]
    assert (plug.sku, plug.fnsku, plug.asin, plug.fulfillment_center) == ("WIFI-PLUG-2", "X002PLUG01", "B09PLUG001",
                                                                          "ONT8")
    assert (plug.reason, plug.status, plug.customer_comments) == ("NOT_COMPATIBLE", "Reimbursed", "Not Compatible|Wifi")
    no_lpn = by_lpn[""]
    assert no_lpn.returned_at == dt.datetime(2026, 9, 21, 18, 45, tzinfo=dt.UTC)  # -07:00 kept as an instant
    assert (no_lpn.quantity, no_lpn.disposition, no_lpn.reason) == (2, "CUSTOMER_DAMAGED", "ORDERED_WRONG_ITEM")


def test_repeated_rows_without_lpn_add_up_and_a_repeated_lpn_counts_once(amazon_us, tmp_path):
    row = "2026-09-14T07:03:57+00:00\t113-4820215-2760224\tTB-BLK-01\t\t\t\t{qty}\tPHX7\tSELLABLE\tUNWANTED_ITEM\t\t{lpn}\t\n"
    path = tmp_path / "returns.txt"
    path.write_text(HEADER + row.format(qty=1, lpn="") + row.format(qty=2, lpn="")
                    + row.format(qty=1, lpn="LPN1") + row.format(qty=1, lpn="LPN1"))
    records, errors = parse(path, amazon_us)
    assert errors == []
    assert sorted((r.license_plate, r.quantity) for r in records) == [("", 3), ("LPN1", 1)]


def test_gzip_report_reads_like_the_plain_one(amazon_us, tmp_path):
    packed = tmp_path / "returns.txt.gz"
    packed.write_bytes(gzip.compress(RETURNS.read_bytes()))
    assert parse(packed, amazon_us) == parse(RETURNS, amazon_us)


def test_malformed_cells_are_reported_with_line_and_column(amazon_us):
    records, errors = parse(FIXTURES / "returns_malformed.txt", amazon_us)
    assert records == []
    located = {(e.line, e.column, e.value) for e in errors}
    assert located == {
        (2, "return-date", "14/09/2026 07:03"),
        (3, "order-id", "1.14123E+17"),  # Excel's scientific notation
        (4, "order-id", "11198765431112223"),  # an order id that lost its dashes
        (4, "quantity", "0"),
        (5, "sku", None),
        (5, "quantity", "two"),
    }


def test_missing_required_column_rejects_the_file_naming_it(amazon_us, tmp_path):
    path = tmp_path / "returns.txt"
    path.write_text(HEADER.replace("quantity\t", "") + "2026-09-14T07:03:57+00:00\t113-4820215-2760224\tA\n")
    with pytest.raises(FileRejected) as rejected:
        parse(path, amazon_us)
    assert rejected.value.errors[0].column == "quantity"


# -- through the import runner and the returns writer -------------------------------------------------------------

def test_import_then_reimport_changes_nothing_and_a_later_report_updates(amazon_us, tmp_path):
    first = import_file("amazon-returns", RETURNS, amazon_us)
    assert (first.status, first.rows_read, first.created, first.updated, first.unchanged) == ("succeeded", 5, 5, 0, 0)
    assert CustomerReturn.objects.filter(account=amazon_us).count() == 5

    again = import_file("amazon-returns", RETURNS, amazon_us)
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 5)
    assert CustomerReturn.objects.filter(account=amazon_us).count() == 5

    later = tmp_path / "returns-later.txt"
    text = RETURNS.read_text().replace("Unit returned to inventory\tLPNHE5555555555", "Reimbursed\tLPNHE5555555555")
    text += ("2026-10-02T09:00:00+00:00\t115-0000001-0000001\tTB-BLK-01\tB08XYZ1234\tX001ABCD12\tBamboo Toothbrush"
             "\t1\tPHX7\tDEFECTIVE\tDEFECTIVE\tUnit returned to inventory\tLPNRR000000001\tbristles fall out\n")
    later.write_text(text)
    changed = import_file("amazon-returns", later, amazon_us)
    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 4)
    spatula = CustomerReturn.objects.get(account=amazon_us, license_plate="LPNHE5555555555")
    assert (spatula.status, spatula.import_run_id) == ("Reimbursed", changed.run_id)
    assert CustomerReturn.objects.filter(account=amazon_us).count() == 6


def test_same_return_on_another_account_is_another_row(amazon_us):
    ca = create_account("AMZ-CA", "amazon", "CA")
    import_file("amazon-returns", RETURNS, amazon_us)
    other = import_file("amazon-returns", RETURNS, ca)
    assert (other.created, other.unchanged) == (5, 0)


def test_malformed_file_is_rejected_and_writes_nothing(amazon_us):
    result = import_file("amazon-returns", FIXTURES / "returns_malformed.txt", amazon_us)
    assert result.status == "rejected" and len(result.errors) == 6
    assert not CustomerReturn.objects.exists()


# -- malformed files never half-import nor fail with an internal error --------------------------------------------

@pytest.mark.parametrize("seed", range(40))
def test_a_damaged_cell_is_imported_whole_or_rejected_whole(amazon_us, tmp_path, seed):
    result = import_file("amazon-returns", mutated(RETURNS, seed, tmp_path, "\t"), amazon_us)
    assert result.status in ("succeeded", "rejected"), result.errors
    if result.status == "rejected":
        assert result.errors and all(e.message for e in result.errors)
        assert not CustomerReturn.objects.exists()
