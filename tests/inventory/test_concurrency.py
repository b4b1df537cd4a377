"""The oversell proof: many simultaneous requests for the last units, each in its own thread, connection and
transaction, on whichever database the run uses (SQLite or PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from chuhai.catalog.models import Product
from chuhai.inventory import stock
from chuhai.inventory.models import StockBalance, StockMovement, Warehouse

pytestmark = pytest.mark.django_db(transaction=True)


def run_concurrently(count: int, work) -> tuple[list, list]:
    """Start ``count`` threads that call ``work(i)`` at the same moment; return (results, errors)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


@pytest.fixture
def last_ten():
    product = Product.objects.create(sku="HOT-ITEM")
    warehouse = Warehouse.objects.create(code="US-3PL", type="overseas_3pl", country="US",
                                         time_zone="America/Los_Angeles")
    stock.receive(product, warehouse, 10, reference="PO-1")
    return product, warehouse


def test_fifty_concurrent_reservations_of_the_last_ten_units_give_exactly_ten(last_ten):
    product, warehouse = last_ten

    results, errors = run_concurrently(50, lambda i: stock.reserve(product, warehouse, 1, reference=f"ORDER-{i}"))

    assert errors == []
    assert results.count(True) == 10 and results.count(False) == 40
    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert (balance.on_hand, balance.reserved, balance.available) == (10, 10, 0)
    winners = {f"ORDER-{i}" for i, won in enumerate(results) if won}
    reserved_rows = StockMovement.objects.filter(kind="reserve")
    assert set(reserved_rows.values_list("reference", flat=True)) == winners
    assert sum(reserved_rows.values_list("quantity", flat=True)) == 10
    assert stock.rebuild_balances() == []


def test_concurrent_removals_never_take_stock_below_reservations(last_ten):
    product, warehouse = last_ten
    stock.reserve(product, warehouse, 4, reference="KEEP")

    def remove(i: int) -> bool:
        try:
            stock.adjust(product, warehouse, -1, f"count {i}")
        except stock.InsufficientStock:
            return False
        return True

    results, errors = run_concurrently(20, remove)

    assert errors == []
    assert results.count(True) == 6  # 10 on hand − 4 reserved
    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    assert (balance.on_hand, balance.reserved) == (4, 4)
    assert stock.rebuild_balances() == []


def test_concurrent_first_receipts_create_one_balance_and_lose_nothing():
    product = Product.objects.create(sku="NEW-ITEM")
    warehouse = Warehouse.objects.create(code="SZ", type="domestic", country="CN", time_zone="Asia/Shanghai")

    results, errors = run_concurrently(20, lambda i: stock.receive(product, warehouse, 1, reference=f"BOX-{i}"))

    assert errors == []
    assert StockBalance.objects.filter(product=product).count() == 1
    assert StockBalance.objects.get(product=product).on_hand == 20
    assert StockMovement.objects.filter(product=product, kind="receipt").count() == 20
