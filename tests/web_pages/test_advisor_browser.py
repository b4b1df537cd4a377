"""In Chromium: fill the advisor's questionnaire, submit, see the advice with its mix chart drawn, open the
printable page, then save a capability assessment and see the radar drawn with it."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from chuhai.strategy.models import AdviceRecord, CapabilityAssessment

SHOTS = os.environ.get("CHUHAI_SCREENSHOTS")  # a folder to keep screenshots in, for looking at the pages


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def drawn(page, selector: str) -> None:
    """The chart is drawn: ECharts marked it ready and its canvas has a size."""
    page.wait_for_selector(f"{selector}[data-chart-ready='1']")
    size = page.locator(f"{selector} canvas").first.evaluate("c => [c.width, c.height]")
    assert size[0] > 0 and size[1] > 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_questionnaire_advice_print_and_capability(logged_in_page, live_server):
    page = logged_in_page("operations")
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=Advisor")
    page.wait_for_url("**/strategy/")
    assert page.locator("#advisor-no-data").is_visible()

    page.fill("input[name=months_selling]", "8")
    page.fill("input[name=monthly_revenue_cny]", "30000")
    page.fill("input[name=cash_runway_months]", "5")
    page.check("input[name=team_platform_ops]")
    page.check("input[name=supply_chain][value=strong]")
    page.check("input[name=category_kind][value=high_ticket]")
    page.fill("input[name=category_avg_price_usd]", "120")
    page.check("input[name=category_repeat_potential][value=high]")
    page.fill("input[name=markets]", "US, DE")
    page.check("input[name=channels_now][value=amazon]")
    page.check("input[name=channels_now][value=shopify]")
    page.check("input[name=goals][value=build_brand]")
    shot(page, "advisor-questionnaire")
    page.click("#advisor-submit")
    page.wait_for_url("**/strategy/advice/*/")

    record = AdviceRecord.objects.get()
    assert record.answers["markets"] == ["US", "DE"]
    drawn(page, "#chart-advice-mix")
    bars = page.locator("#chart-advice-mix").evaluate(
        "el => echarts.getInstanceByDom(el).getOption().series[0].data")
    assert len(bars) == 3 and abs(sum(bars) - 100) <= 1.5
    assert page.locator("#advice-summary").get_attribute("data-primary") == record.primary
    assert page.locator("#advice-reasons li").count() == len(record.advice["reasons"])
    shot(page, "advisor-advice")

    # a reason's rule opens the catalogue at that rule
    first_rule = record.advice["reasons"][0]["rule"]
    page.click(f"#advice-reasons li[data-rule='{first_rule}'] a")
    page.wait_for_url(f"**/strategy/rules/#rule-{first_rule}")
    assert page.locator(f"#rule-{first_rule}").is_visible()
    page.go_back()

    with page.context.expect_page() as opened:
        page.click("#advice-print")
    printable = opened.value
    printable.wait_for_load_state()
    assert printable.url.endswith(f"/strategy/advice/{record.pk}/print/")
    assert printable.locator(".sidebar").count() == 0
    assert printable.locator("#advice-mix tr[data-model]").count() == 3
    printable.emulate_media(media="print")
    assert not printable.locator("#print-button").is_visible()
    pdf = printable.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 2000
    shot(printable, "advisor-print")
    printable.close()

    page.click(".advisor-tabs >> text=Capabilities")
    page.wait_for_url("**/strategy/capability/")
    assert page.locator("#capability-empty").is_visible()
    for day, scores in (("2026-06-01", ("2", "3", "1")), ("2026-11-01", ("4", "4", "3"))):
        page.fill("input[name=assessed_on]", day)
        page.fill("input[name=product_differentiation]", scores[0])
        page.fill("input[name=supply_chain_integration]", scores[1])
        page.fill("input[name=digital_operations]", scores[2])
        page.click("#capability-form button[type=submit]")
        page.wait_for_selector(".msg-success")
    assert CapabilityAssessment.objects.count() == 2
    assert CapabilityAssessment.objects.get(assessed_on=dt.date(2026, 11, 1)).digital_operations == 3
    drawn(page, "#chart-capability-radar")
    values = page.locator("#chart-capability-radar").evaluate(
        "el => echarts.getInstanceByDom(el).getOption().series[0].data.map(d => d.value)")
    assert values == [[4, 4, 3], [2, 3, 1]]
    assert page.locator("#table-assessments tbody tr").count() == 2
    shot(page, "advisor-capability")
