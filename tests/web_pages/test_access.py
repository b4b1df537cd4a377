"""Who may open which page: permissions are checked on the server, for GET and for every form POST."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model

from chuhai.catalog.models import Product
from chuhai.channels.models import ChannelAccount
from chuhai.finance.models import ManualFxRate
from chuhai.inventory.models import Warehouse

LIST_PAGES = ["/products/", "/listings/", "/channel-accounts/", "/warehouses/", "/orders/"]

#: page → roles that may open it (every other role gets 403)
RESTRICTED_PAGES = {
    "/products/new/": {"admin", "operations", "purchasing"},
    "/channel-accounts/new/": {"admin", "operations"},
    "/warehouses/new/": {"admin", "operations"},
    "/fx/": {"admin", "finance"},
    "/settings/company/": {"admin"},
}
ROLES = ("admin", "operations", "finance", "purchasing", "viewer")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", LIST_PAGES)
def test_every_role_reads_the_operations_lists(client_as, business, role, url):
    response = client_as(role).get(url)
    assert response.status_code == 200
    assert b'id="table-region"' in response.content


@pytest.mark.parametrize("url", LIST_PAGES)
def test_a_user_without_a_role_is_refused_the_lists(client, business, url):
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password")
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    assert client.get(url + "?export=csv").status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", sorted(RESTRICTED_PAGES))
def test_restricted_pages_by_role(client_as, business, role, url):
    expected = 200 if role in RESTRICTED_PAGES[url] else 403
    assert client_as(role).get(url).status_code == expected


def test_detail_and_edit_pages(client_as, business):
    product, order, account = business["kit"], business["orders"][0], business["us"]
    viewer = client_as("viewer")
    assert viewer.get(f"/products/{product.pk}/").status_code == 200
    assert viewer.get(f"/orders/{order.pk}/").status_code == 200
    assert viewer.get(f"/products/{product.pk}/edit/").status_code == 403
    assert viewer.get(f"/channel-accounts/{account.pk}/edit/").status_code == 403
    operations = client_as("operations")
    assert operations.get(f"/products/{product.pk}/edit/").status_code == 200
    assert operations.get(f"/channel-accounts/{account.pk}/edit/").status_code == 200


def test_viewer_cannot_post_any_form(client_as, business):
    viewer = client_as("viewer")
    counts = (Product.objects.count(), ChannelAccount.objects.count(), Warehouse.objects.count(),
              ManualFxRate.objects.count())
    kit, account = business["kit"], business["us"]
    posts = {
        "/products/new/": {"sku": "NEW-1", "country_of_origin": "CN", "is_active": "on"},
        f"/products/{kit.pk}/edit/": {"sku": "HACKED", "country_of_origin": "CN"},
        "/channel-accounts/new/": {"code": "NEW", "platform": "ebay", "marketplace": "US"},
        f"/channel-accounts/{account.pk}/edit/": {"name": "x", "platform": "amazon", "marketplace": "US",
                                                  "currency": "USD", "operating_model": "platform"},
        "/warehouses/new/": {"code": "NEW", "type": "domestic", "country": "CN"},
        "/fx/": {"base": "USD", "quote": "VND", "rate": "25000", "valid_from": "2026-01-01"},
        "/settings/company/": {"name": "Hacked", "base_currency": "USD", "time_zone": "UTC", "country": "US"},
    }
    for url, data in posts.items():
        assert viewer.post(url, data).status_code == 403, url
    assert counts == (Product.objects.count(), ChannelAccount.objects.count(), Warehouse.objects.count(),
                      ManualFxRate.objects.count())
    kit.refresh_from_db()
    assert kit.sku == "KIT-TRAVEL"


def test_finance_cannot_change_catalogue_and_operations_cannot_add_rates(client_as, business):
    finance = client_as("finance")
    assert finance.post("/products/new/", {"sku": "FIN-1", "country_of_origin": "CN"}).status_code == 403
    operations = client_as("operations")
    response = operations.post("/fx/", {"base": "USD", "quote": "VND", "rate": "25000", "valid_from": "2026-01-01"})
    assert response.status_code == 403
    assert not Product.objects.filter(sku="FIN-1").exists()
    assert not ManualFxRate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_PAGES + sorted(RESTRICTED_PAGES) + ["/products/1/", "/orders/1/"])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == [url]


def test_navigation_links_match_the_pages(client_as, business):
    """The menu (chuhai.web.navigation) reaches every list page by its fixed URL name."""
    html = client_as("admin").get("/products/").content.decode()
    for url in LIST_PAGES + ["/fx/", "/settings/company/"]:
        assert f'href="{url}"' in html
