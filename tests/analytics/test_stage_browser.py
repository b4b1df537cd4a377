"""In Chromium: the stage page draws its monthly net sales chart, the admin overrides the stage and sees the
stepper move, and the KPI table downloads as CSV. Data: 36 flat months of 20,000 USD (test_stage_web)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from chuhai.analytics.metric_layer import engine

from .test_stage_builders import seller


@pytest.fixture
def flat(transactional_db):
    seller(dt.datetime.now(dt.UTC).date(), [20000] * 36, skus=2)
    yield
    engine.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_stage_page_chart_override_and_export(logged_in_page, live_server, flat):
    page = logged_in_page("admin")
    page.goto(f"{live_server.url}/analytics/")
    page.click(".analytics-tabs >> text=Stage")
    page.wait_for_url("**/analytics/stage/")
    page.wait_for_selector("#chart-stage-trend[data-chart-ready='1']")
    # the 24 full months before this one: bars and the 3-month average
    points = page.locator("#chart-stage-trend").evaluate(
        "el => echarts.getInstanceByDom(el).getOption().series.map(s => s.data.length)")
    assert points == [24, 24]
    assert page.locator("#stage-current").get_attribute("data-stage") == "stable"
    assert page.locator(".stage-step.current").get_attribute("data-stage") == "stable"

    page.select_option("#stage-override-form select[name=stage]", "scale")
    page.click("#stage-override-form button[type=submit]")
    page.wait_for_selector("#stage-current[data-stage='scale'][data-overridden='1']")
    assert page.locator(".stage-step.current").get_attribute("data-stage") == "scale"
    assert "Stable" in page.locator("#stage-current").inner_text()  # what the data suggests

    with page.expect_download() as info:
        page.click("#export-kpis-csv")
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][0] == "Metric id" and "net_sales" in [r[0] for r in rows]

    page.select_option("#stage-override-form select[name=stage]", "")
    page.click("#stage-override-form button[type=submit]")
    page.wait_for_selector("#stage-current[data-stage='stable'][data-overridden='0']")
