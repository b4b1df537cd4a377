"""The inventory dashboard page (/analytics/inventory/) and its service, on test_inv_metrics' hand-worked business
(period 2026-03-01 … 03-10; figures worked out in that module's docstring)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from chuhai.analytics import inventory_dashboard
from chuhai.analytics.dashboards import Period
from chuhai.analytics.metric_layer import engine

from .test_inv_metrics import MARCH, inventory_business

D = Decimal
URL = "/analytics/inventory/"
QUERY = "date_from=2026-03-01&date_to=2026-03-10"


@pytest.fixture
def stock_shop(transactional_db):
    data = inventory_business()
    yield data
    engine.close()


def test_url_name():
    assert reverse("analytics-inventory") == URL


def test_service_kpis_risk_order_and_cover_buckets(stock_shop):
    view = inventory_dashboard.inventory(Period(MARCH["date_from"], MARCH["date_to"]), finance=True)
    kpis = {k.id: k.value for k in view.kpis}
    # on hand 8, value 229.00, sell-through 16 ÷ 24 = 66.67 %, turnover 2.00, cover 5.00 (test_inv_metrics)
    assert kpis == {"on_hand": 8, "inventory_value": D("229.00"), "sell_through": D("66.67"),
                    "inventory_turnover": D("2.00"), "days_of_cover": D("5.00"), "at_risk": 2}
    # both sold and cover < 14 days: CABLE 4.17 first (shorter cover), then CHARGER 7.50
    assert [(r["sku"], r["at_risk"], r["days_of_cover"]) for r in view.rows] == [
        ("CABLE-1", True, D("4.17")), ("CHARGER-2", True, D("7.50"))]
    # buckets 0–7: CABLE; 7–14: CHARGER
    assert view.cover_buckets == [("0–7", 1), ("7–14", 1), ("14–30", 0), ("30–60", 0), ("60+", 0)]
    by_stockouts = inventory_dashboard.inventory(Period(MARCH["date_from"], MARCH["date_to"]), sort="on_hand")
    assert [r["sku"] for r in by_stockouts.rows] == ["CABLE-1", "CHARGER-2"]  # 5 on hand before 3
    assert "inventory_value" not in {k.id for k in by_stockouts.kpis}  # not finance


def test_service_filters(stock_shop):
    period = Period(MARCH["date_from"], MARCH["date_to"])
    us = inventory_dashboard.inventory(period, {"warehouse": "US-3PL"})
    # US-3PL holds 2 cables, sold none there: no cover figure, not at risk; no charger row at all
    assert [(r["sku"], r["on_hand"], r["days_of_cover"], r["at_risk"]) for r in us.rows] == [("CABLE-1", 2, None,
                                                                                              False)]
    assert {k.id: k.value for k in us.kpis}["at_risk"] == 0
    charger = inventory_dashboard.inventory(period, {"sku": "CHARGER-2"})
    assert [r["sku"] for r in charger.rows] == ["CHARGER-2"]
    assert {k.id: k.value for k in charger.kpis}["on_hand"] == 3


def test_permissions(client, stock_shop, role_users):
    assert client.get(f"{URL}?{QUERY}").status_code == 302  # login first
    nobody = User.objects.create_user("nobody", password="nobody-pass-123")
    client.force_login(nobody)
    assert client.get(f"{URL}?{QUERY}").status_code == 403
    client.force_login(role_users["operations"])
    page = client.get(f"{URL}?{QUERY}")
    assert page.status_code == 200
    assert b'id="kpi-on_hand"' in page.content and b'id="kpi-inventory_value"' not in page.content
    client.force_login(role_users["finance"])
    page = client.get(f"{URL}?{QUERY}")
    assert b'id="kpi-inventory_value"' in page.content and b"229.00" in page.content


def test_page_table_links_and_exports(client, stock_shop, role_users):
    client.force_login(role_users["finance"])
    page = client.get(f"{URL}?{QUERY}&warehouse=CN-1").content.decode()
    # the SKU opens its stock page (ledger) filtered to the chosen warehouse
    assert 'href="/stock/CABLE-1/?warehouse=CN-1"' in page
    assert 'id="chart-cover"' in page and 'id="chart-risk"' in page
    csv_text = client.get(f"{URL}?{QUERY}&export=csv&table=skus").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["SKU", "At risk", "On hand", "Units sold", "Days of cover", "Stock-out days", "Sell-through",
                       "Inventory value", "Currency"]
    assert rows[1][0] == "CABLE-1" and rows[1][2:] == ["5", "12", "4.17", "1", "70.59", "79.00", "CNY"]
    xlsx = client.get(f"{URL}?{QUERY}&export=xlsx&table=skus")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"{URL}?{QUERY}&export=pdf").status_code == 400
