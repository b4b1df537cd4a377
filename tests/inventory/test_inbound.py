"""Inbound shipments: the life cycle moves stock source on_hand → destination inbound → destination on_hand, each
step one movement group in the ledger; refusals write nothing."""

from __future__ import annotations

import pytest

from chuhai.catalog.models import Product
from chuhai.inventory import stock, transfers
from chuhai.inventory.inbound import InboundLine, InboundShipment
from chuhai.inventory.models import StockBalance, StockMovement
from chuhai.inventory.stock import InsufficientStock

pytestmark = pytest.mark.django_db


@pytest.fixture
def lid(db):
    return Product.objects.create(sku="LID-01", name_en="Lid")


def bal(product, warehouse) -> tuple[int, int, int]:
    """(on_hand, reserved, inbound) of one balance; zeros when none exists."""
    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (row.on_hand, row.reserved, row.inbound) if row else (0, 0, 0)


def ledger(reference: str) -> list[tuple[str, str, str, str, int]]:
    return sorted(StockMovement.objects.filter(reference=reference).values_list(
        "warehouse__code", "product__sku", "kind", "state", "quantity"))


def groups(reference: str) -> int:
    return StockMovement.objects.filter(reference=reference).values("group").distinct().count()


def test_full_life_cycle_with_partial_receipt(product, lid, warehouse, other_warehouse, role_users):
    user = role_users["operations"]
    stock.receive(product, warehouse, 100)
    stock.receive(lid, warehouse, 40)
    stock.reserve(product, warehouse, 10, reference="ORDER-1")

    shipment = transfers.create(warehouse, other_warehouse, "sea", {"MUG-01": 60, "LID-01": 40}, carrier="COSCO",
                                user=user)
    assert shipment.status == "draft" and shipment.reference.startswith("IB-")
    assert StockMovement.objects.filter(reference=shipment.reference).count() == 0  # a draft moves nothing
    assert bal(product, warehouse) == (100, 10, 0)

    transfers.ship(shipment, user=user)
    shipment.refresh_from_db()
    assert shipment.status == "shipped" and shipment.shipped_at is not None
    assert bal(product, warehouse) == (40, 10, 0)
    assert bal(lid, warehouse) == (0, 0, 0)
    assert bal(product, other_warehouse) == (0, 0, 60)  # in-transit stock is visible at the destination
    assert bal(lid, other_warehouse) == (0, 0, 40)
    assert ledger(shipment.reference) == [
        ("SZ-MAIN", "LID-01", "transfer_out", "on_hand", -40),
        ("SZ-MAIN", "MUG-01", "transfer_out", "on_hand", -60),
        ("US-3PL", "LID-01", "transfer_in", "inbound", 40),
        ("US-3PL", "MUG-01", "transfer_in", "inbound", 60),
    ]
    assert groups(shipment.reference) == 1
    assert set(StockMovement.objects.filter(reference=shipment.reference).values_list("user", flat=True)) == {
        user.pk}

    transfers.mark_in_transit(shipment.reference)
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"

    transfers.receive(shipment, {"MUG-01": 25})
    shipment.refresh_from_db()
    assert shipment.status == "partially_received"
    assert bal(product, other_warehouse) == (25, 0, 35)
    assert bal(lid, other_warehouse) == (0, 0, 40)
    assert groups(shipment.reference) == 2

    transfers.receive(shipment, {"MUG-01": 35, "LID-01": 40})
    shipment.refresh_from_db()
    assert shipment.status == "received"
    assert bal(product, other_warehouse) == (60, 0, 0)
    assert bal(lid, other_warehouse) == (40, 0, 0)
    receipts = [r for r in ledger(shipment.reference) if r[2] == "receipt"]
    assert sorted(receipts) == sorted([
        ("US-3PL", "MUG-01", "receipt", "inbound", -25), ("US-3PL", "MUG-01", "receipt", "on_hand", 25),
        ("US-3PL", "MUG-01", "receipt", "inbound", -35), ("US-3PL", "MUG-01", "receipt", "on_hand", 35),
        ("US-3PL", "LID-01", "receipt", "inbound", -40), ("US-3PL", "LID-01", "receipt", "on_hand", 40),
    ])

    assert transfers.close(shipment) == []
    shipment.refresh_from_db()
    assert shipment.status == "closed" and shipment.closed_at is not None
    assert StockMovement.objects.filter(reference=shipment.reference, kind="adjustment").count() == 0
    assert [h.status for h in shipment.history.order_by("history_date", "history_id")] == [
        "draft", "shipped", "in_transit", "partially_received", "received", "closed"]
    assert stock.rebuild_balances() == []  # the cached balances are exactly the ledger sums


def test_shipping_more_than_available_is_refused_with_nothing_written(product, lid, warehouse, other_warehouse):
    stock.receive(product, warehouse, 10)
    stock.reserve(product, warehouse, 4, reference="ORDER-1")  # 6 available
    stock.receive(lid, warehouse, 50)
    shipment = transfers.create(warehouse, other_warehouse, "air", {"LID-01": 50, "MUG-01": 7})
    before = StockMovement.objects.count()

    with pytest.raises(InsufficientStock, match="MUG-01.*7 needed, 6 available"):
        transfers.ship(shipment)

    shipment.refresh_from_db()
    assert shipment.status == "draft"
    assert StockMovement.objects.count() == before
    assert bal(product, warehouse) == (10, 4, 0)
    assert bal(lid, warehouse) == (50, 0, 0)  # the line that could ship was rolled back too
    assert bal(lid, other_warehouse) == (0, 0, 0)
    assert bal(product, other_warehouse) == (0, 0, 0)


def test_shipping_from_an_empty_warehouse_is_refused(product, warehouse, other_warehouse):
    shipment = transfers.create(warehouse, other_warehouse, "express", {"MUG-01": 1})
    with pytest.raises(InsufficientStock):
        transfers.ship(shipment)
    assert StockMovement.objects.count() == 0
    assert not StockBalance.objects.filter(inbound__gt=0).exists()


def test_over_receipt_is_refused_with_nothing_written(product, lid, warehouse, other_warehouse):
    stock.receive(product, warehouse, 20)
    stock.receive(lid, warehouse, 5)
    shipment = transfers.ship(transfers.create(warehouse, other_warehouse, "sea", {"MUG-01": 20, "LID-01": 5}))
    transfers.receive(shipment, {"MUG-01": 15})
    before = StockMovement.objects.count()

    with pytest.raises(ValueError, match="over-receipt refused.*only 5 of 20"):
        transfers.receive(shipment, {"LID-01": 5, "MUG-01": 6})
    with pytest.raises(ValueError, match="not on inbound shipment"):
        transfers.receive(shipment, {"NOPE": 1})

    assert StockMovement.objects.count() == before
    assert bal(product, other_warehouse) == (15, 0, 5)
    assert bal(lid, other_warehouse) == (0, 0, 5)
    assert list(InboundLine.objects.order_by("product__sku").values_list("qty_received", flat=True)) == [0, 15]
    transfers.receive(shipment, {"MUG-01": 5})  # exactly what is outstanding is fine
    assert bal(product, other_warehouse) == (20, 0, 0)


def test_close_writes_off_the_remaining_inbound_and_reports_discrepancies(product, lid, warehouse,
                                                                           other_warehouse, role_users):
    stock.receive(product, warehouse, 30)
    stock.receive(lid, warehouse, 10)
    shipment = transfers.ship(transfers.create(warehouse, other_warehouse, "rail", {"MUG-01": 30, "LID-01": 10}))
    transfers.receive(shipment, {"MUG-01": 27, "LID-01": 10})

    found = transfers.close(shipment.reference, note="carton crushed", user=role_users["admin"])

    assert [(d.sku, d.shipped, d.received, d.missing) for d in found] == [("MUG-01", 30, 27, 3)]
    assert bal(product, other_warehouse) == (27, 0, 0)
    assert bal(lid, other_warehouse) == (10, 0, 0)
    write_off = StockMovement.objects.get(reference=shipment.reference, kind="adjustment")
    assert (write_off.warehouse, write_off.state, write_off.quantity) == (other_warehouse, "inbound", -3)
    assert "MUG-01" in write_off.reason and "carton crushed" in write_off.reason
    assert write_off.user == role_users["admin"]
    lines = {line.product.sku: line.discrepancy for line in shipment.lines.select_related("product")}
    assert "3 of 30 not received" in lines["MUG-01"] and "carton crushed" in lines["MUG-01"]
    assert lines["LID-01"] == ""
    assert InboundShipment.objects.get(pk=shipment.pk).status == "closed"
    assert stock.rebuild_balances() == []


def test_close_before_any_receipt_writes_everything_off(product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 5)
    shipment = transfers.ship(transfers.create(warehouse, other_warehouse, "sea", {"MUG-01": 5}))
    found = transfers.close(shipment)
    assert [(d.missing, d.received) for d in found] == [(5, 0)]
    assert bal(product, other_warehouse) == (0, 0, 0)
    assert bal(product, warehouse) == (0, 0, 0)


def test_status_rules(product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 10)
    shipment = transfers.create(warehouse, other_warehouse, "sea", {"MUG-01": 4})
    with pytest.raises(ValueError, match="cannot receive"):
        transfers.receive(shipment, {"MUG-01": 1})
    with pytest.raises(ValueError, match="cannot close"):
        transfers.close(shipment)
    transfers.ship(shipment)
    with pytest.raises(ValueError, match="cannot ship"):
        transfers.ship(shipment)  # shipping twice would move the stock twice
    assert bal(product, warehouse) == (6, 0, 0)
    transfers.close(shipment)
    with pytest.raises(ValueError, match="cannot receive"):
        transfers.receive(shipment, {"MUG-01": 1})
    with pytest.raises(ValueError, match="unknown inbound shipment"):
        transfers.ship("IB-NOPE")


def test_create_validates_its_input(product, bundle, warehouse, other_warehouse):
    with pytest.raises(ValueError, match="must differ"):
        transfers.create(warehouse, warehouse, "sea", {"MUG-01": 1})
    with pytest.raises(ValueError, match="unknown mode"):
        transfers.create(warehouse, other_warehouse, "teleport", {"MUG-01": 1})
    with pytest.raises(ValueError, match="unknown SKU 'NOPE'"):
        transfers.create(warehouse, other_warehouse, "sea", {"MUG-01": 1, "NOPE": 2})
    with pytest.raises(ValueError, match="greater than 0"):
        transfers.create(warehouse, other_warehouse, "sea", {"MUG-01": 0})
    with pytest.raises(ValueError, match="bundle"):
        transfers.create(warehouse, other_warehouse, "sea", {"GIFT-SET": 1})
    assert InboundShipment.objects.count() == 0

    first = transfers.create(warehouse, other_warehouse, "sea", [("MUG-01", 2), ("MUG-01", 3)])
    assert list(first.lines.values_list("qty_shipped", flat=True)) == [5]
    second = transfers.create(warehouse, other_warehouse, "air", {"MUG-01": 1})
    assert first.reference != second.reference
    transfers.create(warehouse, other_warehouse, "air", {"MUG-01": 1}, reference="PO-7")
    with pytest.raises(ValueError, match="already exists"):
        transfers.create(warehouse, other_warehouse, "air", {"MUG-01": 1}, reference="PO-7")
