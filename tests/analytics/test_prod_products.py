"""Product analytics: the ABC rule of chuhai.analytics.products on hand-worked numbers, and the page
/analytics/products/ on prod_builders' six SKUs (figures and classes worked out in its docstring): permissions,
finance-only columns, filters, currency, drill-down links and CSV / XLSX exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils.html import escape
from django.utils.http import urlencode
from openpyxl import load_workbook

from chuhai.analytics import products
from chuhai.analytics.metric_layer import engine
from chuhai.finance.fx import set_manual_rate

from .prod_builders import MARCH, products_shop

D = Decimal
URL = "/analytics/products/"
MARCH_DATES = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.fixture
def shop(transactional_db):
    data = products_shop()
    yield data
    engine.close()


def classes(values):
    return [(r.sku, r.abc) for r in products.abc_classes([(s, D(v)) for s, v in values])]


# -- the ABC rule ----------------------------------------------------------------------------------------------

def test_abc_exact_boundaries():
    # X 0 → 80 (A); Y starts exactly at 80 → B (the first 80 % is made), ends 95; Z starts exactly at 95 → C
    assert classes([("X", "80"), ("Y", "15"), ("Z", "5")]) == [("X", "A"), ("Y", "B"), ("Z", "C")]
    ranked = products.abc_classes([("X", D("80")), ("Y", D("15")), ("Z", D("5"))])
    assert [(r.start, r.end) for r in ranked] == [(D(0), D(80)), (D(80), D(95)), (D(95), D(100))]


def test_abc_straddling_skus_take_the_class_where_they_start():
    # ranked X 79, Z 14, W 5, Y 2 (total 100): X 0 → 79 A; Z 79 → 93 A (straddles 80); W 93 → 98 B
    # (straddles 95); Y 98 → 100 C
    assert classes([("X", "79"), ("Y", "2"), ("Z", "14"), ("W", "5")]) == [
        ("X", "A"), ("Z", "A"), ("W", "B"), ("Y", "C")]
    # one SKU making 90 % alone: A; the next starts at 90 → B, ends 99.5 (straddles 95) ; the last at 99.5 → C
    assert classes([("BIG", "180"), ("MID", "19"), ("TINY", "1")]) == [("BIG", "A"), ("MID", "B"), ("TINY", "C")]
    # a single SKU is A
    assert classes([("ONLY", "0.01")]) == [("ONLY", "A")]


def test_abc_ties_zero_and_negative():
    # ties by SKU: "a" before "b"; a 0 → 50 A, b 50 → 100 A
    assert classes([("b", "50"), ("a", "50")]) == [("a", "A"), ("b", "A")]
    # zero and negative net sales are C, ranked last, and do not move the others' shares (basis: positives = 10)
    ranked = products.abc_classes([("X", D("10")), ("N", D("-5")), ("Z", D("0"))])
    assert [(r.sku, r.abc, r.start, r.end) for r in ranked] == [
        ("X", "A", D(0), D(100)), ("Z", "C", None, None), ("N", "C", None, None)]
    # nothing positive at all: every SKU C
    assert classes([("N", "-1"), ("Z", "0")]) == [("Z", "C"), ("N", "C")]
    assert products.abc_classes([]) == []


def test_summary_shares_are_of_all_net_sales():
    ranked = products.abc_classes([("X", D("90")), ("Y", D("12")), ("N", D("-2"))])
    summary, total = products.summarise(ranked)
    # total 90 + 12 − 2 = 100; X 0 → 88.24 of the positives 102: A; Y starts 88.24: B; N: C
    assert total == D("100")
    assert [(s.abc, s.skus, s.net_sales, s.share) for s in summary] == [
        ("A", 1, D("90"), D("90.00")), ("B", 1, D("12"), D("12.00")), ("C", 1, D("-2"), D("-2.00"))]
    empty, _total = products.summarise(products.abc_classes([("N", D("-1"))]))
    assert [s.share for s in empty] == [None, None, None]


# -- the service on the database --------------------------------------------------------------------------------

def test_report_figures_and_classes(shop):
    view = products.report(*MARCH_DATES, finance=True)
    got = [(r["sku"], r["abc"], r["net_sales"], r["net_sales_share"], r["cumulative_share"], r["units"],
            r["orders"], r["return_rate"]) for r in view.rows]
    assert got == [
        ("SKU-A", "A", D("500.00"), D("50.00"), D("50.00"), 5, 1, D("0.00")),
        ("SKU-B", "A", D("350.00"), D("35.00"), D("85.00"), 3, 2, D("0.00")),
        ("SKU-C", "B", D("60.00"), D("6.00"), D("91.00"), 3, 1, D("0.00")),
        ("SKU-D", "B", D("50.00"), D("5.00"), D("96.00"), 1, 1, D("0.00")),
        ("SKU-E", "C", D("40.00"), D("4.00"), D("100.00"), 4, 1, D("0.00")),
        # 1 sold − 1 credited: 0 units, 0.00 net sales, 1 ÷ 1 returned = 100 %
        ("SKU-F", "C", D("0.00"), D("0.00"), None, 0, 1, D("100.00")),
    ]
    a = view.rows[0]
    assert a["gross_profit"] == D("300.00") and a["margin_percent"] == D("50.00")  # 500 − 200; 250 ÷ 500
    assert view.rows[1]["gross_profit"] == D("0.00") and view.rows[1]["margin_percent"] is None
    assert [(s.abc, s.skus, s.net_sales, s.share) for s in view.classes] == [
        ("A", 2, D("850.00"), D("85.00")), ("B", 2, D("110.00"), D("11.00")), ("C", 2, D("40.00"), D("4.00"))]
    assert "gross_profit" not in products.report(*MARCH_DATES).rows[0]


# -- the page ----------------------------------------------------------------------------------------------------

def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def table_skus(html: str) -> list[str]:
    body = html[html.index('id="table-products"'):]
    body = body[:body.index("</table>")]
    return re.findall(r'<td[^>]*data-key="sku">(?:<a href="[^"]*">)?([^<]+)<', body)


def test_anonymous_and_permission(client, shop):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    nobody = get_user_model().objects.create_user("nobody", password="nobody-pass-123")
    client.force_login(nobody)
    assert client.get(URL, MARCH).status_code == 403
    assert client.get(URL, {**MARCH, "export": "csv", "table": "products"}).status_code == 403


def test_viewer_page_without_profit_finance_with_it(client_as, shop):
    for role in ("viewer", "operations"):
        response = client_as(role).get(URL, MARCH)
        assert response.status_code == 200
        html = response.content.decode()
        assert table_skus(html) == ["SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E", "SKU-F"]
        assert "Gross profit" not in html and "Margin %" not in html
        assert 'href="/analytics/products/"' in html and 'aria-current="page"' in html
    html = client_as("finance").get(URL, MARCH).content.decode()
    assert "Gross profit" in html and "Margin %" in html
    row = html[html.index('">SKU-A</a>'):]
    row = row[:row.index("</tr>")]
    assert 'data-key="gross_profit">300.00 CNY<' in row and 'data-key="margin_percent">50<' in row
    # the tab is on the other analytics pages too
    assert 'href="/analytics/products/"' in client_as("viewer").get("/analytics/channels/", MARCH).content.decode()


def test_chart_option_and_drill_down(client_as, shop):
    html = client_as("viewer").get(URL, MARCH).content.decode()
    option = json.loads(re.search(r'<script id="chart-pareto-option" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    assert option["xAxis"]["data"] == ["SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E", "SKU-F"]
    bars, line = option["series"]
    assert bars["data"] == [500.0, 350.0, 60.0, 50.0, 40.0, 0.0]
    assert line["data"] == [50.0, 85.0, 91.0, 96.0, 100.0, None] and line["yAxisIndex"] == 1
    bands = [(b[0]["name"], b[0]["xAxis"], b[1]["xAxis"]) for b in bars["markArea"]["data"]]
    assert bands == [("A", "SKU-A", "SKU-B"), ("B", "SKU-C", "SKU-D"), ("C", "SKU-E", "SKU-F")]
    # a SKU (its cell, its bar) opens the orders of the period holding it, counted in sales
    orders_url = "/orders/?" + urlencode({**MARCH, "sku": "SKU-A", "sales": "yes"})
    assert f'<a href="{escape(orders_url)}">SKU-A</a>' in html
    drill = json.loads(re.search(r'<script id="chart-pareto-drill" type="application/json">(.*?)</script>',
                                 html, re.S).group(1))
    assert drill[0] == orders_url and len(drill) == 6


@pytest.mark.parametrize("query, expected", [
    # SHOPEE-SG = marketplace SG: C 60, D 50, E 40 of 150 → C 0 → 40, D 40 → 73.33, E 73.33 → 100: all A
    ({"account": "SHOPEE-SG"}, [("SKU-C", "A", "40.00"), ("SKU-D", "A", "33.33"), ("SKU-E", "A", "26.67")]),
    ({"marketplace": "sg"}, [("SKU-C", "A", "40.00"), ("SKU-D", "A", "33.33"), ("SKU-E", "A", "26.67")]),
    # ship-to DE: B 150 (PB2) of 150 → A; F 20 − 20 = 0 → C
    ({"ship_country": "DE"}, [("SKU-B", "A", "100.00"), ("SKU-F", "C", "0.00")]),
    # cables: A 500, B 350, F 0 of 850: A 0 → 58.82 A; B starts 58.82 → A; F C
    ({"category": "cables"}, [("SKU-A", "A", "58.82"), ("SKU-B", "A", "41.18"), ("SKU-F", "C", "0.00")]),
])
def test_filters(client_as, shop, query, expected):
    response = client_as("viewer").get(URL, {**MARCH, **query, "export": "csv", "table": "products"})
    rows = csv_rows(response)
    assert rows[0][:4] == ["SKU", "ABC class", "Net sales", "Share of net sales"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == expected


def test_date_range_filters(client_as, shop):
    # 7–8 March: only the Shopee orders (C, D, E)
    rows = csv_rows(client_as("viewer").get(URL, {"date_from": "2026-03-07", "date_to": "2026-03-08",
                                                  "export": "csv", "table": "products"}))
    assert [r[0] for r in rows[1:]] == ["SKU-C", "SKU-D", "SKU-E"]
    html = client_as("viewer").get(URL, {"date_from": "2025-01-01", "date_to": "2025-01-31"}).content.decode()
    assert 'id="chart-pareto"' not in html and "No orders in this period." in html


def test_currency(client_as, shop):
    set_manual_rate("CNY", "USD", D("0.14"), dt.date(2026, 3, 1))
    set_manual_rate("CNY", "USD", D("0.15"), dt.date(2026, 3, 6))
    client = client_as("viewer")
    rows = csv_rows(client.get(URL, {**MARCH, "currency": "usd", "export": "csv", "table": "products"}))
    # A 500 × 0.14 = 70.00; B (200 + 150) × 0.14 = 49.00; C 60 × 0.15 = 9.00; D 50 × 0.15 = 7.50;
    # E 40 × 0.15 = 6.00; F 20 × 0.14 (5 March) − 20 × 0.15 (credit, 6 March) = −0.20.
    # positives 141.50: A 0 → 49.47 A; B 49.47 → 84.10 A; C 84.10 → 90.46 B; D 90.46 → 95.76 B; E 95.76 C; F C
    assert [(r[0], r[1], r[2], r[4], r[-1]) for r in rows[1:]] == [
        ("SKU-A", "A", "70.00", "49.47", "USD"), ("SKU-B", "A", "49.00", "84.10", "USD"),
        ("SKU-C", "B", "9.00", "90.46", "USD"), ("SKU-D", "B", "7.50", "95.76", "USD"),
        ("SKU-E", "C", "6.00", "100.00", "USD"), ("SKU-F", "C", "-0.20", "", "USD")]
    rows = csv_rows(client.get(URL, {**MARCH, "currency": "usd", "export": "csv", "table": "classes"}))
    # total 141.30: A 119.00 → 84.22 %, B 16.50 → 11.68 %, C 6.00 − 0.20 = 5.80 → 4.10 %
    assert rows == [["ABC class", "SKUs", "Net sales", "Share of net sales %", "Currency"],
                    ["A", "2", "119.00", "84.22", "USD"], ["B", "2", "16.50", "11.68", "USD"],
                    ["C", "2", "5.80", "4.10", "USD"]]
    # a day without a rate is an error on the page, not a crash
    html = client.get(URL, {**MARCH, "currency": "JPY"}).content.decode()
    assert 'id="analytics-error"' in html and "JPY" in html


def test_exports_csv_and_xlsx(client_as, shop):
    client = client_as("finance")
    rows = csv_rows(client.get(URL, {**MARCH, "export": "csv", "table": "classes"}))
    assert rows[1:] == [["A", "2", "850.00", "85.00", "CNY"], ["B", "2", "110.00", "11.00", "CNY"],
                        ["C", "2", "40.00", "4.00", "CNY"]]
    response = client.get(URL, {**MARCH, "export": "xlsx", "table": "products"})
    assert response.status_code == 200
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert values[0] == ("SKU", "ABC class", "Net sales", "Share of net sales", "Cumulative share %", "Units",
                         "Orders", "Return rate", "Gross profit", "Margin %", "Currency")
    assert values[1][:2] == ("SKU-A", "A") and D(str(values[1][2])) == D("500")
    assert D(str(values[1][8])) == D("300")
    assert client.get(URL, {**MARCH, "export": "pdf"}).status_code == 400
    assert client.get(URL, {**MARCH, "export": "csv", "table": "nope"}).status_code == 404
