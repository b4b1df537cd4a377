"""Allocation rules: which warehouse an order's stock comes from, and how reservations follow the order's life."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from chuhai.catalog.models import BundleComponent, Product
from chuhai.channels.services import create_account
from chuhai.inventory import allocation, stock
from chuhai.inventory.channel_rules import AllocationRule, AllocationStep
from chuhai.inventory.ledger import StockBalance, StockMovement
from chuhai.inventory.models import Warehouse
from chuhai.inventory.reservations import OrderAllocation, Reservation
from chuhai.orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db


def wh(code, type="overseas_3pl", country="US"):
    return Warehouse.objects.create(code=code, name=code, type=type, country=country, time_zone="UTC")


@pytest.fixture
def setup(db):
    account = create_account("AMZ-US", "amazon", "US")
    cable = Product.objects.create(sku="CABLE")
    charger = Product.objects.create(sku="CHARGER")
    sz, us, de = wh("SZ", "domestic", "CN"), wh("US-LA"), wh("DE-3PL", country="DE")
    return account, cable, charger, sz, us, de


def order(account, external_id, lines, status="unshipped", channel="merchant", country="US", when=None):
    o = Order.objects.create(
        account=account, external_id=external_id, marketplace="US", purchased_at=when or timezone.now(),
        status=status, fulfilment_channel=channel, ship_country=country, currency="USD", base_currency="USD",
        fx_rate=Decimal(1))
    for no, (product, qty) in enumerate(lines, start=1):
        OrderLine.objects.create(order=o, line_no=no, product=product, channel_sku=product.sku if product else "X",
                                 quantity=qty, unit_price=Decimal("10"))
    return o


def held(o):
    """{(sku, warehouse): qty} of the order's live reservations."""
    rows = Reservation.objects.filter(order_line__order=o, status="reserved")
    return {(r.product.sku, r.warehouse.code): r.quantity for r in rows}


def bal(product, warehouse):
    b = StockBalance.objects.get(product=product, warehouse=warehouse)
    return b.on_hand, b.reserved


def test_without_a_rule_a_us_order_takes_the_us_warehouse_before_the_domestic_one(setup):
    account, cable, _charger, sz, us, _de = setup
    stock.receive(cable, sz, 10)
    stock.receive(cable, us, 10)
    o = order(account, "A1", [(cable, 3)])

    assert allocation.sync_order(o).status == "allocated"
    assert held(o) == {("CABLE", "US-LA"): 3}
    assert bal(cable, us) == (10, 3) and bal(cable, sz) == (10, 0)


def test_without_a_rule_the_domestic_warehouse_is_the_last_resort_for_overseas_buyers(setup):
    account, cable, _charger, sz, us, de = setup
    stock.receive(cable, sz, 10)
    stock.receive(cable, de, 1)
    o = order(account, "A1", [(cable, 2)], country="FR")

    allocation.sync_order(o)

    assert held(o) == {("CABLE", "SZ"): 2}  # DE has 1, too few for a whole-order allocation; SZ ships it


def test_rule_order_and_ship_to_countries_decide(setup):
    account, cable, _charger, sz, us, de = setup
    for w in (sz, us, de):
        stock.receive(cable, w, 10)
    rule = AllocationRule.objects.create(account=account)
    AllocationStep.objects.create(rule=rule, position=1, warehouse=de, countries="DE FR")
    AllocationStep.objects.create(rule=rule, position=2, warehouse=sz)

    to_us = order(account, "US1", [(cable, 1)], country="US")
    to_fr = order(account, "FR1", [(cable, 1)], country="FR")
    allocation.sync_orders([to_us, to_fr])

    assert held(to_us) == {("CABLE", "SZ"): 1}  # DE serves DE/FR only; US-LA is not on the rule at all
    assert held(to_fr) == {("CABLE", "DE-3PL"): 1}
    assert [w.code for w in allocation.eligible_warehouses(account)] == ["DE-3PL", "SZ"]


def test_split_only_when_the_rule_allows_it(setup):
    account, cable, charger, sz, us, _de = setup
    stock.receive(cable, us, 5)
    stock.receive(charger, sz, 5)
    rule = AllocationRule.objects.create(account=account)
    AllocationStep.objects.create(rule=rule, position=1, warehouse=us)
    AllocationStep.objects.create(rule=rule, position=2, warehouse=sz)

    o = order(account, "S1", [(cable, 2), (charger, 1)])
    a = allocation.sync_order(o)
    assert a.status == "short"
    assert "CHARGER: 1 needed (US-LA 0, SZ 5 available)" in a.message
    assert held(o) == {} and bal(cable, us) == (5, 0)

    rule.allow_split = True
    rule.save()
    assert allocation.allocate_waiting() == {"allocated": 1}
    assert held(o) == {("CABLE", "US-LA"): 2, ("CHARGER", "SZ"): 1}


def test_a_line_splits_across_warehouses_when_allowed(setup):
    account, cable, _charger, sz, us, _de = setup
    stock.receive(cable, us, 2)
    stock.receive(cable, sz, 3)  # neither can ship 4 alone (one that could would win: fewer parcels)
    rule = AllocationRule.objects.create(account=account, allow_split=True)
    AllocationStep.objects.create(rule=rule, position=1, warehouse=us)
    AllocationStep.objects.create(rule=rule, position=2, warehouse=sz)

    o = order(account, "S2", [(cable, 4)])
    allocation.sync_order(o)

    assert held(o) == {("CABLE", "US-LA"): 2, ("CABLE", "SZ"): 2}


def test_short_orders_wait_and_are_served_oldest_first_when_stock_arrives(setup):
    account, cable, _charger, _sz, us, _de = setup
    now = timezone.now()
    late = order(account, "LATE", [(cable, 2)], when=now)
    early = order(account, "EARLY", [(cable, 2)], when=now - dt.timedelta(hours=1))
    allocation.sync_orders([late, early])
    assert set(OrderAllocation.objects.values_list("status", flat=True)) == {"short"}

    stock.receive(cable, us, 3)
    allocation.allocate_waiting()

    assert OrderAllocation.objects.get(order=early).status == "allocated"
    assert OrderAllocation.objects.get(order=late).status == "short"


def test_cancellation_releases_and_shipping_converts_and_resync_changes_nothing(setup):
    account, cable, _charger, _sz, us, _de = setup
    stock.receive(cable, us, 10)
    keep = order(account, "K1", [(cable, 3)])
    drop = order(account, "D1", [(cable, 2)])
    allocation.sync_orders([keep, drop])
    assert bal(cable, us) == (10, 5)

    drop.status = "cancelled"
    drop.save()
    keep.status = "shipped"
    keep.save()
    allocation.sync_orders([keep, drop])

    assert bal(cable, us) == (7, 0)
    assert OrderAllocation.objects.get(order=drop).status == "released"
    assert OrderAllocation.objects.get(order=keep).status == "shipped"
    kinds = sorted(StockMovement.objects.filter(reference__startswith="order:").values_list("kind", "quantity"))
    assert kinds == [("release", -2), ("reserve", 2), ("reserve", 3), ("shipment", -3), ("shipment", -3)]

    count = StockMovement.objects.count()
    allocation.sync_orders([keep, drop])
    assert StockMovement.objects.count() == count
    assert stock.rebuild_balances() == []


def test_a_cancelled_item_inside_a_shipped_order_is_released(setup):
    account, cable, charger, _sz, us, _de = setup
    stock.receive(cable, us, 5)
    stock.receive(charger, us, 5)
    o = order(account, "P1", [(cable, 1), (charger, 1)])
    allocation.sync_order(o)
    OrderLine.objects.filter(order=o, product=charger).update(item_status="cancelled")
    o.status = "shipped"
    o.save()

    allocation.sync_order(o)

    assert bal(cable, us) == (4, 0) and bal(charger, us) == (5, 0)


def test_bundles_reserve_their_components(setup):
    account, cable, charger, _sz, us, _de = setup
    kit = Product.objects.create(sku="KIT", is_bundle=True)
    BundleComponent.objects.create(bundle=kit, component=cable, quantity=2)
    BundleComponent.objects.create(bundle=kit, component=charger, quantity=1)
    stock.receive(cable, us, 10)
    stock.receive(charger, us, 10)

    o = order(account, "B1", [(kit, 3), (cable, 1)])
    allocation.sync_order(o)

    assert bal(cable, us) == (10, 7) and bal(charger, us) == (10, 3)
    assert not StockBalance.objects.filter(product=kit).exists()


def test_fba_orders_take_the_fba_warehouse_and_need_one(setup):
    account, cable, _charger, _sz, us, _de = setup
    fba = wh("FBA-US", "fba")
    stock.receive(cable, us, 10)
    stock.receive(cable, fba, 10)
    o = order(account, "F1", [(cable, 1)], channel="fba")

    a = allocation.sync_order(o)
    assert a.status == "no_warehouse" and "FBA warehouse of AMZ-US" in a.message

    AllocationRule.objects.create(account=account, fba_warehouse=fba)
    allocation.sync_order(o)
    assert held(o) == {("CABLE", "FBA-US"): 1}
    assert bal(cable, us) == (10, 0)


def test_unmapped_lines_wait_for_their_mapping(setup):
    account, cable, _charger, _sz, us, _de = setup
    stock.receive(cable, us, 10)
    o = order(account, "U1", [(cable, 1), (None, 1)])

    a = allocation.sync_order(o)

    assert a.status == "unmapped"
    assert held(o) == {("CABLE", "US-LA"): 1}


def test_orders_shipped_before_the_ledger_began_leave_stock_alone(setup):
    account, cable, _charger, _sz, us, _de = setup
    old = order(account, "OLD", [(cable, 2)], status="shipped", when=timezone.now() - dt.timedelta(days=400))
    stock.receive(cable, us, 10)
    new = order(account, "NEW", [(cable, 2)], status="shipped", when=timezone.now() + dt.timedelta(seconds=1))

    counts = allocation.sync_orders(Order.objects.filter(pk__in=[old.pk, new.pk]))

    assert bal(cable, us) == (8, 0)
    assert counts == {"shipped": 1}
    assert not OrderAllocation.objects.filter(order=old).exists()


def test_ship_lines_ships_what_is_reserved_and_reserves_what_is_not(setup):
    account, cable, charger, _sz, us, _de = setup
    stock.receive(cable, us, 5)
    stock.receive(charger, us, 1)
    o = order(account, "SH1", [(cable, 2), (charger, 1)])
    allocation.sync_order(o)
    cable_line = o.lines.get(product=cable)

    movements = allocation.ship_lines(o, [cable_line])

    assert {m.warehouse.code for m in movements} == {"US-LA"}
    assert bal(cable, us) == (3, 0) and bal(charger, us) == (1, 1)
    assert OrderAllocation.objects.get(order=o).status == "allocated"
    with pytest.raises(ValueError, match="not open"):
        allocation.ship_lines(o, [o.lines.get(product=cable)])


def test_release_order(setup):
    account, cable, _charger, _sz, us, _de = setup
    stock.receive(cable, us, 5)
    o = order(account, "R1", [(cable, 4)])
    allocation.sync_order(o)

    assert allocation.release_order(o, "buyer asked") == 4
    assert bal(cable, us) == (5, 0)
    assert OrderAllocation.objects.get(order=o).status == "released"
