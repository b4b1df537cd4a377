"""Channel accounts (credentials write-only, shown masked) and warehouses: list, create, edit."""

from __future__ import annotations

from django.db import connection

from chuhai.channels.models import ChannelAccount
from chuhai.inventory.models import Warehouse

SECRET = "Atzr|secret-refresh-9f3a"


def _blank_credentials(**extra):
    data = {f"new_key_{i}": "" for i in range(1, 4)} | {f"new_value_{i}": "" for i in range(1, 4)}
    return data | extra


def test_credentials_are_never_shown_in_full(client_as, business):
    client = client_as("operations")
    account = business["us"]
    for url in ("/channel-accounts/", f"/channel-accounts/{account.pk}/edit/", "/channel-accounts/?export=csv"):
        body = client.get(url).content.decode("utf-8-sig")
        assert SECRET not in body and "secret-refresh" not in body, url
        assert "9f3a" in body, url  # the last four characters identify it
    xlsx = client.get("/channel-accounts/?export=xlsx").content
    assert b"secret-refresh" not in xlsx


def test_create_account_with_credentials(client_as, business):
    client = client_as("operations")
    response = client.post("/channel-accounts/new/", _blank_credentials(
        code="EBAY-UK", platform="ebay", marketplace="uk", currency="", operating_model="",
        new_key_1="oauth_token", new_value_1="v^1.1#i^1#token-77aa",
    ))
    assert response.status_code == 302
    account = ChannelAccount.objects.get(code="EBAY-UK")
    assert (account.marketplace, account.currency, account.operating_model) == ("GB", "GBP", "platform")
    assert account.credentials == {"oauth_token": "v^1.1#i^1#token-77aa"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM channels_channelaccount WHERE code = %s", ["EBAY-UK"])
        assert "token-77aa" not in cursor.fetchone()[0]  # encrypted at rest
    listing = client.get("/channel-accounts/").content.decode()
    assert "EBAY-UK" in listing and "77aa" in listing and "token-77aa" not in listing


def test_invalid_account_shows_errors_creates_nothing_and_does_not_echo_secrets(client_as, business):
    client = client_as("admin")
    before = ChannelAccount.objects.count()
    response = client.post("/channel-accounts/new/", _blank_credentials(
        code="AMZ-US", platform="amazon", marketplace="ZZ", new_key_1="api_key", new_value_1="typed-secret-1234",
        new_key_2="", new_value_2="orphan-value",
    ))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ZZ is not an ISO 3166 country code" in html
    assert "Name this credential." in html
    assert "typed-secret" not in html and "orphan-value" not in html
    duplicate = client.post("/channel-accounts/new/", _blank_credentials(code="AMZ-US", platform="amazon",
                                                                         marketplace="US"))
    assert "already exists" in duplicate.content.decode()
    assert ChannelAccount.objects.count() == before


def test_edit_keeps_blank_secrets_replaces_typed_ones_and_removes_ticked(client_as, business):
    from chuhai.web.pages.forms import credential_field_name

    account = business["us"]
    account.credentials = {"refresh_token": SECRET, "client_secret": "cs-old-0001"}
    account.save()
    client = client_as("operations")
    data = _blank_credentials(
        name="Amazon US", platform="amazon", marketplace="US", currency="USD", operating_model="platform",
        is_active="on", new_key_1="lwa_app_id", new_value_1="amzn1.app-5555",
    )
    data[credential_field_name("refresh_token")] = ""  # blank: keep
    data[credential_field_name("client_secret") + "_remove"] = "on"
    response = client.post(f"/channel-accounts/{account.pk}/edit/", data)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "Amazon US"
    assert account.credentials == {"refresh_token": SECRET, "lwa_app_id": "amzn1.app-5555"}

    data = _blank_credentials(name="Amazon US", platform="amazon", marketplace="US", currency="USD",
                              operating_model="platform", is_active="on")
    data[credential_field_name("refresh_token")] = "Atzr|rotated-0b0b"
    client.post(f"/channel-accounts/{account.pk}/edit/", data)
    account.refresh_from_db()
    assert account.credentials["refresh_token"] == "Atzr|rotated-0b0b"
    assert account.credentials["lwa_app_id"] == "amzn1.app-5555"


def test_account_list_search(client_as, business):
    client = client_as("viewer")
    html = client.get("/channel-accounts/", {"q": "jp"}).content.decode()
    assert "AMZ-JP" in html and "AMZ-US" not in html


def test_create_warehouse_through_the_form(client_as, business):
    client = client_as("operations")
    response = client.post("/warehouses/new/", {"code": "US-3PL-LA", "name": "LA 3PL", "type": "overseas_3pl",
                                                "country": "us", "time_zone": ""})
    assert response.status_code == 302
    warehouse = Warehouse.objects.get(code="US-3PL-LA")
    assert (warehouse.country, warehouse.type, warehouse.time_zone) == ("US", "overseas_3pl", "America/New_York")
    client.post("/warehouses/new/", {"code": "DE-3PL", "type": "overseas_3pl", "country": "DE",
                                     "time_zone": "Europe/Berlin"})
    assert Warehouse.objects.get(code="DE-3PL").time_zone == "Europe/Berlin"
    listing = client.get("/warehouses/", {"type": "overseas_3pl"}).content.decode()
    assert "US-3PL-LA" in listing and "DE-3PL" in listing and "SZ-MAIN" not in listing


def test_invalid_warehouse_shows_errors_and_creates_nothing(client_as, business):
    client = client_as("operations")
    before = Warehouse.objects.count()
    bad_country = client.post("/warehouses/new/", {"code": "XX-1", "type": "domestic", "country": "QQ"})
    assert "QQ is not an ISO 3166 country code" in bad_country.content.decode()
    duplicate = client.post("/warehouses/new/", {"code": "SZ-MAIN", "type": "domestic", "country": "CN"})
    assert duplicate.status_code == 200 and "already exists" in duplicate.content.decode()
    bad_type = client.post("/warehouses/new/", {"code": "XX-2", "type": "moon_base", "country": "CN"})
    assert 'class="errorlist' in bad_type.content.decode()
    assert Warehouse.objects.count() == before
