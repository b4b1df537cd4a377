"""Inbound shipment pages: list with filters and export, the create form with lines, and the detail page's life
cycle (ship, in transit, partial receipt per line, close with discrepancies); refusals change nothing."""

from __future__ import annotations

import pytest

from chuhai.catalog.models import Product
from chuhai.inventory import stock, transfers
from chuhai.inventory.inbound import InboundShipment
from chuhai.inventory.models import StockBalance, Warehouse

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


def create_data(**overrides) -> dict:
    data = {"from_warehouse": "SZ", "to_warehouse": "US-3PL", "mode": "air", "reference": "", "carrier": "DHL",
            "tracking": "JD0001", "eta": "2026-04-20", "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000", "lines-0-sku": "MUG", "lines-0-quantity": "60",
            "lines-1-sku": "", "lines-1-quantity": "", "lines-2-sku": "LID", "lines-2-quantity": "20"}
    data.update(overrides)
    return data


def test_create_form_makes_a_draft_with_its_lines(goods, client_as):
    client = client_as("operations")
    assert client.get("/inbound/new/").status_code == 200
    response = client.post("/inbound/new/", create_data())
    shipment = InboundShipment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inbound/{shipment.pk}/"
    assert (shipment.status, shipment.mode, shipment.carrier) == ("draft", "air", "DHL")
    assert dict(shipment.lines.values_list("product__sku", "qty_shipped")) == {"MUG": 60, "LID": 20}
    assert balance(goods["mug"], goods["sz"]) == (100, 0)


@pytest.mark.parametrize(("overrides", "fragment"), [
    ({"lines-0-sku": "CUP"}, "unknown SKU"),
    ({"to_warehouse": "SZ"}, "must differ"),
    ({"lines-0-sku": "", "lines-0-quantity": "", "lines-2-sku": "", "lines-2-quantity": ""}, "at least one line"),
    ({"lines-0-quantity": "0"}, "greater than or equal to 1"),
])
def test_create_form_refusals(goods, client_as, overrides, fragment):
    response = client_as("operations").post("/inbound/new/", create_data(**overrides))
    assert response.status_code == 200 and fragment in response.content.decode()
    assert not InboundShipment.objects.exists()


def test_life_cycle_through_the_detail_page(goods, client_as):
    client = client_as("operations")
    shipment = transfers.create(goods["sz"], goods["us"], "sea", {"MUG": 60, "LID": 20})
    url = f"/inbound/{shipment.pk}/"
    assert b'id="inbound-ship"' in client.get(url).content

    client.post(url + "ship/")
    assert balance(goods["mug"], goods["sz"]) == (40, 0) and balance(goods["mug"], goods["us"]) == (0, 60)
    client.post(url + "in-transit/")
    page = client.get(url)
    lines = {line.product.sku: line for line in page.context["lines"]}
    assert page.context["can_receive"]

    client.post(url + "receive/", {f"qty-{lines['MUG'].pk}": "25", f"qty-{lines['LID'].pk}": ""})
    shipment.refresh_from_db()
    assert shipment.status == "partially_received" and balance(goods["mug"], goods["us"]) == (25, 35)

    over = client.post(url + "receive/", {f"qty-{lines['MUG'].pk}": "36"}, follow=True)
    assert "over-receipt refused" in over.content.decode()
    assert balance(goods["mug"], goods["us"]) == (25, 35)
    empty = client.post(url + "receive/", {}, follow=True)
    assert "at least one line" in empty.content.decode()

    closed = client.post(url + "close/", {"note": "pallet damaged"}, follow=True)
    text = closed.content.decode()
    assert "LID −20" in text and "MUG −35" in text
    assert "35 of 60 not received; written off at close: pallet damaged" in text
    shipment.refresh_from_db()
    assert shipment.status == "closed" and balance(goods["mug"], goods["us"]) == (25, 0)
    assert b'id="inbound-receive"' not in closed.content


def test_refused_transition_is_shown_and_changes_nothing(goods, client_as):
    shipment = transfers.create(goods["sz"], goods["us"], "sea", {"MUG": 101})
    response = client_as("operations").post(f"/inbound/{shipment.pk}/ship/", follow=True)
    assert "not enough stock of MUG in SZ" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == "draft" and balance(goods["mug"], goods["sz"]) == (100, 0)
    response = client_as("operations").post(f"/inbound/{shipment.pk}/close/", follow=True)
    assert "cannot close" in response.content.decode()
    assert client_as("operations").post(f"/inbound/{shipment.pk}/explode/").status_code == 404


def test_viewer_sees_but_cannot_act(goods, client_as):
    shipment = transfers.create(goods["sz"], goods["us"], "sea", {"MUG": 10})
    client = client_as("viewer")
    page = client.get(f"/inbound/{shipment.pk}/")
    assert page.status_code == 200 and b'id="inbound-ship"' not in page.content
    assert client.post(f"/inbound/{shipment.pk}/ship/").status_code == 403
    assert client.get("/inbound/new/").status_code == 403
    assert InboundShipment.objects.get().status == "draft"


def test_list_filters_and_export(goods, client_as):
    first = transfers.create(goods["sz"], goods["us"], "sea", {"MUG": 10, "LID": 5}, tracking="MSKU123")
    transfers.create(goods["us"], goods["sz"], "air", {"LID": 1})
    transfers.ship(first)
    client = client_as("viewer")
    rows = client.get("/inbound/").context["table"].rows
    assert len(rows) == 2
    shipped = client.get("/inbound/", {"status": "shipped"}).context["table"].rows
    assert [row[0].text for row in shipped] == [first.reference]
    assert [cell.text for cell in shipped[0]][8:10] == ["15", "0"]
    assert len(client.get("/inbound/", {"q": "MSKU"}).context["table"].rows) == 1
    csv_text = client.get("/inbound/", {"export": "csv", "status": "shipped"}).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Reference,From,To") and first.reference in csv_text


def test_finance_finds_the_landed_charges_from_the_shipment(goods, client_as):
    shipment = transfers.create(goods["sz"], goods["us"], "sea", {"MUG": 10})
    finance_page = client_as("finance").get(f"/inbound/{shipment.pk}/")
    assert f'href="/costs/landed/{shipment.reference}/"'.encode() in finance_page.content
    # operations manage the shipment but not its money
    assert b'id="inbound-landed-charges"' not in client_as("operations").get(f"/inbound/{shipment.pk}/").content
