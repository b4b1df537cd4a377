"""``/api/v1/account-health``, ``/api/v1/shipping-kpis`` and ``POST /api/v1/order-defects``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from chuhai.core.users import issue_token
from chuhai.orders.models import OrderDefect

from .fulfilment_builders import breaching_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return breaching_account()


@pytest.fixture
def api(role_users):
    """``api("viewer").get(path, **params)`` / ``.post(path, body)`` with that role's bearer token."""

    class Api:
        def __init__(self, role):
            self.client = Client()
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(role_users[role].username, name='t')}"}

        def get(self, path, **params):
            return self.client.get(f"/api/v1{path}", params, **self.headers)

        def post(self, path, body):
            return self.client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json",
                                    **self.headers)

    return Api


def test_account_health_lists_amazon_accounts_with_their_figures(api, shop):
    response = api("viewer").get("/account-health")
    assert response.status_code == 200
    body = response.json()
    assert [a["account"] for a in body] == ["AMZ-US"]
    kpis = {k["id"]: k for k in body[0]["kpis"]}
    assert list(kpis) == ["order_defect_rate", "cancel_rate", "late_shipment_rate", "valid_tracking_rate"]
    odr = kpis["order_defect_rate"]
    assert (odr["value"], odr["numerator"], odr["denominator"], odr["status"]) == ("25.00", 1, 4, "breach")
    assert (odr["target"], odr["direction"]) == ("1", "below")
    assert "200205250" in odr["source_url"]
    start, end = (dt.datetime.fromisoformat(odr[k]) for k in ("start", "end"))
    assert (end - start).days == 60
    assert kpis["cancel_rate"]["value"] == "0.00" and kpis["cancel_rate"]["status"] == "pass"


def test_account_health_detail_names_the_breach_orders(api, shop):
    body = api("viewer").get("/account-health/AMZ-US").json()
    kpis = {k["id"]: k for k in body["kpis"]}
    assert kpis["order_defect_rate"]["breach_orders"] == [
        {"id": shop["defective"].pk, "external_id": "111-0000003-0000003"}]
    assert [o["external_id"] for o in kpis["late_shipment_rate"]["breach_orders"]] == ["111-0000002-0000002"]
    assert kpis["valid_tracking_rate"]["breach_orders"] == []
    assert api("viewer").get("/account-health/SHOP-1").status_code == 404


def test_shipping_kpis_over_a_date_range(api, shop):
    now = shop["now"]
    body = api("viewer").get("/shipping-kpis", account="AMZ-US",
                             **{"from": (now - dt.timedelta(days=8)).date().isoformat(),
                                "to": now.date().isoformat()}).json()
    kpis = {k["id"]: k for k in body["kpis"]}
    assert set(kpis) == {"late_shipment_rate", "valid_tracking_rate", "on_time_delivery_rate"}
    assert kpis["late_shipment_rate"]["value"] == "33.33"
    assert kpis["on_time_delivery_rate"]["value"] == "100.00"
    assert body["transit"] == [{"carrier": "ups", "carrier_name": "UPS", "origin": "CN", "destination": "US",
                                "shipments": 1, "median_days": "4.0", "p90_days": "4.0"}]
    # A window before any order: nothing to count, no rate.
    empty = api("viewer").get("/shipping-kpis", **{"from": "2020-01-01", "to": "2020-01-31"}).json()
    assert all(k["value"] is None and k["status"] == "no_data" for k in empty["kpis"]) and empty["transit"] == []
    assert api("viewer").get("/shipping-kpis", account="NOPE").status_code == 404
    assert api("viewer").get("/shipping-kpis", **{"from": "2026-03-02", "to": "2026-03-01"}).status_code == 422


def test_reading_needs_the_dashboard_permission(client, shop):
    assert Client().get("/api/v1/account-health").status_code == 401
    from chuhai.core.users import create_user

    user = create_user("no_role", "viewer", password="pw-123456789")
    user.groups.clear()
    token = issue_token("no_role", name="t")
    response = Client().get("/api/v1/account-health", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and "analytics.view_dashboard" in response.json()["detail"]


def test_post_order_defect_is_idempotent(api, shop):
    body = {"account": "AMZ-US", "order": "111-0000001-0000001", "kind": "chargeback",
            "opened_at": (shop["now"] - dt.timedelta(days=1)).isoformat(), "note": "bank dispute"}
    assert api("viewer").post("/order-defects", body).status_code == 403
    first = api("operations").post("/order-defects", body)
    assert first.status_code == 201 and first.json()["created"] is True
    again = api("operations").post("/order-defects", {**body, "note": "retried"})
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["note"] == "bank dispute"
    assert OrderDefect.objects.filter(order=shop["on_time"], kind="chargeback").count() == 1
    odr = {k["id"]: k for k in api("viewer").get("/account-health").json()[0]["kpis"]}["order_defect_rate"]
    assert odr["numerator"] == 2


@pytest.mark.parametrize("change,fragment", [
    ({"order": "999-nope"}, "No order 999-nope in account AMZ-US"),
    ({"kind": "late_delivery"}, "kind"),
    ({"opened_at": "2001-01-01T00:00:00Z"}, "before the order was placed"),
])
def test_post_order_defect_explains_bad_input(api, shop, change, fragment):
    body = {"account": "AMZ-US", "order": "111-0000001-0000001", "kind": "chargeback", **change}
    response = api("operations").post("/order-defects", body)
    assert response.status_code == 422 and fragment in response.json()["detail"]
    assert not OrderDefect.objects.filter(kind="chargeback").exists()
