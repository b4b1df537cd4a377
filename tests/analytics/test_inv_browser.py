"""In Chromium: the inventory dashboard draws its charts from data, follows a warehouse filter, downloads the SKU
export and drills from an at-risk bar to the SKU's stock page. Data: test_inv_metrics' business."""

from __future__ import annotations

import csv
import io

import pytest

from chuhai.analytics.metric_layer import engine

from .test_inv_metrics import inventory_business

QUERY = "date_from=2026-03-01&date_to=2026-03-10"
SERIES = "el => echarts.getInstanceByDom(el).getOption().series.map(s => s.data)"


@pytest.fixture
def stock_shop(transactional_db):
    data = inventory_business()
    yield data
    engine.close()


def chart_data(page, selector: str):
    page.wait_for_selector(f"{selector}[data-chart-ready='1']")
    assert page.locator(f"{selector} canvas").count() >= 1
    return page.locator(selector).evaluate(SERIES)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inventory_dashboard_chart_filter_export_and_drill(logged_in_page, live_server, stock_shop):
    page = logged_in_page("operations")
    page.goto(f"{live_server.url}/analytics/")
    page.click(".analytics-tabs >> text=Inventory")
    page.wait_for_url("**/analytics/inventory/")
    page.goto(f"{live_server.url}/analytics/inventory/?{QUERY}")
    # days of cover: CABLE 4.17 (0–7), CHARGER 7.50 (7–14)
    assert chart_data(page, "#chart-cover") == [[1, 1, 0, 0, 0]]
    # at-risk bars, drawn bottom-up: CHARGER 7.5 then CABLE 4.17
    assert chart_data(page, "#chart-risk") == [[7.5, 4.17]]
    assert page.locator("#kpi-on_hand .kpi-value").inner_text() == "8"
    assert page.locator("#kpi-sell_through .kpi-value").inner_text() == "66.67%"
    assert page.locator("#kpi-at_risk .kpi-value").inner_text() == "2"
    assert page.locator("#kpi-on_hand").get_attribute("title").startswith("Units on hand")

    # CN-1 only: on hand 3 + 3 = 6; sell-through 15 ÷ 21 = 71.43 %
    page.select_option("select[name=warehouse]", "CN-1")
    page.wait_for_function("() => document.querySelector('#kpi-on_hand .kpi-value').innerText === '6'")
    assert "warehouse=CN-1" in page.url
    assert page.locator("#kpi-sell_through .kpi-value").inner_text() == "71.43%"
    # CN-1 cover: CABLE 3 × 10 ÷ 12 = 2.50, CHARGER 3 × 10 ÷ 3 = 10.00 — redrawn after the swap
    assert chart_data(page, "#chart-risk") == [[10, 2.5]]

    with page.expect_download() as info:
        page.click("#export-skus-csv")
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["SKU", "At risk", "On hand"]
    assert [r[0] for r in rows[1:]] == ["CABLE-1", "CHARGER-2"]
    assert rows[1][2:7] == ["3", "12", "2.50", "3", "80.00"]

    # a click on the CABLE bar (days of cover 2.5, index 1) opens its stock page in CN-1
    page.wait_for_selector("#chart-risk[data-drill-ready='1']")
    x, y = page.locator("#chart-risk").evaluate(
        "el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [1, 'CABLE-1'])")
    page.locator("#chart-risk canvas").first.click(position={"x": x, "y": y})
    page.wait_for_url("**/stock/CABLE-1/?warehouse=CN-1")
    assert "CABLE-1" in page.locator("h1").inner_text()
