"""In Chromium: the upload form offers only the report types of the chosen account's platform and uploads."""

from __future__ import annotations

import pytest

from chuhai.orders.models import Order

from .support import GOOD

pytestmark = pytest.mark.browser


def test_upload_form_in_the_browser(logged_in_page, live_server, account, cable, tmp_path):
    from chuhai.channels.services import create_account

    create_account("EBAY-US", "ebay", "US")
    page = logged_in_page("operations")
    page.goto(f"{live_server.url}/imports/")
    option = page.locator("#id_source option[value='test-orders']")

    page.select_option("#id_account", "EBAY-US")
    assert option.evaluate("el => el.disabled") is True
    page.select_option("#id_account", "AMZ-US")
    assert option.evaluate("el => el.disabled") is False

    page.select_option("#id_source", "test-orders")
    path = tmp_path / "march.csv"
    path.write_text(GOOD)
    page.set_input_files("#id_files", str(path))
    page.click("#import-upload button[type=submit]")
    page.wait_for_selector("#import-results")
    assert page.locator(".import-result").get_attribute("data-status") == "succeeded"
    assert Order.objects.count() == 3
    page.click("#import-results a[href='/unmapped-skus/']")
    page.wait_for_url("**/unmapped-skus/")
    assert page.locator("tr[data-channel-sku='MYSTERY-9']").count() == 1
