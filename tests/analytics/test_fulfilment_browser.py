"""In Chromium: the account-health list links to an account whose breaches, orders and transit chart show."""

from __future__ import annotations

import pytest

from .fulfilment_builders import breaching_account


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_account_health_page_shows_breaches_and_the_orders_behind_them(logged_in_page, live_server):
    shop = breaching_account()
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/account-health/")
    odr_cell = page.locator('tr[data-account="AMZ-US"] td[data-kpi="order_defect_rate"]')
    assert odr_cell.get_attribute("data-status") == "breach"
    assert odr_cell.locator(".badge-bad").inner_text() == "25.00 %"
    assert page.locator('tr[data-account="AMZ-US"] td[data-kpi="cancel_rate"] .badge-ok').count() == 1

    page.click('tr[data-account="AMZ-US"] a')
    page.wait_for_url("**/account-health/AMZ-US/")
    assert page.locator("#kpi-late_shipment_rate .figure").inner_text() == "33.33 %"
    assert page.locator("#kpi-valid_tracking_rate").get_attribute("data-status") == "pass"
    late_rows = page.locator("#breach-late_shipment_rate tbody tr")
    assert late_rows.count() == 1
    page.wait_for_selector("#chart-transit-days[data-chart-ready='1']")
    assert page.locator("#table-transit tbody tr td").all_inner_texts()[:3] == ["UPS", "CN → US", "1"]

    late_rows.first.locator("a").click()
    page.wait_for_url(f"**/orders/{shop['late'].pk}/")
    assert "111-0000002-0000002" in page.content()
