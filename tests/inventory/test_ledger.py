"""The stock ledger and its cached balances: every service writes ledger rows, balances always equal the ledger
sums, the ledger is append-only, and the database refuses impossible balances even when code bypasses services."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from chuhai.catalog.models import Product
from chuhai.core.users import create_user
from chuhai.inventory import stock
from chuhai.inventory.ledger import AppendOnlyError
from chuhai.inventory.models import StockBalance, StockMovement

pytestmark = pytest.mark.django_db


def balance(product, warehouse) -> StockBalance:
    return StockBalance.objects.get(product=product, warehouse=warehouse)


def ledger_sums(product, warehouse) -> dict[str, int]:
    rows = (StockMovement.objects.filter(product=product, warehouse=warehouse).order_by()
            .values("state").annotate(total=Sum("quantity")))
    sums = {"on_hand": 0, "reserved": 0, "inbound": 0, "unsellable": 0}
    sums.update({row["state"]: row["total"] for row in rows})
    return sums


def assert_balance_matches_ledger(product, warehouse) -> None:
    b = balance(product, warehouse)
    assert {"on_hand": b.on_hand, "reserved": b.reserved, "inbound": b.inbound,
            "unsellable": b.unsellable} == ledger_sums(product, warehouse)


def test_each_service_writes_ledger_rows_with_who_why_and_reference(product, warehouse):
    clerk = create_user("clerk", "operations", password="clerk-pass-123")

    stock.receive(product, warehouse, 12, reference="PO-7", user=clerk)
    stock.adjust(product, warehouse, -2, "water damage", user=clerk)
    stock.adjust(product, warehouse, 3, "found in returns cage", state="unsellable")
    assert stock.reserve(product, warehouse, 4, reference="ORDER-1") is True
    stock.release(product, warehouse, 1, reference="ORDER-1", reason="line cancelled")
    stock.ship(product, warehouse, 3, reference="ORDER-1", user=clerk)

    rows = list(StockMovement.objects.order_by("id").values_list("kind", "state", "quantity", "reference"))
    assert rows == [
        ("receipt", "on_hand", 12, "PO-7"),
        ("adjustment", "on_hand", -2, ""),
        ("adjustment", "unsellable", 3, ""),
        ("reserve", "reserved", 4, "ORDER-1"),
        ("release", "reserved", -1, "ORDER-1"),
        ("shipment", "reserved", -3, "ORDER-1"),
        ("shipment", "on_hand", -3, "ORDER-1"),
    ]
    damage = StockMovement.objects.get(reason="water damage")
    assert damage.user == clerk and damage.created_at is not None
    shipment = StockMovement.objects.filter(kind="shipment")
    assert shipment.values("group").distinct().count() == 1  # one business event, one group
    assert StockMovement.objects.values("group").distinct().count() == 6

    b = balance(product, warehouse)
    assert (b.on_hand, b.reserved, b.available, b.unsellable) == (7, 0, 7, 3)
    assert_balance_matches_ledger(product, warehouse)


def test_balances_equal_ledger_sums_after_a_mixed_sequence(product, warehouse, other_warehouse):
    stock.adjust(product, warehouse, 5, "opening stock", state="inbound")
    stock.receive(product, warehouse, 5, reference="TR-1", from_inbound=True)
    stock.receive(product, other_warehouse, 9)
    for i in range(4):
        assert stock.reserve(product, other_warehouse, 2, reference=f"O-{i}")
    assert not stock.reserve(product, other_warehouse, 2, reference="O-9")  # only 1 left
    stock.ship(product, other_warehouse, 2, reference="O-0")
    stock.release(product, other_warehouse, 2, reference="O-1")

    assert_balance_matches_ledger(product, warehouse)
    assert_balance_matches_ledger(product, other_warehouse)
    home, away = balance(product, warehouse), balance(product, other_warehouse)
    assert (home.on_hand, home.inbound) == (5, 0)
    assert (away.on_hand, away.reserved) == (7, 4)
    assert [(b.warehouse.code, b.on_hand) for b in stock.balances(product)] == [("SZ-MAIN", 5), ("US-3PL", 7)]
    assert stock.rebuild_balances() == []


def test_ledger_is_append_only(product, warehouse):
    (movement,) = stock.receive(product, warehouse, 3)
    movement = StockMovement.objects.get(pk=movement.pk)

    movement.quantity = 300
    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        movement.delete()
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=300)
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.all().delete()
    with pytest.raises(IntegrityError):  # products with history cannot vanish from under their ledger
        with transaction.atomic():
            Product.objects.filter(pk=product.pk).delete()
    assert StockMovement.objects.get(pk=movement.pk).quantity == 3


def test_reserve_refuses_beyond_availability_and_writes_nothing(product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 5)
    assert stock.reserve(product, warehouse, 3, reference="A")

    assert stock.reserve(product, warehouse, 3, reference="B") is False  # 2 available
    assert stock.reserve(product, other_warehouse, 1, reference="C") is False  # no balance at all there
    assert not StockMovement.objects.filter(reference__in=["B", "C"]).exists()
    assert stock.reserve(product, warehouse, 2, reference="B") is True
    assert balance(product, warehouse).available == 0
    with pytest.raises(ValueError):
        stock.reserve(product, warehouse, 0, reference="D")


def test_services_refuse_moves_that_would_break_the_balance(product, warehouse):
    stock.receive(product, warehouse, 4)
    stock.reserve(product, warehouse, 3, reference="A")
    before = StockMovement.objects.count()

    with pytest.raises(stock.InsufficientStock, match="MUG-01"):
        stock.adjust(product, warehouse, -2, "count")  # would leave 2 on hand under 3 reserved
    with pytest.raises(stock.InsufficientStock):
        stock.ship(product, warehouse, 4, reference="A")  # only 3 reserved
    with pytest.raises(stock.InsufficientStock):
        stock.release(product, warehouse, 5, reference="A")
    with pytest.raises(ValueError, match="reason"):
        stock.adjust(product, warehouse, 1, "  ")
    with pytest.raises(ValueError):
        stock.adjust(product, warehouse, 1, "sneaky", state="reserved")

    assert StockMovement.objects.count() == before
    assert stock.adjust(product, warehouse, -1, "count")  # the one free unit may go
    assert (balance(product, warehouse).on_hand, balance(product, warehouse).reserved) == (3, 3)


@pytest.mark.parametrize("values", [
    {"on_hand": -1}, {"reserved": -1}, {"inbound": -1}, {"unsellable": -1}, {"reserved": 6},
])
def test_check_constraints_refuse_a_direct_bad_update(product, warehouse, values):
    stock.receive(product, warehouse, 5)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            StockBalance.objects.filter(product=product, warehouse=warehouse).update(**values)
    assert balance(product, warehouse).on_hand == 5


def test_only_one_balance_per_product_and_warehouse(product, warehouse):
    stock.receive(product, warehouse, 1)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            StockBalance.objects.create(product=product, warehouse=warehouse)


def test_rebuild_finds_and_fixes_a_drift_made_behind_its_back(product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 10)
    stock.reserve(product, warehouse, 4, reference="A")
    stock.receive(product, other_warehouse, 2)
    table = StockBalance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET on_hand = 17, reserved = 1 WHERE warehouse_id = %s', [warehouse.pk])
        cursor.execute(f'DELETE FROM "{table}" WHERE warehouse_id = %s', [other_warehouse.pk])

    drifts = stock.rebuild_balances()

    assert [(d.sku, d.warehouse, d.state, d.cached, d.ledger) for d in drifts] == [
        ("MUG-01", "SZ-MAIN", "on_hand", 17, 10),
        ("MUG-01", "SZ-MAIN", "reserved", 1, 4),
        ("MUG-01", "US-3PL", "on_hand", 0, 2),
    ]
    assert_balance_matches_ledger(product, warehouse)
    assert_balance_matches_ledger(product, other_warehouse)
    assert stock.rebuild_balances() == []


def test_components_expand_bundles_and_plain_products(bundle, product):
    assert [(p.sku, q) for p, q in stock.components(bundle)] == [("LID-01", 1), ("MUG-01", 2)]
    assert [(p.sku, q) for p, q in stock.components(product)] == [("MUG-01", 1)]

    from chuhai.catalog.models import BundleComponent

    crate = Product.objects.create(sku="CRATE", is_bundle=True)
    BundleComponent.objects.create(bundle=crate, component=bundle, quantity=3)
    BundleComponent.objects.create(bundle=crate, component=product, quantity=1)
    assert [(p.sku, q) for p, q in stock.components(crate)] == [("LID-01", 3), ("MUG-01", 7)]


def test_stats_count_movements_and_balances(product, warehouse):
    from chuhai.core.stats import entity_counts

    stock.receive(product, warehouse, 2)
    stock.reserve(product, warehouse, 1, reference="A")
    counts = entity_counts()
    assert (counts["stock_movements"], counts["stock_balances"]) == (2, 1)
