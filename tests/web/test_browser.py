"""In Chromium: logging in through the form, the dashboard's charts drawn from the data, the language switch."""

import pytest
from django.utils import translation

from chuhai.analytics.dashboard import home_summary
from chuhai.analytics.metric_layer import METRICS, engine
from chuhai.core.models import CompanySettings

from .helpers import make_sales

pytestmark = pytest.mark.browser

CHART_OPTION = "sel => echarts.getInstanceByDom(document.querySelector(sel)).getOption()"


@pytest.fixture(autouse=True)
def company(db):
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = "CNY", "Asia/Shanghai"
    settings.save()
    yield
    engine.close()  # the dashboard's figures come from the metric layer (DuckDB): let PostgreSQL drop the test db


def test_login_through_the_form(page, live_server, role_users):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to the login form
    page.fill("input[name=username]", "viewer_user")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".msg-error").count() == 1
    page.fill("input[name=username]", "viewer_user")
    page.fill("input[name=password]", "viewer-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".user-name").inner_text() == "viewer_user"
    # Logging out is a POST form in the top bar.
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_url("**/accounts/login/")


def test_dashboard_draws_its_charts_from_the_data(logged_in_page, live_server):
    make_sales()
    summary = home_summary()
    page = logged_in_page("viewer")
    page.wait_for_selector("#chart-sales-by-channel[data-chart-ready='1']")
    page.wait_for_selector("#chart-daily-sales[data-chart-ready='1']")

    by_channel = page.evaluate(CHART_OPTION, "#chart-sales-by-channel")
    accounts = list(reversed(summary["by_account"]))
    assert by_channel["yAxis"][0]["data"] == [a["code"] for a in accounts]
    assert by_channel["series"][0]["data"] == [float(a["sales"]) for a in accounts]
    assert by_channel["series"][0]["name"] == str(METRICS["net_sales"].name)  # the metric layer's label
    assert set(by_channel["yAxis"][0]["data"]) == {"AMZ-US", "AMZ-DE", "TIKTOK-US"}

    daily = page.evaluate(CHART_OPTION, "#chart-daily-sales")
    series = {s["id"]: s["data"] for s in daily["series"]}
    assert series["daily-total"] == [float(d["sales"]) for d in summary["daily"]]
    assert {k for k in series if k.startswith("platform-")} == {"platform-amazon", "platform-tiktok"}
    # Each day is rounded on its own: the days add up to the total within half a cent per day.
    assert sum(series["daily-total"]) == pytest.approx(float(summary["totals"]["sales"]), abs=0.005 * len(summary["daily"]))
    # A canvas was really drawn, with a size.
    box = page.locator("#chart-daily-sales canvas").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    # The KPI card's label and tooltip are the metric layer's.
    card = page.locator("#kpi-sales")
    assert card.locator(".kpi-label").inner_text() == str(METRICS["net_sales"].name)
    assert card.get_attribute("title") == str(METRICS["net_sales"].definition)


def test_language_switch_changes_the_navigation_and_sticks(logged_in_page, live_server):
    with translation.override("zh-hans"):
        dashboard_zh, products_zh = translation.gettext("Dashboard"), translation.gettext("Products")
    assert dashboard_zh != "Dashboard"
    page = logged_in_page("admin")
    nav = page.locator(".sidebar .nav")
    assert "Dashboard" in nav.inner_text()
    page.click(".topbar .lang-switch button[value='zh-hans']")
    page.wait_for_load_state("networkidle")
    assert dashboard_zh in nav.inner_text()
    assert page.get_attribute("html", "lang") == "zh-hans"
    page.goto(f"{live_server.url}/")  # a new page load keeps the choice (cookie)
    assert dashboard_zh in page.locator(".sidebar .nav").inner_text()
    assert "Dashboard" not in page.locator(".sidebar .nav").inner_text()
    if products_zh != "Products" and page.locator(".sidebar .nav a", has_text=products_zh).count():
        page.click(f".sidebar .nav a:has-text('{products_zh}')")
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "lang") == "zh-hans"
    page.click(".topbar .lang-switch button[value='en']")
    page.wait_for_load_state("networkidle")
    assert "Dashboard" in page.locator(".sidebar .nav").inner_text()
