"""Orders: filters, the detail page's totals in order and base currency, and a constant query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from chuhai.orders.models import Order


def _ids(html: str) -> set[str]:
    return {ext for ext in ("111-0000001", "111-0000002", "250-0000003") if ext in html}


def test_order_filters(client_as, business):
    client = client_as("viewer")
    get = lambda **params: _ids(client.get("/orders/", params).content.decode())  # noqa: E731
    assert get() == {"111-0000001", "111-0000002", "250-0000003"}
    assert get(status="cancelled") == {"111-0000002"}
    assert get(account="AMZ-JP") == {"250-0000003"}
    assert get(ship_country="ca") == {"111-0000002"}
    assert get(q="0003") == {"250-0000003"}
    assert get(date_from="2026-03-03") == {"111-0000002", "250-0000003"}
    assert get(date_from="2026-03-03", date_to="2026-03-03") == {"111-0000002"}


def test_date_filter_uses_the_local_calendar_day(client_as, business):
    """An order at 23:30 UTC on 3 March is 4 March in Shanghai (the configured time zone)."""
    order = business["orders"][0]
    Order.objects.filter(pk=order.pk).update(purchased_at=dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC))
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"
    html = client_as("viewer").get("/orders/", {"date_from": "2026-03-04", "date_to": "2026-03-04"}).content.decode()
    assert _ids(html) == {"111-0000001", "250-0000003"}


def test_invalid_filter_is_reported_not_fatal(client_as, business):
    response = client_as("viewer").get("/orders/", {"date_from": "2026-13-45", "status": "shipped"})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist' in html
    assert _ids(html) == {"111-0000001", "250-0000003"}
    reversed_range = client_as("viewer").get("/orders/", {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert "The start date is after the end date." in reversed_range.content.decode()


def test_order_detail_totals_in_order_and_base_currency(client_as, business):
    jpy = business["orders"][2]
    html = client_as("viewer").get(f"/orders/{jpy.pk}/").content.decode()
    assert "4,980 JPY" in html
    assert 'id="base-total">235.66 CNY<' in html  # 4980 × 0.047321 = 235.65858
    assert "CHG-65-JP" in html and "CHG-65W" in html


def test_buyer_address_needs_its_permission(client, business):
    from django.contrib.auth.models import Permission

    from chuhai.core.users import create_user

    user = create_user("limited", "viewer", password="limited-pass-123")
    user.groups.clear()
    user.user_permissions.set(Permission.objects.filter(codename="view_order"))
    client.force_login(user)
    html = client.get(f"/orders/{business['orders'][0].pk}/").content.decode()
    assert "94107" not in html
    assert "111-0000001" in html


def test_orders_list_query_count_does_not_grow_with_rows(client_as, business, django_assert_max_num_queries):
    from chuhai.channels.services import create_account

    client = client_as("viewer")
    client.get("/orders/")  # warm caches (content types, permissions) before counting

    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/orders/").status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    accounts = [create_account(f"SHOP-{i}", "shopify", "US") for i in range(5)]
    start = timezone.now() - dt.timedelta(days=30)
    Order.objects.bulk_create([
        Order(account=accounts[i % 5], external_id=f"N-{i}", marketplace="US", purchased_at=start + dt.timedelta(hours=i),
              status="shipped", fulfilment_channel="merchant", ship_country="US", currency="USD",
              order_total=Decimal("10.00"), base_currency="CNY", fx_rate=Decimal("7.1"))
        for i in range(120)
    ])
    assert count_queries() == few
    with django_assert_max_num_queries(10):
        html = client.get("/orders/").content.decode()
    assert "Page 1 of 3" in html


def test_order_page_lists_its_returns_and_defects_by_permission(client_as, business):
    from chuhai.logistics.models import CustomerReturn
    from chuhai.orders.models import OrderDefect

    order = business["orders"][0]
    CustomerReturn.objects.create(account=business["us"], order=order, order_ref=order.external_id, sku="CAB-1M-US",
                                  quantity=1, returned_at=order.purchased_at + dt.timedelta(days=9),
                                  reason="DEFECTIVE")
    OrderDefect.objects.create(order=order, kind="a_to_z_claim", opened_at=order.purchased_at + dt.timedelta(days=12),
                               note="never arrived")

    ops = client_as("operations").get(f"/orders/{order.pk}/").content.decode()
    assert 'id="order-returns"' in ops and "DEFECTIVE" in ops
    assert 'id="order-defects"' in ops and "A-to-z Guarantee claim" in ops and "never arrived" in ops
    assert f"/account-health/defects/new/?account=AMZ-US&order={order.external_id}" in ops
    viewer = client_as("viewer").get(f"/orders/{order.pk}/").content.decode()
    assert "never arrived" in viewer and "/account-health/defects/new/" not in viewer


def test_fba_and_cancelled_orders_offer_no_ship_form(client_as, business):
    fba, cancelled = business["orders"][0], business["orders"][1]
    client = client_as("operations")
    assert 'id="ship-order"' not in client.get(f"/orders/{fba.pk}/").content.decode()
    assert client.post(f"/orders/{cancelled.pk}/", {"carrier": "ups", "tracking_number": "1Z"}).status_code == 403
