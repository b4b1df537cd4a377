"""In Chromium: filtering the stock page by a SKU swaps the table and shows that SKU's balances."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_stock_page_filters_by_sku(logged_in_page, live_server, business):
    from chuhai.inventory.stock import receive, reserve

    receive(business["cable"], business["warehouse"], 12)
    reserve(business["cable"], business["warehouse"], 5, reference="111-0000001")
    receive(business["charger"], business["warehouse"], 3)
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/stock/")
    rows = page.locator("#table-region tbody tr")
    assert rows.count() == 2

    page.fill("input[name=q]", "CAB-USB")
    page.wait_for_function("document.querySelectorAll('#table-region tbody tr').length === 1")
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == "CAB-USB-C-1M" and cells[2] == "SZ-MAIN"
    assert cells[3:6] == ["12", "5", "7"]  # on hand, reserved, available
    assert "q=CAB-USB" in page.url
