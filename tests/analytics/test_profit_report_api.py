"""GET /api/v1/reports/profit and /api/v1/reports/pnl: money as strings, status flags, finance only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from chuhai.core.users import issue_token
from chuhai.finance.fx import set_manual_rate

from .test_profit_report_builders import two_skus

pytestmark = pytest.mark.django_db
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def api(role_users):
    def get(role: str, path: str, **params):
        token = issue_token(role_users[role].username, name="test")
        return Client().get(f"/api/v1{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")

    return get


@pytest.mark.parametrize("role", ["operations", "viewer"])
@pytest.mark.parametrize("path", ["/reports/profit", "/reports/pnl"])
def test_reports_need_finance_access(api, role, path):
    assert api(role, path).status_code == 403
    assert Client().get(f"/api/v1{path}").status_code == 401


def test_profit_by_sku(api):
    two_skus()
    response = api("finance", "/reports/profit", by="sku", **MARCH)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    lamp, mug = body["items"]
    assert lamp["label"] == "LAMP-2" and lamp["status"] == "settled" and lamp["cogs_estimated"] is True
    # MUG-1: 150 - 22.50 - 60 = 67.50, 45 % margin, one of two facts settled
    assert (mug["revenue"], mug["platform_fees"], mug["cogs"], mug["profit"]) == ("150.00", "-22.50", "-60.00", "67.50")
    assert mug["margin_percent"] == "45.00" and mug["status"] == "partly_estimated"
    assert (mug["facts"], mug["settled_facts"], mug["currency"], mug["key"]) == (2, 1, "CNY", ["MUG-1"])
    page = api("finance", "/reports/profit", by="sku", sort="profit", limit=1, **MARCH).json()
    assert page["count"] == 2 and [i["label"] for i in page["items"]] == ["MUG-1"]


def test_profit_by_order_and_bad_input(api):
    data = two_skus()
    items = api("finance", "/reports/profit", by="order", sort="label", **MARCH).json()["items"]
    assert [(i["label"], i["order_id"]) for i in items][0] == ("113-0000001", data["orders"][0].pk)
    assert api("finance", "/reports/profit", by="colour").status_code == 422
    assert api("finance", "/reports/profit", sort="colour").status_code == 422
    assert api("finance", "/reports/profit", currency="XYZ").status_code == 422


def test_pnl(api):
    two_skus()
    body = api("finance", "/reports/pnl", **MARCH).json()
    assert body["currency"] == "CNY" and body["months"] == ["2026-03-01"]
    lines = {line["key"]: line for line in body["lines"]}
    assert lines["contribution"]["total"] == {"month": None, "amount": "147.50", "estimated": True}
    assert lines["fee:referral_fee"]["cells"][0]["amount"] == "-42.50"  # -15 - 7.50 - 20
    assert lines["fee:fulfilment_fee"]["cells"][0]["estimated"] is False
    assert lines["margin_percent"]["total"]["amount"] == "42.14"  # 147.50 / 350
    money = [line for line in body["lines"] if line["kind"] == "money"]
    assert sum(Decimal(line["total"]["amount"]) for line in money) == Decimal("147.50")


def test_pnl_in_another_currency(api):
    two_skus()
    set_manual_rate("CNY", "USD", Decimal("0.125"), dt.date(2026, 3, 31))
    body = api("finance", "/reports/pnl", currency="usd", **MARCH).json()
    lines = {line["key"]: line for line in body["lines"]}
    # 350 CNY × 0.125 = 43.75 USD at the March 31st rate
    assert body["currency"] == "USD" and lines["revenue"]["total"]["amount"] == "43.75"
    assert body["rate_days"] == {"2026-03-01": "2026-03-31"}
    missing = api("finance", "/reports/pnl", currency="VND", **MARCH)
    assert missing.status_code == 422 and "VND" in missing.json()["detail"]
