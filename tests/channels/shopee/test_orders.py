"""Shopee order export: XLSX written here with openpyxl on the documented English (PH) header, with IDs ending
in a tab as Shopee writes them and a float-mangled one; an Indonesian CSV with localised headers."""

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
from chuhai.channels.shopee.orders import ShopeeOrdersExport

FIXTURES = Path(__file__).parent / "fixtures"

#: formats.md §4.1 (a real PH seller's header subset) plus address columns listed there.
HEADER = [
    "Order ID", "Order Status", "Cancel reason", "Return / Refund Status", "Tracking Number*", "Shipping Option",
    "Estimated Ship Out Date", "Ship Time", "Order Creation Date", "Order Paid Time", "Parent SKU Reference No.",
    "Product Name", "SKU Reference No.", "Variation Name", "Original Price", "Deal Price", "Quantity",
    "Returned quantity", "Product Subtotal", "Total Discount(PHP)", "Price Discount(from Seller)(PHP)",
    "Shopee Rebate(PHP)", "Seller Voucher(PHP)", "Coin Cashback Voucher Amount Sponsored by Seller",
    "Shopee Voucher(PHP)", "Shopee Coins Offset(PHP)", "Credit Card Discount Total(PHP)",
    "Products' Price Paid by Buyer (PHP)", "Buyer Paid Shipping Fee", "Shipping Rebate Estimate",
    "Reverse Shipping Fee", "Service Fee", "Grand Total", "Estimated Shipping Fee", "Username (Buyer)",
    "Province", "City", "Zip Code", "Country",
]


def row(**cells):
    values = dict.fromkeys(HEADER, None)
    for key, value in cells.items():
        values[key] = value
    return [values[h] for h in HEADER]


MUG_ORDER = dict(**{"Order ID": "2407151ABCDE23\t", "Order Status": "Completed", "Tracking Number*": "PH0123456789\t",
                    "Order Creation Date": "2024-07-15 14:23", "Seller Voucher(PHP)": 50,
                    "Coin Cashback Voucher Amount Sponsored by Seller": 10, "Shopee Voucher(PHP)": 30,
                    "Buyer Paid Shipping Fee": 45, "Grand Total": 898, "Username (Buyer)": "mugfan_ph",
                    "Province": "Metro Manila", "City": "Quezon City", "Zip Code": "1100", "Country": "Philippines"})
ROWS = [
    row(**MUG_ORDER, **{"Parent SKU Reference No.": "MUG", "Product Name": "Ceramic Mug",
                        "SKU Reference No.": "MUG-BLU\t", "Variation Name": "Blue", "Original Price": 399,
                        "Deal Price": 349, "Quantity": 2, "Product Subtotal": 698,
                        "Price Discount(from Seller)(PHP)": 100}),
    row(**MUG_ORDER, **{"Parent SKU Reference No.": "TEE", "Product Name": "Cotton Tee", "SKU Reference No.": "TEE-M",
                        "Variation Name": "M", "Original Price": 250, "Deal Price": 250, "Quantity": 1,
                        "Product Subtotal": 250}),
    row(**{"Order ID": "2407152FGHIJ45\t", "Order Status": "To ship",
           "Order Creation Date": dt.datetime(2024, 7, 16, 9, 5), "Product Name": "Sticker pack",
           "SKU Reference No.": "STK-10", "Original Price": 99.5, "Deal Price": 99.5, "Quantity": 1,
           "Buyer Paid Shipping Fee": 0, "Username (Buyer)": "sticky"}),
    row(**{"Order ID": "2407153KLMNO67\t", "Order Status": "Cancelled", "Cancel reason": "Need to change address",
           "Order Creation Date": "2024-07-17 08:00", "SKU Reference No.": "MUG-BLU", "Deal Price": 349,
           "Quantity": 1}),
]


def xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parse(account, source, name="Order.all.20240701_20240731.xlsx"):
    payload = load_payload(source) if isinstance(source, Path) else Payload(name, source)
    errors = ErrorCollector(payload.name)
    records = list(ShopeeOrdersExport().parse(payload, ParseContext(account=account, file_name=payload.name), errors))
    return records, errors.errors


@pytest.fixture
def ph(db):
    return create_account("SHOPEE-PH", "shopee", "PH")


def test_xlsx_export(ph):
    records, errors = parse(ph, xlsx(ROWS))
    assert errors == []
    by_id = {r.external_id: r for r in records}
    assert list(by_id) == ["2407151ABCDE23", "2407152FGHIJ45", "2407153KLMNO67"]  # the tab is gone
    mug = by_id["2407151ABCDE23"]
    assert (mug.line, mug.status, mug.currency) == (2, "delivered", "PHP")
    assert mug.purchased_at == dt.datetime(2024, 7, 15, 14, 23, tzinfo=ZoneInfo("Asia/Manila"))
    assert [(ln.channel_sku, ln.quantity, ln.unit_price, ln.gross_amount) for ln in mug.lines] == [
        ("MUG-BLU", 2, 349, 698), ("TEE-M", 1, 250, 250)]
    assert mug.lines[0].product_name == "Ceramic Mug [Blue]"
    # Seller-funded: voucher 50 + sponsored coin cashback 10. Shopee's own voucher (30) is not the seller's cost,
    # and the seller's price discount is already inside the deal price.
    assert mug.extra_discount == 60 and all(ln.discount == 0 for ln in mug.lines)
    assert mug.extra_shipping == 45 and mug.order_total is None
    assert (mug.ship_country, mug.ship_region, mug.ship_city, mug.ship_postal) == (
        "PH", "Metro Manila", "Quezon City", "1100")
    assert mug.customer_ref == hashlib.sha256(b"shopee:mugfan_ph").hexdigest()
    assert [ln.item_status for ln in mug.lines] == ["shipped", "shipped"]

    stickers = by_id["2407152FGHIJ45"]
    assert stickers.status == "unshipped" and stickers.lines[0].gross_amount == Decimal("99.5")
    assert stickers.purchased_at == dt.datetime(2024, 7, 16, 9, 5, tzinfo=ZoneInfo("Asia/Manila"))  # a date cell
    cancelled = by_id["2407153KLMNO67"]
    assert cancelled.status == "cancelled" and cancelled.lines[0].item_status == "cancelled"


def test_float_mangled_id_and_unknown_status_are_located(ph):
    bad = list(ROWS)
    bad[2] = list(bad[2])
    bad[2][HEADER.index("Order ID")] = 2.40715123456789e17  # Excel turned the id into a float
    bad[3] = list(bad[3])
    bad[3][HEADER.index("Order Status")] = "Lost in space"
    records, errors = parse(ph, xlsx(bad))
    assert [r.external_id for r in records] == ["2407151ABCDE23"]
    assert {(e.line, e.column) for e in errors} == {(4, "Order ID"), (5, "Order Status")}


def test_header_currency_must_be_the_accounts(db):
    my = create_account("SHOPEE-MY", "shopee", "MY")
    with pytest.raises(FileRejected) as exc:
        parse(my, xlsx(ROWS))
    error = exc.value.errors[0]
    assert "Total Discount(PHP)" in error.column and error.value == "PHP" and "MYR" in error.message


def test_missing_required_column_rejects_the_file(ph):
    header = [h for h in HEADER if h not in ("Deal Price", "Quantity")]
    with pytest.raises(FileRejected) as exc:
        parse(ph, xlsx([], header=header))
    assert exc.value.errors[0].column == "Quantity, Deal Price"


def test_indonesian_csv(db):
    account = create_account("SHOPEE-ID", "shopee", "ID")
    records, errors = parse(account, FIXTURES / "orders_id.csv")
    assert errors == []
    shirt, cap = records
    assert (shirt.external_id, shirt.status, cap.status) == ("240801ABCDEF12", "delivered", "pending")
    assert shirt.purchased_at == dt.datetime(2024, 8, 1, 19, 45, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert [(ln.channel_sku, ln.quantity, ln.unit_price, ln.gross_amount) for ln in shirt.lines] == [
        ("KAOS-HTM-L", 2, 99000, 198000)]  # "Rp 99.000": dots group thousands in Indonesia
    assert cap.lines[0].channel_sku == "TOPI"  # no SKU reference: the parent SKU
    assert (shirt.ship_country, shirt.ship_region, shirt.currency) == ("ID", "JAWA BARAT", "IDR")
