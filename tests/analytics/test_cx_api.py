"""GET /api/v1/analytics/customers/{rfm,cohorts,clv}: the documented shape, the same numbers as the service
(chuhai.analytics.customers), filters, errors, permissions and the OpenAPI description.

Data: ml_builders' business (base CNY). Customers c1 (O1 AMZ-US 315.95 on 10 Jan, O2 SHOPEE-SG 42.40 on 1 Feb:
358.35 over 2 orders, last order 1 Feb) and c2 (O3 AMZ-US 360.00 on 5 Feb, credit O4 −180.00: 180.00, 1 order);
the guest's O7 (12 Feb) is the last order, so RFM is as of 13 Feb. With two customers NTILE(5) gives scores 1..2:
c1 R1 (older last order) F2 (more orders) → Lost; c2 R2 F1 → Hibernating.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from chuhai.analytics import customers as cust
from chuhai.analytics.metric_layer import engine
from chuhai.core.users import issue_token

from .ml_builders import business

BASE = "/api/v1/analytics/customers"


@pytest.fixture
def shop(transactional_db):
    data = business(with_profit=False)
    yield data
    engine.close()


@pytest.fixture
def api(role_users, shop):
    def get(role: str, path: str, **params):
        token = issue_token(role_users[role].username, name="test")
        return Client().get(f"{BASE}{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")

    return get


def _json(response) -> dict:
    assert response.status_code == 200, response.content[:500]
    return response.json()


def test_rfm_grid_and_segments(api):
    data = _json(api("viewer", "/rfm"))
    assert (data["currency"], data["as_of"], data["customers"]) == ("CNY", "2026-02-13", 2)
    assert len(data["grid"]) == 25 and [(c["r"], c["f"]) for c in data["grid"][:6]] == [
        (5, 1), (5, 2), (5, 3), (5, 4), (5, 5), (4, 1)]
    filled = {(c["r"], c["f"]): c for c in data["grid"] if c["customers"]}
    # c1: 315.95 + 42.40 = 358.35 in R1 F2 (Lost); c2: 360.00 − 180.00 = 180.00 in R2 F1 (Hibernating)
    assert filled == {
        (1, 2): {"r": 1, "f": 2, "segment": "lost", "customers": 1, "net_sales": "358.35"},
        (2, 1): {"r": 2, "f": 1, "segment": "hibernating", "customers": 1, "net_sales": "180.00"},
    }
    assert next(c for c in data["grid"] if (c["r"], c["f"]) == (5, 5)) == {
        "r": 5, "f": 5, "segment": "champions", "customers": 0, "net_sales": "0.00"}
    segments = {s["segment"]: s for s in data["segments"]}
    assert list(segments) == list(cust.SEGMENTS)  # every segment, in display order
    # Lost = c1: share 1/2 = 50.00 %, recency 1 Feb → 13 Feb = 12 days, 2 orders
    assert segments["lost"] == {"segment": "lost", "name": "Lost", "customers": 1, "share": "50.00",
                                "avg_recency": "12.00", "avg_frequency": "2.00", "net_sales": "358.35",
                                "avg_net_sales": "358.35"}
    assert segments["champions"] == {"segment": "champions", "name": "Champions", "customers": 0, "share": "0.00",
                                     "avg_recency": None, "avg_frequency": None, "net_sales": "0.00",
                                     "avg_net_sales": None}


def test_rfm_equals_the_service_with_filters_and_as_of(api):
    params = {"from": "2026-01-01", "to": "2026-02-28", "ship_country": "CA,US", "as_of": "2026-03-01"}
    data = _json(api("operations", "/rfm", **params))
    service = cust.rfm(dt.date(2026, 1, 1), dt.date(2026, 2, 28), {"ship_country": "CA,US"},
                       as_of=dt.date(2026, 3, 1))
    assert data["as_of"] == "2026-03-01" and data["customers"] == service.customers == 2
    assert [(c["r"], c["f"], c["customers"], c["net_sales"]) for c in data["grid"]] == [
        (c.r, c.f, c.customers, str(c.monetary)) for c in service.grid]
    assert [(s["segment"], s["customers"], s["share"], s["avg_recency"], s["net_sales"]) for s in data["segments"]] \
        == [(s.segment, s.customers, None if s.share is None else str(s.share),
             None if s.avg_recency is None else str(s.avg_recency), str(s.monetary)) for s in service.segments]
    # ship to US only (O1): c1 with 315.95 (O2 ships to SG); a single customer scores 1-1-1: Lost
    data = _json(api("viewer", "/rfm", ship_country="US"))
    assert data["customers"] == 1 and data["as_of"] == "2026-01-11"
    assert [(c["r"], c["f"], c["net_sales"]) for c in data["grid"] if c["customers"]] == [(1, 1, "315.95")]


def test_cohorts(api):
    data = _json(api("viewer", "/cohorts"))
    # c1's first order is in January (active in January and February), c2's in February
    assert data == {"currency": "CNY", "last_month": "2026-02", "cohorts": [
        {"cohort": "2026-01", "customers": 1, "net_sales": "358.35", "retention": [
            {"offset": 0, "active": 1, "retention": "100.00"}, {"offset": 1, "active": 1, "retention": "100.00"}]},
        {"cohort": "2026-02", "customers": 1, "net_sales": "180.00", "retention": [
            {"offset": 0, "active": 1, "retention": "100.00"}]},
    ]}
    # SHOPEE-SG only: c1's first SHOPEE-SG order is O2 (1 Feb local time): a February cohort of one
    data = _json(api("viewer", "/cohorts", account="SHOPEE-SG"))
    service = cust.cohorts(filters={"account": "SHOPEE-SG"})
    assert [(c["cohort"], c["customers"], c["net_sales"]) for c in data["cohorts"]] == [
        (r.month, r.size, str(r.net_sales)) for r in service.rows] == [("2026-02", 1, "42.40")]


def test_lifetime_value(api):
    data = _json(api("viewer", "/clv"))
    # 2 customers, 3 orders (O1, O2, O3), net 358.35 + 180.00 = 538.35; AOV 538.35 / 3 = 179.45;
    # frequency 3 / 2 = 1.50; repeat 1 / 2 = 50 % → churn 50 %, lifespan 2 → CLV 538.35 / 2 × 2 = 538.35
    assert data == {
        "currency": "CNY", "customers": 2, "orders": 3, "net_sales": "538.35", "repeat_customers": 1,
        "aov": "179.45", "frequency": "1.50", "repeat_rate": "50.00", "churn_rate": "50.00", "lifespan": "2.00",
        "clv": "538.35", "first_day": "2026-01-10", "last_day": "2026-02-05",
        "cohorts": [
            # January: 358.35 over 2 observed months = 179.175 → 179.18
            {"cohort": "2026-01", "customers": 1, "net_sales": "358.35", "per_customer": "358.35",
             "observed_months": 2, "per_customer_month": "179.18"},
            {"cohort": "2026-02", "customers": 1, "net_sales": "180.00", "per_customer": "180.00",
             "observed_months": 1, "per_customer_month": "180.00"},
        ]}
    # marketplace US in January: c1 alone with one order: no repeat → churn 100 %, lifespan 1, CLV = 315.95
    data = _json(api("viewer", "/clv", marketplace="us", **{"from": "2026-01-01", "to": "2026-01-31"}))
    value = cust.lifetime_value(dt.date(2026, 1, 1), dt.date(2026, 1, 31), {"marketplace": "US"})
    assert (data["customers"], data["orders"], data["clv"], data["lifespan"]) == (
        value.customers, value.orders, str(value.clv), str(value.lifespan)) == (1, 1, "315.95", "1.00")


def test_no_churn_gives_null_clv_and_no_data_gives_empty_answers(api):
    # ship to US or SG: c1 alone (O1 US, O2 SG; O7 to SG is a guest's) with 2 orders → repeat 100 %, churn 0:
    # lifespan and CLV are undefined
    data = _json(api("viewer", "/clv", ship_country="US,SG"))
    assert (data["customers"], data["repeat_rate"], data["churn_rate"], data["lifespan"], data["clv"]) == (
        1, "100.00", "0.00", None, None)
    data = _json(api("viewer", "/rfm", ship_country="JP"))
    assert data["as_of"] is None and data["customers"] == 0 and len(data["grid"]) == 25
    assert _json(api("viewer", "/cohorts", ship_country="JP")) == {
        "currency": "CNY", "last_month": None, "cohorts": []}
    data = _json(api("viewer", "/clv", account="NOPE"))
    assert data["customers"] == 0 and data["aov"] is None and data["cohorts"] == []


def test_bad_input_is_422(api):
    response = api("viewer", "/rfm", **{"from": "2026-03-01", "to": "2026-01-01"})
    assert response.status_code == 422 and "after" in response.json()["detail"]
    response = api("viewer", "/cohorts", **{"from": "2026-13-01"})
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/rfm", "/cohorts", "/clv"])
def test_permissions(shop, role_users, path):
    assert Client().get(f"{BASE}{path}").status_code == 401
    nobody = get_user_model().objects.create_user("nobody", password="nobody-pass-123")
    token = issue_token("nobody", name="t")
    response = Client().get(f"{BASE}{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    client = Client()
    client.force_login(nobody)
    assert client.get(f"{BASE}{path}").status_code == 403
    for role in ("viewer", "operations", "finance", "purchasing"):
        client.force_login(role_users[role])
        assert client.get(f"{BASE}{path}").status_code == 200


def test_openapi_documents_the_endpoints(role_users, shop):
    token = issue_token(role_users["viewer"].username, name="test")
    schema = _json(Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}"))
    for name, out in (("rfm", "RfmOut"), ("cohorts", "CohortsOut"), ("clv", "LifetimeValueOut")):
        operation = schema["paths"][f"/api/v1/analytics/customers/{name}"]["get"]
        params = {p["name"] for p in operation["parameters"]}
        assert {"from", "to", "account", "marketplace", "ship_country"} <= params
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(out)
        assert {"401", "403", "422"} <= set(operation["responses"])
    assert "as_of" in {p["name"] for p in schema["paths"]["/api/v1/analytics/customers/rfm"]["get"]["parameters"]}
    assert "net_sales" in schema["components"]["schemas"]["RfmCellOut"]["properties"]
