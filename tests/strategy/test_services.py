"""chuhai.strategy.services: running advice stores what was asked and said (and which answers the ledger gave);
capability self-assessments are validated 1–5 and kept over time; the advice's KPI values respect permissions.

Ledger data: test_stage_builders' seller (base USD, one order a month per account) with USD and CNY ECB rates
today, so the ledger can answer the monthly revenue in CNY."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuhai.analytics.metric_layer import engine as layer_engine
from chuhai.analytics.metric_layer import run
from chuhai.strategy import engine, services
from chuhai.strategy.answers import AnswersError, parse_answers
from chuhai.strategy.evidence import gather_evidence
from chuhai.strategy.models import AdviceRecord, CapabilityAssessment
from tests.strategy.advice_builders import growing_ledger

ANSWERS = {
    "months_selling": 8, "monthly_revenue_cny": "30000", "cash_runway_months": 5,
    "team": {"platform_ops": True, "content_brand": False, "tech_data": False, "overseas_logistics": False},
    "supply_chain": "strong",
    "category": {"kind": "high_ticket", "avg_price_usd": "120", "repeat_potential": "high"},
    "markets": ["US", "DE"], "channels_now": ["amazon", "shopify"], "goals": ["build_brand"],
}
LEDGER_KEYS = ("months_selling", "monthly_revenue_cny", "markets", "channels_now")


def without(*keys) -> dict:
    return {k: v for k, v in ANSWERS.items() if k not in keys}


@pytest.fixture
def ledger(transactional_db):
    """Two accounts (Amazon, eBay), 14 months of sales, rates so USD converts to CNY today."""
    yield growing_ledger()
    layer_engine.close()


# -- run_advice ----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_run_advice_from_the_questionnaire_alone_stores_answers_and_advice(role_users):
    user = role_users["operations"]
    record = services.run_advice(ANSWERS, user=user)
    stored = AdviceRecord.objects.get()
    assert stored.pk == record.pk and stored.created_by == user
    assert stored.answers == parse_answers(ANSWERS).to_dict()
    assert stored.from_ledger == []
    expected = engine.advise(parse_answers(ANSWERS)).to_json()
    assert stored.advice == expected
    assert (stored.primary, stored.stage) == (expected["primary"], expected["stage"])
    assert abs(sum(Decimal(str(v)) for v in stored.advice["mix"].values()) - 1) < Decimal("0.001")
    assert stored.history.count() == 1


@pytest.mark.django_db
def test_run_advice_without_a_ledger_needs_every_required_answer_and_stores_nothing(role_users):
    with pytest.raises(AnswersError, match="months_selling"):
        services.run_advice(without("months_selling"), user=role_users["operations"])
    with pytest.raises(AnswersError, match="supply_chain"):
        services.run_advice({**ANSWERS, "supply_chain": "strong-ish"}, user=role_users["operations"])
    assert not AdviceRecord.objects.exists()


@pytest.mark.django_db
def test_the_latest_capability_assessment_feeds_the_capability_rules(role_users):
    user = role_users["operations"]
    plain = services.run_advice(ANSWERS, user=user)
    services.record_assessment(assessed_on=dt.date(2026, 1, 1), product_differentiation=5,
                               supply_chain_integration=5, digital_operations=1, user=user)
    latest = services.record_assessment(assessed_on=dt.date(2026, 6, 1), product_differentiation=1,
                                        supply_chain_integration=1, digital_operations=1, user=user)
    assessed = services.run_advice(ANSWERS, user=user)
    expected = engine.advise(parse_answers(ANSWERS), None, capability=latest).to_json()
    assert assessed.advice == expected
    assert plain.advice == engine.advise(parse_answers(ANSWERS)).to_json()


def test_run_advice_fills_what_the_ledger_knows_and_marks_it(ledger, role_users):
    user = role_users["operations"]
    record = services.run_advice(without(*LEDGER_KEYS), user=user, today=ledger)
    evidence = gather_evidence(today=ledger, user=user)
    assert record.from_ledger == list(LEDGER_KEYS)
    assert record.answers["months_selling"] == evidence.months_active == 14
    assert Decimal(record.answers["monthly_revenue_cny"]) == evidence.monthly_revenue_cny
    assert sorted(record.answers["channels_now"]) == ["amazon", "ebay"]  # the two accounts' platforms
    assert record.answers["markets"] == ["US"]
    assert record.stage == evidence.stage
    assert record.advice == engine.advise(parse_answers(record.answers), evidence,
                                          capability=None).to_json()


def test_what_the_seller_typed_wins_over_the_ledger(ledger, role_users):
    record = services.run_advice(without("markets", "channels_now"), user=role_users["operations"], today=ledger)
    assert record.answers["months_selling"] == ANSWERS["months_selling"]
    assert record.answers["monthly_revenue_cny"] == ANSWERS["monthly_revenue_cny"]
    assert record.from_ledger == ["markets", "channels_now"]
    ignored = services.run_advice(ANSWERS, user=role_users["operations"], use_ledger=False, today=ledger)
    assert ignored.from_ledger == [] and ignored.answers["markets"] == ["US", "DE"]


def test_ledger_prefill_offers_the_ledger_answers(ledger, role_users):
    prefill = services.ledger_prefill(user=role_users["viewer"], today=ledger)
    assert prefill.keys == LEDGER_KEYS
    assert prefill.answers["months_selling"] == 14 and prefill.answers["markets"] == ["US"]
    assert prefill.evidence is not None


@pytest.mark.django_db
def test_ledger_prefill_is_empty_without_sales(role_users):
    prefill = services.ledger_prefill(user=role_users["viewer"])
    assert (prefill.answers, prefill.keys, prefill.evidence) == ({}, (), None)


def test_advice_kpis_come_from_the_metric_layer_and_hide_finance_figures(ledger, role_users):
    start = ledger - dt.timedelta(days=89)
    kpis = ["net_sales", "margin_percent", "Initial rating"]
    currency, shown = services.advice_kpis(kpis, user=role_users["viewer"], date_from=start, date_to=ledger)
    by_id = {k.id: k for k in shown}
    assert set(by_id) == {"net_sales", "Initial rating"}  # margin_percent needs finance access
    expected = run(["net_sales"], date_from=start, date_to=ledger)
    assert currency == expected.currency == "USD"
    assert by_id["net_sales"].measured and by_id["net_sales"].value == expected.rows[0]["net_sales"] > 0
    assert not by_id["Initial rating"].measured and by_id["Initial rating"].value is None
    _currency, finance = services.advice_kpis(kpis, user=role_users["finance"], date_from=start, date_to=ledger)
    assert "margin_percent" in {k.id for k in finance}


# -- capability self-assessment --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_record_assessment_keeps_scores_and_who(role_users):
    user = role_users["operations"]
    saved = services.record_assessment(assessed_on=dt.date(2026, 11, 1), product_differentiation=3,
                                       supply_chain_integration=4, digital_operations=2, note="first", user=user)
    stored = CapabilityAssessment.objects.get()
    assert stored.pk == saved.pk and stored.created_by == user and stored.note == "first"
    assert services.scores(stored) == [3, 4, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["product_differentiation", "supply_chain_integration", "digital_operations"])
@pytest.mark.parametrize("bad", [0, 6])
def test_a_score_outside_1_to_5_is_rejected_and_changes_nothing(role_users, field, bad):
    services.record_assessment(assessed_on=dt.date(2026, 10, 1), product_differentiation=2,
                               supply_chain_integration=2, digital_operations=2)
    scores = {"product_differentiation": 3, "supply_chain_integration": 3, "digital_operations": 3, field: bad}
    with pytest.raises(ValidationError) as info:
        services.record_assessment(assessed_on=dt.date(2026, 11, 1), user=role_users["operations"], **scores)
    assert field in info.value.message_dict
    assert CapabilityAssessment.objects.count() == 1
    assert CapabilityAssessment.history.count() == 1


@pytest.mark.django_db
def test_history_orders_by_the_assessed_day_not_the_entry(role_users):
    later = services.record_assessment(assessed_on=dt.date(2026, 9, 1), product_differentiation=4,
                                       supply_chain_integration=4, digital_operations=4)
    earlier = services.record_assessment(assessed_on=dt.date(2026, 3, 1), product_differentiation=1,
                                         supply_chain_integration=2, digital_operations=3)
    newest = services.record_assessment(assessed_on=dt.date(2026, 11, 1), product_differentiation=5,
                                        supply_chain_integration=3, digital_operations=2)
    assert list(services.assessment_history()) == [newest, later, earlier]
