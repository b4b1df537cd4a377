"""Orders, read only: detail with lines, base-currency totals, filters, personal data, and no N+1 queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.core.models import ApiToken, CompanySettings
from chuhai.orders.models import Order, OrderLine

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def make_order(account, external_id, purchased_at, currency="USD", fx_rate="7.1234", order_total="75.16",
               lines=(), **extra):
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace, purchased_at=purchased_at,
        status=extra.pop("status", "shipped"), fulfilment_channel=extra.pop("fulfilment_channel", "fba"),
        ship_country=extra.pop("ship_country", "US"), currency=currency, order_total=Decimal(order_total),
        base_currency="CNY", fx_rate=Decimal(fx_rate), **extra,
    )
    for no, (product, channel_sku, qty, price, discount) in enumerate(lines, start=1):
        OrderLine.objects.create(order=order, line_no=no, product=product, channel_sku=channel_sku, quantity=qty,
                                 unit_price=Decimal(price), discount=Decimal(discount))
    return order


@pytest.fixture
def shop(db):
    settings = CompanySettings.load()
    settings.time_zone = "Asia/Shanghai"
    settings.save()
    return {
        "us": create_account("AMZ-US", "amazon", "US"),
        "jp": create_account("AMZ-JP", "amazon", "JP"),
        "bank": create_product("PB-10K", name_en="Power bank"),
    }


def test_order_detail_has_lines_and_base_currency_total(api_as, shop):
    make_order(shop["us"], "111-2223334-5556667", dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
               items_total=Decimal("64.97"), shipping_total=Decimal("4.99"), tax_total=Decimal("5.20"),
               discount_total=Decimal("5.00"), order_total="75.16", fx_rate="7.1234",
               lines=[(shop["bank"], "VX-PB10K", 2, "29.99", "5.00"), (None, "UNMAPPED-1", 1, "9.99", "0")])
    response = api_as("viewer").get("/orders/AMZ-US/111-2223334-5556667")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["currency"], body["order_total"], body["base_currency"]) == ("USD", "75.16", "CNY")
    # 75.16 USD × 7.1234 CNY/USD = 535.394744 CNY → 535.39
    assert body["order_total_base"] == "535.39"
    assert body["fx_rate"] == "7.1234"
    assert body["purchased_at"].startswith("2026-03-02T10:00:00")
    assert [(line["line_no"], line["sku"], line["channel_sku"], line["quantity"]) for line in body["lines"]] == [
        (1, "PB-10K", "VX-PB10K", 2), (2, None, "UNMAPPED-1", 1)]
    # 2 × 29.99 − 5.00 = 54.98
    assert body["lines"][0]["item_amount"] == "54.98"
    assert body["lines"][0]["unit_price"] == "29.99" and body["lines"][1]["discount"] == "0.00"


def test_zero_decimal_currency_is_not_given_cents(api_as, shop):
    make_order(shop["jp"], "250-0000001", dt.datetime(2026, 3, 2, tzinfo=UTC), currency="JPY",
               order_total="3480", fx_rate="0.0478", lines=[(shop["bank"], "JP-PB", 1, "3480", "0")])
    body = api_as("viewer").get("/orders/AMZ-JP/250-0000001").json()
    # 3480 JPY × 0.0478 = 166.344 CNY → 166.34
    assert (body["order_total"], body["order_total_base"]) == ("3480", "166.34")
    assert body["lines"][0]["unit_price"] == "3480"


def test_unknown_order_is_404(api_as, shop):
    make_order(shop["us"], "A-1", dt.datetime(2026, 3, 2, tzinfo=UTC))
    response = api_as("viewer").get("/orders/AMZ-JP/A-1")  # exists, but on another account
    assert response.status_code == 404
    assert "A-1" in response.json()["detail"]


def test_order_list_filters(api_as, shop):
    # 2026-03-01 23:00 and 2026-03-02 01:30 in Shanghai
    make_order(shop["us"], "LATE-MAR-1", dt.datetime(2026, 3, 1, 15, 0, tzinfo=UTC), ship_country="CA")
    make_order(shop["us"], "EARLY-MAR-2", dt.datetime(2026, 3, 1, 17, 30, tzinfo=UTC), status="cancelled")
    make_order(shop["jp"], "JP-1", dt.datetime(2026, 3, 5, tzinfo=UTC), currency="JPY", ship_country="JP")
    viewer = api_as("viewer")

    def ids(**params):
        response = viewer.get("/orders", **params)
        assert response.status_code == 200, response.content
        return [o["external_id"] for o in response.json()["items"]]

    assert ids() == ["JP-1", "EARLY-MAR-2", "LATE-MAR-1"]  # newest first
    assert ids(**{"from": "2026-03-02", "to": "2026-03-02"}) == ["EARLY-MAR-2"]
    assert ids(to="2026-03-01") == ["LATE-MAR-1"]
    assert ids(account="AMZ-JP") == ["JP-1"]
    assert ids(status="cancelled") == ["EARLY-MAR-2"]
    assert ids(ship_country="ca") == ["LATE-MAR-1"]
    assert viewer.get("/orders", status="lost").status_code == 422
    assert viewer.get("/orders", **{"from": "March 2"}).status_code == 422


def test_order_list_query_count_does_not_grow_with_the_page(api_as, shop):
    client = api_as("viewer")

    def queries_for_listing():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/orders", limit=100).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        make_order(shop["us"], f"Q-{n}", dt.datetime(2026, 3, 2, n, tzinfo=UTC))
    few = queries_for_listing()
    for n in range(3, 30):
        make_order(shop["us" if n % 2 else "jp"], f"Q-{n}", dt.datetime(2026, 3, 2, n % 24, tzinfo=UTC))
    assert queries_for_listing() == few


def test_order_detail_query_count_does_not_grow_with_lines(api_as, shop):
    products = [create_product(f"SKU-{i}", name_en=f"P{i}") for i in range(12)]
    make_order(shop["us"], "BIG", dt.datetime(2026, 3, 2, tzinfo=UTC),
               lines=[(p, f"C-{i}", 1, "1.00", "0") for i, p in enumerate(products)])
    make_order(shop["us"], "SMALL", dt.datetime(2026, 3, 2, tzinfo=UTC), lines=[(products[0], "C-0", 1, "1", "0")])
    client = api_as("viewer")
    counts = []
    for order in ("SMALL", "BIG"):
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(f"/orders/AMZ-US/{order}").json()["lines"]) in (1, 12)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_buyer_details_need_their_own_permission(api_as, shop):
    make_order(shop["us"], "PII-1", dt.datetime(2026, 3, 2, tzinfo=UTC), ship_city="Austin", ship_postal="78701",
               customer_ref="buyer-hash-1")
    user = get_user_model().objects.create_user("order_reader")
    user.user_permissions.add(Permission.objects.get(codename="view_order", content_type__app_label="orders"))
    _token, raw = ApiToken.issue(user)
    limited = ApiClient(raw).get("/orders/AMZ-US/PII-1").json()
    assert limited["ship_country"] == "US"
    assert (limited["ship_city"], limited["ship_postal"], limited["customer_ref"]) == (None, None, None)
    assert ApiClient(raw).get("/orders").json()["items"][0]["ship_city"] is None
    full = api_as("operations").get("/orders/AMZ-US/PII-1").json()
    assert (full["ship_city"], full["ship_postal"], full["customer_ref"]) == ("Austin", "78701", "buyer-hash-1")


def test_orders_need_view_permission(db, shop):
    user = get_user_model().objects.create_user("nobody")
    _token, raw = ApiToken.issue(user)
    assert ApiClient(raw).get("/orders").status_code == 403
    assert ApiClient(raw).get("/me").status_code == 200
