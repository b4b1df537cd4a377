"""In Chromium: each analytics page draws its charts from data, follows a filter change and downloads an export;
a click on a chart bar opens the orders behind it. Data: ml_builders' business (see test_dash_web)."""

from __future__ import annotations

import csv
import io

import pytest

from chuhai.analytics.metric_layer import engine

from .ml_builders import business

FEB = "date_from=2026-02-01&date_to=2026-02-28"
JAN_FEB = "date_from=2026-01-01&date_to=2026-02-28"
SERIES_POINTS = "el => echarts.getInstanceByDom(el).getOption().series.map(s => s.data.length)"


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


def chart_series(page, selector: str) -> list[int]:
    page.wait_for_selector(f"{selector}[data-chart-ready='1']")
    assert page.locator(f"{selector} canvas").count() >= 1
    return page.locator(selector).evaluate(SERIES_POINTS)


def download_text(page, selector: str) -> str:
    with page.expect_download() as info:
        page.click(selector)
    return open(info.value.path(), encoding="utf-8-sig").read()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_overview_chart_filter_and_export(logged_in_page, live_server, shop):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=Analytics")
    page.wait_for_url("**/analytics/")
    page.goto(f"{live_server.url}/analytics/?{FEB}")
    assert chart_series(page, "#chart-series") == [28, 28]  # net sales and orders for every February day
    assert "352.00" in page.locator("#kpi-net_sales .kpi-value").inner_text()
    assert page.locator("#kpi-net_sales").get_attribute("title").startswith("Goods value of sales")

    page.select_option("select[name=account]", "SHOPEE-SG")
    page.wait_for_function("() => document.querySelector('#kpi-net_sales .kpi-value').innerText.includes('172.00')")
    assert "account=SHOPEE-SG" in page.url
    assert chart_series(page, "#chart-series") == [28, 28]  # redrawn after the swap

    text = download_text(page, "#export-series-csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Day", "Net sales", "Orders", "Currency"]
    assert ["2026-02-12", "129.60", "1", "CNY"] in rows and ["2026-02-05", "0.00", "0", "CNY"] in rows


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_channels_charts_drill_down_and_export(logged_in_page, live_server, shop):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/analytics/channels/?{JAN_FEB}")
    assert chart_series(page, "#chart-channel") == [2]  # amazon, shopee
    assert chart_series(page, "#chart-account") == [2]  # AMZ-US, SHOPEE-SG
    assert page.locator("#analytics-headline .kpi-value").inner_text() == "74.25%"

    page.fill("input[name=category]", "chargers")
    # leave the field (its "change" sends the filter again) and let every swap land: a request still pending at
    # the bar click would push its URL while the click's navigation runs, and Chromium drops that navigation
    page.press("input[name=category]", "Tab")
    page.wait_for_function("() => document.querySelector('#analytics-headline .kpi-value').innerText === '100.00%'")
    page.wait_for_load_state("networkidle")
    text = download_text(page, "#export-account-csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[:2] for r in rows[1:]] == [["AMZ-US", "361.05"]]  # chargers: 181.05 + 360.00 − 180.00

    # a click on the AMZ-US bar opens its orders of the period
    page.wait_for_selector("#chart-account[data-drill-ready='1']")
    # near the bar's base: inside the bar even while its grow-in animation runs (a loaded CI machine)
    x, y = page.locator("#chart-account").evaluate(
        "el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [20, 0])")
    page.locator("#chart-account canvas").first.click(position={"x": x, "y": y})
    page.wait_for_url("**/orders/?*account=AMZ-US*")
    assert "date_from=2026-01-01" in page.url
    assert page.locator("table").inner_text().count("O1") >= 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_markets_charts_filter_and_export(logged_in_page, live_server, shop):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/analytics/markets/?{JAN_FEB}")
    assert chart_series(page, "#chart-marketplace") == [2]  # US, SG
    assert chart_series(page, "#chart-ship_country") == [3]  # US, CA, SG
    page.fill("input[name=marketplace]", "SG")
    page.wait_for_function("() => document.querySelectorAll('#table-ship_country tbody tr').length === 1")
    assert chart_series(page, "#chart-ship_country") == [1]
    with page.expect_download() as info:
        page.click("#export-ship_country-xlsx")
    from openpyxl import load_workbook

    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as handle:
        values = list(load_workbook(io.BytesIO(handle.read())).active.values)
    assert values[1][0] == "SG" and str(values[1][1]) in ("172", "172.0")
