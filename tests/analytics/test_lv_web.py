"""The account-health dashboard (/analytics/health/): permissions, service levels against their targets,
advertising by account for finance only, filters, currency and CSV / XLSX exports.

Data: lv_builders' service() plus its ads() on the same accounts, January–February 2026. The ad data's orders
(O1 O3 O8 O9 shipped, O5 cancelled; all FBA, so only in the defect rates' population) join the service orders:
order defect rate = 4 defective of 9 + 5 = 14 orders = 28.57 % (AMZ-US 3 of 12 = 25.00 %, AMZ-DE 1 of 2 = 50.00 %);
late shipment 60.00 % (AMZ-US U1 U2 U4: 2 of 3 = 66.67 %, AMZ-DE D1 D2: 1 of 2 = 50.00 %).
Advertising (CNY): AMZ-US spend 270.60, ACOS 39.61, TACOS 36.40; AMZ-DE spend 80.00, ACOS 50.00.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from chuhai.analytics.metric_layer import engine

from .lv_builders import ads, service

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/analytics/health/"
JAN_FEB = {"date_from": "2026-01-01", "date_to": "2026-02-28"}


@pytest.fixture
def shop(transactional_db):
    accounts = service()
    ads(accounts)
    yield accounts
    engine.close()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def service_csv(client, **params) -> dict:
    response = client.get(URL, {**JAN_FEB, **params, "export": "csv", "table": "service"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == ["Channel account", "Service level", "Value (%)", "Target", "Status"]
    return {(r[0], r[1]): r[2:] for r in rows[1:]}


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_user_without_order_access_is_refused(client, shop):
    client.force_login(User.objects.create_user("nobody", password="nobody-pass-123"))
    assert client.get(URL, JAN_FEB).status_code == 403


def test_viewer_sees_service_levels_but_no_ad_money(client_as, shop):
    client = client_as("viewer")
    response = client.get(URL, JAN_FEB)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Order defect rate" in html and 'href="/account-health/"' in html
    assert 'href="/analytics/health/"' in html  # the analytics tab
    assert 'id="table-ads"' not in html and 'id="health-ads-hidden"' in html
    assert client.get(URL, {**JAN_FEB, "export": "csv", "table": "ads"}).status_code == 404
    rows = service_csv(client)
    # all accounts: ODR 4 / 14 = 28.57 % against < 1 % → breach; late 3 / 5 = 60 %; tracking 2 / 4 = 50 %
    assert rows[("", "Order defect rate")] == ["28.57", "< 1.00 %", "Breach"]
    assert rows[("", "Late shipment rate")] == ["60.00", "< 4.00 %", "Breach"]
    assert rows[("", "Valid tracking rate")] == ["50.00", "> 95.00 %", "Breach"]
    # cancel rate 1 of 8 merchant orders (the FBA ad orders are not in it) = 12.50 %
    assert rows[("", "Pre-fulfilment cancel rate")] == ["12.50", "< 2.50 %", "Breach"]
    assert rows[("AMZ-US", "Order defect rate")] == ["25.00", "< 1.00 %", "Breach"]
    assert rows[("AMZ-DE", "Late shipment rate")] == ["50.00", "< 4.00 %", "Breach"]
    # a part of the ODR has no target of its own: chargebacks U2 U5 of 14 = 14.29 %
    assert rows[("", "Chargeback rate")] == ["14.29", "—", "No target"]
    # AMZ-DE ships nothing delivered: no rate, no verdict
    assert rows[("AMZ-DE", "On-time delivery rate")] == ["", "> 97.00 %", "No data"]
    assert len(rows) == 3 * 8


def test_a_passing_figure(client_as, shop):
    # February, AMZ-DE: D1 valid, D2 not → 50 % breach; January AMZ-US: U1 valid, U2 not. Only D1's day passes.
    rows = service_csv(client_as("viewer"), date_from="2026-02-02", date_to="2026-02-02", account="AMZ-DE")
    assert rows[("AMZ-DE", "Valid tracking rate")] == ["100.00", "> 95.00 %", "Within target"]
    assert set(k[0] for k in rows) == {"", "AMZ-DE"}


def test_finance_sees_advertising_with_exports(client_as, shop):
    client = client_as("finance")
    html = client.get(URL, JAN_FEB).content.decode()
    assert 'id="table-ads"' in html and 'id="health-ads-hidden"' not in html
    assert 'id="chart-order_defect_rate"' in html
    response = client.get(URL, {**JAN_FEB, "export": "csv", "table": "ads"})
    rows = csv_rows(response)
    assert rows[0] == ["Channel account", "Ad spend", "Ad sales", "Total sales of advertised SKUs", "ACOS", "TACOS",
                       "ROAS", "Currency"]
    by_account = {r[0]: r for r in rows[1:]}
    # ROAS 683.20 / 270.60 = 2.5247… → 2.52
    assert by_account["AMZ-US"][1:7] == ["270.60", "683.20", "743.50", "39.61", "36.40", "2.52"]
    assert by_account["AMZ-DE"][1:3] == ["80.00", "160.00"] and by_account["AMZ-DE"][7] == "CNY"
    response = client.get(URL, {**JAN_FEB, "export": "xlsx", "table": "trend"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Month", "Channel account", "Order defect rate"]
    # January AMZ-US: U1 U2 U3 U9 + O1 O9 = 6 orders, 2 defective → 33.33 %
    jan_us = next(v for v in values[1:] if v[0] == "2026-01" and v[1] == "AMZ-US")
    assert str(jan_us[2]) == "33.33"


def test_filters_and_currency(client_as, shop):
    client = client_as("finance")
    rows = service_csv(client, marketplace="de")
    assert set(k[0] for k in rows) == {"", "AMZ-DE"} and rows[("", "Order defect rate")][0] == "50.00"
    # EUR: CNY → EUR is 0.125; AMZ-DE spend 80.00 CNY → 10.00 EUR, AMZ-US 270.60 → 33.825 → 33.83
    response = client.get(URL, {**JAN_FEB, "currency": "eur", "export": "csv", "table": "ads"})
    by_account = {r[0]: r for r in csv_rows(response)[1:]}
    assert (by_account["AMZ-DE"][1], by_account["AMZ-US"][1], by_account["AMZ-US"][7]) == ("10.00", "33.83", "EUR")
    # a currency without rates is an error on the page, not a crash
    html = client.get(URL, {**JAN_FEB, "currency": "JPY"}).content.decode()
    assert 'id="analytics-error"' in html and "JPY" in html
    # htmx swaps only the region
    fragment = client.get(URL, JAN_FEB, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="table-service"' in fragment
