"""``/inbound``: create a draft, ship, in transit, partial receipts, close with discrepancies; refused steps are 409
and write nothing."""

from __future__ import annotations

import pytest

from chuhai.catalog.models import Product
from chuhai.inventory import stock
from chuhai.inventory.models import StockBalance, StockMovement, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def goods(db):
    sz = Warehouse.objects.create(code="SZ", type="domestic", country="CN")
    us = Warehouse.objects.create(code="US-3PL", type="overseas_3pl", country="US")
    mug = Product.objects.create(sku="MUG")
    lid = Product.objects.create(sku="LID")
    stock.receive(mug, sz, 100)
    stock.receive(lid, sz, 20)
    return {"sz": sz, "us": us, "mug": mug, "lid": lid}


def balance(product, warehouse) -> tuple[int, int]:
    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (row.on_hand, row.inbound) if row else (0, 0)


DRAFT = {"from_warehouse": "SZ", "to_warehouse": "US-3PL", "mode": "sea", "carrier": "COSCO",
         "eta": "2026-05-01", "lines": [{"sku": "MUG", "quantity": 60}, {"sku": "LID", "quantity": 20}]}


def test_life_cycle(goods, api_as):
    api = api_as("operations")
    created = api.post("/inbound", DRAFT)
    assert created.status_code == 201, created.content
    ref = created.json()["reference"]
    assert created.json()["status"] == "draft" and balance(goods["mug"], goods["sz"]) == (100, 0)

    shipped = api.post(f"/inbound/{ref}/ship", {})
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    assert balance(goods["mug"], goods["sz"]) == (40, 0) and balance(goods["mug"], goods["us"]) == (0, 60)
    assert api.post(f"/inbound/{ref}/in-transit", {}).json()["status"] == "in_transit"

    partial = api.post(f"/inbound/{ref}/receive", {"lines": [{"sku": "MUG", "quantity": 25}]})
    assert partial.json()["status"] == "partially_received"
    lines = {line["sku"]: line for line in partial.json()["lines"]}
    assert (lines["MUG"]["received"], lines["MUG"]["outstanding"]) == (25, 35)
    assert balance(goods["mug"], goods["us"]) == (25, 35)

    closed = api.post(f"/inbound/{ref}/close", {"note": "crate lost"})
    assert closed.status_code == 200
    assert sorted((d["sku"], d["missing"]) for d in closed.json()["discrepancies"]) == [("LID", 20), ("MUG", 35)]
    assert closed.json()["status"] == "closed"
    assert balance(goods["mug"], goods["us"]) == (25, 0)
    assert "crate lost" in {line["sku"]: line for line in closed.json()["lines"]}["MUG"]["discrepancy"]

    detail = api_as("viewer").get(f"/inbound/{ref}")
    assert detail.status_code == 200 and detail.json()["closed_at"] is not None


def test_refused_transitions_are_409_and_write_nothing(goods, api_as):
    api = api_as("operations")
    ref = api.post("/inbound", DRAFT).json()["reference"]
    assert api.post(f"/inbound/{ref}/receive", {"lines": [{"sku": "MUG", "quantity": 1}]}).status_code == 409
    refused = api.post(f"/inbound/{ref}/in-transit", {})
    assert refused.status_code == 409 and "Draft" in refused.json()["detail"]
    assert api.post(f"/inbound/{ref}/close", {}).status_code == 409
    assert StockMovement.objects.filter(reference=ref).count() == 0

    api.post(f"/inbound/{ref}/ship", {})
    again = api.post(f"/inbound/{ref}/ship", {})
    assert again.status_code == 409
    over = api.post(f"/inbound/{ref}/receive", {"lines": [{"sku": "MUG", "quantity": 61}]})
    assert over.status_code == 409 and "over-receipt" in over.json()["detail"]
    unknown = api.post(f"/inbound/{ref}/receive", {"lines": [{"sku": "CUP", "quantity": 1}]})
    assert unknown.status_code == 422
    assert balance(goods["mug"], goods["us"]) == (0, 60)


def test_shipping_more_than_available_is_409(goods, api_as):
    api = api_as("operations")
    ref = api.post("/inbound", {**DRAFT, "lines": [{"sku": "MUG", "quantity": 101}]}).json()["reference"]
    response = api.post(f"/inbound/{ref}/ship", {})
    assert response.status_code == 409 and "MUG" in response.json()["detail"]
    assert balance(goods["mug"], goods["sz"]) == (100, 0)
    assert api.get(f"/inbound/{ref}").json()["status"] == "draft"


def test_create_validation_and_permissions(goods, api_as):
    viewer = api_as("viewer")
    assert viewer.post("/inbound", DRAFT).status_code == 403
    api = api_as("operations")
    assert api.post("/inbound", {**DRAFT, "to_warehouse": "NOPE"}).status_code == 422
    assert api.post("/inbound", {**DRAFT, "lines": [{"sku": "CUP", "quantity": 1}]}).status_code == 422
    assert api.post("/inbound", {**DRAFT, "reference": "PO-7"}).status_code == 201
    duplicate = api.post("/inbound", {**DRAFT, "reference": "PO-7"})
    assert duplicate.status_code == 409
    ref = api.get("/inbound").json()["items"][0]["reference"]
    assert viewer.post(f"/inbound/{ref}/ship", {}).status_code == 403
    assert api.post("/inbound/NOPE/ship", {}).status_code == 404


def test_list_filters(goods, api_as):
    other = Warehouse.objects.create(code="DE-3PL", type="overseas_3pl", country="DE")
    api = api_as("operations")
    first = api.post("/inbound", DRAFT).json()["reference"]
    api.post("/inbound", {**DRAFT, "to_warehouse": "DE-3PL", "lines": [{"sku": "LID", "quantity": 5}]})
    api.post(f"/inbound/{first}/ship", {})
    assert api.get("/inbound").json()["count"] == 2
    assert [s["reference"] for s in api.get("/inbound", status="shipped").json()["items"]] == [first]
    assert [s["to_warehouse"] for s in api.get("/inbound", warehouse=other.code).json()["items"]] == ["DE-3PL"]
    assert api.get("/inbound", warehouse="SZ").json()["count"] == 2
