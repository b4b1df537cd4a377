"""The stock pages: balances by SKU × warehouse, one SKU's ledger, and the adjustment form behind its permission."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from chuhai.inventory.ledger import StockBalance, StockMovement
from chuhai.inventory.services import create_warehouse
from chuhai.inventory.stock import adjust, receive, reserve


@pytest.fixture
def stock(business, role_users):
    """CAB: 10 on hand in SZ-MAIN (4 reserved), 3 in DE-3PL; CHG: 5 on hand in SZ-MAIN, nothing reserved."""
    sz, de = business["warehouse"], create_warehouse("DE-3PL", "overseas_3pl", "DE")
    cable, charger = business["cable"], business["charger"]
    receive(cable, sz, 10, reference="PO-1")
    reserve(cable, sz, 4, reference="111-0000001")
    receive(cable, de, 3, reference="TR-7")
    receive(charger, sz, 5, reference="PO-2")
    return {**business, "de": de}


def _balance(product, warehouse):
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def _csv(response):
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_stock_page_shows_available_per_sku_and_warehouse(client_as, stock):
    response = client_as("viewer").get("/stock/")
    assert response.status_code == 200
    rows = _csv(client_as("viewer").get("/stock/", {"export": "csv"}))
    by_key = {(r["SKU"], r["Warehouse"]): r for r in rows}
    assert set(by_key) == {("CAB-USB-C-1M", "SZ-MAIN"), ("CAB-USB-C-1M", "DE-3PL"), ("CHG-65W", "SZ-MAIN")}
    cable = by_key[("CAB-USB-C-1M", "SZ-MAIN")]
    assert (cable["On hand"], cable["Reserved"], cable["Available"]) == ("10", "4", "6")
    assert b"/stock/CAB-USB-C-1M/" in response.content


def test_stock_filters(client_as, stock):
    client = client_as("viewer")

    def keys(**params):
        return [(r["SKU"], r["Warehouse"]) for r in _csv(client.get("/stock/", {**params, "export": "csv"}))]

    assert keys(warehouse="DE-3PL") == [("CAB-USB-C-1M", "DE-3PL")]
    assert keys(q="氮化镓") == [("CHG-65W", "SZ-MAIN")]
    assert keys(show="reserved") == [("CAB-USB-C-1M", "SZ-MAIN")]
    adjust(stock["charger"], stock["warehouse"], -5, "written off", user=None)
    assert keys(show="available") == [("CAB-USB-C-1M", "DE-3PL"), ("CAB-USB-C-1M", "SZ-MAIN")]


def test_stock_xlsx_export_has_number_cells(client_as, stock):
    response = client_as("viewer").get("/stock/", {"export": "xlsx", "q": "CAB"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    available = {r[header.index("Warehouse")]: r[header.index("Available")] for r in rows[1:]}
    assert available == {"DE-3PL": 3, "SZ-MAIN": 6}


def test_stock_page_query_count_does_not_grow_with_rows(client_as, stock):
    client = client_as("viewer")
    client.get("/stock/")
    with CaptureQueriesContext(connection) as few:
        client.get("/stock/")
    for index in range(8):
        receive(stock["charger"], create_warehouse(f"WH-{index}", "overseas_3pl", "US"), 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/stock/")
    assert response.content.count(b"/stock/CHG-65W/") == 9
    assert len(many) == len(few)


def test_stock_requires_the_view_permission(client, stock, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x-pass-123"))
    assert client.get("/stock/").status_code == 403
    assert client.get("/stock/CAB-USB-C-1M/").status_code == 403


def test_sku_page_shows_balances_and_ledger_newest_first(client_as, stock):
    response = client_as("viewer").get("/stock/CAB-USB-C-1M/")
    assert response.status_code == 200
    assert b'data-warehouse="SZ-MAIN"' in response.content and b'data-warehouse="DE-3PL"' in response.content
    assert b"stock-adjustment" not in response.content  # viewers get no form
    rows = _csv(client_as("viewer").get("/stock/CAB-USB-C-1M/", {"export": "csv"}))
    assert [(r["Warehouse"], r["Stock state"], r["Quantity"], r["Reference"]) for r in rows] == [
        ("DE-3PL", "On hand", "3", "TR-7"),
        ("SZ-MAIN", "Reserved", "4", "111-0000001"),
        ("SZ-MAIN", "On hand", "10", "PO-1"),
    ]
    assert client_as("viewer").get("/stock/NO-SUCH-SKU/").status_code == 404


def test_viewer_cannot_adjust(client_as, stock):
    before = StockMovement.objects.count()
    response = client_as("viewer").post("/stock/CAB-USB-C-1M/", {
        "warehouse": "SZ-MAIN", "quantity": "5", "state": "on_hand", "reason": "found"})
    assert response.status_code == 403
    assert StockMovement.objects.count() == before
    assert _balance(stock["cable"], stock["warehouse"]).on_hand == 10


def test_operations_adjusts_and_the_ledger_records_who_and_why(client_as, stock, role_users):
    client = client_as("operations")
    assert b"stock-adjustment" in client.get("/stock/CAB-USB-C-1M/").content
    response = client.post("/stock/CAB-USB-C-1M/", {
        "warehouse": "SZ-MAIN", "quantity": "-2", "state": "on_hand", "reason": "damaged in the warehouse"})
    assert response.status_code == 302 and response["Location"] == "/stock/CAB-USB-C-1M/"
    balance = _balance(stock["cable"], stock["warehouse"])
    assert (balance.on_hand, balance.reserved) == (8, 4)
    movement = StockMovement.objects.latest("id")
    assert (movement.kind, movement.quantity, movement.reason, movement.user) == (
        "adjustment", -2, "damaged in the warehouse", role_users["operations"])
    page = client.get("/stock/CAB-USB-C-1M/")
    assert "damaged in the warehouse" in page.content.decode()


def test_removing_reserved_units_is_refused_inline_and_changes_nothing(client_as, stock):
    before = StockMovement.objects.count()
    response = client_as("operations").post("/stock/CAB-USB-C-1M/", {
        "warehouse": "SZ-MAIN", "quantity": "-7", "state": "on_hand", "reason": "count"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "at most 6 can be removed" in " ".join(form.errors["quantity"])
    assert StockMovement.objects.count() == before
    balance = _balance(stock["cable"], stock["warehouse"])
    assert (balance.on_hand, balance.reserved) == (10, 4)


def test_adjustment_form_validation(client_as, stock):
    client = client_as("operations")
    before = StockMovement.objects.count()
    response = client.post("/stock/CAB-USB-C-1M/", {"warehouse": "SZ-MAIN", "quantity": "0", "state": "on_hand",
                                                    "reason": ""})
    assert set(response.context["form"].errors) == {"quantity", "reason"}
    response = client.post("/stock/CAB-USB-C-1M/", {"warehouse": "NOPE", "quantity": "1", "state": "reserved",
                                                    "reason": "x"})
    assert set(response.context["form"].errors) == {"warehouse", "state"}
    assert StockMovement.objects.count() == before


def test_chinese_page_translates_the_stock_headers(client_as, stock):
    response = client_as("viewer").get("/stock/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = response.content.decode()
    assert "在库" in text and "可用" in text
