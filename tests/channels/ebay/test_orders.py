"""eBay Seller Hub orders report: US file (blank first line, padding row, footer, the synthetic row of formats.md
§3.1, a multi-item order with eBay-collected tax) and a UK file (sentence-case headers, £, day-first dates)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chuhai.channels.ebay.orders import EbayOrdersReport
from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import Payload, load_payload
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account

FIXTURES = Path(__file__).parent / "fixtures"
US_FILE = FIXTURES / "orders_us.csv"
UK_FILE = FIXTURES / "orders_uk.csv"


def parse(account, source):
    payload = load_payload(source) if isinstance(source, Path) else Payload("orders.csv", source)
    errors = ErrorCollector(payload.name)
    records = list(EbayOrdersReport().parse(payload, ParseContext(account=account, file_name=payload.name), errors))
    return records, errors.errors


def computed_total(rec):
    lines = sum(ln.gross_amount - ln.discount + ln.shipping + ln.item_tax for ln in rec.lines)
    return lines + rec.extra_shipping + rec.extra_tax - rec.extra_discount


@pytest.fixture
def us(db):
    return create_account("EBAY-US", "ebay", "US")


@pytest.fixture
def uk(db):
    return create_account("EBAY-UK", "ebay", "UK")


def test_us_report(us):
    records, errors = parse(us, US_FILE)
    assert errors == []
    by_id = {r.external_id: r for r in records}
    assert list(by_id) == ["12-34567-89012", "12-34567-89013", "04-12345-67890"]  # footer rows are not orders

    lamp = by_id["12-34567-89012"]
    assert lamp.line == 4  # blank line 1, header line 2, padding line 3
    assert lamp.purchased_at == dt.datetime(2025, 7, 21, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert lamp.status == "shipped"
    [line] = lamp.lines
    assert (line.channel_sku, line.quantity, line.gross_amount, line.shipping) == (
        "335001234567", 1, Decimal("45.99"), Decimal("12.00"))  # no Custom Label: the item number stands in
    assert (line.external_line_id, line.product_name, line.item_status) == ("2857301", "Vintage Lamp, brass",
                                                                           "shipped")
    assert lamp.order_total == Decimal("57.99") == computed_total(lamp)
    assert lamp.ship_country == "US" and lamp.ship_postal == "97201"
    assert lamp.customer_ref == hashlib.sha256(b"ebay:buyer_1").hexdigest()
    assert lamp.tax_model == "" and lamp.prices_include_tax is False

    multi = by_id["12-34567-89013"]
    assert [(ln.channel_sku, ln.quantity, ln.gross_amount, ln.shipping) for ln in multi.lines] == [
        ("LAMP-WAL", 1, Decimal("1200.00"), 0), ("BULB-E27", 5, Decimal("185.00"), 0)]
    assert multi.lines[1].product_name == "Edison bulb [Wattage:40W]"
    assert (multi.extra_shipping, multi.extra_tax) == (Decimal("20.00"), Decimal("28.66"))
    assert multi.tax_model == "marketplace"  # eBay collects and remits: not the seller's revenue
    assert multi.order_total == Decimal("1433.66") == computed_total(multi)
    assert multi.ship_region == "TX" and multi.customer_ref == hashlib.sha256(b"ebay:lamp_lover").hexdigest()

    waiting = by_id["04-12345-67890"]
    assert waiting.status == "unshipped" and waiting.lines[0].item_status == "open"
    assert waiting.ship_country == "CA" and waiting.lines[0].gross_amount == Decimal("19.00")


def test_uk_report_sentence_case_headers_pounds_and_day_first_dates(uk):
    records, errors = parse(uk, UK_FILE)
    assert errors == []
    teapot, cups = records
    assert teapot.purchased_at == dt.datetime(2025, 7, 21, tzinfo=ZoneInfo("Europe/London"))
    assert teapot.status == "shipped" and cups.status == "unshipped"  # Dispatched on date
    assert (teapot.lines[0].channel_sku, teapot.lines[0].shipping, teapot.order_total) == (
        "TEAPOT-CI", Decimal("3.95"), Decimal("38.94"))
    assert (cups.lines[0].quantity, cups.lines[0].unit_price, cups.lines[0].gross_amount) == (
        3, Decimal("1012.50"), Decimal("3037.50"))
    assert cups.order_total == computed_total(cups)
    assert (teapot.ship_country, teapot.ship_region, teapot.ship_postal) == ("GB", "West Yorkshire", "LS1 4AP")
    assert teapot.prices_include_tax is True and teapot.currency == "GBP"


def test_uk_report_in_windows_1252(uk):
    data = UK_FILE.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8").encode("cp1252")
    assert b"\xa3" in data  # £ as one cp1252 byte: not UTF-8
    records, errors = parse(uk, data)
    assert errors == [] and records[1].order_total == Decimal("3037.50")


def test_missing_required_column_rejects_the_file(uk):
    text = UK_FILE.read_text(encoding="utf-8-sig").replace("Total price,", "Grand total,")
    with pytest.raises(FileRejected) as exc:
        parse(uk, text.encode())
    assert exc.value.errors[0].column == "Total Price"
    assert exc.value.errors[0].line == 2


def test_bad_cells_are_located(uk):
    text = UK_FILE.read_text(encoding="utf-8-sig")
    text = text.replace("256001112224", "2.56001E+11").replace("21-Jul-25,21-Jul-25", "2025-21-07,21-Jul-25")
    records, errors = parse(uk, text.encode())
    assert records == []
    assert {(e.line, e.column) for e in errors} == {(3, "Sale date"), (4, "Item number")}
    assert next(e for e in errors if e.column == "Item number").value == "2.56001E+11"
