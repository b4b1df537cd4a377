"""The operating-model advisor over HTTP: ``POST /advice`` (answers in, advice out, kept as an AdviceRecord) and
``GET /advice/rules`` (every rule behind the advice, with its seed section).

The body is the questionnaire in the YAML shape of ``chuhai advise --answers`` (:mod:`chuhai.strategy.answers`).
With ``?ledger=true`` (the default) and a sale in the ledger, the answers it can give — months_selling,
monthly_revenue_cny, markets, channels_now — may be left out; the response's ``from_ledger`` lists those it
filled. Bad or missing answers are a 422 naming the key and the allowed values; nothing is stored then.

The advice is the JSON of :meth:`chuhai.strategy.engine.Advice.to_json` (texts in the request's language,
weights as numbers summing to 1) plus the stored record's ``id`` and ``from_ledger``.

Permissions: POST needs ``strategy.add_advicerecord`` (operations, finance), GET ``strategy.view_advicerecord``
(every role).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from .auth import needs
from .schemas import AUTH_ERRORS, WRITE_ERRORS, DecimalText

router = Router(tags=["strategy"])

ADD_PERM = "strategy.add_advicerecord"
VIEW_PERM = "strategy.view_advicerecord"


class TeamIn(Schema):
    model_config = ConfigDict(extra="forbid")

    platform_ops: bool = False
    content_brand: bool = False
    tech_data: bool = False
    overseas_logistics: bool = False


class CategoryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["fast_moving", "high_ticket", "mixed"]
    avg_price_usd: DecimalText = Field(..., description="Average selling price in US dollars, as a string.")
    repeat_potential: Literal["low", "medium", "high"]


class AnswersIn(Schema):
    """The questionnaire (every key as in ``chuhai advise --answers``); the ledger can fill the four it knows."""

    model_config = ConfigDict(extra="forbid")

    months_selling: int | None = Field(None, ge=0, description="Months since the first sale; 0 if not started. "
                                                               "Ledger-fillable.")
    monthly_revenue_cny: DecimalText | None = Field(None, description="Monthly revenue in CNY, as a string. "
                                                                      "Ledger-fillable.")
    cash_runway_months: int | None = Field(None, ge=0, description="Months the business survives early losses.")
    team: TeamIn | None = None
    supply_chain: Literal["weak", "average", "strong"] | None = None
    category: CategoryIn | None = None
    markets: list[str] | None = Field(None, description="ISO country codes. Ledger-fillable.", examples=[["US"]])
    channels_now: list[str] | None = Field(None, description="Platform ids, own_site, distribution. "
                                                             "Ledger-fillable.", examples=[["amazon"]])
    goals: list[str] | None = Field(None, description="validate_product, build_brand, expand_markets.")


class LedgerParams(Schema):
    ledger: bool = Field(True, description="Fill missing answers and the stage from the ledger when it has sales.")


class ReasonOut(Schema):
    rule: str
    source: str = Field(description="The seed article section, e.g. 001 §二.")
    text: str
    effect: dict[str, float] = Field(description="Weight points added (or taken) per model.")


class RiskOut(Schema):
    rule: str
    source: str
    level: Literal["high", "medium", "low"]
    text: str


class StepOut(Schema):
    days: str = Field(description="0–30, 31–60 or 61–90")
    text: str
    rule: str


class AdviceOut(Schema):
    id: int = Field(description="The stored advice record.")
    from_ledger: list[str] = Field(description="Answer keys the ledger filled.")
    primary: Literal["platform", "own_site", "distribution", "hybrid"]
    mix: dict[str, float] = Field(description="platform, own_site, distribution: weights summing to 1.")
    stage: str
    reasons: list[ReasonOut]
    risks: list[RiskOut]
    plan: list[StepOut]
    kpis: list[str] = Field(description="Metric ids (GET /metrics/definitions), or KPI names without data.")


class RuleOut(Schema):
    id: str
    source: str
    description: str
    kind: str = Field(description="weights (moves the mix), mix (reads it) or plan (a 90-day backbone)")


def _plain(value):
    """Pydantic gives Decimals and nested models; the answers parser reads the YAML shape (strings, dicts)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@router.post("/advice", response={200: AdviceOut, **WRITE_ERRORS}, auth=needs(ADD_PERM))
def post_advice(request: HttpRequest, payload: AnswersIn, params: Query[LedgerParams]):
    """Advise on the answers (missing ledger-fillable keys filled from the ledger) and keep the advice.
    Requires ``strategy.add_advicerecord``."""
    from chuhai.strategy.answers import AnswersError
    from chuhai.strategy.records import record_advice, run_advisor

    partial = _plain(payload.dict(exclude_none=True))
    try:
        run = run_advisor(partial, source="body", use_ledger=params.ledger, user=request.auth)
    except AnswersError as exc:
        raise HttpError(422, str(exc)) from exc
    with transaction.atomic():
        record = record_advice(run.answers, run.from_ledger, run.advice, request.auth)
    return {"id": record.pk, "from_ledger": record.from_ledger, **record.advice}


@router.get("/advice/rules", response={200: list[RuleOut], **AUTH_ERRORS}, auth=needs(VIEW_PERM))
def advice_rules(request: HttpRequest):
    """Every rule behind the advice: id, seed article section, description. Requires
    ``strategy.view_advicerecord``."""
    from chuhai.strategy.engine import rule_catalogue

    return rule_catalogue()
