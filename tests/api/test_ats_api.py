"""``/ats``, ``/ats/export`` and ``/allocation-rules``: permissions, filters, export files recording the push, and
rules refused with 422 (nothing saved)."""

from __future__ import annotations

import pytest

from chuhai.inventory.channel_rules import AllocationRule, ListingStockPush

from ..inventory.test_ats import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return build_shop()


def test_ats_list_and_filters(shop, api_as):
    api = api_as("viewer")
    body = api.get("/ats").json()
    assert body["count"] == 5
    rows = {r["channel_sku"]: r for r in body["items"]}
    assert (rows["MUG-A"]["available"], rows["MUG-A"]["quantity"], rows["MUG-A"]["changed"]) == (35, 35, True)
    assert rows["MUG-FBA"]["fulfilled_by_amazon"] is True
    assert [r["channel_sku"] for r in api.get("/ats", account="SHOP").json()["items"]] == ["LID-S", "MUG-S"]
    assert [r["channel_sku"] for r in api.get("/ats", sku="GIFT").json()["items"]] == ["GIFT-A"]
    page = api.get("/ats", limit=2, offset=2).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    assert api.get("/ats", account="NOPE").status_code == 404


def test_export_records_the_push_and_needs_the_permission(shop, api_as):
    assert api_as("viewer").get("/ats/export", account="AMZ-US", format="amazon").status_code == 403
    assert not ListingStockPush.objects.exists()

    api = api_as("operations")
    preview = api.get("/ats/export", account="AMZ-US", format="amazon", record="false")
    assert preview.status_code == 200 and not ListingStockPush.objects.exists()

    response = api.get("/ats/export", account="AMZ-US", format="amazon")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="AMZ-US-inventory-')
    lines = response.content.decode().splitlines()
    assert lines[0].split("\t")[4] == "quantity" and len(lines) == 3
    assert api.get("/ats", account="AMZ-US", changed="true").json()["count"] == 0

    shopify = api.get("/ats/export", account="SHOP", format="shopify", location="LA")
    assert shopify.status_code == 200 and b"On hand (new)" in shopify.content
    wrong = api.get("/ats/export", account="SHOP", format="amazon")
    assert wrong.status_code == 422 and "Shopify" in wrong.json()["detail"]


def test_allocation_rule_get_put_delete(shop, api_as):
    viewer = api_as("viewer")
    assert viewer.get("/allocation-rules/AMZ-US").json()["is_default"] is True
    body = {"steps": [{"warehouse": "US-3PL", "countries": ["us", "ca"]}, {"warehouse": "SZ"}],
            "allow_split": True, "fba_warehouse": "FBA-US", "safety_buffer": 2, "ats_percent": 50}
    assert viewer.client.put("/api/v1/allocation-rules/AMZ-US", body, content_type="application/json",
                             **viewer.headers).status_code == 403

    ops = api_as("operations")
    response = ops.client.put("/api/v1/allocation-rules/AMZ-US", body, content_type="application/json",
                              **ops.headers)
    assert response.status_code == 200, response.content
    rule = response.json()
    assert [(s["position"], s["warehouse"], s["countries"]) for s in rule["steps"]] == [
        (1, "US-3PL", ["US", "CA"]), (2, "SZ", [])]
    assert (rule["fba_warehouse"], rule["allow_split"], rule["is_default"]) == ("FBA-US", True, False)
    # the channel now sees (10 + 25 − 2) × 50 % of mugs
    mug = next(r for r in ops.get("/ats", account="AMZ-US").json()["items"] if r["channel_sku"] == "MUG-A")
    assert mug["quantity"] == 16

    listing = {r["account"]: r for r in viewer.get("/allocation-rules").json()}
    assert listing["AMZ-US"]["is_default"] is False and listing["SHOP"]["is_default"] is True

    assert ops.client.delete("/api/v1/allocation-rules/AMZ-US", **ops.headers).status_code == 204
    assert not AllocationRule.objects.exists()


@pytest.mark.parametrize(("body", "fragment"), [
    ({"steps": [{"warehouse": "FBA-US"}]}, "FBA warehouse"),
    ({"steps": [{"warehouse": "SZ", "countries": ["ZZ"]}]}, "ZZ"),
    ({"steps": [{"warehouse": "NOWHERE"}]}, "NOWHERE"),
    ({"fba_warehouse": "SZ"}, "not an FBA warehouse"),
    ({"ats_percent": 150}, "ats_percent"),
])
def test_invalid_rule_is_422_and_saves_nothing(shop, api_as, body, fragment):
    ops = api_as("operations")
    response = ops.client.put("/api/v1/allocation-rules/AMZ-US", body, content_type="application/json",
                              **ops.headers)
    assert response.status_code == 422 and fragment in response.json()["detail"], response.content
    assert not AllocationRule.objects.exists()
    assert ops.client.put("/api/v1/allocation-rules/NOPE", {}, content_type="application/json",
                          **ops.headers).status_code == 404
