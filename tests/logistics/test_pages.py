"""The shipments pages and the order page's allocation, shipments and ship form (Django test client)."""

from __future__ import annotations

import csv
import io

import pytest

from chuhai.logistics.models import Shipment
from chuhai.logistics.shipping import create_shipment

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_order_page_shows_allocation_and_ships_for_operations(client_as, shop, make_order):
    order = make_order("5001", [(shop["mug"], 2), (shop["lid"], 1)])
    client = client_as("operations")

    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="order-allocation"' in page and 'data-warehouse="US-LA"' in page
    assert 'id="ship-order"' in page and "Not shipped yet." in page

    lines = [str(pk) for pk in order.lines.order_by("line_no").values_list("pk", flat=True)]
    response = client.post(f"/orders/{order.pk}/", {"carrier": "ups", "tracking_number": "1Z999AA10123456784",
                                                    "service": "Ground", "lines": lines[:1]})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "partially_shipped"

    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-tracking="1Z999AA10123456784"' in page
    assert "https://www.ups.com/track?tracknum=1Z999AA10123456784" in page
    assert 'id="ship-order"' in page  # line 2 is still open


def test_ship_form_errors_keep_the_page(client_as, shop, make_order):
    first = make_order("5002", [(shop["mug"], 1)])
    second = make_order("5003", [(shop["mug"], 1)])
    create_shipment(first, "ups", "1Z-DUP")
    client = client_as("operations")
    line = str(second.lines.get().pk)

    response = client.post(f"/orders/{second.pk}/", {"carrier": "ups", "tracking_number": "1Z-DUP",
                                                     "lines": [line]})
    assert response.status_code == 200
    assert "1Z-DUP" in response.content.decode() and "already used" in response.content.decode()
    assert client.post(f"/orders/{second.pk}/", {"carrier": "ups", "tracking_number": "",
                                                 "lines": [line]}).status_code == 200
    assert Shipment.objects.count() == 1


def test_viewer_sees_but_cannot_ship(client_as, shop, make_order):
    order = make_order("5004", [(shop["mug"], 1)])
    client = client_as("viewer")
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert 'id="order-shipments"' in page and 'id="ship-order"' not in page
    assert client.post(f"/orders/{order.pk}/", {"carrier": "ups", "tracking_number": "1Z",
                                                "lines": [str(order.lines.get().pk)]}).status_code == 403
    assert client.get("/shipments/tracking-import/").status_code == 403
    assert not Shipment.objects.exists()


def test_shipments_list_filters_links_and_exports(client_as, shop, make_order):
    create_shipment(make_order("5005", [(shop["mug"], 1)]), "ups", "1Z999AA10123456784")
    create_shipment(make_order("5006", [(shop["lid"], 2)]), "yanwen", "UG123456789YP")
    client = client_as("viewer")

    page = client.get("/shipments/").content.decode()
    assert '<a href="https://track.yw56.com.cn/en/querydel?nums=UG123456789YP">' in page
    filtered = client.get("/shipments/", {"carrier": "yanwen"}).content.decode()
    assert "UG123456789YP" in filtered and "1Z999AA10123456784" not in filtered

    exported = client.get("/shipments/", {"export": "csv", "carrier": "yanwen"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Shipment", "Shipped", "Account", "Order"]
    assert [(r[3], r[6], r[-1]) for r in rows[1:]] == [("5006", "UG123456789YP", "2")]
    xlsx = client.get("/shipments/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_tracking_upload_page_and_detail_timeline(client_as, shop, make_order):
    shipment = create_shipment(make_order("5007", [(shop["mug"], 1)]), "yunexpress", "YT2412345678901234")
    client = client_as("operations")

    with (FIXTURES / "17track_events.csv").open("rb") as handle:
        page = client.post("/shipments/tracking-import/", {"file": handle, "format": "auto"}).content.decode()
    assert 'data-status="imported"' in page and 'id="events-created">5<' in page
    assert "LX000000000CN" in page

    detail = client.get(f"/shipments/{shipment.pk}/").content.decode()
    assert detail.count('<li data-status="') == 5
    assert detail.index('data-status="delivered"') < detail.index('data-status="info_received"')  # newest first

    with (FIXTURES / "bad_status_and_time.csv").open("rb") as handle:
        bad = client.post("/shipments/tracking-import/", {"file": handle, "format": "auto"}).content.decode()
    assert 'data-status="rejected"' in bad and "Teleported" in bad
