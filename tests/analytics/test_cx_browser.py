"""In Chromium: a click on the channels dashboard's "amazon" pie slice opens the order list filtered to that
channel, the period and the documents counted in sales (ml_builders' business: O1, O3 and the credit note O4;
O5 cancelled and O6 awaiting payment are not listed)."""

from __future__ import annotations

import pytest

from chuhai.analytics.metric_layer import engine

from .ml_builders import business

JAN_FEB = "date_from=2026-01-01&date_to=2026-02-28"
# the pixel in the middle of a pie slice: its layout (centre, radii, angles) from ECharts
SLICE_CENTRE = """(el, index) => {
  const chart = echarts.getInstanceByDom(el);
  const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
  const angle = (layout.startAngle + layout.endAngle) / 2, radius = (layout.r0 + layout.r) / 2;
  return [layout.cx + radius * Math.cos(angle), layout.cy + radius * Math.sin(angle)];
}"""


@pytest.fixture
def shop(transactional_db):
    data = business(with_profit=False)
    yield data
    engine.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_channel_slice_opens_its_counted_orders(logged_in_page, live_server, shop):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/analytics/channels/?{JAN_FEB}")
    page.wait_for_selector("#chart-channel[data-drill-ready='1']")
    names = page.locator("#chart-channel").evaluate(
        "el => echarts.getInstanceByDom(el).getOption().series[0].data.map(d => d.name)")
    x, y = page.locator("#chart-channel").evaluate(SLICE_CENTRE, names.index("amazon"))
    page.locator("#chart-channel canvas").first.click(position={"x": x, "y": y})
    page.wait_for_url("**/orders/?*channel=amazon*")
    assert "date_from=2026-01-01" in page.url and "sales=yes" in page.url
    assert page.locator("select[name=channel]").input_value() == "amazon"
    ids = page.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(i.strip() for i in ids) == ["O1", "O3", "O4"]
