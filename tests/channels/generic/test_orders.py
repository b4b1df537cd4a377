"""The generic importer on a real excerpt of UCI "Online Retail" (every row of 22 quirky invoices), and on the
mistakes a hand-made spreadsheet brings: located errors, Excel-mangled ids, disagreeing rows, XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.generic.mapping import bundled_mapping
from chuhai.channels.generic.orders import MappedOrders
from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import Payload, load_payload
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account

EXCERPT = Path(__file__).parent / "fixtures" / "online_retail_excerpt.csv"
UTC = dt.UTC


@pytest.fixture
def account(db):
    return create_account("RETAIL-GB", "distributor", "GB")


def parse(account, payload: Payload, mapping=None, **options):
    ctx = ParseContext(account=account, file_name=payload.name,
                       mapping=bundled_mapping("online_retail") if mapping is None else mapping, options=options)
    errors = ErrorCollector(payload.name)
    records = list(MappedOrders().parse(payload, ctx, errors))
    return records, errors.errors


def csv_payload(text: str, name: str = "orders.csv") -> Payload:
    return Payload(name, text.encode("utf-8"))


HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def raw_invoices() -> dict[str, list[dict]]:
    """The excerpt read with nothing but the csv module: the independent side of every comparison."""
    invoices = defaultdict(list)
    with EXCERPT.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            invoices[row["InvoiceNo"]].append(row)
    return invoices


def test_excerpt_groups_every_invoice_with_all_its_lines(account):
    records, errors = parse(account, load_payload(EXCERPT))
    assert errors == []
    raw = raw_invoices()
    by_id = {r.external_id: r for r in records}
    assert len(records) == len(by_id) == len(raw) == 22
    for invoice, rows in raw.items():
        rec = by_id[invoice]
        assert [ln.channel_sku for ln in rec.lines] == [row["StockCode"] for row in rows]
        assert sum(ln.gross_amount for ln in rec.lines) == sum(
            Decimal(row["Quantity"]) * Decimal(row["UnitPrice"]) for row in rows)
    # 542806's rows are interrupted by C542805 in the file; it is still one order
    assert len(by_id["542806"].lines) == 39


def test_first_invoice_matches_the_file(account):
    records, _ = parse(account, load_payload(EXCERPT))
    rec = next(r for r in records if r.external_id == "536365")
    assert (rec.currency, rec.customer_ref, rec.ship_country, rec.status, rec.document_type) == (
        "GBP", "17850", "GB", "shipped", "order")
    first = rec.lines[0]
    assert (first.channel_sku, first.product_name, first.quantity, first.unit_price, first.gross_amount) == (
        "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 6, Decimal("2.55"), Decimal("15.30"))
    assert rec.purchased_at == dt.datetime(2010, 12, 1, 8, 26, tzinfo=UTC)  # GMT in December


def test_times_are_uk_local_time(account):
    records, _ = parse(account, load_payload(EXCERPT))
    rec = next(r for r in records if r.external_id == "A563185")
    assert rec.purchased_at == dt.datetime(2011, 8, 12, 13, 50, tzinfo=UTC)  # 14:50 BST


def test_rows_straddling_a_minute_take_the_earliest_time(account):
    records, errors = parse(account, load_payload(EXCERPT))
    rec = next(r for r in records if r.external_id == "536591")
    assert errors == [] and len(rec.lines) == 40
    assert rec.purchased_at == dt.datetime(2010, 12, 1, 16, 57, tzinfo=UTC)


def test_cancellations_are_credit_documents_with_the_files_negative_quantities(account):
    records, _ = parse(account, load_payload(EXCERPT))
    by_id = {r.external_id: r for r in records}
    credit = by_id["C536379"]
    assert (credit.document_type, credit.status) == ("credit", "refunded")
    assert [(ln.channel_sku, ln.quantity, ln.gross_amount) for ln in credit.lines] == [("D", -1, Decimal("-27.50"))]
    assert all(r.document_type == "credit" for r in records if r.external_id.startswith("C"))


def test_negative_documents_without_the_prefix_are_credits_too(account):
    records, _ = parse(account, load_payload(EXCERPT))
    by_id = {r.external_id: r for r in records}
    # "Adjust bad debt": +1 at −11,062.06 is a credit in all but name; its positive twin stays an order
    assert (by_id["A563186"].document_type, by_id["A563186"].lines[0].gross_amount) == (
        "credit", Decimal("-11062.06"))
    assert (by_id["A563185"].document_type, by_id["A563185"].status) == ("order", "shipped")
    # a stock write-off: −10 at price 0, no customer
    write_off = by_id["536589"]
    assert (write_off.document_type, write_off.lines[0].quantity, write_off.customer_ref) == ("credit", -10, "")
    # a free line (+56 at 0.0) is an ordinary order line
    assert (by_id["536414"].document_type, by_id["536414"].lines[0].gross_amount) == ("order", Decimal(0))


def test_non_product_codes_are_kept_as_lines(account):
    records, _ = parse(account, load_payload(EXCERPT))
    skus = Counter(ln.channel_sku for r in records for ln in r.lines)
    for code in ("POST", "M", "D", "BANK CHARGES", "AMAZONFEE"):
        assert skus[code] >= 1, code


def test_country_text_that_is_not_iso_stays_visible(account):
    records, _ = parse(account, load_payload(EXCERPT))
    places = {(r.ship_country, r.ship_region) for r in records}
    for odd in ("EIRE", "RSA", "Channel Islands", "European Community", "Unspecified"):
        assert ("", odd) in places, odd
    for code in ("GB", "FR", "US", "CZ"):  # United Kingdom, France, USA (alpha-3), Czech Republic (official name)
        assert (code, "") in places, code


def test_country_decision_in_the_mapping_is_applied(account):
    mapping = {**bundled_mapping("online_retail"), "countries": {"EIRE": "IE"}}
    records, _ = parse(account, load_payload(EXCERPT), mapping)
    eire = next(r for r in records if r.external_id == "536541")
    assert (eire.ship_country, eire.ship_region) == ("IE", "")


def test_guest_customers_have_no_reference(account):
    records, _ = parse(account, load_payload(EXCERPT))
    assert next(r for r in records if r.external_id == "553857").customer_ref == ""


def test_mapping_may_come_from_options_as_a_path(account):
    from chuhai.channels.generic.mapping import BUNDLED

    payload = load_payload(EXCERPT)
    ctx = ParseContext(account=account, file_name=payload.name, options={"mapping": str(BUNDLED /
                                                                                       "online_retail.yaml")})
    assert len(list(MappedOrders().parse(payload, ctx, ErrorCollector(payload.name)))) == 22


def test_invalid_mapping_rejects_the_file_before_reading_it(account):
    with pytest.raises(FileRejected) as info:
        parse(account, load_payload(EXCERPT), {"columns": {"order_id": "InvoiceNo"}})
    messages = [e.message for e in info.value.errors]
    assert any("columns.sku is required" in m for m in messages)
    assert all(e.column == "mapping" for e in info.value.errors)


def test_mapped_column_missing_from_the_file_is_named(account):
    mapping = {**bundled_mapping("online_retail"), "columns": {**bundled_mapping("online_retail")["columns"],
                                                               "ship_country": "Land"}}
    with pytest.raises(FileRejected) as info:
        parse(account, load_payload(EXCERPT), mapping)
    assert info.value.errors[0].column == "Land"
    assert "required column missing" in info.value.errors[0].message


def test_bad_cells_are_located_and_all_reported(account):
    text = (HEADER
            + "536365,85123A,HOLDER,six,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
            + "536366,22633,HAND WARMER,6,01/12/2010 08:28,1.85,17850,United Kingdom\n"
            + "536367,84879,BIRD ORNAMENT,0,2010-12-01 08:34:00,1.69,13047,United Kingdom\n"
            + "536368,22960,JAM MAKING SET,6,2010-12-01 08:34:00,4.25x,13047,United Kingdom\n")
    records, errors = parse(account, csv_payload(text))
    located = {(e.line, e.column) for e in errors}
    assert located == {(2, "Quantity"), (3, "InvoiceDate"), (4, "Quantity"), (5, "UnitPrice")}
    assert records == []  # no half-built order leaves the parser


def test_excel_mangled_invoice_number_is_an_error(account):
    text = HEADER + "5.36365E+05,85123A,HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
    records, errors = parse(account, csv_payload(text))
    assert records == []
    assert (errors[0].line, errors[0].column, errors[0].value) == (2, "InvoiceNo", "5.36365E+05")
    assert "scientific notation" in errors[0].message


def test_rows_of_one_order_must_agree_on_the_buyer(account):
    text = (HEADER
            + "536365,85123A,HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
            + "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17851,United Kingdom\n"
            + "536365,84406B,HANGER,8,2010-12-01 08:26:00,2.75,17850,France\n")
    _, errors = parse(account, csv_payload(text))
    assert [(e.line, e.column, e.value) for e in errors] == [(3, "CustomerID", "17851"), (4, "Country", "France")]
    assert "line 2" in errors[0].message


def test_header_after_a_preamble_and_extra_columns(account):
    text = ("Sales export,,,\nGenerated 2011-12-10,,,\n\n"
            + "Region," + HEADER.strip() + ",Channel\n"
            + "North,536365,85123A,HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom,web\n")
    records, errors = parse(account, csv_payload(text))
    assert errors == []
    assert records[0].line == 5 and records[0].lines[0].gross_amount == Decimal("15.30")


def test_xlsx_with_numbers_and_dates_in_cells(account, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    ws.append([536365, "85123A", "HOLDER", 6, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850, "United Kingdom"])
    ws.append([536365, 71053, "LANTERN", 6, dt.datetime(2010, 12, 1, 8, 26), 3.39, 17850, "United Kingdom"])
    ws.append([1.12e18, "85123A", "HOLDER", 1, dt.datetime(2010, 12, 1, 9, 0), 2.55, None, "EIRE"])
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    records, errors = parse(account, load_payload(path))
    assert [(e.line, e.column) for e in errors] == [(4, "InvoiceNo")]
    rec = records[0]
    assert (rec.external_id, rec.customer_ref, [ln.channel_sku for ln in rec.lines]) == (
        "536365", "17850", ["85123A", "71053"])
    assert sum(ln.gross_amount for ln in rec.lines) == Decimal("35.64")


def test_status_column_and_word_translation(account):
    text = ("Order,Item,Qty,Price,Date,State\n"
            "D-1,SKU-A,2,10.00,2025-03-01 10:00,Versendet\n"
            "D-2,SKU-B,1,5.00,2025-03-01 11:00,storniert\n"
            "D-3,SKU-C,1,5.00,2025-03-01 12:00,unshipped\n"
            "D-4,SKU-D,1,5.00,2025-03-01 13:00,verloren\n")
    mapping = {"columns": {"order_id": "Order", "sku": "Item", "quantity": "Qty", "unit_price": "Price",
                           "purchase_time": "Date", "status": "State"},
               "constants": {"currency": "EUR"}, "statuses": {"Versendet": "shipped", "storniert": "cancelled"}}
    records, errors = parse(account, csv_payload(text), mapping)
    assert [(r.external_id, r.status) for r in records] == [("D-1", "shipped"), ("D-2", "cancelled"),
                                                            ("D-3", "unshipped")]
    assert [(e.line, e.column, e.value) for e in errors] == [(5, "State", "verloren")]
    assert records[1].lines[0].item_status == "cancelled"


def test_decimal_comma_files(account):
    text = "Order;Item;Qty;Price;Date\nD-1;SKU-A;2;1.234,50;01.03.2025 10:00\n"
    mapping = {"columns": {"order_id": "Order", "sku": "Item", "quantity": "Qty", "unit_price": "Price",
                           "purchase_time": "Date"},
               "constants": {"currency": "EUR"}, "formats": {"purchase_time": "%d.%m.%Y %H:%M"},
               "decimal_comma": True, "timezone": "Europe/Berlin"}
    records, errors = parse(account, Payload("de.csv", text.encode("cp1252")), mapping)
    assert errors == []
    assert records[0].lines[0].gross_amount == Decimal("2469.00")
    assert records[0].purchased_at == dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_first_pass_does_not_hold_the_file(account):
    """Adjacent orders leave the parser as soon as their rows end (memory stays flat on long files)."""
    rows = "".join(f"{536000 + i},SKU{i % 7},ITEM,1,2010-12-01 08:26:00,1.00,1,United Kingdom\n" for i in range(50))
    payload = csv_payload(HEADER + rows)
    ctx = ParseContext(account=account, file_name="x.csv", mapping=bundled_mapping("online_retail"))
    stream = MappedOrders().parse(payload, ctx, ErrorCollector("x.csv"))
    first = next(stream)
    assert first.external_id == "536000" and len(first.lines) == 1
    assert sum(1 for _ in stream) == 49


def test_gzip_payload(account, tmp_path):
    import gzip

    path = tmp_path / "orders.csv.gz"
    path.write_bytes(gzip.compress(EXCERPT.read_bytes()))
    records, errors = parse(account, load_payload(path))
    assert errors == [] and len(records) == 22


def test_empty_reads_as_no_orders(account):
    records, errors = parse(account, csv_payload(HEADER))
    assert records == [] and errors == []




def test_optional_amount_columns_and_their_errors(account):
    text = ("Order,Item,Qty,Price,Total,Tax,Ship,Promo,Date,Email\n"
            "D-1,SKU-A,3,9.99,29.95,2.40,4.00,-3.00,2025-03-01 10:00,Buyer@Example.com\n"
            "D-2,SKU-B,1,5.00,5.00,n/a,0,0,2025-03-01 11:00,\n")
    mapping = {"columns": {"order_id": "Order", "sku": "Item", "quantity": "Qty", "unit_price": "Price",
                           "line_total": "Total", "item_tax": "Tax", "shipping": "Ship", "discount": "Promo",
                           "purchase_time": "Date", "customer_email": "Email"},
               "constants": {"currency": "USD", "status": "delivered", "fulfilment_channel": "3pl"}}
    records, errors = parse(account, csv_payload(text), mapping)
    assert [(e.line, e.column, e.value) for e in errors] == [(3, "Tax", "n/a")]
    (rec,) = records
    line = rec.lines[0]
    assert (line.gross_amount, line.unit_price, line.item_tax, line.shipping, line.discount) == (
        Decimal("29.95"), Decimal("9.99"), Decimal("2.40"), Decimal("4.00"), Decimal("3.00"))
    assert (rec.status, rec.fulfilment_channel, line.item_status) == ("delivered", "3pl", "shipped")
    assert rec.customer_ref == hashlib.sha256(b"buyer@example.com").hexdigest()
