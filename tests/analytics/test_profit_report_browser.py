"""In Chromium: the Profit page (chart, sort by a header, group-by selector, export) and the P&L (chart,
estimated cells in italics, export)."""

from __future__ import annotations

import pytest

from .test_profit_report_builders import two_skus

MARCH = "date_from=2026-03-01&date_to=2026-03-31"


def first_labels(page) -> list[str]:
    return page.locator("#profit-table tbody tr td[data-key='label']").all_inner_texts()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_profit_page_sorts_groups_and_exports(logged_in_page, live_server):
    two_skus()
    page = logged_in_page("finance")
    page.goto(f"{live_server.url}/profit/?by=sku&{MARCH}")
    page.wait_for_selector("#profit-chart[data-chart-ready='1']")
    assert page.locator("#profit-chart canvas").count() >= 1
    assert first_labels(page) == ["LAMP-2", "MUG-1"]  # revenue 200 before 150
    assert page.locator("#total-profit").inner_text() == "147.50 CNY"
    assert page.locator("tr[data-status='partly_estimated'] td").first.evaluate(
        "el => getComputedStyle(el).fontStyle") == "italic"

    # Contribution: first click largest first (80, 67.50), second click smallest first
    page.click("th[data-sort='profit'] a")
    page.wait_for_selector("th[data-sort='profit'][aria-sort='descending']")
    assert first_labels(page) == ["LAMP-2", "MUG-1"]
    page.click("th[data-sort='profit'] a")
    page.wait_for_selector("th[data-sort='profit'][aria-sort='ascending']")
    assert first_labels(page) == ["MUG-1", "LAMP-2"]
    assert "sort=profit" in page.url
    page.wait_for_selector("#profit-chart[data-chart-ready='1']")  # redrawn after the swap

    href = page.locator(".export-links a", has_text="Export CSV").get_attribute("href")
    assert "export=csv" in href and "sort=profit" in href
    csv_text = page.request.get(f"{live_server.url}{href}").text()
    assert "MUG-1" in csv_text and "67.50" in csv_text

    page.select_option("select[name=by]", "account")
    page.wait_for_selector("#profit-title:has-text('Profit by channel account')")
    page.wait_for_function("() => document.querySelector('#profit-table td[data-key=label]')"
                           " && document.querySelector('#profit-table td[data-key=label]').innerText.startsWith('AMZ')")
    assert sorted(first_labels(page)) == ["AMZ-DE", "AMZ-US"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pnl_page_draws_the_chart_and_marks_estimates(logged_in_page, live_server):
    two_skus()
    page = logged_in_page("finance")
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=Profit & loss")
    page.wait_for_url("**/pnl/")
    page.goto(f"{live_server.url}/pnl/?{MARCH}")
    page.wait_for_selector("#pnl-chart[data-chart-ready='1']")
    assert page.locator("#pnl-chart canvas").count() >= 1
    contribution = page.locator("tr[data-line='contribution'] td[data-total='1']")
    assert contribution.inner_text() == "147.50 CNY"
    assert contribution.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
    settled_fee = page.locator("tr[data-line='fee:fulfilment_fee'] td[data-total='1']")
    assert settled_fee.evaluate("el => getComputedStyle(el).fontStyle") == "normal"
    assert page.locator("#pnl-legend").is_visible()
    href = page.locator("#pnl-export-xlsx").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok and response.headers["content-type"].startswith("application/vnd.openxmlformats")
