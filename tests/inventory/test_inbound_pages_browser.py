"""In Chromium: receiving part of an inbound shipment on its page moves the units from inbound to on hand at the
destination, and closing it shows what never arrived."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_receive_and_close_an_inbound_shipment(logged_in_page, live_server):
    from chuhai.catalog.models import Product
    from chuhai.inventory import stock, transfers
    from chuhai.inventory.models import StockBalance, Warehouse

    sz = Warehouse.objects.create(code="SZ", type="domestic", country="CN")
    us = Warehouse.objects.create(code="US-3PL", type="overseas_3pl", country="US")
    mug = Product.objects.create(sku="MUG")
    stock.receive(mug, sz, 100)
    shipment = transfers.create(sz, us, "sea", {"MUG": 60}, carrier="COSCO")

    page = logged_in_page("operations")
    page.goto(f"{live_server.url}/inbound/")
    page.click(f"text={shipment.reference}")
    page.click("#inbound-ship")
    page.wait_for_load_state("networkidle")
    assert page.locator("#inbound-status").inner_text() == "Shipped"
    assert StockBalance.objects.get(product=mug, warehouse=us).inbound == 60

    page.fill("tr[data-sku=MUG] input[type=number]", "45")
    page.click("#inbound-receive-submit")
    page.wait_for_load_state("networkidle")
    assert page.locator("#inbound-status").inner_text() == "Partially received"
    cells = page.locator("tr[data-sku=MUG] td").all_inner_texts()
    assert cells[1:4] == ["60", "45", "15"]  # shipped, received, outstanding
    balance = StockBalance.objects.get(product=mug, warehouse=us)
    assert (balance.on_hand, balance.inbound) == (45, 15)

    page.fill("#close-note", "short-shipped by the forwarder")
    page.click("#inbound-close button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#inbound-status").inner_text() == "Closed"
    assert "15 of 60 not received" in page.locator("tr[data-sku=MUG]").inner_text()
    assert "MUG −15" in page.locator(".messages").inner_text()
