"""The orders writer and the runner, driven by a minimal test source so that only our own layers are exercised
against the real database."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from chuhai.catalog.models import UnmappedSku
from chuhai.catalog.services import create_listing, create_product
from chuhai.channels.ingest import registry, values
from chuhai.channels.ingest.errors import CellError
from chuhai.channels.ingest.reading import ColumnSpec, cell, read_delimited
from chuhai.channels.ingest.records import LineRecord, OrderRecord
from chuhai.channels.ingest.runner import ImportRefused, import_file
from chuhai.channels.ingest.sources import Source
from chuhai.channels.models import ImportRun
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order, OrderLine


class JsonLinesOrders(Source):
    """Test source: one JSON object per line → one order (with line numbers as in the file)."""

    name = "test-orders"
    kind = "orders"
    platforms = ("amazon",)

    def parse(self, payload, ctx, errors):
        for no, raw in enumerate(payload.data.decode().splitlines(), start=1):
            if not raw.strip():
                continue
            d = json.loads(raw)
            try:
                when = values.timestamp(d["time"])
            except CellError as exc:
                errors.add(no, "time", d["time"], exc.message)
                continue
            yield OrderRecord(
                line=no, external_id=d["id"], purchased_at=when, status=d.get("status", "shipped"),
                currency=d.get("currency", "USD"), source_updated_at=values.timestamp(d["updated"]) if d.get("updated") else None,
                lines=[LineRecord(channel_sku=s, quantity=q, gross_amount=Decimal(a), item_tax=Decimal(t))
                       for s, q, a, t in d["lines"]],
                extra_shipping=Decimal(d.get("shipping", "0")),
            )


@pytest.fixture
def source(monkeypatch):
    monkeypatch.setitem(registry.SOURCE_CLASSES, "test-orders", f"{__name__}:JsonLinesOrders")
    return "test-orders"


@pytest.fixture
def account(db):
    load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31))
    return create_account("AMZ-US", "amazon", "US")


def write(tmp_path, rows, name="orders.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


ROWS = [
    {"id": "111-0000001-0000001", "time": "2024-03-15T10:00:00+00:00", "updated": "2024-03-16T00:00:00+00:00",
     "lines": [["CBL-1", 2, "19.98", "1.60"], ["HUB-7", 1, "29.99", "2.40"]], "shipping": "4.99"},
    {"id": "111-0000002-0000002", "time": "2024-03-16T23:30:00+00:00", "status": "unshipped",
     "lines": [["CBL-1", 1, "9.99", "0"]]},
]


def test_import_creates_orders_with_totals_rates_and_unmapped_tasks(tmp_path, account, source):
    product = create_product("CABLE-USB-C", name_en="USB-C cable")
    create_listing(account, product, "CBL-1")
    result = import_file(source, write(tmp_path, ROWS), account)
    assert result.status == "succeeded", result.errors
    assert (result.created, result.lines_created, result.unchanged) == (2, 3, 0)
    order = Order.objects.get(external_id="111-0000001-0000001")
    assert order.items_total == Decimal("49.97") and order.shipping_total == Decimal("4.99")
    assert order.tax_total == Decimal("4.00") and order.order_total == Decimal("58.96")  # US: tax on top
    # Purchased 2024-03-15 18:00 in Shanghai → the 15 March ECB cross rate USD→CNY (7.838 / 1.0892).
    assert order.fx_rate == (Decimal("7.838") / Decimal("1.0892")).quantize(Decimal("1e-12"))
    assert order.import_run_id == result.run_id
    lines = {ln.channel_sku: ln for ln in order.lines.all()}
    assert lines["CBL-1"].product == product and lines["CBL-1"].unit_price == Decimal("9.99")
    assert lines["HUB-7"].product is None
    assert list(UnmappedSku.objects.values_list("channel_sku", flat=True)) == ["HUB-7"]
    run = ImportRun.objects.get(pk=result.run_id)
    assert run.status == "succeeded" and run.created == 2 and len(run.file_sha256) == 64


def test_reimport_changes_nothing_and_newer_report_updates(tmp_path, account, source):
    import_file(source, write(tmp_path, ROWS), account)
    before = list(OrderLine.objects.order_by("pk").values_list("pk", flat=True))
    again = import_file(source, write(tmp_path, ROWS), account)
    assert (again.created, again.updated, again.unchanged, again.lines_created) == (0, 0, 2, 0)
    assert list(OrderLine.objects.order_by("pk").values_list("pk", flat=True)) == before

    newer = [dict(ROWS[0], status="delivered", updated="2024-03-20T00:00:00+00:00"), ROWS[1]]
    result = import_file(source, write(tmp_path, newer), account)
    assert (result.updated, result.unchanged) == (1, 1)
    assert Order.objects.get(external_id="111-0000001-0000001").status == "delivered"
    assert Order.objects.count() == 2 and OrderLine.objects.count() == 3

    older = [dict(ROWS[0], status="cancelled", updated="2024-03-17T00:00:00+00:00")]
    stale = import_file(source, write(tmp_path, older), account)
    assert (stale.updated, stale.unchanged) == (0, 1)
    assert Order.objects.get(external_id="111-0000001-0000001").status == "delivered"


def test_a_bad_row_rejects_the_whole_file(tmp_path, account, source):
    rows = ROWS + [{"id": "111-0000003-0000003", "time": "not a date", "lines": [["X", 1, "1", "0"]]},
                   {"id": "111-0000004-0000004", "time": "2024-03-15T10:00:00+00:00", "lines": [["X", -1, "1", "0"]]}]
    result = import_file(source, write(tmp_path, rows), account)
    assert result.status == "rejected"
    assert [(e.line, e.column) for e in result.errors] == [(3, "time"), (4, "quantity")]
    assert Order.objects.count() == 0 and UnmappedSku.objects.count() == 0
    run = ImportRun.objects.get(pk=result.run_id)
    assert run.status == "rejected" and run.errors[0]["line"] == 3


def test_dry_run_reports_but_writes_nothing(tmp_path, account, source):
    result = import_file(source, write(tmp_path, ROWS), account, dry_run=True)
    assert result.status == "dry_run" and result.created == 2
    assert Order.objects.count() == 0


def test_missing_rate_is_a_located_error(tmp_path, account, source):
    rows = [dict(ROWS[1], currency="VND")]
    result = import_file(source, write(tmp_path, rows), account)
    assert result.status == "rejected" and result.errors[0].column == "currency" and "VND" in result.errors[0].message


def test_rows_of_one_order_split_across_batches_join_it(tmp_path, account, source, monkeypatch):
    from chuhai.channels.ingest.writers import orders as writer

    monkeypatch.setattr(writer, "BATCH_ORDERS", 1)
    first = {"id": "111-0000009-0000009", "time": "2024-03-15T10:00:00+00:00", "lines": [["A", 1, "10", "0"]]}
    rows = [first, ROWS[1], dict(first, lines=[["B", 2, "6", "0"]])]
    result = import_file(source, write(tmp_path, rows), account)
    assert result.status == "succeeded", result.errors
    order = Order.objects.get(external_id="111-0000009-0000009")
    assert order.items_total == Decimal("16") and order.order_total == Decimal("16")
    assert list(order.lines.values_list("line_no", "channel_sku")) == [(1, "A"), (2, "B")]


def test_wrong_platform_or_unknown_source_is_refused(tmp_path, account, source):
    shop = create_account("SHOP", "shopify", "US")
    with pytest.raises(ImportRefused, match="amazon"):
        import_file(source, write(tmp_path, ROWS), shop)
    with pytest.raises(ImportRefused, match="unknown source"):
        import_file("nope-orders", write(tmp_path, ROWS), account)


def test_reader_finds_header_after_preamble_and_names_missing_columns(tmp_path):
    from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
    from chuhai.channels.ingest.reading import Payload

    text = '"All amounts in USD"\r\n"Definitions:"\r\n"date/time","order id","total"\r\n"Dec 1, 2017 12:38:23 AM PST","113-0013318-7697855","39.08"\r\n'
    table = read_delimited(Payload("t.csv", text.encode("cp1252")), is_header=lambda c: c[0] == "date/time")
    spec = ColumnSpec(table, {"when": ("date/time",), "total": ("total",)}, {"city": ("order city",)})
    errors = ErrorCollector("t.csv")
    rows = list(table.rows)
    assert table.header_line == 3 and rows[0].line == 4 and spec["city"] is None
    assert cell(rows[0], spec, "total", values.decimal, errors) == Decimal("39.08")
    with pytest.raises(FileRejected, match="settlement id"):
        ColumnSpec(read_delimited(Payload("t.csv", text.encode()), is_header=lambda c: c[0] == "date/time"),
                   {"settlement": ("settlement id",)}, {})
