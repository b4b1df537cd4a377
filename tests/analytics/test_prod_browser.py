"""In Chromium: /analytics/products/ draws its Pareto chart (bars per SKU, cumulative line, A/B/C bands), follows
a filter change and downloads an export. Data: prod_builders' six SKUs (figures in its docstring)."""

from __future__ import annotations

import csv
import io

import pytest

from chuhai.analytics.metric_layer import engine

from .prod_builders import products_shop

MARCH = "date_from=2026-03-01&date_to=2026-03-31"
SERIES = "el => echarts.getInstanceByDom(el).getOption().series.map(s => s.data.length)"
BANDS = "el => echarts.getInstanceByDom(el).getOption().series[0].markArea.data.map(b => b[0].name)"


@pytest.fixture
def shop(transactional_db):
    data = products_shop()
    yield data
    engine.close()


def pareto(page) -> list[int]:
    page.wait_for_selector("#chart-pareto[data-chart-ready='1']")
    assert page.locator("#chart-pareto canvas").count() >= 1
    return page.locator("#chart-pareto").evaluate(SERIES)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_products_pareto_filter_and_export(logged_in_page, live_server, shop):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/analytics/?{MARCH}")
    page.click(".analytics-tabs >> text=Products")
    page.wait_for_url("**/analytics/products/**")
    page.goto(f"{live_server.url}/analytics/products/?{MARCH}")
    assert pareto(page) == [6, 6]  # six SKU bars, six cumulative points
    assert page.locator("#chart-pareto").evaluate(BANDS) == ["A", "B", "C"]
    assert page.locator("#table-classes tbody tr").count() == 3

    # Shopee only: C 60, D 50, E 40 → every SKU is A (C 0 → 40 %, D 40 → 73.33 %, E 73.33 → 100 %)
    page.select_option("select[name=account]", "SHOPEE-SG")
    page.wait_for_function("() => document.querySelectorAll('#table-products tbody tr').length === 3")
    assert "account=SHOPEE-SG" in page.url
    assert pareto(page) == [3, 3]  # redrawn after the swap
    assert page.locator("#chart-pareto").evaluate(BANDS) == ["A"]

    with page.expect_download() as info:
        page.click("#export-products-csv")
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("SKU-C", "A", "60.00"), ("SKU-D", "A", "50.00"),
                                                      ("SKU-E", "A", "40.00")]
    with page.expect_download() as info:
        page.click("#export-classes-xlsx")
    assert info.value.suggested_filename.endswith(".xlsx")

    # a click on a bar opens the orders holding that SKU
    page.wait_for_selector("#chart-pareto[data-drill-ready='1']")
    x, y = page.locator("#chart-pareto").evaluate(
        "el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, ['SKU-C', 30])")
    page.locator("#chart-pareto canvas").first.click(position={"x": x, "y": y})
    page.wait_for_url("**/orders/?**sku=SKU-C**")
    assert "sales=yes" in page.url
