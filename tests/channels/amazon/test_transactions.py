"""Amazon Date Range / unified transaction CSV (formats.md §1.3): the real 2017 and 2025 rows, the 2020s, UK and
Indian column sets, the preamble, the total check, and the ledger writer (re-import, overlap, settlement links)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.amazon.transactions import TransactionReport
from chuhai.channels.ingest.errors import ErrorCollector
from chuhai.channels.ingest.reading import load_payload
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
    records = list(TransactionReport().parse(load_payload(path), ParseContext(account, path.name), errors))
    return records, errors.errors


def totals_by_line(path, encoding="utf-8"):
    """Each data row's `total`, read independently with the csv module: line number → Decimal."""
    text = Path(path).read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    start = next(i for i, r in enumerate(rows) if r and r[0] == "date/time")
    from_end = rows[start].index("total") - len(rows[start])  # counted from the end: a split date adds a cell
    return {start + 2 + n: Decimal(r[from_end].replace(",", "")) for n, r in enumerate(rows[start + 1:]) if r}


def sums_by_line(records):
    sums = defaultdict(Decimal)
    for r in records:
        sums[r.line] += r.amount
    return dict(sums)


@pytest.mark.parametrize("name", ["transactions_us_2017.csv", "transactions_us_2020s.csv", "transactions_uk.csv",
                                  "transactions_in.csv", "transactions_us_2025.csv"])
def test_every_row_is_kept_and_its_lines_sum_to_its_total(us, name):
    records, errors = parse(FIXTURES / name, us)
    assert errors == []
    assert sums_by_line(records) == totals_by_line(FIXTURES / name)
    assert all(r.amount_type != "total" or r.amount == 0 for r in records)  # total is never a line of money


def test_real_2017_row_after_the_preamble(us):
    records, errors = parse(FIXTURES / "transactions_us_2017.csv", us)
    assert errors == []
    first = [r for r in records if r.line == 9]  # seven preamble lines, the header on line 8
    assert {r.amount_type: r.amount for r in first} == {
        "product sales": Decimal("57.96"), "selling fees": Decimal("-8.69"), "fba fees": Decimal("-10.19")}
    row = first[0]
    assert (row.settlement_ref, row.transaction_type, row.order_ref, row.sku, row.quantity) == (
        "6503097031", "Order", "113-0013318-7697855", "MKP-FDW8652-U", 1)
    assert row.posted_at == dt.datetime(2017, 12, 1, 8, 38, 23, tzinfo=UTC)  # 12:38:23 AM PST
    assert (row.marketplace, row.fulfilment, row.currency) == ("amazon.com", "Amazon", "USD")
    assert row.description.startswith("Adfors FibaFuse FDW8652")
    big = {r.amount_type: r.amount for r in records if r.line == 10}
    assert big["product sales"] == Decimal("1738.80") and big["promotional rebates"] == Decimal("-25.00")
    transfer = [r for r in records if r.transaction_type == "Transfer"]
    assert [(t.amount_type, t.amount, t.description) for t in transfer] == [
        ("other", Decimal("-1146.37"), "To account ending in: 4417")]
    informational = [r for r in records if r.transaction_type == "Adjustment"]
    assert [(r.amount_type, r.amount) for r in informational] == [("total", 0)]


def test_real_2025_row_resaved_without_quotes(us):
    records, errors = parse(FIXTURES / "transactions_us_2025.csv", us)
    assert errors == []
    assert {r.amount_type: r.amount for r in records} == {
        "product sales": Decimal("14.9"), "product sales tax": Decimal("1.04"),
        "marketplace withheld tax": Decimal("-1.04"), "selling fees": Decimal("-2.24"), "fba fees": Decimal("-4.85")}
    assert records[0].posted_at == dt.datetime(2025, 6, 9, 5, 23, 5, tzinfo=UTC)  # Jun 8 10:23:05 PM PDT
    assert records[0].order_ref == "121-1455071-0675378" and records[0].transaction_type == "Order"


def test_uk_spelling_and_currency_from_the_preamble(db):
    uk = create_account("AMZ-UK", "amazon", "GB")
    records, errors = parse(FIXTURES / "transactions_uk.csv", uk)
    assert errors == []
    assert {r.fulfilment for r in records} == {"Amazon"} and {r.currency for r in records} == {"GBP"}
    assert records[0].posted_at == dt.datetime(2026, 3, 15, 15, 22, 8, tzinfo=UTC)


def test_india_columns_and_digit_grouping(db):
    india = create_account("AMZ-IN", "amazon", "IN")
    records, errors = parse(FIXTURES / "transactions_in.csv", india)
    assert errors == []
    amounts = {r.amount_type: r.amount for r in records}
    assert amounts["product sales"] == Decimal("122845.58")
    assert amounts["total sales tax liable(gst before adjusting tcs)"] == Decimal("22112.20")
    assert amounts["tcs-cgst"] == amounts["tcs-sgst"] == Decimal("-614.23")
    assert amounts["tds (section 194-o)"] == Decimal("-1228.46")
    assert records[0].currency == "INR" and records[0].posted_at == dt.datetime(2026, 7, 1, 4, 24, 44, tzinfo=UTC)
    assert records[0].sku == "TV-55-IN"  # the "Sku" header


def test_a_row_whose_parts_do_not_make_its_total_is_a_located_error(us):
    records, errors = parse(FIXTURES / "transactions_bad_total.csv", us)
    assert records == []
    [error] = errors
    assert (error.line, error.column, error.value) == (4, "total", "39.09")
    assert "39.08" in error.message


def test_mangled_order_id_is_a_located_error(us):
    _, errors = parse(FIXTURES / "transactions_mangled_id.csv", us)
    assert [(e.line, e.column) for e in errors] == [(2, "order id")]


# -- writing ----------------------------------------------------------------------------------------------------
def test_import_reimport_and_identical_rows(us):
    path = FIXTURES / "transactions_us_2017.csv"
    records, _ = parse(path, us)
    first = import_file("amazon-transactions", path, us)
    assert first.status == "succeeded", first.errors
    assert first.lines_created == len(records) == LedgerLine.objects.filter(account=us).count()
    assert first.rows_read == 6
    # the two identical Subscription Fee rows are two charges, both kept
    assert LedgerLine.objects.filter(transaction_type="Service Fee", amount=Decimal("-39.99")).count() == 2
    again = import_file("amazon-transactions", path, us)
    assert (again.status, again.created, again.lines_created, again.unchanged) == ("succeeded", 0, 0, len(records))
    assert LedgerLine.objects.filter(account=us).count() == len(records)


def test_an_overlapping_report_adds_only_its_new_rows(us, tmp_path):
    full = (FIXTURES / "transactions_us_2017.csv").read_bytes().split(b"\r\n")
    first_half = tmp_path / "first.csv"
    first_half.write_bytes(b"\r\n".join(full[:10]) + b"\r\n")  # preamble, header, two rows
    assert import_file("amazon-transactions", first_half, us).lines_created == 3 + 4
    overlap = import_file("amazon-transactions", FIXTURES / "transactions_us_2017.csv", us)
    assert overlap.unchanged == 7 and overlap.lines_created == 4
    assert LedgerLine.objects.filter(account=us).count() == 11


def test_lines_link_to_their_settlement_whichever_comes_first(us):
    # transactions first: no settlement yet
    import_file("amazon-transactions", FIXTURES / "transactions_us_2020s.csv", us)
    assert not LedgerLine.objects.filter(source="amazon-transactions", settlement__isnull=False).exists()
    result = import_file("amazon-settlement", FIXTURES / "settlement_v2_consistent.txt", us)
    settlement = Settlement.objects.get(settlement_id="18174059732")
    linked = LedgerLine.objects.filter(source="amazon-transactions", settlement=settlement)
    assert linked.count() == LedgerLine.objects.filter(source="amazon-transactions").count() > 0
    # the transaction report's lines describe the same money: they are not added to the settlement's sum
    assert settlement.lines_total == settlement.total_amount and Decimal(result.summary["settlement_difference"]) == 0

    # settlement first: a later transaction file links at once
    import_file("amazon-transactions", FIXTURES / "transactions_us_2025.csv", us)
    latest = LedgerLine.objects.filter(order_ref="121-1455071-0675378")
    assert latest.count() == 5 and all(ln.settlement_id == settlement.pk for ln in latest)
    assert Settlement.objects.get(pk=settlement.pk).lines_total == settlement.lines_total


def test_rejected_transactions_file_writes_nothing(us):
    result = import_file("amazon-transactions", FIXTURES / "transactions_bad_total.csv", us)
    assert result.status == "rejected" and result.errors[0].line == 4
    assert not LedgerLine.objects.exists()


def test_damaged_transaction_files_never_half_import(us, tmp_path):
    from hypothesis import HealthCheck, given, settings

    from .test_orders import mutations

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=mutations((FIXTURES / "transactions_us_2017.csv").read_bytes()))
    def check(data):
        path = tmp_path / "damaged.csv"
        path.write_bytes(data)
        before = LedgerLine.objects.count()
        result = import_file("amazon-transactions", path, us)
        assert result.status in ("succeeded", "rejected"), result.errors
        if result.status == "rejected":
            assert result.errors and LedgerLine.objects.count() == before

    check()
