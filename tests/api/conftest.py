"""API test helpers: a bearer token per role and a small JSON client around Django's test client."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from chuhai.core.users import issue_token


class ApiClient:
    """Calls /api/v1/ with ``Authorization: Bearer <token>`` (or none) and JSON bodies."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, **self.headers)

    def post(self, path: str, body):
        return self.client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.headers)

    def patch(self, path: str, body):
        return self.client.patch(f"/api/v1{path}", json.dumps(body), content_type="application/json", **self.headers)


@pytest.fixture
def api_as(role_users):
    """``api_as("viewer")`` → an :class:`ApiClient` holding a fresh token of that role's user."""

    def make(role: str) -> ApiClient:
        return ApiClient(issue_token(role_users[role].username, name="test"))

    return make


@pytest.fixture
def anonymous_api(db) -> ApiClient:
    return ApiClient()
