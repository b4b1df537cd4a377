"""``chuhai inbound create|ship|transit|receive|close|list`` against the real test database."""

from __future__ import annotations

import json

import pytest

from chuhai.inventory import stock
from chuhai.inventory.inbound import InboundShipment
from chuhai.inventory.models import StockBalance, StockMovement

from ..cli.support import assert_user_error

pytestmark = pytest.mark.django_db


def test_life_cycle_from_the_command_line(chuhai, product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 50)

    created = chuhai("inbound", "create", "--from", "SZ-MAIN", "--to", "US-3PL", "--mode", "sea",
                     "--line", "MUG-01:30", "--carrier", "Matson", "--eta", "2026-12-24")
    assert created.code == 0, created
    shipment = InboundShipment.objects.get()
    assert shipment.reference in created.out
    assert (shipment.mode, shipment.carrier, str(shipment.eta)) == ("sea", "Matson", "2026-12-24")
    ref = shipment.reference

    assert chuhai("inbound", "ship", ref).code == 0
    assert StockBalance.objects.get(product=product, warehouse=other_warehouse).inbound == 30
    assert chuhai("inbound", "transit", ref).code == 0
    assert chuhai("inbound", "receive", ref, "--line", "MUG-01:28").code == 0
    assert_user_error(chuhai("inbound", "receive", ref, "--line", "MUG-01:3"), "over-receipt", "only 2")

    listed = json.loads(chuhai("inbound", "list", "--json").out)
    assert listed == [{"reference": ref, "from": "SZ-MAIN", "to": "US-3PL", "mode": "sea",
                       "status": "partially_received", "carrier": "Matson", "tracking": "", "eta": "2026-12-24",
                       "lines": [{"sku": "MUG-01", "shipped": 30, "received": 28, "discrepancy": ""}]}]
    table = chuhai("inbound", "list").out
    assert ref in table and "partially_received" in table

    closed = chuhai("inbound", "close", ref, "--json", "--note", "lost in customs")
    assert closed.code == 0
    assert json.loads(closed.out) == {"reference": ref, "discrepancies": [
        {"sku": "MUG-01", "shipped": 30, "received": 28, "missing": 2}]}
    balance = StockBalance.objects.get(product=product, warehouse=other_warehouse)
    assert (balance.on_hand, balance.inbound) == (28, 0)
    assert StockBalance.objects.get(product=product, warehouse=warehouse).on_hand == 20
    assert json.loads(chuhai("inbound", "list", "--json", "--status", "closed").out)[0]["lines"][0][
        "discrepancy"].startswith("2 of 30 not received")


def test_close_prints_the_discrepancies(chuhai, product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 5)
    chuhai("inbound", "create", "--from", "SZ-MAIN", "--to", "US-3PL", "--mode", "air", "--line", "MUG-01:5",
           "--ref", "AIR-1")
    chuhai("inbound", "ship", "AIR-1")
    chuhai("inbound", "receive", "AIR-1", "--line", "MUG-01:1")
    out = chuhai("inbound", "close", "AIR-1").out
    assert "MUG-01" in out and "4 unit(s) written off" in out


def test_refusals_are_one_clear_line(chuhai, product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 2)
    assert_user_error(chuhai("inbound", "create", "--from", "XX", "--to", "US-3PL", "--mode", "sea",
                             "--line", "MUG-01:1"), "XX")
    assert_user_error(chuhai("inbound", "create", "--from", "SZ-MAIN", "--to", "US-3PL", "--mode", "sea",
                             "--line", "NOPE:1"), "NOPE")
    assert chuhai("inbound", "create", "--from", "SZ-MAIN", "--to", "US-3PL", "--mode", "boat",
                  "--line", "MUG-01:1").code == 2
    assert chuhai("inbound", "create", "--from", "SZ-MAIN", "--to", "US-3PL", "--mode", "sea",
                  "--line", "MUG-01").code == 2
    assert chuhai("inbound", "create", "--from", "SZ-MAIN", "--to", "US-3PL", "--mode", "sea",
                  "--line", "MUG-01:-1").code == 2
    assert InboundShipment.objects.count() == 0

    assert chuhai("inbound", "create", "--from", "SZ-MAIN", "--to", "US-3PL", "--mode", "sea",
                  "--line", "MUG-01:3", "--ref", "BIG").code == 0
    assert_user_error(chuhai("inbound", "ship", "BIG"), "not enough stock", "MUG-01", "2 available")
    assert_user_error(chuhai("inbound", "ship", "NOPE"), "NOPE")
    assert StockMovement.objects.filter(reference="BIG").count() == 0
    assert InboundShipment.objects.get(reference="BIG").status == "draft"
    assert "No inbound shipments." in chuhai("inbound", "list", "--status", "shipped").out
