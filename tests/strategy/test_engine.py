"""The advisor end to end: the seeds' framework branches as scenarios, the weights, the primary model, the plan,
the KPIs and the JSON shape."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

import pytest

from chuhai.analytics.stage import (
    GROWTH,
    GROWTH_MAX_MONTHS,
    SCALE,
    SCALE_MIN_MONTHS,
    STABLE,
    STAGE_KPIS,
    SURVIVAL,
    SURVIVAL_MAX_MONTHS,
)
from chuhai.strategy.answers import MODELS
from chuhai.strategy.engine import (
    HYBRID_SECOND_MIN,
    Advice,
    advise,
    choose_primary,
    normalise,
    rule_catalogue,
    stage_from_months,
)
from chuhai.strategy.plan import BACKBONES
from chuhai.strategy.rules import DAYS, DEPENDENCY_SHARE, RULES, WEAK_CAPITAL_RUNWAY_MONTHS

from .advice_builders import answers
from .test_rules import evidence

D = Decimal


def reasons(advice: Advice) -> set[str]:
    return {r.rule for r in advice.reasons}


def ranked(advice: Advice) -> list[str]:
    return sorted(MODELS, key=lambda m: -advice.mix[m])


# -- the framework branches (001 §二, 000 §4.3, 004 §2.3.3) --------------------------------------------------------

def test_startup_with_weak_capital_goes_platform_first_with_dropshipping():
    a = answers(months_selling=2, cash_runway_months=WEAK_CAPITAL_RUNWAY_MONTHS - 3,
                category={"kind": "fast_moving", "avg_price_usd": "12", "repeat_potential": "low"},
                channels_now=["amazon"], goals=["validate_product"])
    advice = advise(a)
    assert advice.stage == SURVIVAL
    assert advice.primary == "platform"
    assert ranked(advice) == ["platform", "distribution", "own_site"]
    assert advice.mix["distribution"] > 0
    assert {"stage_startup", "weak_capital", "dropship_viable"} <= reasons(advice)
    assert advice.plan[0].rule == "plan_platform"


def test_growing_seller_with_proven_best_sellers_runs_platform_and_own_site():
    a = answers(months_selling=10, monthly_revenue_cny="150000", channels_now=["amazon", "ebay"])
    advice = advise(a)
    assert advice.stage == GROWTH
    assert advice.primary == "platform"
    assert ranked(advice)[:2] == ["platform", "own_site"]
    assert advice.mix["own_site"] >= D("0.30")
    assert "stage_growth" in reasons(advice)
    assert any("best-sellers" in str(s.text) and s.rule == "stage_growth" for s in advice.plan)


@pytest.mark.parametrize("team", [{"content_brand": True}, {"tech_data": True}])
def test_strong_brand_content_or_tech_team_goes_own_site(team):
    a = answers(months_selling=12, cash_runway_months=18, team=team, goals=["build_brand"],
                category={"repeat_potential": "high"}, channels_now=["amazon", "shopify"])
    advice = advise(a)
    assert advice.primary == "own_site"
    assert ranked(advice)[0] == "own_site"
    assert reasons(advice) & {"brand_content_team", "tech_data_team"}
    assert advice.plan[0].rule == "plan_own_site"


def test_mature_seller_goes_hybrid():
    a = answers(months_selling=40, monthly_revenue_cny="2000000", supply_chain="strong",
                team={"content_brand": True}, channels_now=["amazon", "ebay", "shopify"], goals=["expand_markets"])
    advice = advise(a)
    assert advice.stage == SCALE
    assert advice.primary == "hybrid"
    assert sorted(advice.mix.values())[1] >= HYBRID_SECOND_MIN
    assert "stage_mature" in reasons(advice)
    assert advice.plan[0].rule == "plan_hybrid"
    assert "hybrid_conflicts" in {s.rule for s in advice.plan}


def test_high_ticket_trust_category_raises_the_own_site_weight():
    cheap = advise(answers(category={"kind": "mixed", "avg_price_usd": "40"}))
    trust = advise(answers(category={"kind": "high_ticket", "avg_price_usd": "280"}))
    assert trust.mix["own_site"] > cheap.mix["own_site"]
    assert "category_high_ticket" in reasons(trust) and "category_high_ticket" not in reasons(cheap)


def test_one_platform_above_70_percent_is_a_dependency_risk():
    concentrated = advise(answers(), evidence(largest_channel="amazon", largest_share=D("0.82")))
    spread = advise(answers(), evidence(largest_channel="amazon", largest_share=DEPENDENCY_SHARE))
    [risk] = [r for r in concentrated.risks if r.rule == "platform_dependency"]
    assert risk.level == "high" and risk.source == "004 §2.3.3" and "82%" in str(risk.text)
    assert concentrated.risks[0] is risk  # high risks first
    assert not [r for r in spread.risks if r.rule == "platform_dependency"]
    only_amazon = advise(answers(channels_now=["amazon"]))
    assert "100%" in str(next(r for r in only_amazon.risks if r.rule == "platform_dependency").text)


# -- weights and primary ------------------------------------------------------------------------------------------

VARIANTS = list(itertools.product(
    [0, 3, 8, 20, 40],                       # months selling: every stage
    [1, 6, 24],                              # cash runway
    ["weak", "average", "strong"],
    [{"kind": "fast_moving", "avg_price_usd": "9", "repeat_potential": "low"},
     {"kind": "high_ticket", "avg_price_usd": "300", "repeat_potential": "high"}],
    [["amazon"], ["amazon", "shopify", "dropship"]],
))


@pytest.mark.parametrize(("months", "runway", "supply", "category", "channels"), VARIANTS)
def test_weights_are_hundredths_summing_to_one(months, runway, supply, category, channels):
    advice = advise(answers(months_selling=months, cash_runway_months=runway, supply_chain=supply,
                            category=category, channels_now=channels))
    assert set(advice.mix) == set(MODELS)
    assert sum(advice.mix.values()) == D("1.00")
    assert all(D(0) <= w <= 1 and w == w.quantize(D("0.01")) for w in advice.mix.values())


def test_normalise_clamps_rounds_and_fixes_the_sum():
    weights = normalise({"platform": D(1), "own_site": D(1), "distribution": D(1)})
    assert sum(weights.values()) == 1 and sorted(weights.values()) == [D("0.33"), D("0.33"), D("0.34")]
    assert weights["platform"] == D("0.34")  # the remainder goes to the first of the tied heaviest
    clamped = normalise({"platform": D(30), "own_site": D(-25), "distribution": D(10)})
    assert clamped == {"platform": D("0.75"), "own_site": D("0.00"), "distribution": D("0.25")}
    assert normalise({"platform": D(0), "own_site": D(-5), "distribution": D(0)})["platform"] == 1


@pytest.mark.parametrize(("stage", "mix", "primary"), [
    (STABLE, {"platform": D("0.40"), "own_site": HYBRID_SECOND_MIN, "distribution": D("0.30")}, "hybrid"),
    (SCALE, {"platform": D("0.71"), "own_site": HYBRID_SECOND_MIN - D("0.01"), "distribution": D("0")},
     "platform"),
    (GROWTH, {"platform": D("0.40"), "own_site": D("0.45"), "distribution": D("0.15")}, "own_site"),
    (SURVIVAL, {"platform": D("0.40"), "own_site": D("0.20"), "distribution": D("0.40")}, "platform"),
])
def test_choose_primary(stage, mix, primary):
    assert choose_primary(mix, stage) == primary


@pytest.mark.parametrize(("months", "stage"), [
    (0, SURVIVAL), (SURVIVAL_MAX_MONTHS - 1, SURVIVAL), (SURVIVAL_MAX_MONTHS, GROWTH),
    (GROWTH_MAX_MONTHS - 1, GROWTH), (GROWTH_MAX_MONTHS, STABLE), (SCALE_MIN_MONTHS - 1, STABLE),
    (SCALE_MIN_MONTHS, SCALE), (120, SCALE),
])
def test_stage_from_months_uses_the_004_boundaries(months, stage):
    assert stage_from_months(months) == stage


def test_the_ledger_stage_wins_and_says_so():
    a = answers(months_selling=2)
    advice = advise(a, evidence(stage=STABLE))
    assert advice.stage == STABLE
    [reason] = [r for r in advice.reasons if r.rule == "stage_from_ledger"]
    assert "2 months" in str(reason.text) and "Stable" in str(reason.text)
    assert "stage_mature" in reasons(advice) and "stage_startup" not in reasons(advice)
    assert advise(a).stage == SURVIVAL


def test_a_stored_capability_assessment_feeds_the_capability_rules(db):
    from chuhai.strategy.models import CapabilityAssessment

    weak = CapabilityAssessment.objects.create(assessed_on=dt.date(2026, 11, 1), product_differentiation=3,
                                               supply_chain_integration=3, digital_operations=1)
    a = answers()
    assert advise(a, capability=weak).mix["own_site"] < advise(a).mix["own_site"]
    assert "capability_digital_low" in reasons(advise(a, capability=weak))


# -- plan, KPIs, risks ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("months", [0, 8, 20, 40])
def test_plan_covers_three_periods_in_order_with_the_primary_backbone(months):
    advice = advise(answers(months_selling=months))
    days = [s.days for s in advice.plan]
    assert days == sorted(days, key=DAYS.index) and set(days) == set(DAYS)
    backbone = BACKBONES[advice.primary]
    assert [s.rule for s in advice.plan if s.rule.startswith("plan_")] == [backbone.id] * 3
    for period in DAYS:  # the backbone leads each period
        assert next(s for s in advice.plan if s.days == period).rule == backbone.id


@pytest.mark.parametrize(("months", "stage"), [(0, SURVIVAL), (8, GROWTH), (20, STABLE), (40, SCALE)])
def test_kpis_are_the_stage_kpis(months, stage):
    advice = advise(answers(months_selling=months))
    expected = [k.metric or str(k.label) for k in STAGE_KPIS[stage]]
    assert advice.to_json()["kpis"] == expected
    trap = [r for r in advice.risks if r.rule == "stage_trap"]
    assert len(trap) == 1


def test_risks_are_ordered_high_to_low():
    advice = advise(answers(months_selling=8, cash_runway_months=2, supply_chain="weak", channels_now=["amazon"]))
    levels = [r.level for r in advice.risks]
    assert levels == sorted(levels, key=["high", "medium", "low"].index)
    assert {"cash_trap", "platform_dependency", "dropship_unreliable_suppliers", "stage_trap"} <= \
        {r.rule for r in advice.risks}


# -- JSON and catalogue ---------------------------------------------------------------------------------------------

def test_json_shape():
    data = advise(answers(channels_now=["amazon"])).to_json()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"primary", "mix", "stage", "reasons", "risks", "plan", "kpis"}
    assert set(data["mix"]) == set(MODELS) and all(isinstance(w, float) for w in data["mix"].values())
    assert round(sum(data["mix"].values()), 2) == 1
    for reason in data["reasons"]:
        assert set(reason) == {"rule", "source", "text", "effect"}
        assert all(isinstance(p, int | float) for p in reason["effect"].values())
    assert all(set(r) == {"rule", "source", "level", "text"} for r in data["risks"])
    assert all(set(s) == {"days", "text", "rule"} for s in data["plan"])


def test_reason_effects_add_up_to_the_points_behind_the_mix():
    from chuhai.strategy.engine import BASE_POINTS

    advice = advise(answers(months_selling=20, team={"tech_data": True}))
    points = {m: D(BASE_POINTS[m]) + sum((r.effect.get(m, 0) for r in advice.reasons), D(0)) for m in MODELS}
    assert advice.mix == normalise(points)


def test_rule_catalogue_lists_every_rule_and_plan():
    catalogue = rule_catalogue()
    ids = [row["id"] for row in catalogue]
    assert ids == [r.id for r in RULES] + [b.id for b in BACKBONES.values()]
    assert all(row["source"] and row["description"] for row in catalogue)
    weak = next(row for row in catalogue if row["id"] == "weak_capital")
    assert f"under {WEAK_CAPITAL_RUNWAY_MONTHS} months" in weak["description"]
