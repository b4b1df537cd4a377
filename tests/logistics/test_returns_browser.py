"""In Chromium: from the returns list to a return's page, restock it as sellable, and see the stock arrive."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_returns import balance, fba_return, returns_shop  # noqa: F401  (fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_returns_page_processes_a_return(logged_in_page, live_server, returns_shop):  # noqa: F811
    s = returns_shop
    customer_return = fba_return(s["amazon"], "111-4444444", "MUG-AMZ", "EXPIRED", "LPNB1")
    page = logged_in_page("operations")
    page.goto(f"{live_server.url}/returns/?processed=pending")
    rows = page.locator("#table-region tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name=f"#{customer_return.pk}").click()

    expect(page.locator("#return-state")).to_have_text("Not processed")
    page.select_option("#return-process select[name=restock]", "sellable")
    page.select_option("#return-process select[name=warehouse]", "FBA-US")
    page.select_option("#return-process select[name=condition]", "sellable")
    page.get_by_role("button", name="Process return").click()

    expect(page.locator(".messages")).to_contain_text(f"Return #{customer_return.pk} processed.")
    expect(page.locator("#return-state")).to_have_text(re.compile("Restocked as sellable"))
    expect(page.locator("#return-movements tbody tr")).to_have_count(1)
    expect(page.locator("#return-process")).to_have_count(0)
    assert balance(s["mug"], s["fba"]) == (1, 0)

    page.goto(f"{live_server.url}/returns/?processed=pending")
    expect(page.locator("#table-region tbody tr td.muted")).to_have_count(1)  # the "no returns" row
