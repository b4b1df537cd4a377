"""The customer analytics page: permissions, filters, the cell drill-down and every table's CSV / XLSX export.

Data: ml_builders' business (base CNY). Customers c1 (O1 AMZ-US 315.95 in January, O2 SHOPEE-SG 42.40 on 1 Feb:
358.35, last 1 Feb) and c2 (O3 AMZ-US 360.00 on 5 Feb, credit O4 −180.00: 180.00); the guest's O7 (12 Feb) is the
last order, so RFM is as of 13 Feb. Scores (two customers): c1 R1 F2 M2 (Lost), c2 R2 F1 M1 (Hibernating).
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from chuhai.analytics.metric_layer import engine

from .ml_builders import business

URL = "/analytics/customers/"


@pytest.fixture
def shop(transactional_db):
    data = business(with_profit=False)
    yield data
    engine.close()


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_login_and_permission(shop, client, role_users):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    nobody = get_user_model().objects.create_user("nobody", password="nobody-pass-123")
    client.force_login(nobody)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?export=csv&table=segments").status_code == 403
    for role in ("viewer", "operations", "finance"):
        client.force_login(role_users[role])
        assert client.get(URL).status_code == 200


def test_page_shows_grid_segments_cohorts_and_value(shop, client_as):
    response = client_as("viewer").get(URL)
    html = response.content.decode()
    ctx = response.context
    assert ctx["rfm"].customers == 2 and str(ctx["rfm"].as_of) == "2026-02-13"
    assert 'id="rfm-chart"' in html and 'id="cohort-chart"' in html
    # heatmap points: [F − 1, R − 1, customers, monetary, segment]; c1 is R1 F2, c2 R2 F1
    points = {(p[0], p[1]): p[2] for p in ctx["rfm_chart"]["series"][0]["data"]}
    assert points[(1, 0)] == 1 and points[(0, 1)] == 1 and sum(points.values()) == 2
    segments = {row[0][0]: row[1][0] for row in ctx["segments_table"]["rows"]}
    assert segments["Lost"] == "1" and segments["Hibernating"] == "1" and segments["Champions"] == "0"
    # cohorts: 2026-01 (c1, active in months 0 and 1), 2026-02 (c2)
    cohort_rows = [[text for text, _css in row] for row in ctx["cohort_table"]["rows"]]
    assert [r[:4] for r in cohort_rows] == [["2026-01", "1", "100", "100"], ["2026-02", "1", "100", ""]]
    assert ctx["value"].clv is not None
    assert "Customer analytics" in html and "Net sales per customer by cohort" in html
    assert 'href="/analytics/customers/"' in html  # the navigation entry


def test_filters_change_every_figure(shop, client_as):
    client = client_as("viewer")
    ctx = client.get(URL, {"account": "SHOPEE-SG"}).context
    # SHOPEE-SG: c1's O2 only (the guest O7 is not a customer)
    assert ctx["rfm"].customers == 1 and [r.month for r in ctx["value"].cohorts] == ["2026-02"]
    ctx = client.get(URL, {"ship_country": "ca"}).context
    assert ctx["rfm"].customers == 1
    assert ctx["value"].customers == 1 and str(ctx["value"].net_sales) == "180.00"
    ctx = client.get(URL, {"date_from": "2026-01-01", "date_to": "2026-01-31", "marketplace": "US"}).context
    assert ctx["rfm"].customers == 1 and str(ctx["rfm"].as_of) == "2026-01-11"
    # a reversed range is refused by the form and ignored (the page still answers)
    response = client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 200 and response.context["rfm"].customers == 2
    ctx = client.get(URL, {"ship_country": "JP"}).context
    assert ctx["rfm"].customers == 0 and ctx["rfm_chart"] is None and ctx["cohort_chart"] is None


def test_cell_drill_down_and_every_export(shop, client_as):
    client = client_as("viewer")
    response = client.get(URL, {"r": "1", "f": "2"})
    cell = response.context["cell"]
    assert cell["count"] == 1 and cell["table"]["rows"][0][0][0] == "c1"
    assert 'id="rfm-cell-table"' in response.content.decode()

    rows = _csv(client.get(URL, {"r": "1", "f": "2", "export": "csv", "table": "cell"}))
    assert [(r["Customer"], r["Recency (days)"], r["Orders"], r["Net sales"], r["Segment"], r["Currency"])
            for r in rows] == [("c1", "12", "2", "358.35", "Lost", "CNY")]
    sheet = _xlsx(client.get(URL, {"r": "2", "f": "1", "export": "xlsx", "table": "cell"}))
    assert sheet[0][0] == "Customer" and sheet[1][0] == "c2" and float(sheet[1][3]) == 180.0

    segments = {r["Segment"]: r for r in _csv(client.get(URL, {"export": "csv", "table": "segments"}))}
    assert segments["Lost"]["Customers"] == "1" and segments["Lost"]["Net sales"] == "358.35"
    assert segments["Hibernating"]["Share of customers %"] == "50.00"
    assert len(_xlsx(client.get(URL, {"export": "xlsx", "table": "segments"}))) == 1 + 11

    cohorts = _csv(client.get(URL, {"export": "csv", "table": "cohorts"}))
    assert [(r["Cohort"], r["Customers"], r["Month 0 %"], r["Month 1 %"]) for r in cohorts] == [
        ("2026-01", "1", "100.00", "100.00"), ("2026-02", "1", "100.00", "")]
    assert _xlsx(client.get(URL, {"export": "xlsx", "table": "cohorts"}))[1][:2] == ("2026-01", 1)

    clv = _csv(client.get(URL, {"export": "csv", "table": "clv"}))
    assert [(r["Cohort"], r["Net sales"], r["Observed months"], r["Per customer per month"]) for r in clv] == [
        ("2026-01", "358.35", "2", "179.18"), ("2026-02", "180.00", "1", "180.00")]
    assert len(_xlsx(client.get(URL, {"export": "xlsx", "table": "clv"}))) == 3

    summary = {r["Figure"]: r["Value"] for r in _csv(client.get(URL, {"export": "csv", "table": "clv_summary"}))}
    # customers 2, orders 3 (O1, O2, O3), net 358.35 + 180.00 = 538.35; AOV 538.35 / 3 = 179.45
    # repeat 1 / 2 = 50 % → lifespan 2 → CLV = 538.35 / 2 × 2 = 538.35
    assert (summary["customers"], summary["orders"], summary["net_sales"], summary["aov"]) == (
        "2", "3", "538.35", "179.45")
    assert (summary["repeat_rate"], summary["lifespan"], summary["clv"]) == ("50.00", "2.00", "538.35")
    assert len(_xlsx(client.get(URL, {"export": "xlsx", "table": "clv_summary"}))) == 10

    assert client.get(URL, {"export": "pdf", "table": "cohorts"}).status_code == 400
    assert client.get(URL, {"export": "csv", "table": "nope"}).status_code == 400
    assert client.get(URL, {"export": "csv", "table": "cell"}).status_code == 400  # no cell chosen


def test_page_in_chinese(shop, client_as):
    response = client_as("viewer").get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
