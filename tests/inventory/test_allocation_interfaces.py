"""The people's side of allocation: the manual-order form, ``chuhai stock allocate``, and the counts in stats."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chuhai.catalog.models import Product
from chuhai.channels.services import create_account
from chuhai.core.stats import entity_counts
from chuhai.finance.fx import load_ecb_rates
from chuhai.inventory import stock
from chuhai.inventory.ledger import StockBalance
from chuhai.inventory.models import Warehouse
from chuhai.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    load_ecb_rates(since=dt.date(2026, 10, 1))
    account = create_account("B2B", "shopify", "US")
    product = Product.objects.create(sku="DESK")
    warehouse = Warehouse.objects.create(code="US-3PL", name="US", type="overseas_3pl", country="US",
                                         time_zone="UTC")
    stock.receive(product, warehouse, 3)
    return account, product, warehouse


def form(external_id, qty, **extra):
    return {"account": "B2B", "external_id": external_id, "ship_country": "us", "fulfilment_channel": "merchant",
            "sku_1": "DESK", "qty_1": str(qty), **extra}


def test_the_form_creates_the_order_and_reserves_or_shows_why_not(client_as, shop):
    _account, desk, us = shop
    client = client_as("operations")

    done = client.post("/orders/new/", form("PO-1", 2))
    assert done.status_code == 302
    order = Order.objects.get(external_id="PO-1")
    assert done["Location"] == f"/orders/{order.pk}/"
    assert order.ship_country == "US" and order.created_by.username == "operations_user"
    assert StockBalance.objects.get(product=desk, warehouse=us).reserved == 2

    short = client.post("/orders/new/", form("PO-2", 2))
    assert short.status_code == 200
    assert "DESK: 2 needed (US-3PL 1 available)" in short.content.decode()
    missing_qty = client.post("/orders/new/", form("PO-3", "", sku_2="DESK"))
    assert "How many?" in missing_qty.content.decode()
    assert not Order.objects.filter(external_id__in=["PO-2", "PO-3"]).exists()


def test_viewers_cannot_enter_orders(client_as, shop):
    assert client_as("viewer").get("/orders/new/").status_code == 403
    assert client_as("viewer").post("/orders/new/", form("PO-9", 1)).status_code == 403
    assert not Order.objects.exists()


def test_stock_allocate_serves_waiting_orders_and_stats_count_them(shop, chuhai):
    account, desk, us = shop
    from chuhai.orders.manual import ManualLine, create_manual_order

    create_manual_order(account, "A", "US", [ManualLine("DESK", 3)])
    from chuhai.inventory.allocation import release_order, sync_order

    waiting = Order.objects.create(account=account, external_id="W", marketplace="US", purchased_at=dt.datetime(
        2026, 11, 1, tzinfo=dt.UTC), status="unshipped", fulfilment_channel="merchant", ship_country="US",
        currency="USD", base_currency="CNY", fx_rate=7)
    waiting.lines.create(line_no=1, product=desk, channel_sku="DESK", quantity=2, unit_price=1)
    assert sync_order(waiting).status == "short"
    counts = entity_counts()
    assert (counts["reservations"], counts["orders_waiting_for_stock"]) == (1, 1)

    nothing = chuhai("stock", "allocate", "--json")
    assert nothing.code == 0 and json.loads(nothing.out) == {"short": 1}

    release_order(Order.objects.get(external_id="A"), "buyer cancelled")
    freed = chuhai("stock", "allocate")
    assert freed.code == 0 and "Reserved" in freed.out
    assert StockBalance.objects.get(product=desk, warehouse=us).reserved == 2
    assert entity_counts()["orders_waiting_for_stock"] == 0
