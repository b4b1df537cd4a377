"""In Chromium: the account-health dashboard draws its monthly trend charts from the layer's figures, follows a
filter change (htmx swap, charts redrawn) and downloads an export. Data and figures: see test_lv_web."""

from __future__ import annotations

import csv
import io

import pytest

from chuhai.analytics.metric_layer import engine

from .lv_builders import ads, service

JAN_FEB = "date_from=2026-01-01&date_to=2026-02-28"
SERIES = "el => echarts.getInstanceByDom(el).getOption().series.map(s => [s.name, s.data])"


@pytest.fixture
def shop(transactional_db):
    accounts = service()
    ads(accounts)
    yield accounts
    engine.close()


def chart_series(page, selector: str):
    page.wait_for_selector(f"{selector}[data-chart-ready='1']")
    assert page.locator(f"{selector} canvas").count() >= 1
    return page.locator(selector).evaluate(SERIES)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_health_dashboard_charts_filter_and_export(logged_in_page, live_server, shop):
    page = logged_in_page("finance")
    page.goto(f"{live_server.url}/analytics/?{JAN_FEB}")
    page.click(".analytics-tabs >> text=Account health")
    page.wait_for_url("**/analytics/health/**")
    page.goto(f"{live_server.url}/analytics/health/?{JAN_FEB}")
    # late shipment rate by month: AMZ-DE has February only (D1 on time, D2 late → 50 %);
    # AMZ-US January U1 U2 → 50 %, February U4 → 100 %
    assert chart_series(page, "#chart-late_shipment_rate") == [["AMZ-DE", [None, 50]], ["AMZ-US", [50, 100]]]
    assert page.locator("#table-service tbody tr").count() == 24
    assert page.locator("#table-ads").is_visible()
    assert page.locator("#account-health-link").get_attribute("href") == "/account-health/"

    page.select_option("select[name=account]", "AMZ-DE")
    page.wait_for_function("() => document.querySelectorAll('#table-service tbody tr').length === 16")
    assert "account=AMZ-DE" in page.url
    assert chart_series(page, "#chart-late_shipment_rate") == [["AMZ-DE", [50]]]

    with page.expect_download() as info:
        page.click("#export-service-csv")
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read())))
    assert rows[0] == ["Channel account", "Service level", "Value (%)", "Target", "Status"]
    assert ["AMZ-DE", "Order defect rate", "50.00", "< 1.00 %", "Breach"] in rows
    assert {r[0] for r in rows[1:]} == {"", "AMZ-DE"}
