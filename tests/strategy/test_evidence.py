"""chuhai.strategy.evidence: the stage and the answers the ledger gives, on the hand-worked hybrid seller
(ledger_builders), a US-dollar seller (the stage builders) and an empty ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.metric_layer import engine
from chuhai.analytics.stage import set_stage_override
from chuhai.finance.fx import set_manual_rate
from chuhai.strategy.evidence import Evidence, fill_answers, gather_evidence

from ..analytics.test_stage_builders import seller
from .ledger_builders import TODAY, company, hybrid_seller

D = Decimal


@pytest.fixture
def db_engine(transactional_db):
    yield
    engine.close()


def test_no_sale_no_evidence(db_engine):
    company()
    assert gather_evidence(today=TODAY) is None


def test_the_hybrid_sellers_evidence(db_engine):
    hybrid_seller()
    ev = gather_evidence(today=TODAY)
    # first sale March 2026, last November 2026
    assert ev.months_active == 9
    # window December 2025 – November 2026: 70 + 210 + 140 + 280 − 70 + 84 + 168 + 285.60 = 1,167.60 CNY over the
    # 9 months since the first sale → 129.73 a month (base CNY: no conversion)
    assert ev.monthly_revenue_cny == D("129.73")
    # 129.73 CNY is below US$5,000 × 7 = 35,000 CNY: survival
    assert ev.stage == "survival"
    total = D("1167.60")
    amazon, site = D("630") + D("285.60"), D("252")
    assert abs(ev.channel_shares["amazon"] - amazon / total) <= D("0.0001")
    assert abs(ev.channel_shares["own_site"] - site / total) <= D("0.0001")
    assert (ev.largest_channel, ev.channels_now) == ("amazon", ("amazon", "own_site"))
    assert ev.largest_share == ev.channel_shares["amazon"]
    # marketplaces, largest first: US 882.00, DE 285.60
    assert ev.markets == ("US", "DE")
    assert ev.skus_active == 2
    # buyers c1 (A1, A2) and c2 (A0, A3) bought twice, c3 c4 c5 once: 2 of 5
    assert ev.repeat_purchase_rate == D("40.00")
    # contribution 371.66 + 136.18 + 45.50 = 553.34 over revenue 870 + 252 + 70 = 1,192
    assert ev.margin_percent == (D("553.34") * 100 / 1192).quantize(D("0.01"))
    # nothing sold June – August: no trend
    assert ev.trend_percent is None
    months = dict(ev.months)
    assert months["2026-03"] == D("70.00") and months["2026-11"] == D("280.00") - D("70.00") + D("168.00") + D(
        "285.60") and ev.currency == "CNY"


def test_margin_is_finance_only_and_the_override_wins(db_engine, role_users):
    hybrid_seller()
    assert gather_evidence(today=TODAY, user=role_users["viewer"]).margin_percent is None
    assert gather_evidence(today=TODAY, user=role_users["finance"]).margin_percent is not None
    set_stage_override("scale")
    assert gather_evidence(today=TODAY).stage == "scale"


def test_monthly_revenue_converts_to_cny_at_todays_rate(db_engine):
    # base USD: September – November 2026 at 20,000 USD a month → 20,000 a month; 1 USD = 7.2 CNY
    seller(TODAY, [20000, 20000, 20000])
    set_manual_rate("USD", "CNY", D("7.2"), dt.date(2026, 1, 1))
    ev = gather_evidence(today=TODAY)
    assert ev.monthly_revenue_cny == D("144000.00")
    assert ev.channels_now == ("amazon",) and ev.markets == ("US",)


def test_without_a_rate_the_revenue_is_left_to_the_seller(db_engine):
    seller(TODAY, [20000, 20000, 20000])
    ev = gather_evidence(today=TODAY)
    assert ev.monthly_revenue_cny is None
    answers, filled = fill_answers({}, ev)
    assert filled == ["months_selling", "markets", "channels_now"] and "monthly_revenue_cny" not in answers


def evidence(**values) -> Evidence:
    base = dict(stage="growth", months_active=14, monthly_revenue_cny=D("80000.00"), channels_now=("amazon",
                "own_site"), markets=("US", "DE"), channel_shares={"amazon": D("0.8"), "own_site": D("0.2")},
                largest_channel="amazon", largest_share=D("0.8"), skus_active=12, repeat_purchase_rate=None,
                margin_percent=None, trend_percent=None)
    base.update(values)
    return Evidence(**base)


def test_fill_answers_fills_only_what_the_seller_left_out():
    partial = {"months_selling": 3, "cash_runway_months": 6, "markets": [], "channels_now": None}
    answers, filled = fill_answers(partial, evidence())
    assert filled == ["monthly_revenue_cny", "markets", "channels_now"]
    assert answers["months_selling"] == 3  # the seller's answer wins
    assert answers["monthly_revenue_cny"] == "80000.00"
    assert answers["markets"] == ["US", "DE"] and answers["channels_now"] == ["amazon", "own_site"]
    assert answers["cash_runway_months"] == 6
    assert partial["markets"] == []  # the input is not changed

    answers, filled = fill_answers({}, evidence(markets=(), channels_now=()))
    assert filled == ["months_selling", "monthly_revenue_cny"] and "markets" not in answers


def test_filled_answers_parse(db_engine):
    from chuhai.strategy.answers import parse_answers

    hybrid_seller()
    ev = gather_evidence(today=TODAY)
    data, filled = fill_answers({"cash_runway_months": 6, "supply_chain": "average",
                                 "category": {"kind": "fast_moving", "avg_price_usd": "12",
                                              "repeat_potential": "low"}}, ev)
    answers = parse_answers(data)
    assert filled == ["months_selling", "monthly_revenue_cny", "markets", "channels_now"]
    assert (answers.months_selling, answers.monthly_revenue_cny) == (9, D("129.73"))
    assert answers.channels_now == ("amazon", "own_site") and answers.markets == ("US", "DE")
