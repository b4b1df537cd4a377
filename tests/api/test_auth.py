"""Who may call the API: tokens, sessions (with CSRF), permissions per operation, and the docs."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from chuhai.api.api import LOGIN_ONLY, api, operations
from chuhai.api.auth import required_permission
from chuhai.catalog.models import Product
from chuhai.core.models import ApiToken
from chuhai.core.users import issue_token

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

NEW_PRODUCT = {"sku": "AUTH-1", "name_en": "Cable", "purchase_cost": "3.20", "cost_currency": "CNY"}


def test_token_authenticates_and_me_names_the_user(api_as):
    response = api_as("finance").get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "finance_user"
    assert body["role"] == "finance"
    assert "access_finance" in body["permissions"]["finance"]
    assert "add_product" not in body["permissions"].get("catalog", [])


def test_no_credentials_is_401_json(anonymous_api):
    response = anonymous_api.get("/products")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Bearer" in response.json()["detail"]


def test_unknown_token_is_401(db):
    response = ApiClient("chu_not-a-real-token").get("/products")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_401(role_users):
    raw = issue_token("operations_user")
    assert ApiClient(raw).get("/me").status_code == 200
    ApiToken.objects.filter(user=role_users["operations"]).update(revoked_at=timezone.now())
    assert ApiClient(raw).get("/me").status_code == 401


def test_token_of_deactivated_user_is_401(role_users):
    raw = issue_token("viewer_user")
    role_users["viewer"].is_active = False
    role_users["viewer"].save()
    assert ApiClient(raw).get("/me").status_code == 401


def test_bad_token_is_refused_even_with_a_logged_in_session(client_as):
    client = client_as("admin")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer chu_wrong")
    assert response.status_code == 401


def test_viewer_reads_but_cannot_write(api_as):
    viewer = api_as("viewer")
    assert viewer.get("/products").status_code == 200
    response = viewer.post("/products", NEW_PRODUCT)
    assert response.status_code == 403
    assert "catalog.add_product" in response.json()["detail"]
    assert not Product.objects.filter(sku="AUTH-1").exists()


def test_permission_is_checked_before_the_input_is_parsed(api_as):
    # a viewer learns nothing from sending garbage: 403, not a 422 describing the schema
    assert api_as("viewer").post("/products", {"nonsense": True}).status_code == 403


def test_session_post_without_csrf_token_is_rejected(role_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users["operations"])
    assert client.get("/api/v1/products").status_code == 200  # reads need no CSRF token
    response = client.post("/api/v1/products", NEW_PRODUCT, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Product.objects.filter(sku="AUTH-1").exists()


def test_session_post_with_csrf_token_is_accepted(role_users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users["operations"])
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post("/api/v1/products", NEW_PRODUCT, content_type="application/json",
                           HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 201, response.content
    assert Product.objects.filter(sku="AUTH-1").exists()


def test_token_post_needs_no_csrf_token(api_as):
    # scripts authenticate with the token; a cookie-less request cannot be forged by another site
    assert api_as("operations").post("/products", NEW_PRODUCT).status_code == 201


def test_every_operation_requires_an_existing_permission():
    found = list(operations(api))
    assert len(found) >= 15
    existing = {f"{app}.{code}" for app, code in
                Permission.objects.values_list("content_type__app_label", "codename")}
    for path, method, operation in found:
        perm = required_permission(operation)
        if path in LOGIN_ONLY:
            continue
        assert perm in existing, f"{method} {path} requires {perm!r}, which no role can hold"


def test_openapi_json_lists_the_paths_for_a_token(api_as):
    response = api_as("viewer").get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/products", "/api/v1/products/{sku}", "/api/v1/listings", "/api/v1/accounts",
                 "/api/v1/accounts/{code}", "/api/v1/warehouses", "/api/v1/orders",
                 "/api/v1/orders/{account}/{external_id}", "/api/v1/fx/convert", "/api/v1/fx/rates", "/api/v1/me"):
        assert path in paths, path
    assert "post" in paths["/api/v1/products"] and "patch" in paths["/api/v1/products/{sku}"]
    # write-only credentials are accepted but never part of a response schema
    schemas = response.json()["components"]["schemas"]
    assert "credentials" in schemas["AccountIn"]["properties"]
    assert "credentials" not in schemas["AccountOut"]["properties"]


def test_openapi_json_needs_authentication(anonymous_api):
    response = anonymous_api.get("/openapi.json")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_docs_page_redirects_anonymous_browser_to_login(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_docs_page_is_served_from_local_static_files(client_as):
    response = client_as("viewer").get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower() and "https://" not in html
