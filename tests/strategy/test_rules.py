"""Each rule alone: its condition true → it fires with its effect (signs per the seed), reason, risks and steps;
false → it does not fire, and the advice has no reason, risk or step of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from chuhai.analytics.stage import GROWTH, SCALE, STABLE, STAGE_TRAPS, SURVIVAL
from chuhai.strategy import rules
from chuhai.strategy.engine import advise, stage_from_months
from chuhai.strategy.evidence import Evidence
from chuhai.strategy.rules import (
    DEPENDENCY_SHARE,
    FIRST,
    HIGH,
    HIGH_TICKET_USD,
    LOW,
    LOW_PRICE_USD,
    MARGIN_SQUEEZE_PERCENT,
    MEDIUM,
    READY_RUNWAY_MONTHS,
    SALES_FALLING_PERCENT,
    SECOND,
    STRONG_SCORE,
    SUBSTANTIAL_WEIGHT,
    THIRD,
    WEAK_CAPITAL_RUNWAY_MONTHS,
    WEAK_SCORE,
    Facts,
)

from .advice_builders import answers

PL, OS, DI = "platform", "own_site", "distribution"
ONE = Decimal("0.01")


def evidence(**fields) -> Evidence:
    values = {"stage": GROWTH, "months_active": 8, "monthly_revenue_cny": Decimal("80000"),
              "channels_now": ("amazon", "ebay"), "markets": ("US",), "channel_shares": {},
              "largest_channel": None, "largest_share": None, "skus_active": 5, "repeat_purchase_rate": None,
              "margin_percent": None, "trend_percent": None}
    return Evidence(**{**values, **fields})


def facts(case: dict) -> Facts:
    changes = {k: v for k, v in case.items() if not k.startswith("_")}
    a = answers(**changes)
    ev = case.get("_evidence")
    stage = case.get("_stage") or (ev.stage if ev else stage_from_months(a.months_selling))
    return Facts(answers=a, stage=stage, evidence=ev, capability=case.get("_capability"), mix=case.get("_mix"))


@dataclass
class Case:
    rule: str
    true: list[dict]
    false: list[dict]
    #: model → +1 / −1: the sign of the rule's effect on that model; models not named get no points
    signs: dict[str, int] = field(default_factory=dict)
    reason: bool = True
    risk: str | None = None
    steps: tuple[str, ...] = ()
    #: False when no false variant differs from the true one in this rule alone (see the weight test)
    isolated: bool = True


CASES = [
    Case("stage_from_ledger", [{"_evidence": evidence(stage=STABLE)}], [{}]),
    Case("stage_startup", [{"months_selling": 0}, {"months_selling": 5}], [{"months_selling": 6}],
         {PL: 1, DI: 1, OS: -1}),
    Case("stage_growth", [{"months_selling": 6}, {"months_selling": 17}],
         [{"months_selling": 5}, {"months_selling": 18}], {PL: 1, OS: 1}, steps=(SECOND,)),
    Case("stage_mature", [{"months_selling": 18}, {"months_selling": 40},
                          {"months_selling": 2, "_evidence": evidence(stage=SCALE)}],
         [{"months_selling": 17}, {"months_selling": 40, "_evidence": evidence(stage=GROWTH)}],
         {PL: 1, OS: 1, DI: 1}, steps=(THIRD,)),
    Case("weak_capital", [{"cash_runway_months": WEAK_CAPITAL_RUNWAY_MONTHS - 1}],
         [{"cash_runway_months": WEAK_CAPITAL_RUNWAY_MONTHS}], {PL: 1, DI: 1, OS: -1}),
    Case("strong_supply_chain", [{"supply_chain": "strong"}], [{"supply_chain": "average"}], {PL: 1, DI: 1},
         steps=(THIRD,)),
    Case("brand_content_team", [{"team": {"content_brand": True}}], [{}], {OS: 1}),
    Case("tech_data_team", [{"team": {"tech_data": True}}], [{}], {OS: 1}),
    Case("readiness", [{"cash_runway_months": READY_RUNWAY_MONTHS - 1},
                       {"team": {"overseas_logistics": False}},
                       {"team": {"platform_ops": False, "content_brand": False}}],
         [{}, {"team": {"platform_ops": False, "content_brand": True}}], {OS: -1}, steps=(FIRST,)),
    Case("category_fast_moving", [{"category": {"kind": "fast_moving", "avg_price_usd": str(LOW_PRICE_USD)}}],
         [{"category": {"kind": "fast_moving", "avg_price_usd": str(LOW_PRICE_USD + ONE)}},
          {"category": {"kind": "mixed", "avg_price_usd": "5"}}], {PL: 1}),
    Case("category_high_ticket", [{"category": {"kind": "high_ticket", "avg_price_usd": "40"}},
                                  {"category": {"kind": "mixed", "avg_price_usd": str(HIGH_TICKET_USD)}}],
         [{"category": {"kind": "mixed", "avg_price_usd": str(HIGH_TICKET_USD - ONE)}}], {OS: 1},
         steps=(FIRST,)),
    Case("category_repeat", [{"category": {"repeat_potential": "high"}}],
         [{"category": {"repeat_potential": "medium"}}], {OS: 1}),
    Case("goal_validate_product", [{"goals": ["validate_product"]}], [{}, {"goals": ["build_brand"]}], {PL: 1}),
    Case("goal_build_brand", [{"goals": ["build_brand"]}], [{}, {"goals": ["validate_product"]}], {OS: 1}),
    Case("goal_expand_markets", [{"goals": ["expand_markets"]}], [{}], {DI: 1}, steps=(SECOND,)),
    Case("switch_margin_squeeze",
         [{"_evidence": evidence(margin_percent=MARGIN_SQUEEZE_PERCENT - ONE)}],
         [{"_evidence": evidence(margin_percent=MARGIN_SQUEEZE_PERCENT)}, {"_evidence": evidence()},
          {"channels_now": ["shopify"], "_evidence": evidence(margin_percent=Decimal(5))}], {OS: 1}),
    Case("switch_sales_falling", [{"_evidence": evidence(trend_percent=SALES_FALLING_PERCENT)}],
         [{"_evidence": evidence(trend_percent=SALES_FALLING_PERCENT + ONE)}, {"_evidence": evidence()}],
         {OS: 1}),
    Case("dropship_viable", [{}, {"supply_chain": "strong", "team": {"platform_ops": False,
                                                                     "content_brand": True}}],
         [{"supply_chain": "weak"}, {"team": {"platform_ops": False}}], {DI: 1}, isolated=False),
    Case("dropship_unreliable_suppliers", [{"supply_chain": "weak"}], [{"supply_chain": "average"}], {DI: -1},
         risk=MEDIUM, steps=(FIRST,), isolated=False),
    Case("platform_dependency",
         [{"channels_now": ["amazon"]},
          {"_evidence": evidence(largest_channel="amazon", largest_share=DEPENDENCY_SHARE + ONE)}],
         [{"channels_now": ["amazon", "shopify"]}, {"channels_now": ["shopify"]},
          {"channels_now": ["amazon"], "_evidence": evidence(largest_channel="amazon",
                                                             largest_share=DEPENDENCY_SHARE)},
          {"_evidence": evidence(largest_channel="own_site", largest_share=Decimal("0.9"))}],
         {OS: 1}, risk=HIGH, steps=(SECOND,)),
    Case("cash_trap", [{"cash_runway_months": WEAK_CAPITAL_RUNWAY_MONTHS - 1},
                       {"months_selling": 2, "cash_runway_months": 1, "goals": ["expand_markets"]}],
         [{"cash_runway_months": WEAK_CAPITAL_RUNWAY_MONTHS},
          {"months_selling": 2, "cash_runway_months": 1}], reason=False, risk=HIGH, steps=(FIRST,)),
    Case("capability_digital_low", [{"_capability": {"digital_operations": WEAK_SCORE}}],
         [{"_capability": {"digital_operations": WEAK_SCORE + 1}}, {}], {OS: -1}, steps=(FIRST,)),
    Case("capability_differentiation_high", [{"_capability": {"product_differentiation": STRONG_SCORE}}],
         [{"_capability": {"product_differentiation": STRONG_SCORE - 1}}, {}], {OS: 1}),
    Case("capability_supply_high", [{"_capability": {"supply_chain_integration": STRONG_SCORE}}],
         [{"_capability": {"supply_chain_integration": STRONG_SCORE - 1}}, {}], {PL: 1, DI: 1}),
    Case("hybrid_conflicts",
         [{"channels_now": ["amazon", "shopify"]},
          {"_mix": {PL: Decimal("0.5"), OS: SUBSTANTIAL_WEIGHT, DI: Decimal("0.25")}}],
         [{"_mix": {PL: Decimal("0.51"), OS: SUBSTANTIAL_WEIGHT - ONE, DI: Decimal("0.25")}},
          {"channels_now": ["shopify"], "_mix": {PL: Decimal("0.2"), OS: Decimal("0.6"), DI: Decimal("0.2")}}],
         risk=LOW, steps=(FIRST, SECOND, THIRD)),
]


def test_every_rule_has_a_case():
    assert {c.rule for c in CASES} | {"stage_trap"} == {r.id for r in rules.RULES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_fires_when_its_condition_holds(case):
    rule = rules.by_id(case.rule)
    for variant in case.true:
        finding = rule(facts(variant))
        assert finding is not None, variant
        assert {m: (1 if p > 0 else -1) for m, p in finding.effect.items() if p} == case.signs, variant
        assert (finding.text is not None) == case.reason
        if finding.text is not None:
            assert str(finding.text)
        assert [level for level, _text in finding.risks] == ([case.risk] if case.risk else [])
        assert {days for days, _text in finding.steps} == set(case.steps)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_is_silent_otherwise(case):
    rule = rules.by_id(case.rule)
    for variant in case.false:
        assert rule(facts(variant)) is None, variant


ADVISABLE = [c for c in CASES if c.rule != "hybrid_conflicts"]


@pytest.mark.parametrize("case", ADVISABLE, ids=lambda c: c.rule)
def test_the_advice_carries_the_rule_only_when_it_fires(case):
    def run(variant):
        f = facts(variant)
        return advise(f.answers, f.evidence, f.capability)

    def traces(advice):
        return ({r.rule for r in advice.reasons}, {r.rule for r in advice.risks}, {s.rule for s in advice.plan})

    for variant in case.true:
        reasons, risks, steps = traces(run(variant))
        assert (case.rule in reasons) == case.reason
        assert (case.rule in risks) == bool(case.risk)
        assert (case.rule in steps) == bool(case.steps)
        if case.reason:
            reason = next(r for r in run(variant).reasons if r.rule == case.rule)
            assert reason.source == rules.by_id(case.rule).source
            assert {m: (1 if p > 0 else -1) for m, p in reason.effect.items() if p} == case.signs
    for variant in case.false:
        assert case.rule not in set().union(*traces(run(variant))), variant


@pytest.mark.parametrize(("model", "case"), [(m, c) for c in ADVISABLE for m in c.signs
                                              if len(c.signs) == 1 and c.isolated])
def test_a_one_model_rule_moves_that_model_weight(model, case):
    """Only the rule differs between the two runs: its model's weight moves the way its effect says."""
    variant = case.true[0]
    f = facts(variant)
    with_rule = advise(f.answers, f.evidence, f.capability)
    without = case.false[0]
    g = facts(without)
    other = advise(g.answers, g.evidence, g.capability)
    assert {r.rule for r in with_rule.reasons} ^ {r.rule for r in other.reasons} == {case.rule}
    if case.signs[model] > 0:
        assert with_rule.mix[model] > other.mix[model]
    else:
        assert with_rule.mix[model] <= other.mix[model]


def test_readiness_with_nothing_ready_says_do_not_self_operate_yet():
    none_ready = facts({"cash_runway_months": 0, "team": {"platform_ops": False, "overseas_logistics": False}})
    one_gap = facts({"cash_runway_months": 0})
    all_gaps = rules.by_id("readiness")(none_ready)
    some = rules.by_id("readiness")(one_gap)
    assert all_gaps.effect[OS] < some.effect[OS] < 0
    assert len(all_gaps.steps) == 3 and len(some.steps) == 1
    assert "don't put money into an own site yet" in str(all_gaps.text)


@pytest.mark.parametrize("stage", [SURVIVAL, GROWTH, STABLE, SCALE])
def test_stage_trap_is_the_seed_trap_of_the_stage(stage):
    finding = rules.by_id("stage_trap")(facts({"_stage": stage}))
    assert finding.text is None and finding.effect == {}
    [(level, text)] = finding.risks
    assert level == MEDIUM and str(STAGE_TRAPS[stage]) in str(text)


def test_dependency_names_the_channel_and_its_share():
    finding = rules.by_id("platform_dependency")(facts({"_evidence": evidence(
        largest_channel="shopee", largest_share=Decimal("0.834"))}))
    assert "Shopee is 83% of sales" in str(finding.risks[0][1])


def test_every_rule_names_a_seed_section_and_describes_itself():
    for rule in rules.RULES:
        assert rule.source.split()[0] in ("000", "001", "004"), rule.id
        assert "§" in rule.source or "FAQ" in rule.source
        assert str(rule.description)
        assert rule.check.__doc__, rule.id
