"""GET /api/v1/metrics and /api/v1/metrics/definitions: the JSON shape, filters, errors and permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from chuhai.analytics.metric_layer import engine
from chuhai.core.users import issue_token
from chuhai.finance.fx import set_manual_rate

from .ml_builders import business


@pytest.fixture
def shop(transactional_db):
    data = business()
    yield data
    engine.close()


@pytest.fixture
def api(role_users, shop):
    def get(role: str, path: str, **params):
        token = issue_token(role_users[role].username, name="test")
        return Client().get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")

    return get


def test_viewer_reads_order_metrics_in_the_documented_shape(api):
    response = api("viewer", "/metrics", metrics="orders,net_sales", by="ship_country")
    assert response.status_code == 200, response.content
    assert response.json() == {"currency": "CNY", "rows": [
        {"ship_country": "CA", "orders": 1, "net_sales": "180.00"},   # O3 360.00 − credit O4 180.00
        {"ship_country": "SG", "orders": 2, "net_sales": "172.00"},   # O2 42.40 + O7 129.60
        {"ship_country": "US", "orders": 1, "net_sales": "315.95"},   # O1
    ]}


@pytest.mark.parametrize("role", ["viewer", "operations"])
def test_profit_metrics_need_finance(api, role):
    response = api(role, "/metrics", metrics="orders,gross_profit")
    assert response.status_code == 403
    assert "finance.access_finance" in response.json()["detail"]


def test_finance_reads_profit_metrics(api):
    response = api("finance", "/metrics", metrics="gross_profit,margin_percent,orders", by="month")
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == [
        {"month": "2026-01", "gross_profit": "116.20", "margin_percent": "71.31", "orders": 1},
        {"month": "2026-02", "gross_profit": "105.00", "margin_percent": "9.86", "orders": 3},
    ]


def test_filters_period_and_currency(api):
    set_manual_rate("CNY", "USD", Decimal("0.15"), dt.date(2026, 2, 1))
    response = api("viewer", "/metrics", metrics="orders,gmv,aov", **{"from": "2026-02-01", "to": "2026-02-28"},
                   account="SHOPEE-SG", currency="usd")
    assert response.status_code == 200, response.content
    # O2 47.70 + O7 129.60 = 177.30 CNY × 0.15 = 26.595 → 26.60; AOV net (42.40 + 129.60) × 0.15 / 2 = 12.90
    assert response.json() == {"currency": "USD", "rows": [{"orders": 2, "gmv": "26.60", "aov": "12.90"}]}


def test_top_n(api):
    response = api("viewer", "/metrics", metrics="net_sales", by="sku", sort="-net_sales", limit=1)
    # CHARGER-2 181.05 + 360.00 − 180.00 = 361.05 beats CABLE-1 134.90 + 42.40 + 129.60 = 306.90
    assert response.json()["rows"] == [{"sku": "CHARGER-2", "net_sales": "361.05"}]
    assert api("viewer", "/metrics", metrics="net_sales", limit=0).status_code == 422


@pytest.mark.parametrize(("params", "message"), [
    ({"metrics": "orders,bogus"}, "unknown metric bogus; valid metrics: orders"),
    ({"metrics": "orders", "by": "planet"}, "unknown dimension planet; valid dimensions: month"),
    ({"metrics": "repeat_purchase_rate", "by": "day"}, "cannot be grouped by day"),
    ({"metrics": "net_sales", "currency": "GBP"}, "CNY to GBP on 2026-01-10"),
])
def test_bad_requests_are_422_with_the_reason(api, params, message):
    response = api("viewer", "/metrics", **params)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_needs_login_and_lists_definitions(api):
    assert Client().get("/api/v1/metrics", {"metrics": "orders"}).status_code == 401
    response = api("viewer", "/metrics/definitions")
    assert response.status_code == 200
    body = response.json()
    aov = next(m for m in body["metrics"] if m["id"] == "aov")
    assert aov["unit"] == "money" and aov["definition"] == "Net sales divided by orders."
    assert {d["id"] for d in body["dimensions"]} >= {"month", "account", "marketplace", "ship_country", "sku",
                                                     "channel"}
