"""In Chromium: the inventory value page (table, warehouse filter, chart) and adding a landed charge."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chuhai.finance.cogs import rebuild_costs
from chuhai.finance.cost_layers import LandedCharge

from .test_cogs_web import goods  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHART_OPTION = "sel => echarts.getInstanceByDom(document.querySelector(sel)).getOption()"


def test_inventory_value_page(logged_in_page, live_server, goods):  # noqa: F811
    from chuhai.inventory import transfers

    transfers.ship(goods["shipment"])  # 2 cables + 2 lamps now count at US-3PL
    rebuild_costs()
    page = logged_in_page("finance")
    page.click(".sidebar .nav a:has-text('Inventory value')")
    page.wait_for_load_state("networkidle")
    # SZ-01: 4 × 30 + 2 × 71 = 262; US-3PL: 2 × 30 + 2 × 71 = 202; total 464
    expect(page.locator("#costs-total")).to_contain_text("464.00 CNY")
    page.wait_for_selector("#chart-value-by-warehouse[data-chart-ready='1']")
    option = page.evaluate(CHART_OPTION, "#chart-value-by-warehouse")
    assert option["xAxis"][0]["data"] == ["SZ-01", "US-3PL"]
    assert option["series"][0]["data"] == [262, 202]
    expect(page.locator("#table-region tbody tr")).to_have_count(4)
    page.select_option("select[name=warehouse]", "US-3PL")  # the filter swaps the table only
    expect(page.locator("#table-region tbody tr")).to_have_count(2)
    expect(page.locator("#table-region tbody")).to_contain_text("142.00")  # 2 lamps × 71


def test_add_a_landed_charge(logged_in_page, live_server, goods):  # noqa: F811
    page = logged_in_page("finance")
    page.goto(f"{live_server.url}/costs/landed/IB-7/")
    page.select_option("#landed-form select[name=kind]", "freight")
    page.fill("#landed-form input[name=amount]", "80")
    page.fill("#landed-form input[name=currency]", "CNY")
    page.fill("#landed-form input[name=incurred_on]", "2026-03-05")
    page.select_option("#landed-form select[name=basis]", "weight")
    page.click("#landed-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#landed-charges tbody")).to_contain_text("First-leg freight")
    # by weight: CABLE 200 g of 800 → 20.00 (10 a unit), LAMP 600 g → 60.00 (30 a unit)
    expect(page.locator("#landed-preview tbody tr").first).to_contain_text("20.00")
    expect(page.locator("#landed-total")).to_have_text("80.00 CNY")
    assert LandedCharge.objects.get().created_by.username == "finance_user"
