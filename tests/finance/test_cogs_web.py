"""Cost pages, API and CLI: finance sees inventory value and landed charges and adds charges; operations and
viewers are refused."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from chuhai.catalog.services import create_product
from chuhai.cli.main import main
from chuhai.core.users import issue_token
from chuhai.finance.cogs import rebuild_costs, record_receipt_cost
from chuhai.finance.cost_layers import LandedCharge
from chuhai.finance.fx import set_manual_rate
from chuhai.finance.landed_cost import add_charge
from chuhai.inventory import stock, transfers
from chuhai.inventory.ledger import StockMovement
from chuhai.inventory.services import create_warehouse

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def goods(db):
    """SZ-01 holds 6 cables at 30 CNY and 4 lamps at 10 USD (× 7.10 = 71 CNY); IB-7 ships 2 cables + 2 lamps."""
    set_manual_rate("USD", "CNY", D("7.10"), dt.date(2026, 1, 1))
    sz = create_warehouse("SZ-01", "domestic", "CN")
    us = create_warehouse("US-3PL", "overseas_3pl", "US")
    cable = create_product("CABLE", name_en="USB cable", cost=D("30"), cost_currency="CNY", weight_g=100)
    lamp = create_product("LAMP", name_en="Desk lamp", weight_g=300)
    stock.receive(cable, sz, 6, reference="PO-1")
    rows = stock.receive(lamp, sz, 4, reference="PO-2")
    record_receipt_cost(lamp, sz, 4, D("10"), "USD", dt.date(2026, 3, 2), movement_group=rows[0].group)
    shipment = transfers.create(sz, us, "sea", {"CABLE": 2, "LAMP": 2}, reference="IB-7")
    return {"sz": sz, "us": us, "cable": cable, "lamp": lamp, "shipment": shipment}


# -- pages ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("admin", 200), ("operations", 403),
                                              ("viewer", 403), ("purchasing", 403)])
def test_only_finance_sees_the_pages(client_as, goods, role, status):
    client = client_as(role)
    assert client.get("/costs/").status_code == status
    assert client.get("/costs/landed/IB-7/").status_code == status


def test_inventory_value_page_table_filters_and_exports(client_as, goods):
    rebuild_costs()
    client = client_as("finance")
    page = client.get("/costs/")
    rows = {(r.sku, r.warehouse): (r.units, r.value) for r in page.context["table"].page.object_list}
    # 6 × 30 = 180 and 4 × 71 = 284 → 464 in all
    assert rows == {("CABLE", "SZ-01"): (6, D("180")), ("LAMP", "SZ-01"): (4, D("284"))}
    assert page.context["total"] == "464.00 CNY"
    assert page.context["chart"]["series"][0]["data"] == [464.0]
    only = client.get("/costs/", {"q": "lamp"})
    assert [r.sku for r in only.context["table"].page.object_list] == ["LAMP"]
    csv = client.get("/costs/", {"export": "csv"})
    assert csv.status_code == 200 and b"284.00" in csv.content
    xlsx = client.get("/costs/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_finance_adds_a_landed_charge_and_sees_the_allocation(client_as, goods):
    client = client_as("finance")
    response = client.post("/costs/landed/IB-7/", {"kind": "freight", "amount": "80", "currency": "CNY",
                                                  "incurred_on": "2026-03-05", "basis": "weight", "note": "sea"})
    assert response.status_code == 302
    charge = LandedCharge.objects.get()
    assert (charge.amount, charge.base_amount, charge.created_by.username) == (D("80"), D("80"), "finance_user")
    page = client.get("/costs/landed/IB-7/")
    # weights: CABLE 100 g × 2 = 200, LAMP 300 g × 2 = 600 → 80 × 200/800 = 20 (10 a unit), LAMP 60 (30 a unit)
    assert [(p["sku"], p["allocated"], p["per_unit"]) for p in page.context["preview"]] == [
        ("CABLE", "20.00", D("10")), ("LAMP", "60.00", D("30"))]
    bad = client.post("/costs/landed/IB-7/", {"kind": "freight", "amount": "-1", "currency": "CNY",
                                             "incurred_on": "2026-03-05", "basis": "weight"})
    assert bad.status_code == 200 and bad.context["form"].errors and LandedCharge.objects.count() == 1
    client.post(f"/costs/landed/IB-7/{charge.pk}/delete/")
    assert not LandedCharge.objects.exists()


@pytest.mark.parametrize("role", ["operations", "viewer"])
def test_others_cannot_add_charges(client_as, goods, role):
    response = client_as(role).post("/costs/landed/IB-7/", {"kind": "freight", "amount": "80", "currency": "CNY",
                                                            "incurred_on": "2026-03-05", "basis": "weight"})
    assert response.status_code == 403 and not LandedCharge.objects.exists()


# -- API --------------------------------------------------------------------------------------------------------
def api(user):
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user.username, name='test')}"}
    return client, headers


def test_api_value_and_landed_charges(role_users, goods):
    rebuild_costs()
    client, headers = api(role_users["finance"])
    body = client.get("/api/v1/costs/inventory-value", {"warehouse": "SZ-01"}, **headers).json()
    assert body["total"] == "464.00" and body["currency"] == "CNY"
    assert {(i["sku"], i["value"], i["unit_cost"]) for i in body["items"]} == {("CABLE", "180.00", "30"),
                                                                           ("LAMP", "284.00", "71")}
    new = {"kind": "duty", "amount": "12", "currency": "USD", "incurred_on": "2026-03-05", "basis": "quantity"}
    created = client.post("/api/v1/inbound/IB-7/landed-charges", json.dumps(new), content_type="application/json",
                          **headers)
    assert created.status_code == 201, created.content
    assert created.json()["base_amount"] == "85.2"  # 12 USD × 7.10
    listed = client.get("/api/v1/inbound/IB-7/landed-charges", **headers).json()
    # by quantity, 2 + 2 units: 85.2 / 2 lines = 42.6 each, 21.3 a unit
    assert [(a["sku"], a["allocated"], a["per_unit"]) for a in listed["allocation"]] == [
        ("CABLE", "42.6", "21.3"), ("LAMP", "42.6", "21.3")]
    ops, ops_headers = api(role_users["operations"])
    assert ops.get("/api/v1/costs/inventory-value", **ops_headers).status_code == 403
    assert ops.post("/api/v1/inbound/IB-7/landed-charges", json.dumps(new), content_type="application/json",
                    **ops_headers).status_code == 403
    assert client.get("/api/v1/inbound/NOPE/landed-charges", **headers).status_code == 404


# -- CLI --------------------------------------------------------------------------------------------------------
def test_cli_receipt_landed_rebuild_and_value(goods, capsys):
    assert main(["costs", "receipt", "CABLE", "--warehouse", "SZ-01", "--qty", "4", "--unit-cost", "5",
                 "--currency", "USD", "--ref", "PO-3", "--date", "2026-03-02"]) == 0
    assert StockMovement.objects.filter(reference="PO-3", quantity=4).exists()
    assert main(["costs", "landed", "add", "IB-7", "--kind", "freight", "--amount", "1200", "--currency", "CNY",
                 "--date", "2026-03-02", "--basis", "weight"]) == 0
    assert main(["costs", "rebuild"]) == 0
    assert "Replayed" in capsys.readouterr().out
    assert main(["costs", "value", "--warehouse", "SZ-01", "--json"]) == 0
    rows = {r["sku"]: r for r in json.loads(capsys.readouterr().out)}
    # CABLE: 6 at the product's 30 + 4 at 5 USD × 7.10 = 35.50 → 180 + 142 = 322
    assert (rows["CABLE"]["units"], rows["CABLE"]["value"]) == (10, "322.00")
    assert main(["costs", "landed", "add", "NOPE", "--kind", "freight", "--amount", "1", "--currency", "CNY",
                 "--date", "2026-03-02"]) == 1


def test_transfer_layers_take_the_charges_added_through_the_service(goods):
    add_charge(goods["shipment"], "freight", D("80"), "CNY", dt.date(2026, 3, 5), "weight")
    transfers.ship(goods["shipment"])
    rebuild_costs()
    from chuhai.finance.cogs import inventory_value

    there = {r.sku: r for r in inventory_value(warehouse=goods["us"])}
    # in transit, counted at the destination: CABLE 30 + 10 landed = 40; LAMP 71 + 30 = 101
    assert (there["CABLE"].unit_cost, there["LAMP"].unit_cost) == (D("40"), D("101"))
