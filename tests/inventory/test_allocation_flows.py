"""Reservations as orders arrive: through a report import, a manual order, ``POST /api/v1/orders`` — and the
oversell proof for orders: 50 simultaneous orders for the last 10 units, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from chuhai.catalog.models import Product
from chuhai.catalog.services import create_listing
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.inventory import stock
from chuhai.inventory.ledger import StockBalance, StockMovement
from chuhai.inventory.models import Warehouse
from chuhai.inventory.reservations import OrderAllocation, Reservation
from chuhai.inventory.stock import InsufficientStock
from chuhai.orders.manual import ManualLine, OrderExists, create_manual_order
from chuhai.orders.models import Order

from .test_concurrency import run_concurrently

HEADER = ("amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
          "sales-channel\tproduct-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\t"
          "shipping-price\tship-country")


def report(path, rows, name="orders.txt"):
    """An All Orders flat file: rows of (order id, updated, status, channel, sku, item status, qty)."""
    lines = [HEADER]
    for oid, updated, status, channel, sku, item_status, qty in rows:
        lines.append(f"{oid}\t\t2026-10-20T10:00:00+00:00\t{updated}\t{status}\t{channel}\tAmazon.com\tThing\t{sku}\t"
                     f"B000000001\t{item_status}\t{qty}\tUSD\t{10 * qty if isinstance(qty, int) else 10:.2f}\t0.00\t0.00\tUS")
    target = path / name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.fixture
def shop(db):
    load_ecb_rates(since=dt.date(2026, 10, 1))  # the orders' rates to the base currency (CNY)
    account = create_account("AMZ-US", "amazon", "US")
    product = Product.objects.create(sku="LAMP")
    create_listing(account, product, "LAMP-US")
    warehouse = Warehouse.objects.create(code="US-3PL", name="US", type="overseas_3pl", country="US",
                                         time_zone="UTC")
    stock.receive(product, warehouse, 5, reference="PO-1")
    return account, product, warehouse


def balance(product, warehouse):
    b = StockBalance.objects.get(product=product, warehouse=warehouse)
    return b.on_hand, b.reserved


@pytest.mark.django_db
def test_imported_orders_reserve_then_cancel_and_ship_through_later_reports(tmp_path, shop):
    account, lamp, us = shop
    first = report(tmp_path, [
        ("111-0000001-0000001", "2026-10-20T11:00:00+00:00", "Pending", "Merchant", "LAMP-US", "Unshipped", 2),
        ("111-0000001-0000002", "2026-10-20T11:00:00+00:00", "Pending", "Merchant", "LAMP-US", "Unshipped", 1),
        ("111-0000001-0000003", "2026-10-20T11:00:00+00:00", "Pending", "Merchant", "LAMP-US", "Unshipped", 4),
    ])

    result = import_file("amazon-orders", first, account)

    assert result.ok, result.errors
    assert result.summary["allocation"] == {"allocated": 2, "short": 1}
    assert balance(lamp, us) == (5, 3)
    short = OrderAllocation.objects.get(order__external_id="111-0000001-0000003")
    assert "LAMP: 4 needed (US-3PL 2 available)" in short.message

    again = import_file("amazon-orders", first, account)
    assert again.unchanged == 3 and "allocation" not in again.summary
    assert balance(lamp, us) == (5, 3)

    later = report(tmp_path, [
        ("111-0000001-0000001", "2026-10-21T11:00:00+00:00", "Shipped", "Merchant", "LAMP-US", "Shipped", 2),
        ("111-0000001-0000002", "2026-10-21T11:00:00+00:00", "Cancelled", "Merchant", "LAMP-US", "Cancelled", 0),
    ], name="later.txt")
    assert import_file("amazon-orders", later, account).ok

    assert balance(lamp, us) == (3, 0)
    assert stock.rebuild_balances() == []
    # the waiting order gets the units the cancellation freed? No: 4 needed, 3 on hand — still waiting
    assert OrderAllocation.objects.get(pk=short.pk).status == "short"


@pytest.mark.django_db
def test_a_rejected_file_reserves_nothing(tmp_path, shop):
    account, lamp, us = shop
    bad = report(tmp_path, [
        ("111-0000001-0000001", "2026-10-20T11:00:00+00:00", "Pending", "Merchant", "LAMP-US", "Unshipped", 2),
        ("111-0000001-0000002", "2026-10-20T11:00:00+00:00", "Pending", "Merchant", "LAMP-US", "Unshipped", "x"),
    ])

    result = import_file("amazon-orders", bad, account)

    assert not result.ok
    assert balance(lamp, us) == (5, 0)
    assert not Reservation.objects.exists()


@pytest.mark.django_db
def test_manual_order_reserves_or_changes_nothing(shop):
    account, lamp, us = shop

    order = create_manual_order(account, "B2B-1", "US", [ManualLine("LAMP-US", 2)])
    assert order.status == "unshipped" and order.lines.get().channel_sku == "LAMP-US"
    assert balance(lamp, us) == (5, 2)

    movements = StockMovement.objects.count()
    with pytest.raises(InsufficientStock, match="LAMP: 4 needed"):
        create_manual_order(account, "B2B-2", "US", [ManualLine("LAMP", 4)])
    with pytest.raises(OrderExists, match="already has an order B2B-1"):
        create_manual_order(account, "B2B-1", "US", [ManualLine("LAMP", 1)])
    with pytest.raises(ValueError, match="unknown SKU 'NOPE'"):
        create_manual_order(account, "B2B-3", "US", [ManualLine("NOPE", 1)])
    assert not Order.objects.filter(external_id__in=["B2B-2", "B2B-3"]).exists()
    assert StockMovement.objects.count() == movements and balance(lamp, us) == (5, 2)


@pytest.mark.django_db
def test_post_orders_answers_201_with_the_allocation_or_409(shop, api_as):
    account, lamp, us = shop
    body = {"account": "AMZ-US", "external_id": "REPL-7", "ship_country": "US",
            "lines": [{"sku": "LAMP", "quantity": 3}], "is_replacement": True}

    created = api_as("operations").post("/orders", body)
    assert created.status_code == 201, created.content
    assert created.json() == {"account": "AMZ-US", "external_id": "REPL-7", "status": "unshipped",
                              "allocation": [{"line_no": 1, "sku": "LAMP", "warehouse": "US-3PL", "quantity": 3}]}
    assert Order.objects.get(external_id="REPL-7").is_replacement

    short = api_as("operations").post("/orders", {**body, "external_id": "REPL-8"})
    assert short.status_code == 409 and "LAMP: 3 needed (US-3PL 2 available)" in short.json()["detail"]
    duplicate = api_as("operations").post("/orders", {**body, "lines": [{"sku": "LAMP", "quantity": 1}]})
    assert duplicate.status_code == 409 and "already has an order REPL-7" in duplicate.json()["detail"]
    assert api_as("viewer").post("/orders", {**body, "external_id": "V1"}).status_code == 403
    bad = api_as("operations").post("/orders", {**body, "external_id": "B1", "lines": [{"sku": "LAMP",
                                                                                      "quantity": 0}]})
    assert bad.status_code == 422
    assert balance(lamp, us) == (5, 3)




@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_orders_for_the_last_ten_units_give_exactly_ten():
    load_ecb_rates(since=dt.date(2026, 10, 1))
    account = create_account("SHOP", "shopify", "US")
    product = Product.objects.create(sku="HOT")
    warehouse = Warehouse.objects.create(code="US-3PL", type="overseas_3pl", country="US", time_zone="UTC")
    stock.receive(product, warehouse, 10)

    def place(i: int) -> bool:
        try:
            create_manual_order(account, f"O-{i}", "US", [ManualLine("HOT", 1)])
        except InsufficientStock:
            return False
        return True

    results, errors = run_concurrently(50, place)

    assert errors == []
    assert results.count(True) == 10
    assert Order.objects.count() == 10
    assert balance(product, warehouse) == (10, 10)
    assert Reservation.objects.filter(status="reserved").count() == 10
    assert stock.rebuild_balances() == []


@pytest.mark.django_db
def test_the_api_shows_an_orders_allocation_and_a_skus_ledger_history(shop, api_as):
    account, lamp, us = shop
    create_manual_order(account, "B2B-9", "US", [ManualLine("LAMP", 2)])

    order = api_as("viewer").get("/orders/AMZ-US/B2B-9").json()
    assert order["allocation"] == {"status": "allocated", "message": "", "reservations": [
        {"line_no": 1, "sku": "LAMP", "warehouse": "US-3PL", "quantity": 2, "status": "reserved"}]}

    history = api_as("viewer").get("/stock/LAMP/movements").json()
    assert history["count"] == 2
    assert [(m["kind"], m["state"], m["quantity"], m["reference"]) for m in history["items"]] == [
        ("reserve", "reserved", 2, "order:AMZ-US:B2B-9"), ("receipt", "on_hand", 5, "PO-1")]
    assert api_as("viewer").get("/stock/LAMP/movements", kind="receipt").json()["count"] == 1
    assert api_as("viewer").get("/stock/NOPE/movements").status_code == 404
