"""Channel accounts (write-only credentials) and warehouses through the API."""

from __future__ import annotations

import pytest
from django.db import connection

from chuhai.api.errors import service_errors
from chuhai.channels.models import ChannelAccount
from chuhai.channels.services import create_account
from chuhai.inventory.models import Warehouse
from chuhai.inventory.services import create_warehouse

pytestmark = pytest.mark.django_db

SECRET = "amzn-refresh-token-SUPERSECRET-9f3a"


def test_create_account_stores_credentials_but_never_returns_them(api_as):
    response = api_as("operations").post("/accounts", {
        "code": "AMZ-DE", "platform": "amazon", "marketplace": "DE",
        "credentials": {"refresh_token": SECRET, "client_id": "amzn1.app.123"},
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["currency"], body["operating_model"]) == ("EUR", "platform")  # the marketplace's and platform's
    assert body["credential_keys"] == ["client_id", "refresh_token"]
    assert SECRET not in response.content.decode()
    assert "credentials" not in body
    # stored, usable, and encrypted at rest
    assert ChannelAccount.objects.get(code="AMZ-DE").credentials["refresh_token"] == SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_channelaccount WHERE code = %s", ["AMZ-DE"])
        assert SECRET not in cursor.fetchone()[0]
    for path in ("/accounts", "/accounts/AMZ-DE"):
        text = api_as("admin").get(path).content.decode()
        assert "AMZ-DE" in text and SECRET not in text and "9f3a" not in text


def test_duplicate_account_code_is_409(api_as):
    create_account("SHOPEE-SG", "shopee", "SG", credentials={"key": "old"})
    response = api_as("operations").post("/accounts", {"code": "SHOPEE-SG", "platform": "shopee",
                                                       "marketplace": "MY", "credentials": {"key": "new"}})
    assert response.status_code == 409
    assert "SHOPEE-SG" in response.json()["detail"]
    account = ChannelAccount.objects.get(code="SHOPEE-SG")
    assert (account.marketplace, account.credentials) == ("SG", {"key": "old"})


def test_account_validation_names_the_field(api_as):
    operations = api_as("operations")
    response = operations.post("/accounts", {"code": "X", "platform": "amazon", "marketplace": "ZZ"})
    assert response.status_code == 422 and response.json()["detail"].startswith("marketplace:")
    response = operations.post("/accounts", {"code": "X", "platform": "myspace", "marketplace": "US"})
    assert response.status_code == 422 and response.json()["detail"].startswith("platform:")
    assert not ChannelAccount.objects.exists()


def test_accounts_list_filters_and_permissions(api_as):
    create_account("AMZ-US", "amazon", "US")
    create_account("AMZ-JP", "amazon", "JP")
    create_account("SHOP-OWN", "shopify", "US")
    viewer = api_as("viewer")
    assert [a["code"] for a in viewer.get("/accounts", platform="amazon").json()["items"]] == ["AMZ-JP", "AMZ-US"]
    assert [a["code"] for a in viewer.get("/accounts", marketplace="us").json()["items"]] == ["AMZ-US", "SHOP-OWN"]
    assert viewer.get("/accounts/SHOP-OWN").json()["operating_model"] == "own_site"
    assert viewer.get("/accounts/NOPE").status_code == 404
    assert viewer.post("/accounts", {"code": "X", "platform": "ebay", "marketplace": "US"}).status_code == 403
    assert api_as("finance").post("/accounts", {"code": "X", "platform": "ebay", "marketplace": "US"}
                                  ).status_code == 403


def test_create_and_list_warehouses(api_as):
    response = api_as("operations").post("/warehouses", {"code": "DE-3PL", "type": "overseas_3pl", "country": "DE"})
    assert response.status_code == 201, response.content
    assert response.json()["time_zone"] == "Europe/Berlin"
    create_warehouse("SZ-MAIN", "domestic", "CN")
    viewer = api_as("viewer")
    assert [w["code"] for w in viewer.get("/warehouses").json()["items"]] == ["DE-3PL", "SZ-MAIN"]
    assert [w["code"] for w in viewer.get("/warehouses", type="domestic").json()["items"]] == ["SZ-MAIN"]
    assert viewer.post("/warehouses", {"code": "X", "type": "fba", "country": "US"}).status_code == 403


def test_duplicate_warehouse_code_is_409(api_as):
    create_warehouse("SZ-MAIN", "domestic", "CN")
    response = api_as("operations").post("/warehouses", {"code": "SZ-MAIN", "type": "fba", "country": "US"})
    assert response.status_code == 409
    assert Warehouse.objects.get().type == "domestic"


def test_database_unique_violation_becomes_409_and_rolls_back():
    """The race the model check cannot see (two inserts at once) ends at the database's unique constraint."""
    from ninja.errors import HttpError

    Warehouse.objects.create(code="W1", type="fba", country="US")
    with pytest.raises(HttpError) as caught, service_errors("duplicate W1"):
        Warehouse.objects.create(code="W2", type="fba", country="US")
        Warehouse.objects.create(code="W1", type="fba", country="US")  # bypasses full_clean
    assert caught.value.status_code == 409
    assert str(caught.value) == "duplicate W1"
    assert list(Warehouse.objects.values_list("code", flat=True)) == ["W1"]  # W2 rolled back with it
