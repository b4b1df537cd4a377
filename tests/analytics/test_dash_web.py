"""The analytics pages (/analytics/, /analytics/channels/, /analytics/markets/) on ml_builders' business:
permissions, finance-only figures, filters, currency, drill-down links and CSV / XLSX exports.

Figures (base CNY, see ml_builders and test_dash_service): February 2026 net sales 352.00 (3 orders) against
315.95 (1 order) in 4–31 January; January + February: amazon / AMZ-US / US marketplace 495.95, shopee /
SHOPEE-SG / SG 172.00; ship-to US 315.95, CA 180.00, SG 172.00.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from chuhai.analytics.metric_layer import engine
from chuhai.finance.fx import set_manual_rate

from .ml_builders import business

pytestmark = pytest.mark.django_db(transaction=True)
FEB = {"date_from": "2026-02-01", "date_to": "2026-02-28"}
JAN_FEB = {"date_from": "2026-01-01", "date_to": "2026-02-28"}
PAGES = ["/analytics/", "/analytics/channels/", "/analytics/markets/"]


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_viewer_sees_order_figures_but_no_profit(client_as, shop, url):
    for role in ("viewer", "operations"):
        response = client_as(role).get(url, FEB)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Net sales" in html
        assert "Gross profit" not in html and "Contribution margin" not in html and "Margin %" not in html
    html = client_as("finance").get(url, FEB).content.decode()
    assert "Gross profit" in html and "Contribution margin" in html


def test_navigation_entry(client_as, shop):
    html = client_as("viewer").get("/analytics/", FEB).content.decode()
    assert 'href="/analytics/"' in html and ">Analytics<" in html


def test_overview_kpis_compare_with_previous_period(client_as, shop):
    html = client_as("finance").get("/analytics/", FEB).content.decode()
    # net sales 352.00 vs 315.95: +11.4 % (the card shows one decimal)
    card = html[html.index('id="kpi-net_sales"'):html.index('id="kpi-orders"')]
    assert "352.00" in card and "315.95" in card and "+11.4%" in card
    assert 'title="Goods value of sales' in card  # the metric's one-line definition as the tooltip
    orders = html[html.index('id="kpi-orders"'):html.index('id="kpi-units"')]
    assert ">3<" in orders and "+200.0%" in orders
    gp = html[html.index('id="kpi-gross_profit"'):html.index('id="kpi-contribution_margin"')]
    assert "105.00" in gp and "116.20" in gp
    assert 'data-chart="chart-series-option"' in html and '"id": "net_sales"' in html
    # drill-down: the 1 February point and row open that day's orders
    assert "/orders/?date_from=2026-02-01&amp;date_to=2026-02-01" in html
    assert "2026-01-04" in html and "2026-01-31" in html  # the previous period is named


def test_filters_narrow_the_figures(client_as, shop):
    client = client_as("viewer")
    html = client.get("/analytics/", {**FEB, "account": "SHOPEE-SG"}).content.decode()
    card = html[html.index('id="kpi-net_sales"'):html.index('id="kpi-orders"')]
    assert "172.00" in card and "352.00" not in card  # O2 42.40 + O7 129.60
    assert "account=SHOPEE-SG" in html  # drill-down keeps the account
    html = client.get("/analytics/markets/", {**JAN_FEB, "ship_country": "ca"}).content.decode()
    rows = csv_rows(client.get("/analytics/markets/", {**JAN_FEB, "ship_country": "ca", "export": "csv",
                                                      "table": "ship_country"}))
    assert [r[0] for r in rows[1:]] == ["CA"]
    html = client.get("/analytics/channels/", {**JAN_FEB, "category": "cables"}).content.decode()
    # cables: O1 134.90 (AMZ-US) ; O2 42.40 + O7 129.60 = 172.00 (SHOPEE-SG)
    assert "134.90" in html and "495.95" not in html


def test_currency_changes_the_currency_code(client_as, shop):
    set_manual_rate("CNY", "USD", Decimal("0.14"), dt.date(2026, 1, 1))
    set_manual_rate("CNY", "USD", Decimal("0.15"), dt.date(2026, 2, 1))
    client = client_as("viewer")
    html = client.get("/analytics/", {**FEB, "currency": "usd"}).content.decode()
    card = html[html.index('id="kpi-net_sales"'):html.index('id="kpi-orders"')]
    assert "52.80" in card and "USD" in card and "CNY" not in card  # 352.00 × 0.15
    rows = csv_rows(client.get("/analytics/channels/", {**FEB, "currency": "USD", "export": "csv",
                                                       "table": "account"}))
    header = rows[0]
    body = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    # AMZ-US in February: (360.00 − 180.00) × 0.15 = 27.00
    assert body["AMZ-US"]["Net sales"] == "27.00" and body["AMZ-US"]["Currency"] == "USD"
    # a day without a rate is an error on the page, not a crash
    response = client.get("/analytics/", {**FEB, "currency": "GBP"})
    assert response.status_code == 200 and 'id="analytics-error"' in response.content.decode()


def test_channels_page_tables_and_exports(client_as, shop):
    client = client_as("finance")
    html = client.get("/analytics/channels/", JAN_FEB).content.decode()
    assert 'id="analytics-headline"' in html and "74.25%" in html  # amazon 495.95 / 667.95
    assert 'data-chart="chart-channel-option"' in html and 'data-chart="chart-account-option"' in html
    assert "/orders/?date_from=2026-01-01&amp;date_to=2026-02-28&amp;account=AMZ-US" in html
    rows = csv_rows(client.get("/analytics/channels/", {**JAN_FEB, "export": "csv", "table": "channel"}))
    assert rows[0][:3] == ["Channel", "Net sales", "Share of net sales %"]
    assert [r[:3] for r in rows[1:]] == [["amazon", "495.95", "74.25"], ["shopee", "172.00", "25.75"]]
    response = client.get("/analytics/channels/", {**JAN_FEB, "export": "xlsx", "table": "account"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("Channel account", "Net sales", "Share of net sales %")
    assert values[1][0] == "AMZ-US" and Decimal(str(values[1][1])) == Decimal("495.95")
    assert values[2][0] == "SHOPEE-SG" and Decimal(str(values[2][2])) == Decimal("25.75")
    assert client.get("/analytics/channels/", {"export": "pdf"}).status_code == 400


def test_markets_page_and_overview_export(client_as, shop):
    client = client_as("viewer")
    html = client.get("/analytics/markets/", JAN_FEB).content.decode()
    assert "Market mix" in html and "47.30%" in html  # US ship-to 315.95 / 667.95
    assert "ship_country=CA" in html
    rows = csv_rows(client.get("/analytics/markets/", {**JAN_FEB, "export": "csv", "table": "marketplace"}))
    assert [r[:3] for r in rows[1:]] == [["US", "495.95", "74.25"], ["SG", "172.00", "25.75"]]
    rows = csv_rows(client.get("/analytics/", {**FEB, "export": "csv", "table": "series"}))
    assert rows[0] == ["Day", "Net sales", "Orders", "Currency"]
    assert len(rows) == 29 and rows[1] == ["2026-02-01", "42.40", "1", "CNY"]
    response = client.get("/analytics/", {**FEB, "export": "xlsx", "table": "series"})
    assert list(load_workbook(io.BytesIO(response.content)).active.values)[20][0] == "2026-02-20"


def test_chinese_labels(client_as, shop):
    client = client_as("viewer")
    response = client.get("/analytics/", FEB, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    # labels go through gettext in the request's language (the metric names of the definitions)
    from django.utils import translation

    from chuhai.analytics.metric_layer import METRICS

    with translation.override("zh-hans"):
        names = [str(METRICS[m].name) for m in ("net_sales", "orders", "gmv")]
    assert 'lang="zh-hans"' in html and "352.00" in html
    assert all(name in html for name in names)
