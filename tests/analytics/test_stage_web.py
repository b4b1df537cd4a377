"""/analytics/stage/: who may see and override, what it shows, the KPI export. The seller (test_stage_builders) is
built relative to the real today (the page infers at the company's today): 36 flat months of 20,000 USD, one
account, two SKUs → inferred stable (rule "established")."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from chuhai.analytics import stage
from chuhai.analytics.metric_layer import engine
from chuhai.core.models import CompanySettings

from .test_stage_builders import seller

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/analytics/stage/"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def last_full_month() -> tuple[str, str]:
    first = stage.add_months(today().replace(day=1), -1)
    last = today().replace(day=1) - dt.timedelta(days=1)
    return first.isoformat(), last.isoformat()


@pytest.fixture
def flat(transactional_db):
    seller(today(), [20000] * 36, skus=2)
    yield
    engine.close()


def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_viewer_sees_the_inferred_stage_and_no_form(client_as, flat):
    response = client_as("viewer").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="stage-current" data-stage="stable" data-overridden="0"' in html
    assert 'data-rule="established" data-fired="1"' in html
    assert 'data-stage="stable" aria-current="step"' in html
    assert "stage-override-form" not in html
    assert 'id="chart-stage-trend"' in html
    assert "Margin %" not in html  # profit figures are finance-only
    assert 'href="/analytics/stage/"' in html  # the tab


@pytest.mark.parametrize("role", ["viewer", "operations", "finance"])
def test_only_settings_editors_may_override(client_as, flat, role):
    response = client_as(role).post(URL, {"stage": "scale"})
    assert response.status_code == 403
    assert CompanySettings.load().seller_stage == ""


def test_admin_overrides_and_goes_back_to_inferred(client_as, flat, role_users):
    client = client_as("admin")
    assert "stage-override-form" in client.get(URL).content.decode()
    response = client.post(URL, {"stage": "scale"})
    assert response.status_code == 302 and response["Location"] == URL
    assert CompanySettings.load().seller_stage == "scale"
    html = client.get(URL).content.decode()
    assert 'data-stage="scale" data-overridden="1"' in html
    assert 'data-stage="scale" aria-current="step"' in html
    assert "the data suggests Stable" in html
    last = CompanySettings.history.order_by("-history_date", "-history_id").first()
    assert (last.seller_stage, last.history_user_id) == ("scale", role_users["admin"].pk)
    client.post(URL, {"stage": ""})
    assert CompanySettings.load().seller_stage == ""
    assert client.post(URL, {"stage": "bogus"}).status_code == 400


def test_stage_kpis_and_csv_export(client_as, flat):
    date_from, date_to = last_full_month()
    client = client_as("finance")
    html = client.get(URL, {"date_from": date_from, "date_to": date_to}).content.decode()
    assert 'id="kpi-net_sales"' in html and 'id="kpi-margin_percent"' in html
    response = client.get(URL, {"date_from": date_from, "date_to": date_to, "export": "csv"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Metric id", "KPI", "Value", "Previous period", "Change %"]
    net = next(r for r in rows if r[0] == "net_sales")
    # last full month: one order of 20,000; the previous period of equal length ends the day before and holds
    # the 15th of the month before: 20,000 → change 0 %
    assert net[2:5] == ["20000.00", "20000.00", "0.00"] and net[6] == "USD"


def test_xlsx_export_and_bad_format(client_as, flat):
    client = client_as("viewer")
    response = client.get(URL, {"export": "xlsx"})
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert values[0][0] == "Metric id"
    assert "margin_percent" not in [v[0] for v in values]
    assert client.get(URL, {"export": "pdf"}).status_code == 400


def test_chinese_page(client_as, flat):
    response = client_as("viewer").get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and 'data-stage="stable"' in response.content.decode()
