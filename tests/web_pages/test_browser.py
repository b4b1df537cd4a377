"""In Chromium: typing in the products search box swaps the table through htmx, without a page load."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_products_search_filters_the_table_in_place(logged_in_page, live_server, business):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/products/")
    rows = page.locator("#table-region tbody tr")
    assert rows.count() == 3
    page.evaluate("window.__sameDocument = true")  # survives only if no full page load happens

    page.fill("input[name=q]", "chg")
    page.wait_for_function("document.querySelectorAll('#table-region tbody tr').length === 1")
    assert rows.first.locator("td").first.inner_text() == "CHG-65W"
    assert page.evaluate("window.__sameDocument") is True
    assert "q=chg" in page.url  # hx-push-url keeps the filtered view shareable

    page.select_option("select[name=bundle]", "yes")
    page.fill("input[name=q]", "")
    page.wait_for_function(
        "[...document.querySelectorAll('#table-region tbody tr td:first-child')].map(td => td.innerText).join() === 'KIT-TRAVEL'"
    )
    csv_link = page.locator("a", has_text="Export CSV").get_attribute("href")
    assert "bundle=yes" in csv_link and "export=csv" in csv_link
