"""Fee schedule page and API: finance sees and edits; operations and viewers are refused; estimates shown."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from chuhai.channels.services import create_account
from chuhai.core.users import issue_token
from chuhai.finance.fees import FeeSchedule, FeeScheduleKind

from .test_estimates import make_order, make_product

pytestmark = pytest.mark.django_db


def _tiktok_row():
    return FeeSchedule.objects.get(platform="tiktok", marketplace="US")


@pytest.fixture
def cable_order(db):
    account = create_account("AMZ-US", "amazon", "US")
    return make_order(account, "112-0000001-0000001", dt.date(2026, 3, 10), [(make_product(), 2, "12.99")])


# -- page ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("admin", 200), ("operations", 403),
                                              ("viewer", 403), ("purchasing", 403)])
def test_only_finance_sees_the_page(client_as, role, status):
    assert client_as(role).get("/fee-schedules/").status_code == status


def test_list_filters_and_exports(client_as):
    client = client_as("finance")
    page = client.get("/fee-schedules/", {"platform": "amazon", "marketplace": "us", "kind": "fulfilment_per_unit",
                                          "valid_on": "2026-03-10"})
    rows = page.context["table"].page.paginator.count
    assert rows == 8 + 12  # the 2026 card only: 8 small standard and 12 large standard bands
    csv = client.get("/fee-schedules/", {"platform": "tiktok", "export": "csv"})
    assert csv.status_code == 200 and b"6" in csv.content and b"seller-us.tiktok.com" in csv.content
    xlsx = client.get("/fee-schedules/", {"platform": "tiktok", "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_estimate_box_shows_the_order_estimate(client_as, cable_order):
    page = client_as("finance").get("/fee-schedules/", {"order": "112-0000001-0000001"})
    box = page.context["estimate"]
    assert [f["exact"] for f in box["fees"]] == [Decimal("3.897"), Decimal("8.40")]
    assert "12.30" in page.content.decode()  # 3.897 + 8.40 = 12.297, shown rounded to cents
    missing = client_as("finance").get("/fee-schedules/", {"order": "nope"})
    assert missing.context["estimate"] is None and missing.context["estimate_form"].errors


def test_finance_creates_and_edits_with_history(client_as):
    client = client_as("finance")
    created = client.post("/fee-schedules/new/", {
        "platform": "amazon", "marketplace": "de", "kind": "fulfilment_per_unit", "size_tier": "large_standard",
        "weight_from_g": "0", "weight_to_g": "400", "amount": "3.45", "currency": "eur", "valid_from": "2026-02-01",
        "source": "https://sellercentral.amazon.de/ (read 2026-11-22)"})
    assert created.status_code == 302
    row = FeeSchedule.objects.get(platform="amazon", marketplace="DE", kind="fulfilment_per_unit")
    assert row.currency == "EUR" and row.created_by.username == "finance_user"

    edit_url = f"/fee-schedules/{row.pk}/"
    data = {f: getattr(row, f) or "" for f in ("platform", "marketplace", "kind", "size_tier", "weight_from_g",
                                               "weight_to_g", "currency", "valid_from", "source")}
    assert client.post(edit_url, {**data, "amount": "3.60"}).status_code == 302
    row.refresh_from_db()
    assert row.amount == Decimal("3.60") and row.history.count() == 2
    history = client.get(edit_url).context["history"]
    assert ("amount", "3.45", "3.6") in [(str(c.label), c.old, c.new) for entry in history for c in entry.changes]

    bad = client.post(edit_url, {**data, "amount": ""})
    assert bad.status_code == 200 and "amount" in bad.context["form"].errors


@pytest.mark.parametrize("role", ["operations", "viewer"])
def test_operations_and_viewers_cannot_edit(client_as, role):
    row = _tiktok_row()
    client = client_as(role)
    assert client.get("/fee-schedules/new/").status_code == 403
    assert client.post(f"/fee-schedules/{row.pk}/", {"percent": "1"}).status_code == 403
    row.refresh_from_db()
    assert row.percent == 6


# -- API ----------------------------------------------------------------------------------------------------------
class Api:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user.username, name='test')}"}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self.headers)

    def post(self, path, body):
        return self.client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json",
                                **self.headers)

    def patch(self, path, body):
        return self.client.patch(f"/api/v1{path}", json.dumps(body), content_type="application/json",
                                 **self.headers)


@pytest.fixture
def api(role_users):
    return lambda role: Api(role_users[role])


def test_api_lists_with_filters(api):
    body = api("finance").get("/fee-schedules", platform="amazon", marketplace="uk", kind="referral_percent",
                              valid_on="2026-03-10", limit=500).json()
    assert body["count"] == 10  # 9 accessory categories + Consumer Electronics
    assert {i["currency"] for i in body["items"]} == {"GBP"}
    assert {i["percent"] for i in body["items"]} == {"15.3", "7.14"}
    assert api("operations").get("/fee-schedules").status_code == 403


def test_api_create_and_patch(api):
    new = {"platform": "shopee", "marketplace": "SG", "kind": "referral_percent", "category": "Cables",
           "percent": "5.5", "currency": "SGD", "valid_from": "2026-01-01", "source": "test source"}
    assert api("viewer").post("/fee-schedules", new).status_code == 403
    created = api("finance").post("/fee-schedules", new)
    assert created.status_code == 201, created.content
    row_id = created.json()["id"]
    assert created.json()["percent"] == "5.5"

    assert api("operations").patch(f"/fee-schedules/{row_id}", {"percent": "1"}).status_code == 403
    changed = api("finance").patch(f"/fee-schedules/{row_id}", {"percent": "6", "valid_to": "2026-12-31"})
    assert changed.status_code == 200 and changed.json()["percent"] == "6"
    assert FeeSchedule.objects.get(pk=row_id).history.count() == 2
    refused = api("finance").patch(f"/fee-schedules/{row_id}", {"valid_to": "2025-01-01"})
    assert refused.status_code == 422 and "valid_to" in refused.json()["detail"]
    assert api("finance").post("/fee-schedules", {**new, "percent": None}).status_code == 422


def test_api_fee_estimate(api, cable_order):
    response = api("finance").get("/orders/AMZ-US/112-0000001-0000001/fee-estimate")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["settled"] is False and body["currency"] == "USD"
    assert [(f["category"], f["amount"], f["exact"]) for f in body["fees"]] == [
        ("referral_fee", "3.90", "3.897"), ("fulfilment_fee", "8.40", "8.4")]
    assert body["total"] == "12.30"
    assert api("viewer").get("/orders/AMZ-US/112-0000001-0000001/fee-estimate").status_code == 403
    assert api("finance").get("/orders/AMZ-US/nope/fee-estimate").status_code == 404


def test_percent_kinds_need_a_percent(api):
    row = FeeSchedule.objects.filter(kind=FeeScheduleKind.FULFILMENT_PER_UNIT).first()
    response = api("finance").patch(f"/fee-schedules/{row.pk}", {"kind": "referral_percent"})
    assert response.status_code == 422
