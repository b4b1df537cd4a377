"""Stock through the API: balances, and adjustments that can never take stock below zero or below reservations."""

from __future__ import annotations

import pytest

from chuhai.catalog.services import create_product
from chuhai.inventory.ledger import StockBalance, StockMovement
from chuhai.inventory.services import create_warehouse
from chuhai.inventory.stock import receive, reserve

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked():
    sz, us = create_warehouse("SZ-MAIN", "domestic", "CN"), create_warehouse("US-3PL", "overseas_3pl", "US")
    cable, charger = create_product("CAB-1M", name_en="Cable"), create_product("CHG-65W", name_en="Charger")
    receive(cable, sz, 10)
    reserve(cable, sz, 4, reference="ORDER-1")
    receive(cable, us, 2)
    receive(charger, sz, 7)
    return {"sz": sz, "us": us, "cable": cable, "charger": charger}


def test_list_stock_filters(api_as, stocked):
    viewer = api_as("viewer")
    body = viewer.get("/stock", sku="CAB-1M").json()
    assert body["count"] == 2
    assert [(i["warehouse"], i["on_hand"], i["reserved"], i["available"]) for i in body["items"]] == [
        ("SZ-MAIN", 10, 4, 6), ("US-3PL", 2, 0, 2)]
    assert [i["sku"] for i in viewer.get("/stock", warehouse="SZ-MAIN").json()["items"]] == ["CAB-1M", "CHG-65W"]
    assert viewer.get("/stock", sku="NOPE").json()["count"] == 0


def test_adjustment_returns_the_new_balance_and_writes_the_ledger(api_as, stocked, role_users):
    response = api_as("operations").post("/stock/adjustments", {
        "sku": "CAB-1M", "warehouse": "SZ-MAIN", "quantity": -3, "reason": "damaged"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["balance"] == {"sku": "CAB-1M", "warehouse": "SZ-MAIN", "on_hand": 7, "reserved": 4,
                               "available": 3, "inbound": 0, "unsellable": 0}
    movement = StockMovement.objects.latest("id")
    assert (movement.quantity, movement.reason, movement.user) == (-3, "damaged", role_users["operations"])
    assert StockBalance.objects.get(product=stocked["cable"], warehouse=stocked["sz"]).on_hand == 7


def test_adjustment_into_reserved_stock_is_409_and_writes_nothing(api_as, stocked):
    before = StockMovement.objects.count()
    operations = api_as("operations")
    response = operations.post("/stock/adjustments", {
        "sku": "CAB-1M", "warehouse": "SZ-MAIN", "quantity": -7, "reason": "count"})
    assert response.status_code == 409
    assert "CAB-1M" in response.json()["detail"]
    response = operations.post("/stock/adjustments", {
        "sku": "CHG-65W", "warehouse": "US-3PL", "quantity": -1, "reason": "count"})
    assert response.status_code == 409
    assert StockMovement.objects.count() == before
    assert StockBalance.objects.get(product=stocked["cable"], warehouse=stocked["sz"]).on_hand == 10


@pytest.mark.parametrize(("change", "field"), [
    ({"quantity": 0}, "quantity"),
    ({"quantity": "3"}, "quantity"),
    ({"quantity": 1.5}, "quantity"),
    ({"reason": "   "}, "reason"),
    ({"sku": "NOPE"}, "sku"),
    ({"warehouse": "NOPE"}, "warehouse"),
    ({"state": "reserved"}, "state"),
])
def test_bad_adjustments_are_422_naming_the_field(api_as, stocked, change, field):
    before = StockMovement.objects.count()
    body = {"sku": "CAB-1M", "warehouse": "SZ-MAIN", "quantity": 1, "reason": "found", **change}
    response = api_as("operations").post("/stock/adjustments", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"].startswith(f"{field}:")
    assert StockMovement.objects.count() == before


def test_stock_permissions(api_as, anonymous_api, stocked):
    body = {"sku": "CAB-1M", "warehouse": "SZ-MAIN", "quantity": 1, "reason": "found"}
    assert api_as("viewer").post("/stock/adjustments", body).status_code == 403
    assert api_as("finance").post("/stock/adjustments", body).status_code == 403
    assert anonymous_api.get("/stock").status_code == 401
    assert StockMovement.objects.filter(reason="found").count() == 0
