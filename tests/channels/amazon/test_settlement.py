"""Amazon settlement flat files V1 and V2 (formats.md §1.2) and the ledger writer: the real V1 excerpt, consistent
and inconsistent settlements, reserves and non-order lines, Excel dates, re-import, conflicting re-import."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.amazon.settlement import SettlementReport
from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import load_payload
from chuhai.channels.ingest.records import LedgerRecord, SettlementRecord
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.finance.models import LedgerLine, Settlement

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC


@pytest.fixture
def us(db):
    return create_account("AMZ-US", "amazon", "US")


def parse(path, account):
    path = Path(path)
    errors = ErrorCollector(path.name)
    records = list(SettlementReport().parse(load_payload(path), ParseContext(account, path.name), errors))
    return records, errors.errors


def file_amounts(path, columns):
    """The file's amounts read independently: every non-empty cell of the given columns after the summary row."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))[1:]
    return [Decimal(row[c]) for row in rows for c in columns if row.get(c)]


def test_real_v1_sample(us):
    records, errors = parse(FIXTURES / "settlement_v1_sample.txt", us)
    assert errors == []
    summary, *lines = records
    assert summary == SettlementRecord(
        line=2, settlement_id="6016502941", currency="USD", start_at=dt.datetime(2015, 12, 2, 3, 27, 8, tzinfo=UTC),
        end_at=dt.datetime(2015, 12, 16, 3, 27, 8, tzinfo=UTC), deposit_at=dt.datetime(2015, 12, 18, 3, 27, 8, tzinfo=UTC),
        total_amount=Decimal("16630.13"))
    assert [(ln.line, ln.amount_type, ln.amount_description, ln.amount, ln.quantity) for ln in lines] == [
        (3, "", "", 0, 1),  # the quantity-only row is kept (as a zero line)
        (4, "ItemPrice", "Principal", Decimal("27.99"), None),
        (5, "ItemFees", "FBAPerOrderFulfillmentFee", Decimal("-1.00"), None),
    ]
    for ln in lines:
        assert (ln.transaction_type, ln.order_ref, ln.sku) == ("Order", "112-8095165-5463447", "edifier-p270-gold")
        assert (ln.marketplace, ln.fulfilment, ln.settlement_ref) == ("Amazon.com", "AFN", "6016502941")
        assert ln.posted_at == dt.datetime(2015, 12, 2, 4, 15, 26, tzinfo=UTC)


def test_v1_non_order_lines_and_amounts(us):
    path = FIXTURES / "settlement_v1_consistent.txt"
    records, errors = parse(path, us)
    assert errors == []
    lines = [r for r in records if isinstance(r, LedgerRecord)]
    by_type = {ln.transaction_type: ln for ln in lines}
    assert by_type["Current Reserve Amount"].amount == Decimal("-200.00")
    assert by_type["Previous Reserve Amount Balance"].amount == Decimal("150.00")
    assert (by_type["Storage Fee"].amount, by_type["Subscription Fee"].amount) == (Decimal("-12.34"), Decimal("-39.99"))
    reimbursement = by_type["FBA Inventory Reimbursement"]
    assert (reimbursement.amount_type, reimbursement.amount_description) == ("OtherFees", "WAREHOUSE_DAMAGE")
    promotion = next(ln for ln in lines if ln.amount_type == "Promotion")
    assert (promotion.amount_description, promotion.amount) == ("Shipping", Decimal("-4.49"))
    amounts = ("price-amount", "item-related-fee-amount", "promotion-amount", "other-amount", "other-fee-amount")
    assert sorted(ln.amount for ln in lines if ln.amount) == sorted(file_amounts(path, amounts))


def test_v2_dates_amount_types_and_identical_rows(us):
    records, errors = parse(FIXTURES / "settlement_v2_consistent.txt", us)
    assert errors == []
    summary, *lines = records
    assert summary.total_amount == Decimal("4.68") and summary.deposit_at == dt.datetime(2025, 6, 17, tzinfo=UTC)
    principal = lines[0]
    assert (principal.amount_type, principal.amount_description, principal.amount) == (
        "ItemPrice", "Principal", Decimal("14.9"))
    # posted-date 09/06/25 (after Excel) is not trusted when posted-date-time is there
    assert principal.posted_at == dt.datetime(2025, 6, 9, 5, 23, 19, tzinfo=UTC)
    storage = next(ln for ln in lines if ln.amount_description == "Storage Fee")
    assert storage.posted_at.date() == dt.date(2025, 6, 10)  # only posted-date 06/10/25: US month-first
    subscription = next(ln for ln in lines if ln.amount_description == "Subscription Fee")
    assert subscription.amount_type == "other-transaction"  # "Other-Transaction" in the file
    assert {ln.amount_description for ln in lines if ln.amount_type == "other-transaction"} == {
        "Storage Fee", "Subscription Fee", "Previous Reserve Amount Balance", "Current Reserve Amount"}
    ads = next(ln for ln in lines if ln.amount_type == "Cost of Advertising")
    assert ads.amount == Decimal("-45.67")
    twins = [ln for ln in lines if ln.amount_type == "FBA Inventory Reimbursement"]
    assert len(twins) == 2 and twins[0].raw_key == twins[1].raw_key and twins[0].line != twins[1].line
    assert sum(ln.amount for ln in lines) == summary.total_amount


def test_v2_export_repeating_the_summary_on_every_row(us, tmp_path):
    header, summary, *rows = (FIXTURES / "settlement_v2_consistent.txt").read_text().splitlines()
    head = summary.split("\t")[:6]
    path = tmp_path / "repeated.txt"
    path.write_text("\n".join([header, summary, *("\t".join(head + r.split("\t")[6:]) for r in rows)]) + "\n")
    records, errors = parse(path, us)
    assert errors == []
    expected, _ = parse(FIXTURES / "settlement_v2_consistent.txt", us)
    assert [(r.line, r.amount) for r in records[1:]] == [(r.line, r.amount) for r in expected[1:]]


def test_slash_dates_are_day_first_outside_north_america(db):
    gb = create_account("AMZ-UK", "amazon", "GB")
    records, errors = parse(FIXTURES / "settlement_v2_consistent.txt", gb)
    assert errors == []
    storage = next(r for r in records if isinstance(r, LedgerRecord) and r.amount_description == "Storage Fee")
    assert storage.posted_at.date() == dt.date(2025, 10, 6)


def test_mangled_order_id_in_the_real_v2_row_is_a_located_error(us):
    records, errors = parse(FIXTURES / "settlement_v2_mangled_id.txt", us)
    assert [(e.line, e.column, e.value) for e in errors] == [(3, "order-id", "1211397397571528200")]


def test_not_a_settlement_file_is_rejected(us):
    with pytest.raises(FileRejected):
        parse(FIXTURES / "orders_multi_item.txt", us)


def test_first_row_must_be_the_summary(us, tmp_path):
    lines = (FIXTURES / "settlement_v2_consistent.txt").read_text().splitlines()
    path = tmp_path / "no_summary.txt"
    path.write_text("\n".join([lines[0], *lines[2:]]) + "\n")
    _, errors = parse(path, us)
    assert errors[0].line == 2 and errors[0].column == "total-amount"


# -- writing ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["settlement_v1_consistent.txt", "settlement_v2_consistent.txt"])
def test_consistent_settlement_sums_to_its_total_and_reimport_is_a_no_op(us, name):
    path = FIXTURES / name
    first = import_file("amazon-settlement", path, us)
    assert first.status == "succeeded", first.errors
    settlement = Settlement.objects.get(account=us)
    records, _ = parse(path, us)
    line_records = [r for r in records if isinstance(r, LedgerRecord)]
    assert (first.created, first.lines_created) == (1, len(line_records))
    assert settlement.lines.count() == len(line_records)
    assert settlement.lines_total == settlement.total_amount == records[0].total_amount
    assert Decimal(first.summary["settlement_difference"]) == 0
    stored = sorted(settlement.lines.values_list("amount", flat=True))
    assert stored == sorted(r.amount for r in line_records)

    again = import_file("amazon-settlement", path, us)
    assert (again.status, again.created, again.lines_created, again.unchanged) == ("succeeded", 0, 0, 1)
    assert LedgerLine.objects.filter(account=us).count() == len(line_records)
    assert Settlement.objects.get(account=us).lines_total == settlement.lines_total


def test_identical_looking_rows_are_both_stored(us):
    import_file("amazon-settlement", FIXTURES / "settlement_v2_consistent.txt", us)
    assert LedgerLine.objects.filter(amount_type="FBA Inventory Reimbursement").count() == 2
    assert LedgerLine.objects.filter(amount_description="FBAPerUnitFulfillmentFee").count() == 1


def test_real_v1_excerpt_reports_its_difference(us):
    result = import_file("amazon-settlement", FIXTURES / "settlement_v1_sample.txt", us)
    assert result.status == "succeeded", result.errors
    settlement = Settlement.objects.get(settlement_id="6016502941")
    assert settlement.lines_total == Decimal("26.99")
    assert Decimal(result.summary["settlement_difference"]) == Decimal("16603.14") == settlement.difference


def test_inconsistent_settlement_reports_the_difference(us):
    result = import_file("amazon-settlement", FIXTURES / "settlement_v2_difference.txt", us)
    assert result.status == "succeeded", result.errors
    assert Decimal(result.summary["settlement_difference"]) == Decimal("2.50")
    [report] = result.summary["settlements"]
    assert report["settlement_id"] == "18174059733" and Decimal(report["lines_total"]) == Decimal("97.50")


def test_same_settlement_with_different_content_is_refused(us, tmp_path):
    path = FIXTURES / "settlement_v2_consistent.txt"
    assert import_file("amazon-settlement", path, us).status == "succeeded"
    changed = tmp_path / "settlement_changed.txt"
    changed.write_text(path.read_text().replace("\t-45.67\t", "\t-45.76\t").replace("\t4.68\t", "\t4.59\t"))
    result = import_file("amazon-settlement", changed, us)
    assert result.status == "rejected"
    assert "18174059732" in result.errors[0].message and result.errors[0].value == "18174059732"
    assert LedgerLine.objects.filter(amount=Decimal("-45.76")).count() == 0
    assert Settlement.objects.get(account=us).total_amount == Decimal("4.68")


def test_dry_run_writes_nothing(us):
    result = import_file("amazon-settlement", FIXTURES / "settlement_v1_consistent.txt", us, dry_run=True)
    assert result.status == "dry_run" and result.lines_created == 14 and result.created == 1
    assert not Settlement.objects.exists() and not LedgerLine.objects.exists()


def test_rejected_file_writes_nothing(us):
    result = import_file("amazon-settlement", FIXTURES / "settlement_v2_mangled_id.txt", us)
    assert result.status == "rejected"
    assert not Settlement.objects.exists() and not LedgerLine.objects.exists()


@pytest.mark.parametrize("name", ["settlement_v1_consistent.txt", "settlement_v2_consistent.txt"])
def test_damaged_settlement_files_never_half_import(us, tmp_path, name):
    from hypothesis import HealthCheck, given, settings

    from .test_orders import mutations

    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=mutations((FIXTURES / name).read_bytes()))
    def check(data):
        path = tmp_path / "damaged.txt"
        path.write_bytes(data)
        before = (Settlement.objects.count(), LedgerLine.objects.count())
        result = import_file("amazon-settlement", path, us)
        assert result.status in ("succeeded", "rejected"), result.errors
        if result.status == "rejected":
            assert result.errors and (Settlement.objects.count(), LedgerLine.objects.count()) == before

    check()
