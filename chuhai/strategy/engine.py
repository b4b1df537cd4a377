"""The operating-model advisor: answers (and, when there is one, the ledger's evidence and a capability
self-assessment) in, advice out — the mix of operating models with a weight each, the primary model, the reasons
with their seed sections, the risks, a 90-day plan and the KPIs to watch.

How the mix is computed (all in :func:`advise`):

1. the stage: the ledger's when evidence is given (inferred or the seller's override), else from months selling
   with 004 §1.2's boundaries (:func:`stage_from_months`);
2. each model starts at :data:`BASE_POINTS`; every :data:`~chuhai.strategy.rules.WEIGHTS` rule that fires adds
   its effect (points, possibly negative);
3. points are clamped at 0 and normalised to weights summing to 1, rounded once to 0.01 and fixed so the rounded
   weights still sum to exactly 1.00 (:func:`normalise`);
4. the primary model is "hybrid" when the stage is stable or scale (001 §二 成熟期: 混合模式矩阵) and the second
   model holds at least :data:`HYBRID_SECOND_MIN`; else the heaviest model;
5. the :data:`~chuhai.strategy.rules.AFTER_MIX` rules (hybrid conflicts) read the mix; the plan is the primary
   model's backbone plus every fired rule's steps; the KPIs are the stage's (004 §1.2, chuhai.analytics.stage).

Texts are translatable and rendered in the active language by :meth:`Advice.to_json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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

from .answers import MODELS, Answers
from .plan import BACKBONES, period_order
from .rules import AFTER_MIX, HIGH, HYBRID, LOW, MEDIUM, PLATFORM, RULES, WEIGHTS, Facts, Finding, Rule

#: Our choice: every seller starts with a lean toward the platform, since the seeds start every newcomer there
#: (001 FAQ Q1: 强烈建议从主流平台开始); the rules then move the points.
BASE_POINTS = {"platform": 20, "own_site": 10, "distribution": 5}
#: Our choice: in the stable and scale stages (001 §二 成熟期 — a hybrid matrix) the advice is "hybrid" when a
#: second model holds at least 30 % of the mix; with less, one model dominates whatever the stage.
HYBRID_SECOND_MIN = Decimal("0.30")
WEIGHT_PLACES = Decimal("0.01")
RISK_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}


@dataclass
class Reason:
    rule: str
    source: str
    text: Any
    effect: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class Risk:
    rule: str
    source: str
    level: str  # high | medium | low
    text: Any


@dataclass
class Step:
    days: str  # "0–30" | "31–60" | "61–90"
    text: Any
    rule: str


def _number(value: Decimal) -> int | float:
    """A weight or effect as a JSON number: an int when whole, else rounded to 2 places."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(WEIGHT_PLACES, rounding=ROUND_HALF_UP))


@dataclass
class Advice:
    primary: str  # platform | own_site | distribution | hybrid
    mix: dict[str, Decimal]
    stage: str
    reasons: list[Reason]
    risks: list[Risk]
    plan: list[Step]
    kpis: list[Any]  # metric-layer ids, or KPI names (translatable) where chuhai has no data

    def to_json(self) -> dict:
        """The ``chuhai advise --json`` shape, texts in the active language, weights as numbers."""
        return {
            "primary": self.primary,
            "mix": {model: float(self.mix[model]) for model in MODELS},
            "stage": self.stage,
            "reasons": [{"rule": r.rule, "source": r.source, "text": str(r.text),
                         "effect": {m: _number(p) for m, p in r.effect.items()}} for r in self.reasons],
            "risks": [{"rule": r.rule, "source": r.source, "level": r.level, "text": str(r.text)}
                      for r in self.risks],
            "plan": [{"days": s.days, "text": str(s.text), "rule": s.rule} for s in self.plan],
            "kpis": [str(k) for k in self.kpis],
        }


def stage_from_months(months: int) -> str:
    """004 §1.2's boundaries: survival under 6 months, growth 6–18, stable 18–36, scale 36+ (001 §二's startup 0→1
    is survival, growth 1→10 is growth, mature 10→100 is stable and scale)."""
    if months < SURVIVAL_MAX_MONTHS:
        return SURVIVAL
    if months < GROWTH_MAX_MONTHS:
        return GROWTH
    if months < SCALE_MIN_MONTHS:
        return STABLE
    return SCALE


def normalise(points: dict[str, Decimal]) -> dict[str, Decimal]:
    """Points → weights: clamp at 0, divide by the total, round to 0.01 and give the rounding remainder to the
    heaviest model so the weights sum to exactly 1.00. No points at all: the platform alone (001 FAQ Q1)."""
    clamped = {m: max(Decimal(points.get(m, 0)), Decimal(0)) for m in MODELS}
    total = sum(clamped.values(), Decimal(0))
    if total == 0:
        return {m: Decimal(1 if m == PLATFORM else 0).quantize(WEIGHT_PLACES) for m in MODELS}
    weights = {m: (clamped[m] / total).quantize(WEIGHT_PLACES, rounding=ROUND_HALF_UP) for m in MODELS}
    remainder = Decimal(1) - sum(weights.values(), Decimal(0))
    if remainder:
        heaviest = max(MODELS, key=lambda m: (clamped[m], -MODELS.index(m)))
        weights[heaviest] += remainder
    return weights


def choose_primary(mix: dict[str, Decimal], stage: str) -> str:
    """"hybrid" in the stable and scale stages when the second model holds :data:`HYBRID_SECOND_MIN`, else the
    heaviest model (ties: platform, own site, distribution — the seeds' order of entry)."""
    ranked = sorted(MODELS, key=lambda m: (-mix[m], MODELS.index(m)))
    if stage in (STABLE, SCALE) and mix[ranked[1]] >= HYBRID_SECOND_MIN:
        return HYBRID
    return ranked[0]


def stage_kpis(stage: str) -> list[Any]:
    """The stage's KPIs (004 §1.2 via chuhai.analytics.stage.STAGE_KPIS): metric ids, or names without data."""
    return [k.metric if k.metric is not None else k.label for k in STAGE_KPIS[stage]]


def _apply(rule: Rule, finding: Finding, reasons: list, risks: list, steps: list) -> None:
    if finding.text is not None:
        reasons.append(Reason(rule.id, rule.source, finding.text,
                              {m: Decimal(p) for m, p in finding.effect.items()}))
    risks.extend(Risk(rule.id, rule.source, level, text) for level, text in finding.risks)
    steps.extend(Step(days, text, rule.id) for days, text in finding.steps)


def advise(answers: Answers, evidence=None, capability=None) -> Advice:
    """The advice for ``answers``; ``evidence`` (chuhai.strategy.evidence.Evidence) sets the stage and feeds the
    ledger rules, ``capability`` (a CapabilityAssessment or a mapping of its three 1–5 scores) the capability
    rules. See the module doc for the steps."""
    stage = evidence.stage if evidence is not None and getattr(evidence, "stage", None) else \
        stage_from_months(answers.months_selling)
    facts = Facts(answers=answers, stage=stage, evidence=evidence, capability=capability)
    reasons: list[Reason] = []
    risks: list[Risk] = []
    steps: list[Step] = []
    points = {m: Decimal(p) for m, p in BASE_POINTS.items()}
    for rule in RULES:
        if rule.phase != WEIGHTS:
            continue
        finding = rule(facts)
        if finding is None:
            continue
        for model, delta in finding.effect.items():
            points[model] += Decimal(delta)
        _apply(rule, finding, reasons, risks, steps)

    mix = normalise(points)
    primary = choose_primary(mix, stage)
    facts.mix, facts.primary = mix, primary
    for rule in RULES:
        if rule.phase == AFTER_MIX and (finding := rule(facts)) is not None:
            _apply(rule, finding, reasons, risks, steps)

    backbone = BACKBONES[primary]
    plan = [Step(days, text, backbone.id) for days, text in backbone.steps] + steps
    plan.sort(key=lambda s: period_order(s.days))  # stable: backbone first, then rule order
    risks.sort(key=lambda r: RISK_ORDER[r.level])
    return Advice(primary=primary, mix=mix, stage=stage, reasons=reasons, risks=risks, plan=plan,
                  kpis=stage_kpis(stage))


def rule_catalogue() -> list[dict]:
    """Every rule behind the advice — id, seed section, description (active language) and kind: "weights" (moves
    the mix), "mix" (reads the mix) or "plan" (a primary model's 90-day backbone)."""
    rows = [{"id": r.id, "source": r.source, "description": str(r.description), "kind": r.phase} for r in RULES]
    rows += [{"id": b.id, "source": b.source, "description": str(b.description), "kind": "plan"}
             for b in BACKBONES.values()]
    return rows

