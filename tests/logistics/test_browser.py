"""In Chromium: ship an order from its page, then find the parcel on the shipments page and follow its link."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ship_an_order_and_find_it_on_the_shipments_page(logged_in_page, live_server, shop, make_order):
    from chuhai.inventory.ledger import StockBalance
    from chuhai.logistics.shipping import create_shipment

    order = make_order("6001", [(shop["mug"], 2), (shop["lid"], 1)])
    create_shipment(make_order("6002", [(shop["lid"], 1)]), "ups", "1Z999AA10123456784")
    page = logged_in_page("operations")

    page.goto(f"{live_server.url}/orders/{order.pk}/")
    assert page.locator("#allocation-status").inner_text() == "Reserved"
    page.select_option("#ship-order select[name=carrier]", "yunexpress")
    page.fill("#ship-order input[name=tracking_number]", "YT2412345678901234")
    page.locator("#ship-order input[name=lines]").nth(1).uncheck()  # ship the mugs only
    page.click("#ship-order button[type=submit]")
    page.wait_for_load_state("networkidle")

    row = page.locator('#order-shipments tr[data-tracking="YT2412345678901234"]')
    assert row.count() == 1 and "#1 × 2" in row.inner_text()
    assert page.locator("#ship-order input[name=lines]").count() == 1  # only the lid is left to ship
    assert StockBalance.objects.get(product=shop["mug"]).on_hand == 8

    page.goto(f"{live_server.url}/shipments/")
    assert page.locator("#table-region tbody tr").count() == 2
    page.select_option("select[name=carrier]", "yunexpress")
    page.wait_for_function("document.querySelectorAll('#table-region tbody tr').length === 1")
    link = page.locator("#table-region tbody tr td a", has_text="YT2412345678901234")
    assert link.get_attribute("href") == "https://www.yuntrack.com/parcelTracking?id=YT2412345678901234"
    assert "carrier=yunexpress" in page.url
