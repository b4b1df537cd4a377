"""In Chromium: the channel-stock page shows each listing's quantity; choosing an Amazon account offers its
inventory file, and downloading it records the push so the listing no longer shows as changed."""

from __future__ import annotations

import pytest

from .test_ats import build_shop


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_channel_stock_page_and_amazon_download(logged_in_page, live_server):
    from chuhai.inventory.channel_rules import ListingStockPush

    build_shop()
    page = logged_in_page("operations")
    page.goto(f"{live_server.url}/channel-stock/")
    rows = page.locator("#table-region tbody tr")
    assert rows.count() == 5
    mug = page.locator("#table-region tbody tr", has_text="MUG-A").locator("td").all_inner_texts()
    assert mug[5:7] == ["35", "35"]

    with page.expect_navigation():
        page.select_option("select[name=account]", "AMZ-US")  # submits the filter form
    assert "account=AMZ-US" in page.url
    assert page.locator("#table-region tbody tr").count() == 3
    with page.expect_download() as info:
        page.click("#ats-download")
    path = info.value.path()
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith("sku\tprice\t") and "MUG-A\t\t\t\t35\t\t" in lines
    assert info.value.suggested_filename.startswith("AMZ-US-inventory-")
    assert dict(ListingStockPush.objects.values_list("listing__channel_sku", "quantity")) == {"GIFT-A": 7,
                                                                                            "MUG-A": 35}

    with page.expect_navigation():
        page.select_option("select[name=changed]", "yes")
    assert page.locator("#table-region tbody tr td.muted").inner_text() == "No listings match these filters."
