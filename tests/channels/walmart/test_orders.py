"""Walmart Orders API dumps (formats.md §4.6): the docs' unwrapped sample and the raw ``list.elements.order``
envelope, epoch milliseconds, string quantities next to numeric amounts, PRODUCT/SHIPPING charges with tax,
per-line statuses, alpha-3 countries."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.errors import ErrorCollector
from chuhai.channels.ingest.reading import Payload, load_payload
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.channels.walmart.orders import WalmartOrdersJson
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC


@pytest.fixture
def account(db):
    return create_account("WMT-US", "walmart", "US")


def parse(account, data, name="orders.json"):
    payload = data if isinstance(data, Payload) else Payload(name, json.dumps(data).encode())
    errors = ErrorCollector(payload.name)
    records = list(WalmartOrdersJson().parse(payload, ParseContext(account=account, file_name=payload.name), errors))
    return {r.external_id: r for r in records}, errors.errors


def doc_sample() -> list[dict]:
    return json.loads((FIXTURES / "orders_doc.json").read_text(encoding="utf-8"))


def test_doc_sample(account):
    orders, errors = parse(account, load_payload(FIXTURES / "orders_doc.json"))
    assert errors == []
    order = orders["1796277083022"]  # purchaseOrderId, not customerOrderId 5281956426648
    assert order.purchased_at == dt.datetime(2019, 9, 14, 13, 9, 31, tzinfo=UTC)  # 1568466571000 ms
    assert order.source_updated_at == dt.datetime(2019, 9, 14, 13, 10, 47, tzinfo=UTC)
    assert (order.status, order.is_replacement, order.tax_model, order.currency) == (
        "unshipped", True, "marketplace", "USD")
    assert (order.ship_country, order.ship_region, order.ship_city, order.ship_postal) == (
        "US", "NY", "Warners", "13164")
    assert order.customer_ref == hashlib.sha256(
        b"3a31739d8b0a45a1b23f7f8c81c8747f@relay.walmart.com").hexdigest()
    (line,) = order.lines
    assert (line.channel_sku, line.quantity, line.gross_amount, line.item_tax, line.external_line_id,
            line.item_status) == ("test1", 1, Decimal("10"), Decimal("0.8"), "4", "open")


def test_raw_response_envelope_with_shipping_and_mixed_statuses(account):
    orders, errors = parse(account, load_payload(FIXTURES / "orders_response.json"))
    assert errors == []
    assert list(orders) == ["4792701863511", "4792701863600"]  # one customer order, two purchase orders
    first = orders["4792701863511"]
    bottle, brush = first.lines
    assert (bottle.quantity, bottle.gross_amount, bottle.item_tax, bottle.shipping, bottle.shipping_tax,
            bottle.item_status) == (2, Decimal("39.98"), Decimal("3.3"), Decimal("5.99"), Decimal("0.49"), "shipped")
    assert (brush.unit_price, brush.gross_amount, brush.item_status) == (Decimal("6.5"), Decimal(0), "cancelled")
    assert first.status == "shipped"  # the live line shipped, the other was cancelled
    second = orders["4792701863600"]
    assert (second.status, second.fulfilment_channel) == ("delivered", "3pl")


def test_other_wrappers(account):
    orders = doc_sample()
    assert list(parse(account, {"elements": {"order": orders}})[0]) == ["1796277083022"]
    assert list(parse(account, orders[0])[0]) == ["1796277083022"]


def test_epoch_seconds_are_an_error_not_1970(account):
    data = doc_sample()
    data[0]["orderDate"] = 1568466571
    orders, errors = parse(account, data)
    assert orders == {}
    assert [(e.line, e.column) for e in errors] == [(1, "orderDate")]
    assert "seconds" in errors[0].message


def test_record_errors_name_the_record_and_path(account):
    data = doc_sample() * 2
    data = json.loads(json.dumps(data))
    data[1]["purchaseOrderId"] = "1796277083023"
    line = data[1]["orderLines"]["orderLine"][0]
    line["orderLineQuantity"]["amount"] = "0"
    line["charges"]["charge"][0]["chargeType"] = "FEE"
    line["orderLineStatuses"]["orderLineStatus"][0]["status"] = "Lost"
    orders, errors = parse(account, data)
    assert list(orders) == ["1796277083022"]
    path = "orderLines.orderLine[0]"
    assert {(e.line, e.column) for e in errors} == {
        (2, f"{path}.orderLineQuantity.amount"), (2, f"{path}.charges.charge[0].chargeType"),
        (2, f"{path}.orderLineStatuses.orderLineStatus[0].status")}


def test_a_negative_product_charge_is_a_discount(account):
    data = doc_sample()
    data[0]["orderLines"]["orderLine"][0]["charges"]["charge"].append(
        {"chargeType": "PRODUCT", "chargeName": "Discount", "chargeAmount": {"currency": "USD", "amount": -1.5}})
    orders, _ = parse(account, data)
    line = orders["1796277083022"].lines[0]
    assert (line.gross_amount, line.discount) == (Decimal("10"), Decimal("1.5"))


def test_mixed_currencies_in_one_order_are_an_error(account):
    data = doc_sample()
    data[0]["orderLines"]["orderLine"][0]["charges"]["charge"][0]["chargeAmount"]["currency"] = "CAD"
    _, errors = parse(account, data)
    assert [e.column for e in errors] == ["charges"]


@pytest.mark.django_db
def test_import_through_the_runner_then_reimport(account):
    load_ecb_rates(since=dt.date(2019, 9, 1), until=dt.date(2025, 7, 31))
    for name in ("orders_doc.json", "orders_response.json"):
        result = import_file("walmart-orders", FIXTURES / name, account)
        assert result.status == "succeeded", result.errors
    order = Order.objects.get(account=account, external_id="4792701863511")
    assert (order.items_total, order.shipping_total, order.tax_total, order.order_total, order.status) == (
        Decimal("39.98"), Decimal("5.99"), Decimal("3.79"), Decimal("49.76"), "shipped")  # the brush: cancelled
    assert Order.objects.get(account=account, external_id="1796277083022").is_replacement
    again = import_file("walmart-orders", FIXTURES / "orders_response.json", account)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
