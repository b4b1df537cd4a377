"""Shipments and tracking imports through /api/v1."""

from __future__ import annotations

import pytest

from chuhai.inventory.ledger import StockBalance
from chuhai.logistics.models import Shipment, TrackingEvent
from chuhai.logistics.shipping import create_shipment

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_post_shipment_ships_the_order_and_answers_with_it(api_as, shop, make_order, role_users):
    order = make_order("3001", [(shop["mug"], 2), (shop["lid"], 1)])

    response = api_as("operations").post("/shipments", {
        "account": "SHOP-US", "order": "3001", "carrier": "yunexpress", "tracking_number": "YT2400000000000001",
        "lines": [1]})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["carrier"], body["warehouse"], body["status"]) == ("yunexpress", "US-LA", "pending")
    assert body["tracking_url"].endswith("id=YT2400000000000001")
    assert body["lines"] == [{"line_no": 1, "sku": "MUG-01", "channel_sku": "MUG-01", "quantity": 2}]
    assert body["events"] == []
    order.refresh_from_db()
    assert order.status == "partially_shipped"
    assert StockBalance.objects.get(product=shop["mug"]).on_hand == 8
    assert Shipment.objects.get().created_by == role_users["operations"]


def test_post_shipment_conflicts_and_bad_input(api_as, shop, make_order):
    ops = api_as("operations")
    make_order("3002", [(shop["mug"], 1)])
    make_order("3003", [(shop["mug"], 1)], status="cancelled", allocate=False)
    assert ops.post("/shipments", {"account": "SHOP-US", "order": "3002", "carrier": "ups",
                                   "tracking_number": "1Z1"}).status_code == 201

    again = ops.post("/shipments", {"account": "SHOP-US", "order": "3002", "carrier": "ups",
                                    "tracking_number": "1Z2"})
    assert again.status_code == 409 and "no open lines" in again.json()["detail"]
    cancelled = ops.post("/shipments", {"account": "SHOP-US", "order": "3003", "carrier": "ups",
                                        "tracking_number": "1Z3"})
    assert cancelled.status_code == 409 and "cancelled" in cancelled.json()["detail"]
    carrier = ops.post("/shipments", {"account": "SHOP-US", "order": "3003", "carrier": "pigeon",
                                      "tracking_number": "1Z3"})
    assert carrier.status_code == 422 and carrier.json()["detail"].startswith("carrier: unknown carrier 'pigeon'")
    line = ops.post("/shipments", {"account": "SHOP-US", "order": "3002", "carrier": "ups", "tracking_number": "1Z4",
                                   "lines": [7]})
    assert line.status_code == 422 and "no line 7" in line.json()["detail"]
    missing = ops.post("/shipments", {"account": "SHOP-US", "order": "NOPE", "carrier": "ups",
                                      "tracking_number": "1Z5"})
    assert missing.status_code == 404
    assert Shipment.objects.count() == 1


def test_duplicate_tracking_number_is_a_409_naming_it(api_as, shop, make_order):
    make_order("3004", [(shop["mug"], 1)])
    make_order("3005", [(shop["mug"], 1)])
    ops = api_as("operations")
    ops.post("/shipments", {"account": "SHOP-US", "order": "3004", "carrier": "fedex", "tracking_number": "7946"})
    response = ops.post("/shipments", {"account": "SHOP-US", "order": "3005", "carrier": "fedex",
                                       "tracking_number": "7946"})
    assert response.status_code == 409
    assert "7946" in response.json()["detail"] and "3004" in response.json()["detail"]


def test_list_and_detail(api_as, shop, make_order):
    create_shipment(make_order("3006", [(shop["mug"], 1)]), "ups", "1Z999AA10123456784")
    create_shipment(make_order("3007", [(shop["lid"], 1)]), "usps", "9400111206213642173009")
    viewer = api_as("viewer")

    body = viewer.get("/shipments").json()
    assert body["count"] == 2
    assert {i["order"] for i in body["items"]} == {"3006", "3007"}
    assert [i["order"] for i in viewer.get("/shipments", carrier="usps").json()["items"]] == ["3007"]
    assert viewer.get("/shipments", status="delivered").json()["count"] == 0
    assert viewer.get("/shipments", limit=1).json()["items"].__len__() == 1

    api_as("operations").client.post(
        "/api/v1/tracking/imports", {"file": (FIXTURES / "aftership_export.csv").open("rb")},
        **api_as("operations").headers)
    ups = Shipment.objects.get(tracking_number="1Z999AA10123456784")
    detail = viewer.get(f"/shipments/{ups.pk}").json()
    assert detail["status"] == "returned"
    assert [e["status"] for e in detail["events"]] == ["info_received", "in_transit", "attempt_fail", "returned"]
    assert viewer.get("/shipments/999999").status_code == 404


def test_tracking_import_upload(api_as, shop, make_order):
    create_shipment(make_order("3008", [(shop["mug"], 1)]), "yunexpress", "YT2412345678901234")
    ops = api_as("operations")

    with (FIXTURES / "17track_events.csv").open("rb") as handle:
        ok = ops.client.post("/api/v1/tracking/imports", {"file": handle, "format": "17track"}, **ops.headers)
    assert ok.status_code == 201, ok.content
    assert ok.json()["events_created"] == 5
    assert ok.json()["unknown_tracking_numbers"] == ["LX000000000CN", "RR123456789CN"]

    with (FIXTURES / "bad_status_and_time.csv").open("rb") as handle:
        bad = ops.client.post("/api/v1/tracking/imports", {"file": handle}, **ops.headers)
    assert bad.status_code == 422
    assert {"line": 3, "column": "Status", "value": "Teleported"}.items() <= bad.json()["errors"][0].items()
    assert TrackingEvent.objects.count() == 5


def test_permissions(api_as, shop, make_order):
    make_order("3009", [(shop["mug"], 1)])
    viewer = api_as("viewer")
    assert viewer.post("/shipments", {"account": "SHOP-US", "order": "3009", "carrier": "ups",
                                      "tracking_number": "1Z9"}).status_code == 403
    with (FIXTURES / "17track_events.csv").open("rb") as handle:
        assert viewer.client.post("/api/v1/tracking/imports", {"file": handle},
                                  **viewer.headers).status_code == 403
    assert api_as("finance").get("/shipments").status_code == 200
    assert not Shipment.objects.exists()
