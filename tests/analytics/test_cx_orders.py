"""The order list's channel, marketplace and "counted in sales" filters (page, CSV and XLSX), and the channels /
markets dashboards' drill-downs: the URL behind a chart slice or bar lists exactly the order documents the
metric layer counted for it.

Data: ml_builders' business (base CNY, Asia/Shanghai) plus two AMZ-US documents the metric layer leaves out:
O8 (shipped, its only line cancelled) and O9 (shipped, stored with base currency USD). Documents:
AMZ-US (amazon, marketplace US): O1 Jan 10, O3 Feb 5, credit O4 Feb 20 — counted; O5 cancelled, O6 pending,
O8, O9 — not counted. SHOPEE-SG (shopee, SG): O2 (31 Jan 17:30 UTC = 1 Feb in Shanghai), O7 Feb 12 — counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils.http import urlencode
from openpyxl import load_workbook

from chuhai.analytics.metric_layer import engine, run
from chuhai.analytics.metric_layer.sources import OrderLines, filtered, used_params
from chuhai.core.models import CompanySettings
from chuhai.orders.models import Order

from .ml_builders import business, company, make_order, utc

JAN_FEB = {"date_from": "2026-01-01", "date_to": "2026-02-28"}
FEB = {"date_from": "2026-02-01", "date_to": "2026-02-28"}


@pytest.fixture
def shop(transactional_db):
    data = business(with_profit=False)
    make_order(data["us"], "O8", utc(2026, 2, 15), "7.2", [(data["cable"], 1, "10.00", {"item_status": "cancelled"})],
               customer="c4", ship="US")
    make_order(data["us"], "O9", utc(2026, 2, 16), "1", [(data["cable"], 1, "10.00")], customer="c5", ship="US",
               base_currency="USD")
    yield data
    engine.close()


def listed(client, **params) -> set[str]:
    """External ids of the order list's CSV export (every page of the list)."""
    response = client.get("/orders/", {**params, "export": "csv"})
    assert response.status_code == 200
    return {r["Order id"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


def counted(date_from: dt.date, date_to: dt.date, filters: dict) -> set[str]:
    """The documents the metric layer counts (its order-line relation, filtered as a chart row), by external id."""
    settings = CompanySettings.load()
    source = OrderLines(settings.base_currency, settings.time_zone, date_from, date_to)
    sql = f"SELECT DISTINCT order_id FROM ({filtered(source, filters)}) s"
    with engine.cursor() as cur:
        ids = [r[0] for r in cur.execute(sql, used_params(sql, source.params)).fetchall()]
    return set(Order.objects.filter(pk__in=ids).values_list("external_id", flat=True))


def test_channel_marketplace_and_sales_filters(shop, client_as):
    client = client_as("viewer")
    assert listed(client, channel="amazon") == {"O1", "O3", "O4", "O5", "O6", "O8", "O9"}
    assert listed(client, channel="shopee") == {"O2", "O7"}
    assert listed(client, channel="ebay") == set()
    assert listed(client, marketplace="sg") == {"O2", "O7"}  # normalised to SG
    assert listed(client, marketplace="US", ship_country="CA") == {"O3", "O4"}
    # counted in sales: a sale status, a line not cancelled, the company's base currency (O2 keeps its live line)
    assert listed(client, sales="yes") == {"O1", "O2", "O3", "O4", "O7"}
    assert listed(client, channel="amazon", sales="no") == {"O5", "O6", "O8", "O9"}
    assert listed(client, channel="amazon", sales="yes", **FEB) == {"O3", "O4"}
    # an invalid choice is shown as an error and ignored; the other filters still apply
    assert listed(client, channel="myspace", marketplace="SG") == {"O2", "O7"}
    response = client.get("/orders/", {"channel": "shopee", "marketplace": "SG", "sales": "yes"})
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("channel", "marketplace", "sales"):
        assert f'name="{name}"' in html
    listed_ids = set(re.findall(r'">(O\d+)</a>', html))  # the order links only: a CSRF token may hold "O5"
    assert listed_ids == {"O2", "O7"}
    sheet = load_workbook(io.BytesIO(client.get("/orders/", {"channel": "shopee", "export": "xlsx"}).content))
    ids = {row[1] for row in list(sheet.active.values)[1:]}
    assert ids == {"O2", "O7"}


def test_order_list_still_needs_the_permission(shop, client):
    nobody = get_user_model().objects.create_user("nobody", password="nobody-pass-123")
    client.force_login(nobody)
    assert client.get("/orders/", {"channel": "amazon"}).status_code == 403


def _drill(client, page: str, chart: str, params: dict) -> dict[str, str]:
    """Label → drill-down URL of one chart of a dashboard page."""
    response = client.get(page, params)
    assert response.status_code == 200
    found = next(c for c in response.context["charts"] if c["id"] == chart)
    data = found["option"]["series"][0]["data"]
    labels = [d["name"] for d in data] if isinstance(data[0], dict) else found["option"]["yAxis"]["data"]
    return dict(zip(labels, found["drill"], strict=True))


def _ids(client, url: str) -> set[str]:
    response = client.get(url + "&export=csv")
    assert response.status_code == 200
    return {r["Order id"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


def test_channel_drill_down_lists_exactly_the_counted_orders(shop, client_as):
    client = client_as("viewer")
    jan, feb_end = dt.date(2026, 1, 1), dt.date(2026, 2, 28)
    urls = _drill(client, "/analytics/channels/", "chart-channel", JAN_FEB)
    assert set(urls) == {"amazon", "shopee"}
    assert urls["amazon"] == "/orders/?" + urlencode({**JAN_FEB, "channel": "amazon", "sales": "yes"})
    for channel, expected in (("amazon", {"O1", "O3", "O4"}), ("shopee", {"O2", "O7"})):
        assert _ids(client, urls[channel]) == counted(jan, feb_end, {"channel": [channel]}) == expected
    # the chart's order count is the orders (not credit notes) among them: amazon O1, O3
    rows = {r["channel"]: r["orders"] for r in run(["orders"], by=["channel"], date_from=jan, date_to=feb_end).rows}
    assert rows["amazon"] == 2 and rows["shopee"] == 2
    # the account bar lists the same documents
    urls = _drill(client, "/analytics/channels/", "chart-account", FEB)
    assert _ids(client, urls["AMZ-US"]) == counted(dt.date(2026, 2, 1), feb_end, {"account": ["AMZ-US"]}) == {
        "O3", "O4"}
    # February on shopee: O2 was bought on 1 Feb in Shanghai (31 Jan in UTC) and counts
    urls = _drill(client, "/analytics/channels/", "chart-channel", FEB)
    assert _ids(client, urls["shopee"]) == {"O2", "O7"}


def test_market_drill_downs_keep_the_page_filters(shop, client_as):
    client = client_as("viewer")
    jan, feb_end = dt.date(2026, 1, 1), dt.date(2026, 2, 28)
    urls = _drill(client, "/analytics/markets/", "chart-marketplace", JAN_FEB)
    assert _ids(client, urls["SG"]) == counted(jan, feb_end, {"marketplace": ["SG"]}) == {"O2", "O7"}
    assert _ids(client, urls["US"]) == {"O1", "O3", "O4"}
    urls = _drill(client, "/analytics/markets/", "chart-ship_country", {**JAN_FEB, "account": "AMZ-US"})
    assert "account=AMZ-US" in urls["CA"] and "ship_country=CA" in urls["CA"]
    assert _ids(client, urls["CA"]) == counted(jan, feb_end, {"account": ["AMZ-US"], "ship_country": ["CA"]}) == {
        "O3", "O4"}
    # the marketplace filter of the page goes along with a ship-to country bar
    urls = _drill(client, "/analytics/markets/", "chart-ship_country", {**JAN_FEB, "marketplace": "US"})
    assert set(urls) == {"US", "CA"} and "marketplace=US" in urls["US"]
    assert _ids(client, urls["US"]) == {"O1"}
    # and the page's SKU filter: CABLE-1 lines are in O1 (US), O2 and O7 (SG)
    urls = _drill(client, "/analytics/markets/", "chart-marketplace", {**JAN_FEB, "sku": "CABLE-1"})
    assert "sku=CABLE-1" in urls["SG"]
    assert _ids(client, urls["SG"]) == {"O2", "O7"} and _ids(client, urls["US"]) == {"O1"}


def test_drill_down_days_are_the_company_s_days(shop, client_as):
    # the company moves to UTC (Django's TIME_ZONE stays Asia/Shanghai): O2 (31 Jan 17:30 UTC) is now a January
    # order, and February on shopee is O7 alone — in the chart and in the order list it opens
    company(tz="UTC")
    client = client_as("viewer")
    urls = _drill(client, "/analytics/channels/", "chart-channel", FEB)
    assert _ids(client, urls["shopee"]) == counted(dt.date(2026, 2, 1), dt.date(2026, 2, 28),
                                                   {"channel": ["shopee"]}) == {"O7"}
