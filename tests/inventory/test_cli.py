"""``chuhai stock adjust|show|rebuild`` against the real test database."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from chuhai.inventory import stock
from chuhai.inventory.models import StockBalance, StockMovement

from ..cli.support import assert_user_error

pytestmark = pytest.mark.django_db


def test_adjust_records_a_ledger_row_and_updates_the_balance(chuhai, product, warehouse):
    assert chuhai("stock", "adjust", "MUG-01", "--warehouse", "SZ-MAIN", "--qty", "8", "--reason", "opening").code == 0
    result = chuhai("stock", "adjust", "MUG-01", "--warehouse", "SZ-MAIN", "--qty", "-3", "--reason", "broken in QC")

    assert result.code == 0
    assert "5 on hand" in result.out
    rows = list(StockMovement.objects.order_by("id").values_list("kind", "state", "quantity", "reason"))
    assert rows == [("adjustment", "on_hand", 8, "opening"), ("adjustment", "on_hand", -3, "broken in QC")]
    assert StockBalance.objects.get(product=product, warehouse=warehouse).on_hand == 5


def test_adjust_other_states(chuhai, product, warehouse):
    result = chuhai("stock", "adjust", "MUG-01", "--warehouse", "SZ-MAIN", "--qty=4", "--reason", "on the boat",
                    "--state", "inbound")
    assert result.code == 0
    assert StockBalance.objects.get(product=product).inbound == 4


def test_adjust_refuses_what_it_cannot_do(chuhai, product, warehouse):
    stock.receive(product, warehouse, 3)
    stock.reserve(product, warehouse, 2, reference="ORDER-1")

    assert_user_error(chuhai("stock", "adjust", "NOPE", "--warehouse", "SZ-MAIN", "--qty", "1", "--reason", "x"),
                      "NOPE")
    assert_user_error(chuhai("stock", "adjust", "MUG-01", "--warehouse", "XX", "--qty", "1", "--reason", "x"), "XX")
    assert_user_error(chuhai("stock", "adjust", "MUG-01", "--warehouse", "SZ-MAIN", "--qty", "-2", "--reason", "x"),
                      "not enough stock")
    assert_user_error(chuhai("stock", "adjust", "MUG-01", "--warehouse", "SZ-MAIN", "--qty", "1", "--reason", " "),
                      "reason")
    assert chuhai("stock", "adjust", "MUG-01", "--warehouse", "SZ-MAIN", "--qty", "0", "--reason", "x").code == 2
    assert chuhai("stock", "adjust", "MUG-01", "--warehouse", "SZ-MAIN", "--qty", "1").code == 2  # no reason
    assert StockMovement.objects.filter(kind="adjustment").count() == 0
    assert StockBalance.objects.get(product=product).on_hand == 3


def test_show_prints_balances_per_warehouse_and_state(chuhai, product, warehouse, other_warehouse):
    stock.receive(product, warehouse, 10)
    stock.reserve(product, warehouse, 3, reference="O-1")
    stock.adjust(product, other_warehouse, 6, "in transit", state="inbound")
    stock.adjust(product, other_warehouse, 1, "damaged return", state="unsellable")

    data = json.loads(chuhai("stock", "show", "MUG-01", "--json").out)
    assert data == {
        "sku": "MUG-01",
        "warehouses": [
            {"warehouse": "SZ-MAIN", "on_hand": 10, "reserved": 3, "available": 7, "inbound": 0, "unsellable": 0},
            {"warehouse": "US-3PL", "on_hand": 0, "reserved": 0, "available": 0, "inbound": 6, "unsellable": 1},
        ],
        "total": {"on_hand": 10, "reserved": 3, "available": 7, "inbound": 6, "unsellable": 1},
    }
    table = chuhai("stock", "show", "MUG-01").out.splitlines()
    assert table[0].split() == ["WAREHOUSE", "ON", "HAND", "RESERVED", "AVAILABLE", "INBOUND", "UNSELLABLE"]
    assert table[1].split() == ["SZ-MAIN", "10", "3", "7", "0", "0"]
    assert table[-1].split() == ["TOTAL", "10", "3", "7", "6", "1"]
    assert_user_error(chuhai("stock", "show", "NOPE"), "NOPE")


def test_rebuild_reports_drift(chuhai, product, warehouse):
    stock.receive(product, warehouse, 5)
    assert "no drift" in chuhai("stock", "rebuild").out
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{StockBalance._meta.db_table}" SET on_hand = 2')

    data = json.loads(chuhai("stock", "rebuild", "--json").out)

    assert data == [{"sku": "MUG-01", "warehouse": "SZ-MAIN", "state": "on_hand", "cached": 2, "ledger": 5}]
    assert StockBalance.objects.get(product=product).on_hand == 5
