"""WooCommerce REST v3 dumps (formats.md §4.5, the docs' own "List all orders" response): money as strings with
a numeric ``price``, GMT times without ``Z``, statuses, SKU-less lines, wrapped and single-object files, and JSON
errors located by line and column."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import Payload, load_payload
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.channels.woocommerce.orders import WooCommerceOrdersJson
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order

FIXTURE = Path(__file__).parent / "fixtures" / "orders_list.json"
UTC = dt.UTC


@pytest.fixture
def account(db):
    return create_account("WOO-US", "woocommerce", "US")


def doc_orders() -> list[dict]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def parse(account, data, name="orders.json"):
    payload = data if isinstance(data, Payload) else Payload(name, json.dumps(data, indent=2).encode())
    errors = ErrorCollector(payload.name)
    records = list(WooCommerceOrdersJson().parse(payload, ParseContext(account=account, file_name=payload.name),
                                                 errors))
    return {r.external_id: r for r in records}, errors.errors


def test_doc_sample_parses_to_the_docs_numbers(account):
    orders, errors = parse(account, load_payload(FIXTURE))
    assert errors == []
    order = orders["727"]
    assert (order.status, order.currency, order.prices_include_tax, order.tax_model) == (
        "unshipped", "USD", False, "seller")
    assert order.purchased_at == dt.datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)
    assert order.source_updated_at == dt.datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert [(ln.channel_sku, ln.quantity, ln.gross_amount, ln.item_tax, ln.discount) for ln in order.lines] == [
        ("wc-93", 2, Decimal("6.00"), Decimal("0.45"), Decimal(0)),
        ("Bar3", 1, Decimal("12.00"), Decimal("0.90"), Decimal(0)),
    ]
    assert order.lines[1].product_name == "Ship Your Idea – Color: Black, Size: M Test"
    assert (order.extra_shipping, order.extra_tax, order.order_total) == (Decimal("10.00"), Decimal("0.00"),
                                                                          Decimal("29.35"))
    # the docs' numbers add up the way the record says: goods + shipping + taxes = total
    goods = sum(ln.gross_amount - ln.discount + ln.item_tax for ln in order.lines)
    assert goods + order.extra_shipping + order.extra_tax == order.order_total
    assert order.customer_ref == hashlib.sha256(b"john.doe@example.com").hexdigest()
    assert (order.ship_country, order.ship_region, order.ship_city, order.ship_postal) == (
        "US", "CA", "San Francisco", "94103")


def test_completed_order_with_refunds(account):
    orders, _ = parse(account, load_payload(FIXTURE))
    order = orders["723"]
    assert (order.status, order.ship_country, order.order_total) == ("shipped", "BR", Decimal("39.00"))
    assert [ln.channel_sku for ln in order.lines] == ["wc-87", "wc-34"]
    assert all(ln.item_status == "shipped" for ln in order.lines)


@pytest.mark.parametrize(("woo", "ours"), [
    ("processing", "unshipped"), ("completed", "shipped"), ("on-hold", "pending"), ("pending", "pending"),
    ("cancelled", "cancelled"), ("refunded", "refunded"), ("failed", "cancelled"),
])
def test_status_mapping(account, woo, ours):
    data = doc_orders()[0]
    data["status"] = woo
    orders, errors = parse(account, [data])
    assert errors == [] and orders["727"].status == ours


def test_wrapped_and_single_object_files(account):
    orders = doc_orders()
    assert list(parse(account, {"orders": orders})[0]) == ["727", "723"]
    assert list(parse(account, orders[1])[0]) == ["723"]
    pages = [{"orders": orders[:1]}, {"orders": orders[1:]}]  # several API responses saved together
    assert list(parse(account, pages)[0]) == ["727", "723"]


def test_coupon_discount_and_variation_sku(account):
    data = doc_orders()[0]
    data["line_items"][1]["total"] = "10.80"  # a 10% coupon on the 12.00 line
    data["discount_total"] = "1.20"
    data["line_items"][0]["sku"] = ""
    data["line_items"][0]["variation_id"] = 95
    orders, errors = parse(account, [data])
    assert errors == []
    order = orders["727"]
    assert order.lines[0].channel_sku == "wc-93-95"
    assert order.lines[1].discount == Decimal("1.20")
    assert order.extra_discount == Decimal(0)  # already on the line, not counted twice


def test_record_errors_name_the_record_and_path(account):
    orders = doc_orders()
    orders[1]["line_items"][0]["quantity"] = "one"
    orders[1]["status"] = "shipped-ish"
    orders[0]["line_items"][1]["subtotal"] = "12,OO"
    found, errors = parse(account, orders)
    assert found == {}
    assert sorted((e.line, e.column) for e in errors) == [
        (1, "line_items[1].subtotal"), (2, "line_items[0].quantity"), (2, "status")]


def test_json_syntax_error_is_located(account):
    text = FIXTURE.read_text(encoding="utf-8").replace('"total": "29.35",', '"total": "29.35"', 1)
    line = text[: text.index('"total": "29.35"')].count("\n") + 2  # the next key is where json notices
    with pytest.raises(FileRejected) as info:
        parse(account, Payload("orders.json", text.encode()))
    error = info.value.errors[0]
    assert error.line == line and "Expecting ',' delimiter" in error.message
    assert error.column.startswith("character ")


def test_not_an_order_list_is_rejected(account):
    with pytest.raises(FileRejected):
        parse(account, {"products": []})


@pytest.mark.django_db
def test_import_through_the_runner_then_reimport(account):
    load_ecb_rates(since=dt.date(2017, 3, 1), until=dt.date(2017, 3, 31))
    result = import_file("woocommerce-orders", FIXTURE, account)
    assert result.status == "succeeded", result.errors
    assert (result.created, result.lines_created) == (2, 4)
    order = Order.objects.get(account=account, external_id="727")
    assert (order.items_total, order.shipping_total, order.tax_total, order.order_total) == (
        Decimal("18.00"), Decimal("10.00"), Decimal("1.35"), Decimal("29.35"))
    again = import_file("woocommerce-orders", FIXTURE, account)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_a_later_dump_updates_the_status(account, tmp_path):
    load_ecb_rates(since=dt.date(2017, 3, 1), until=dt.date(2017, 3, 31))
    import_file("woocommerce-orders", FIXTURE, account)
    later = copy.deepcopy(doc_orders())
    later[0]["status"] = "completed"
    later[0]["date_modified_gmt"] = "2017-03-22T19:30:35"
    path = tmp_path / "later.json"
    path.write_text(json.dumps(later), encoding="utf-8")
    result = import_file("woocommerce-orders", path, account)
    assert (result.updated, result.unchanged) == (1, 1)
    assert Order.objects.get(account=account, external_id="727").status == "shipped"
