"""Shipping an order: shipment, stock leaving the warehouse and order status move together, or nothing moves."""

from __future__ import annotations

import datetime as dt

import pytest

from chuhai.inventory.ledger import StockBalance, StockMovement
from chuhai.inventory.reservations import Reservation
from chuhai.inventory.stock import InsufficientStock
from chuhai.logistics.carriers import DEFAULT_CARRIERS, ensure_default_carriers
from chuhai.logistics.models import Carrier, Shipment
from chuhai.logistics.shipping import ShipmentRefused, UnknownCarrier, create_shipment

pytestmark = pytest.mark.django_db


def balance(product, warehouse):
    b = StockBalance.objects.get(product=product, warehouse=warehouse)
    return b.on_hand, b.reserved


def test_shipping_every_open_line_moves_the_reserved_stock_out(shop, make_order):
    order = make_order("1001", [(shop["mug"], 2), (shop["lid"], 1)])
    assert balance(shop["mug"], shop["warehouse"]) == (10, 2)

    shipment = create_shipment(order, "yunexpress", " YT2412345678901234 ", service="Global Direct")

    order.refresh_from_db()
    assert order.status == "shipped"
    assert set(order.lines.values_list("item_status", flat=True)) == {"shipped"}
    assert shipment.tracking_number == "YT2412345678901234"
    assert shipment.warehouse == shop["warehouse"]
    assert sorted(shipment.lines.values_list("order_line__line_no", "quantity")) == [(1, 2), (2, 1)]
    assert shipment.tracking_url == "https://www.yuntrack.com/parcelTracking?id=YT2412345678901234"
    assert balance(shop["mug"], shop["warehouse"]) == (8, 0)
    assert balance(shop["lid"], shop["warehouse"]) == (9, 0)
    assert StockMovement.objects.filter(kind="shipment", state="on_hand").count() == 2
    assert set(Reservation.objects.values_list("status", flat=True)) == {"shipped"}


def test_partial_shipments_then_the_rest(shop, make_order):
    order = make_order("1002", [(shop["mug"], 2), (shop["lid"], 1)])
    first_line, second_line = order.lines.order_by("line_no")

    create_shipment(order, "ups", "1Z999AA10123456784", lines=[first_line])
    order.refresh_from_db()
    assert order.status == "partially_shipped"
    assert balance(shop["lid"], shop["warehouse"]) == (10, 1)  # still reserved, not shipped

    with pytest.raises(ShipmentRefused, match="line 1 .*already shipped"):
        create_shipment(order, "ups", "1Z999AA10123456785", lines=[first_line.pk])

    create_shipment(order, "ups", "1Z999AA10123456786")  # default: what is still open
    order.refresh_from_db()
    assert order.status == "shipped"
    assert Shipment.objects.filter(order=order).count() == 2
    assert balance(shop["lid"], shop["warehouse"]) == (9, 0)
    with pytest.raises(ShipmentRefused, match="no open lines"):
        create_shipment(order, "ups", "1Z999AA10123456787")


def test_a_cancelled_order_cannot_ship(shop, make_order):
    order = make_order("1003", [(shop["mug"], 1)], status="cancelled", allocate=False)
    with pytest.raises(ShipmentRefused, match="1003 .*cancelled"):
        create_shipment(order, "ups", "1Z1")
    assert not Shipment.objects.exists()


def test_a_tracking_number_is_used_once_per_carrier(shop, make_order):
    first = make_order("1004", [(shop["mug"], 1)])
    second = make_order("1005", [(shop["mug"], 1)])
    create_shipment(first, "4px", "4PX3000123456789CN")

    with pytest.raises(ShipmentRefused) as refused:
        create_shipment(second, "4px", "4PX3000123456789CN")
    assert "4PX3000123456789CN" in str(refused.value) and "1004" in str(refused.value)
    second.refresh_from_db()
    assert second.status == "unshipped"
    assert balance(shop["mug"], shop["warehouse"]) == (9, 1)  # the second order's unit is still only reserved

    create_shipment(second, "yanwen", "4PX3000123456789CN")  # another carrier may reuse the number
    assert Shipment.objects.count() == 2


def test_unknown_carrier_and_foreign_lines_are_refused(shop, make_order):
    order = make_order("1006", [(shop["mug"], 1)])
    other = make_order("1007", [(shop["lid"], 1)])
    with pytest.raises(UnknownCarrier, match="pigeon"):
        create_shipment(order, "pigeon", "P1")
    with pytest.raises(ShipmentRefused, match="not a line of order 1006"):
        create_shipment(order, "ups", "1Z2", lines=[other.lines.get().pk])
    assert not Shipment.objects.exists()


def test_short_stock_writes_nothing(shop, make_order):
    order = make_order("1008", [(shop["mug"], 50)], allocate=True)  # nothing reserved: only 10 on hand

    with pytest.raises(InsufficientStock):
        create_shipment(order, "ups", "1Z3")

    order.refresh_from_db()
    assert order.status == "unshipped"
    assert order.lines.get().item_status == "open"
    assert not Shipment.objects.exists()
    assert balance(shop["mug"], shop["warehouse"]) == (10, 0)


def test_shipped_at_is_kept(shop, make_order):
    order = make_order("1009", [(shop["mug"], 1)])
    when = dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC)
    assert create_shipment(order, "usps", "9400111206213642173009", shipped_at=when).shipped_at == when


def test_default_carriers_are_seeded_once_and_edits_survive(db):
    ensure_default_carriers()
    assert Carrier.objects.count() >= len(DEFAULT_CARRIERS)
    ups = Carrier.objects.get(code="ups")
    ups.tracking_url_template = "https://example.test/ups/{tracking}"
    ups.save()
    Carrier.objects.filter(code="sfc").delete()

    assert ensure_default_carriers() == 1  # only the deleted one comes back
    assert Carrier.objects.get(code="ups").tracking_url("1Z9") == "https://example.test/ups/1Z9"
    assert Carrier.objects.get(code="sfc").name_zh == "三态速递"
    for default in DEFAULT_CARRIERS:
        assert "{tracking}" in default.tracking_url_template and default.tracking_url_template.startswith("https://")
