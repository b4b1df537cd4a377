"""In Chromium: the customer analytics page draws its two heatmaps; a click on an RFM cell lists its customers;
a filter changes the figures; a table exports.

Data: ml_builders' business — c1 scores R1 F2 (Lost), c2 R2 F1 (Hibernating); see test_cust_web.py.
"""

from __future__ import annotations

import csv
import io

import pytest

from chuhai.analytics.metric_layer import engine

from .ml_builders import business


@pytest.fixture
def shop(transactional_db):
    data = business(with_profit=False)
    yield data
    engine.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_heatmaps_drawn_cell_click_filter_and_export(shop, logged_in_page, live_server):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/analytics/customers/")
    page.wait_for_selector("#rfm-chart[data-chart-ready='1']")
    page.wait_for_selector("#cohort-chart[data-chart-ready='1']")
    page.wait_for_selector("#rfm-chart[data-click-ready='1']")
    for chart in ("#rfm-chart", "#cohort-chart"):
        box = page.locator(f"{chart} canvas").first.bounding_box()
        assert box["width"] > 200 and box["height"] > 200
    # the heatmaps hold the data: 2 customers in the grid, 2 cohorts
    counts = page.evaluate("""() => {
        const rfm = echarts.getInstanceByDom(document.getElementById('rfm-chart')).getOption();
        const co = echarts.getInstanceByDom(document.getElementById('cohort-chart')).getOption();
        return [rfm.series[0].data.reduce((s, p) => s + p[2], 0), co.yAxis[0].data.length];
    }""")
    assert counts == [2, 2]

    # click the R1 × F2 cell (c1): its pixel position from the chart itself
    x, y = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('rfm-chart'))
                                   .convertToPixel({seriesIndex: 0}, [1, 0])""")
    box = page.locator("#rfm-chart").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/analytics/customers/?*r=1*")
    page.wait_for_selector("#rfm-cell-table")
    assert page.locator("#rfm-cell-table tbody tr").count() == 1
    assert page.locator("#rfm-cell-table tbody tr td").first.inner_text() == "c1"
    with page.expect_download() as info:
        page.click("#rfm-cell-table-csv")
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert [(r["Customer"], r["Net sales"]) for r in rows] == [("c1", "358.35")]

    # a filter: ship-to CA leaves c2 alone
    page.fill("#customer-filters input[name=ship_country]", "CA")
    page.click("#customer-filters-apply")
    page.wait_for_url("**ship_country=CA**")
    page.wait_for_selector("#rfm-chart[data-chart-ready='1']")
    total = page.evaluate("""() => echarts.getInstanceByDom(document.getElementById('rfm-chart')).getOption()
                                   .series[0].data.reduce((s, p) => s + p[2], 0)""")
    assert total == 1
    with page.expect_download() as info:
        page.click("#rfm-segments-table-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")
