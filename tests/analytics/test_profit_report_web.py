"""The Profit and P&L pages: figures, status marks, sorting, exports and the finance-only permission."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from .test_profit_report_builders import two_skus

pytestmark = pytest.mark.django_db
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("role", ["operations", "viewer", "purchasing"])
@pytest.mark.parametrize("url", ["/profit/", "/pnl/", "/profit/?export=csv", "/pnl/?export=xlsx"])
def test_money_pages_are_finance_only(client_as, role, url):
    assert client_as(role).get(url).status_code == 403


def test_profit_by_sku_page(client_as):
    two_skus()
    response = client_as("finance").get("/profit/", {**MARCH, "by": "sku"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Profit by SKU" in html
    # LAMP-2 (revenue 200) before MUG-1 (150); MUG-1 is partly estimated and shown in italics
    assert html.index(">LAMP-2<") < html.index(">MUG-1<")
    assert 'class="row-partly_estimated" data-status="partly_estimated"' in html
    assert 'class="row-settled" data-status="settled"' in html
    # totals: revenue 350, contribution 67.50 + 80 = 147.50, margin 147.50 / 350 = 42.14 %
    assert 'id="total-profit">147.50 CNY<' in html and 'id="total-margin">42.14 %<' in html
    assert 'data-chart="profit-chart-option"' in html and '"id": "contribution"' in html
    # sorting ascending by contribution puts MUG-1 (67.50) first
    html = client_as("finance").get("/profit/", {**MARCH, "by": "sku", "sort": "profit"}).content.decode()
    assert html.index(">MUG-1<") < html.index(">LAMP-2<")
    assert 'aria-sort="ascending"' in html


def test_profit_by_order_links_orders_and_filters_by_account(client_as):
    data = two_skus()
    html = client_as("finance").get("/profit/", {**MARCH, "by": "order", "account": "AMZ-US"}).content.decode()
    assert f'href="/orders/{data["orders"][0].pk}/"' in html and "303-0000003" not in html


def test_profit_exports_contain_the_rows(client_as):
    two_skus()
    client = client_as("finance")
    rows = csv_rows(client.get("/profit/", {**MARCH, "by": "sku", "export": "csv"}))
    header = rows[0]
    assert header[:4] == ["SKU", "Currency", "Units", "Sales as charged"]
    body = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert body["MUG-1"]["Contribution"] == "67.50" and body["MUG-1"]["Margin %"] == "45.00"
    assert body["MUG-1"]["Fees"] == "partly_estimated" and body["LAMP-2"]["Cost estimated"] == "Yes"
    response = client.get("/profit/", {**MARCH, "by": "sku", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [v[0] for v in values[1:]] == ["LAMP-2", "MUG-1"]
    assert values[1][header.index("Contribution")] == 80


def test_pnl_page_marks_estimated_cells_and_exports(client_as):
    two_skus()
    client = client_as("finance")
    response = client.get("/pnl/", MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-chart="pnl-chart-option"' in html and 'id="pnl-legend"' in html
    start = html.index('data-line="revenue"')
    revenue_row = html[start:html.index("</tr>", start)]
    assert "350.00 CNY" in revenue_row and "estimated" in revenue_row  # f2 is unsettled
    start = html.index('data-line="fee:fulfilment_fee"')
    assert "estimated" not in html[start:html.index("</tr>", start)]  # only on the settled f3
    rows = csv_rows(client.get("/pnl/", {**MARCH, "export": "csv"}))
    assert rows[0] == ["Line", "2026-03", "Total", "Currency", "Estimated"]
    lines = {r[0]: r for r in rows[1:]}
    assert lines["Contribution"][1:] == ["147.50", "147.50", "CNY", "2026-03, total"]
    assert lines["Margin %"][2] == "42.14"
    sheet = load_workbook(io.BytesIO(client.get("/pnl/", {**MARCH, "export": "xlsx"}).content)).active
    assert [c.value for c in sheet[1]] == ["Line", "2026-03", "Total", "Currency", "Estimated"]


def test_htmx_swaps_only_the_table(client_as):
    two_skus()
    response = client_as("finance").get("/profit/", {**MARCH, "by": "month"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and ">2026-03<" in html


def test_missing_rate_is_an_error_message_not_a_crash(client_as):
    two_skus()
    html = client_as("finance").get("/pnl/", {**MARCH, "currency": "VND"}).content.decode()
    assert 'id="pnl-error"' in html and "VND" in html


def test_order_profit_include(role_users):
    from django.template.loader import render_to_string

    from chuhai.web.pages.views.profit import order_profit_context

    data = two_skus()
    mug_order = data["orders"][1]  # f2: 50 - 7.50 - 20 = 22.50, unsettled
    context = order_profit_context(role_users["finance"], mug_order)
    html = render_to_string("web/pages/profit_order.html", context)
    assert "22.50 CNY" in html and "45.00 %" in html and "estimated" in html
    assert order_profit_context(role_users["operations"], mug_order) == {}


def test_order_page_shows_its_profit_to_finance_only(client_as):
    data = two_skus()
    mug_order = data["orders"][1]  # f2: 50 - 7.50 - 20 = 22.50
    finance = client_as("finance").get(f"/orders/{mug_order.pk}/").content.decode()
    assert 'id="order-profit"' in finance and "22.50 CNY" in finance
    operations = client_as("operations").get(f"/orders/{mug_order.pk}/")
    assert operations.status_code == 200 and b'id="order-profit"' not in operations.content
