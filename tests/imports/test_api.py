"""``POST /api/v1/imports`` (multipart, bearer token) and ``GET /api/v1/imports``."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chuhai.channels.models import ImportRun
from chuhai.core.users import issue_token
from chuhai.orders.models import Order

from .support import BAD, GOOD


@pytest.fixture
def post(role_users):
    def send(role: str | None, *files, **fields):
        headers = {}
        if role:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(role_users[role].username, name='test')}"
        data = {"source": "test-orders", "account": "AMZ-US",
                "file": [SimpleUploadedFile(name, text.encode()) for name, text in files], **fields}
        return Client().post("/api/v1/imports", data, **headers)

    return send


def test_post_imports_with_a_bearer_token(post, account, cable, role_users):
    response = post("operations", ("march.csv", GOOD))

    assert response.status_code == 201, response.content
    [result] = response.json()
    assert (result["file"], result["status"], result["orders_created"], result["lines_created"]) == (
        "march.csv", "succeeded", 3, 3)
    assert "created" not in result  # order reports name their counts after orders
    assert Order.objects.count() == 3
    run = ImportRun.objects.get(pk=result["run_id"])
    assert run.user == role_users["operations"] and run.file_sha256 == result["sha256"]


def test_finance_may_post_imports(post, account, cable):
    assert post("finance", ("march.csv", GOOD)).status_code == 201


def test_rejected_file_is_a_422_with_the_results(post, account, cable):
    response = post("operations", ("good.csv", GOOD), ("bad.csv", BAD))

    assert response.status_code == 422
    good, bad = response.json()
    assert (good["status"], bad["status"]) == ("succeeded", "rejected")
    assert bad["errors"] == [{"line": 3, "column": "qty", "value": "two", "message": "not a number"}]
    assert Order.objects.count() == 3  # the bad file's valid line was not written


def test_dry_run_writes_nothing(post, account):
    response = post("operations", ("march.csv", GOOD), dry_run="true")
    assert response.status_code == 201
    assert response.json()[0]["status"] == "dry_run"
    assert Order.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "purchasing"])
def test_without_run_import_it_is_a_403(post, account, role):
    response = post(role, ("march.csv", GOOD))
    assert response.status_code == 403
    assert "channels.run_import" in response.json()["detail"]
    assert not ImportRun.objects.exists()


def test_anonymous_is_a_401(post, account):
    assert post(None, ("march.csv", GOOD)).status_code == 401


@pytest.mark.parametrize("fields, fragment", [
    ({"account": "NOPE"}, "no channel account 'NOPE'"),
    ({"source": "no-such-source"}, "unknown source 'no-such-source'"),
    ({"mapping": "columns: [a\n"}, "mapping:2: not valid YAML"),
])
def test_wrong_requests_are_a_422_detail_and_import_nothing(post, account, fields, fragment):
    response = post("operations", ("march.csv", GOOD), **fields)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert not ImportRun.objects.exists()


def test_list_imports(post, account, cable, api_as_viewer):
    post("operations", ("march.csv", GOOD))
    post("operations", ("bad.csv", BAD))

    response = api_as_viewer.get("/api/v1/imports", HTTP_AUTHORIZATION=api_as_viewer.auth)
    body = response.json()
    assert response.status_code == 200 and body["count"] == 2
    newest = body["items"][0]
    assert (newest["file_name"], newest["status"], newest["user"], newest["account"]) == (
        "bad.csv", "rejected", "operations_user", "AMZ-US")
    assert newest["errors"][0]["line"] == 3
    only_ok = api_as_viewer.get("/api/v1/imports", {"status": "succeeded"}, HTTP_AUTHORIZATION=api_as_viewer.auth)
    assert [i["file_name"] for i in only_ok.json()["items"]] == ["march.csv"]


@pytest.fixture
def api_as_viewer(role_users):
    client = Client()
    client.auth = f"Bearer {issue_token(role_users['viewer'].username, name='test')}"
    return client
