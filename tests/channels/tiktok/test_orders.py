"""TikTok Shop order export: a Thai CSV (BOM, description row, IDs and times ending in a tab, DD/MM dates, Thai
statuses) on formats.md §4.3's header, and a US XLSX written here (MM/DD AM/PM, English statuses, taxes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import Payload, load_payload
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.channels.tiktok.orders import TiktokOrdersExport

TH_FILE = Path(__file__).parent / "fixtures" / "orders_th.csv"
BANGKOK = ZoneInfo("Asia/Bangkok")


def parse(account, source, name="orders.csv"):
    payload = load_payload(source) if isinstance(source, Path) else Payload(name, source)
    errors = ErrorCollector(payload.name)
    records = list(TiktokOrdersExport().parse(payload, ParseContext(account=account, file_name=payload.name), errors))
    return records, errors.errors


@pytest.fixture
def th(db):
    return create_account("TTS-TH", "tiktok", "TH")


@pytest.fixture
def us(db):
    return create_account("TTS-US", "tiktok", "US")


def test_thai_csv(th):
    records, errors = parse(th, TH_FILE)
    assert errors == []  # the description row under the header is recognised and dropped
    shipped, cancelled = records
    assert (shipped.external_id, shipped.line, shipped.status) == ("583870900000000001", 3, "shipped")
    assert shipped.purchased_at == dt.datetime(2026, 5, 10, 22, 5, 43, tzinfo=BANGKOK)  # 10/05 is 10 May
    assert [(ln.channel_sku, ln.quantity, ln.gross_amount, ln.discount) for ln in shipped.lines] == [
        ("SERUM-A-30", 2, 240, 24), ("1729384756102938472", 1, 38, 4)]  # no Seller SKU: the SKU ID
    assert shipped.lines[0].product_name == "Serum A [30ml]" and shipped.lines[0].unit_price == 120
    # TikTok's platform discount (12) is not the seller's cost: only the seller discounts are discounts.
    assert sum(ln.discount for ln in shipped.lines) == 28
    assert (shipped.extra_shipping, shipped.extra_tax, shipped.order_total) == (20, 0, None)
    assert (shipped.fulfilment_channel, cancelled.fulfilment_channel) == ("merchant", "3pl")
    assert (shipped.ship_country, shipped.ship_region, shipped.ship_city, shipped.ship_postal) == (
        "TH", "Bangkok", "Khlong Toei", "10110")
    assert shipped.customer_ref == hashlib.sha256(b"tiktok:buyer1").hexdigest()
    assert shipped.prices_include_tax is True and shipped.currency == "THB"
    assert cancelled.status == "cancelled" and cancelled.lines[0].item_status == "cancelled"
    assert cancelled.purchased_at == dt.datetime(2026, 5, 11, 8, 15, tzinfo=BANGKOK)


def test_without_description_row_nothing_is_dropped(th):
    lines = TH_FILE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    records, errors = parse(th, "".join(lines[:1] + lines[2:]).encode())  # no BOM either
    assert errors == []
    assert [(r.external_id, r.line) for r in records] == [("583870900000000001", 2), ("583870900000000002", 4)]


def test_chinese_status_and_unknown_status(db):
    sg = create_account("TTS-SG", "tiktok", "SG")
    text = TH_FILE.read_text(encoding="utf-8-sig").replace("จัดส่งแล้ว", "运输中")
    records, errors = parse(sg, text.encode())
    assert errors == [] and records[0].status == "shipped"
    records, errors = parse(sg, text.replace("ยกเลิกแล้ว", "Teleported").encode())
    assert [r.external_id for r in records] == ["583870900000000001"]
    assert [(e.line, e.column, e.value) for e in errors] == [(5, "Order Status", "Teleported")]


def test_missing_required_column_rejects_the_file(th):
    text = TH_FILE.read_text(encoding="utf-8-sig").replace("SKU Subtotal Before Discount", "Subtotal")
    with pytest.raises(FileRejected) as exc:
        parse(th, text.encode())
    assert exc.value.errors[0].column == "SKU Subtotal Before Discount"


US_HEADER = ["Order ID", "Order Status", "Order Substatus", "SKU ID", "Seller SKU", "Product Name", "Variation",
             "Quantity", "SKU Unit Original Price", "SKU Subtotal Before Discount", "SKU Platform Discount",
             "SKU Seller Discount", "SKU Subtotal After Discount", "Shipping Fee After Discount", "Taxes",
             "Order Amount", "Created Time", "Paid Time", "Fulfillment Type", "Buyer Username", "Zipcode", "Country",
             "State", "City"]
US_DESCRIPTION = ["Platform unique order ID.", "Current order status.", "Order substatus.", "Platform SKU ID.",
                  "Seller SKU.", "Product name.", "Variation.", "Quantity.", "", "", "", "", "", "", "", "", "", "",
                  "", "", "", "", "", ""]
US_ROWS = [
    ["576461413038785752\t", "Awaiting shipment", "Awaiting shipment", "1729500000000000001\t", "BOTTLE-32", "Bottle",
     "32oz", 1, 24.99, 24.99, 3.0, 2.0, 19.99, 0, 1.65, 21.64, "03/01/2026 10:00:00 AM\t",
     "03/01/2026 10:01:12 AM\t", "Fulfilled by TikTok", "us_buyer", "10001", "United States", "New York",
     "New York"],
    ["576461413038785753\t", "Delivered", "Delivered", "1729500000000000002\t", "LID-S", "Spare lid", "", 2, 4.5, 9.0,
     0, 0, 9.0, 3.99, 1.02, 14.01, "03/02/2026 09:30:00 PM\t", "", "Fulfilled by seller", "", "94103",
     "United States", "California", "San Francisco"],
]


def xlsx(rows, header=US_HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in [header, US_DESCRIPTION, *rows]:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_us_xlsx_month_first_dates_and_marketplace_tax(us):
    records, errors = parse(us, xlsx(US_ROWS), name="orders.xlsx")
    assert errors == []
    waiting, delivered = records
    la = ZoneInfo("America/Los_Angeles")
    assert waiting.purchased_at == dt.datetime(2026, 3, 1, 10, 0, tzinfo=la)  # 03/01 is 1 March in the US
    assert delivered.purchased_at == dt.datetime(2026, 3, 2, 21, 30, tzinfo=la)
    assert (waiting.status, delivered.status) == ("unshipped", "delivered")
    assert (waiting.fulfilment_channel, delivered.fulfilment_channel) == ("3pl", "merchant")
    assert [(ln.channel_sku, ln.gross_amount, ln.discount) for ln in waiting.lines] == [
        ("BOTTLE-32", Decimal("24.99"), Decimal("2.0"))]
    assert (waiting.extra_tax, waiting.tax_model, waiting.prices_include_tax) == (Decimal("1.65"), "marketplace", False)
    assert (delivered.extra_shipping, delivered.lines[0].quantity, delivered.lines[0].gross_amount) == (
        Decimal("3.99"), 2, Decimal("9.0"))
    assert delivered.ship_country == "US" and delivered.customer_ref == ""


def test_excel_mangled_order_id_is_an_error(us):
    rows = [list(r) for r in US_ROWS]
    rows[1][0] = 5.76461413038785e17
    records, errors = parse(us, xlsx(rows), name="orders.xlsx")
    assert [r.external_id for r in records] == ["576461413038785752"]
    assert [(e.line, e.column) for e in errors] == [(4, "Order ID")]
