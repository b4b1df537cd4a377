"""CSV and Excel exports: the filtered rows, Chinese intact, money as numbers rounded to the currency."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook


def _csv_rows(response):
    assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads Chinese"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_products_csv_keeps_filter_and_chinese(client_as, business):
    client = client_as("viewer")
    client.get("/products/")  # a page view must not change what the export contains
    response = client.get("/products/", {"category": "Cables", "export": "csv"})
    assert response["Content-Disposition"].startswith('attachment; filename="products-')
    rows = _csv_rows(response)
    assert [r["SKU"] for r in rows] == ["CAB-USB-C-1M"]
    assert Decimal(rows[0]["Purchase cost"]) == Decimal("4.20") and rows[0]["Purchase cost"] == "4.20"
    assert rows[0]["Cost currency"] == "CNY"
    chinese = client_as("viewer").get("/products/", {"q": "CAB", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "USB-C 数据线 1米" in chinese.content.decode("utf-8-sig")


def test_orders_xlsx_has_numbers_and_currency_formats(client_as, business):
    response = client_as("viewer").get("/orders/", {"status": "shipped", "export": "xlsx"})
    sheet = _xlsx(response)
    rows = list(sheet.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sorted(r[header.index("Order id")] for r in data) == ["111-0000001", "250-0000003"]
    by_id = {r[header.index("Order id")]: r for r in data}
    usd, jpy = by_id["111-0000001"], by_id["250-0000003"]
    total, base_total = header.index("Order total"), header.index("Total in base currency")
    assert isinstance(usd[total], (int, float)) and usd[total] == float(Decimal("19.98"))
    # 19.98 USD × 7.1234 = 142.325532 CNY → 142.33; 4980 JPY × 0.047321 = 235.65858 CNY → 235.66
    assert usd[base_total] == float(Decimal("142.33"))
    assert jpy[base_total] == float(Decimal("235.66"))
    assert jpy[total] == 4980
    cells = {c.value: c for c in sheet[2] + sheet[3]}
    formats = {cells[c].number_format for c in cells if cells[c].value in (4980, 19.98)}
    assert formats == {'#,##0 "JPY"', '#,##0.00 "USD"'}


def test_orders_csv_matches_the_filtered_page(client_as, business):
    client = client_as("viewer")
    rows = _csv_rows(client.get("/orders/", {"account": "AMZ-US", "export": "csv"}))
    assert {r["Order id"] for r in rows} == {"111-0000001", "111-0000002"}
    assert {r["Order total"] for r in rows} == {"19.98", "9.99"}
    assert {r["Total in base currency"] for r in rows} == {"142.33", "71.16"}


def test_listings_xlsx_filtered_by_account(client_as, business):
    sheet = _xlsx(client_as("viewer").get("/listings/", {"account": "AMZ-JP", "export": "xlsx"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    header = rows[0]
    assert rows[1][header.index("Channel SKU")] == "CHG-65-JP"
    assert rows[1][header.index("Price")] == 4980


def test_export_links_carry_the_filters(client_as, business):
    html = client_as("viewer").get("/orders/", {"status": "shipped", "page": "1"}).content.decode()
    assert 'href="/orders/?status=shipped&amp;export=csv"' in html
    assert 'href="/orders/?status=shipped&amp;export=xlsx"' in html


def test_unknown_export_format_is_refused(client_as, business):
    assert client_as("viewer").get("/orders/", {"export": "pdf"}).status_code == 400


def test_headers_follow_the_reader_language(client_as, business):
    client = client_as("viewer")
    page = client.get("/products/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "导出 CSV" in page and "采购成本" in page
    rows = _csv_rows(client.get("/products/", {"q": "CHG", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert rows[0]["采购成本"] == "48.50" and rows[0]["启用"] == "是"
