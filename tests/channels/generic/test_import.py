"""End to end through the runner: the Online Retail excerpt lands in the database with the file's own totals,
credits keep their negative amounts, unmapped codes become mapping tasks, and a re-import changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Count, Sum

from chuhai.catalog.models import UnmappedSku
from chuhai.channels.generic.mapping import bundled_mapping
from chuhai.channels.ingest.runner import ImportRefused, import_file
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order, OrderLine

EXCERPT = Path(__file__).parent / "fixtures" / "online_retail_excerpt.csv"


@pytest.fixture
def account(db):
    load_ecb_rates(since=dt.date(2010, 11, 20), until=dt.date(2011, 12, 31))
    return create_account("RETAIL-GB", "distributor", "GB")


def raw_totals():
    with EXCERPT.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return (len({r["InvoiceNo"] for r in rows}), len(rows),
            sum(Decimal(r["Quantity"]) * Decimal(r["UnitPrice"]) for r in rows))


def test_excerpt_imports_with_the_files_totals_and_reimports_unchanged(account):
    result = import_file("generic-orders", EXCERPT, account, mapping=bundled_mapping("online_retail"))
    assert result.status == "succeeded", result.errors
    invoices, lines, goods = raw_totals()
    assert (result.created, result.lines_created, result.rows_read) == (invoices, lines, lines)
    assert Order.objects.filter(account=account).count() == invoices
    assert OrderLine.objects.filter(order__account=account).aggregate(s=Sum("gross_amount"))["s"] == goods

    credit = Order.objects.get(account=account, external_id="C536379")
    assert (credit.document_type, credit.status, credit.order_total) == ("credit", "refunded", Decimal("-27.50"))
    bad_debt = Order.objects.get(account=account, external_id="A563186")
    assert (bad_debt.document_type, bad_debt.items_total) == ("credit", Decimal("-11062.06"))
    eire = Order.objects.get(account=account, external_id="536541")
    assert (eire.ship_country, eire.ship_region) == ("", "EIRE")
    split = Order.objects.annotate(n=Count("lines")).get(account=account, external_id="542806")
    assert split.n == 39
    assert list(split.lines.values_list("line_no", flat=True)) == list(range(1, 40))
    assert {"POST", "BANK CHARGES", "AMAZONFEE"} <= set(
        UnmappedSku.objects.filter(account=account).values_list("channel_sku", flat=True))

    again = import_file("generic-orders", EXCERPT, account, mapping=bundled_mapping("online_retail"))
    assert (again.status, again.created, again.updated, again.unchanged, again.lines_created) == (
        "succeeded", 0, 0, invoices, 0)


def test_dry_run_writes_nothing(account):
    result = import_file("generic-orders", EXCERPT, account, mapping=bundled_mapping("online_retail"),
                         dry_run=True)
    assert (result.status, result.created) == ("dry_run", 22)
    assert not Order.objects.filter(account=account).exists()


def test_a_bad_row_rejects_the_whole_file(account, tmp_path):
    text = EXCERPT.read_text(encoding="utf-8").splitlines(keepends=True)
    text[100] = text[100].replace(",2011-", ",20011-", 1)
    path = tmp_path / "broken.csv"
    path.write_text("".join(text), encoding="utf-8")
    result = import_file("generic-orders", path, account, mapping=bundled_mapping("online_retail"))
    assert result.status == "rejected"
    assert [(e.line, e.column) for e in result.errors] == [(101, "InvoiceDate")]
    assert not Order.objects.filter(account=account).exists()


def test_without_a_mapping_the_import_is_refused(account):
    with pytest.raises(ImportRefused):
        import_file("generic-orders", EXCERPT, account)
