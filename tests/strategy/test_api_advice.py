"""POST /api/v1/advice and GET /api/v1/advice/rules: the JSON, the stored record, errors and roles."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from chuhai.core.users import issue_token
from chuhai.strategy.engine import rule_catalogue
from chuhai.strategy.models import AdviceRecord

from .advice_builders import NEUTRAL, answers_dict, recent_sales


@pytest.fixture
def api(role_users):
    def call(role: str, method: str, path: str, body=None, **params):
        token = issue_token(role_users[role].username, name="test")
        client = Client()
        url = f"/api/v1{path}"
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        if method == "post":
            return client.post(url, json.dumps(body), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")

    return call


@pytest.mark.parametrize("role", ["operations", "finance"])
def test_post_advice_returns_and_stores_the_advice(api, role, role_users):
    body = answers_dict(channels_now=["amazon"], goals=["validate_product"])
    response = api(role, "post", "/advice", body, ledger="false")
    assert response.status_code == 200, response.content
    data = response.json()
    record = AdviceRecord.objects.get(pk=data["id"])
    assert record.created_by == role_users[role]
    assert data["from_ledger"] == [] == record.from_ledger
    assert {k: v for k, v in data.items() if k not in ("id", "from_ledger")} == record.advice
    assert (record.primary, record.stage) == (data["primary"], data["stage"])
    assert record.answers["channels_now"] == ["amazon"]
    assert round(sum(data["mix"].values()), 2) == 1
    assert "platform_dependency" in {r["rule"] for r in data["risks"]}
    assert {"rule", "source", "text", "effect"} == set(data["reasons"][0])


@pytest.mark.parametrize("role", ["viewer", "purchasing"])
def test_read_only_roles_cannot_post(api, role):
    response = api(role, "post", "/advice", NEUTRAL)
    assert response.status_code == 403
    assert "strategy.add_advicerecord" in response.json()["detail"]
    assert not AdviceRecord.objects.exists()


def test_missing_required_answer_is_422_and_stores_nothing(api):
    body = {k: v for k, v in NEUTRAL.items() if k != "supply_chain"}
    response = api("operations", "post", "/advice", body, ledger="false")
    assert response.status_code == 422
    assert "supply_chain: missing" in response.json()["detail"]
    assert not AdviceRecord.objects.exists()


@pytest.mark.parametrize(("body", "fragment"), [
    (answers_dict(goals=["get_rich"]), "goals.0"),
    (answers_dict(markets=["XX"]), "markets.0"),
    ({**NEUTRAL, "colour": "red"}, "colour"),
    (answers_dict(supply_chain="great"), "supply_chain"),
])
def test_bad_answers_are_422_naming_the_key(api, body, fragment):
    response = api("operations", "post", "/advice", body, ledger="false")
    assert response.status_code == 422, response.content
    assert fragment in json.dumps(response.json())


@pytest.mark.parametrize("role", ["viewer", "operations", "purchasing"])
def test_every_role_reads_the_rules(api, role):
    response = api(role, "get", "/advice/rules")
    assert response.status_code == 200
    assert response.json() == rule_catalogue()


def test_anonymous_is_401():
    assert Client().get("/api/v1/advice/rules").status_code == 401
    assert Client().post("/api/v1/advice", "{}", content_type="application/json").status_code in (401, 403)


def test_the_ledger_fills_a_partial_body(api, transactional_db, role_users):
    from chuhai.analytics.metric_layer import engine
    from chuhai.strategy.evidence import gather_evidence

    recent_sales()
    try:
        partial = {k: v for k, v in NEUTRAL.items() if k not in ("months_selling", "markets", "channels_now")}
        response = api("operations", "post", "/advice", partial)
        evidence = gather_evidence()
    finally:
        engine.close()
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["from_ledger"] == ["months_selling", "markets", "channels_now"]
    assert data["stage"] == evidence.stage
    record = AdviceRecord.objects.get(pk=data["id"])
    assert record.answers["months_selling"] == evidence.months_active
    assert record.answers["channels_now"] == list(evidence.channels_now)
