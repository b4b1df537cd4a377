"""What the advisor's pages (and anything else that runs advice) do with the database: run the advisor and keep
what it said, and keep the capability self-assessments over time.

The advice itself is :mod:`chuhai.strategy.engine`'s, the ledger's evidence :mod:`chuhai.strategy.evidence`'s and
the order of the steps :mod:`chuhai.strategy.records`' (the CLI and the API run the same): gather the evidence, let
it fill the answers the seller left out (and remember which), parse, advise, and store the answers and the advice
as they were, because the rules and the ledger change and a seller looking back must see what was said then. This
module adds what the pages need around it: the ledger's answers for prefilling the questionnaire, the KPI values
of an advice, and the capability self-assessments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import AdviceRecord, CapabilityAssessment

if TYPE_CHECKING:
    from .evidence import Evidence

# The engine and the ledger's evidence are imported where advice runs, not here: the capability pages need
# neither, and an import error in the rules must not take the self-assessment down with it.

#: The three axes of the capability map (seeds 004 §1.3), in the order the radar chart draws them.
CAPABILITIES: tuple[tuple[str, Any], ...] = (
    ("product_differentiation", _("Product differentiation")),
    ("supply_chain_integration", _("Supply-chain integration")),
    ("digital_operations", _("Digital operations")),
)
SCORE_MIN, SCORE_MAX = 1, 5


# -- advice --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerPrefill:
    """What the ledger can answer before the seller types anything: the answers it fills (YAML shape) and their
    keys, and the evidence behind them (None when the ledger has no sale yet — the questionnaire stands alone)."""

    answers: dict
    keys: tuple[str, ...]
    evidence: Evidence | None


def ledger_prefill(*, user=None, today: dt.date | None = None) -> LedgerPrefill:
    """The answers the ledger gives, for prefilling the questionnaire and marking them "from your data"."""
    from .records import gather

    evidence = gather(today=today, user=user)
    if evidence is None:
        return LedgerPrefill({}, (), None)
    from .evidence import fill_answers

    filled, keys = fill_answers({}, evidence)
    return LedgerPrefill({k: filled[k] for k in keys}, tuple(keys), evidence)


@transaction.atomic
def run_advice(partial_answers: Mapping, *, user, use_ledger: bool = True,
               today: dt.date | None = None) -> AdviceRecord:
    """Advise on ``partial_answers`` (the questionnaire's YAML shape; keys the ledger can answer may be left
    out) and store the answers, the keys the ledger filled and the advice.

    Without a sale in the ledger (or with ``use_ledger`` False) the answers must be complete: the advisor works
    from the questionnaire alone. The latest capability self-assessment, when there is one, feeds the engine's
    capability rules. Raises :class:`chuhai.strategy.answers.AnswersError` for bad or missing answers — nothing
    is stored then. The steps are :func:`chuhai.strategy.records.run_advisor`'s, the same as the CLI's and the
    API's.
    """
    from .records import record_advice, run_advisor

    run = run_advisor(partial_answers, source="questionnaire", use_ledger=use_ledger, user=user, today=today)
    return record_advice(run.answers, run.from_ledger, run.advice, user)


def advice_history(limit: int | None = None):
    """The advice given so far, newest first."""
    records = AdviceRecord.objects.select_related("created_by")
    return records[:limit] if limit else records


@dataclass(frozen=True)
class KpiValue:
    """One KPI the advice names: a metric-layer id with its value over the period (``measured``), or a KPI the
    seeds name that chuhai has no data for (then only its name)."""

    id: str
    name: Any
    unit: str | None
    definition: Any
    value: Any
    measured: bool


def advice_kpis(kpis, *, user, date_from: dt.date, date_to: dt.date) -> tuple[str | None, list[KpiValue]]:
    """(currency, the advice's KPIs over [date_from, date_to]): metric ids get their value from the metric layer
    when ``user`` may see them (finance figures need finance access) — hidden otherwise; other names pass through.
    A metric that cannot be computed (no data source yet, a missing exchange rate) shows without a value."""
    from chuhai.analytics.metric_layer import METRICS, MetricError, run
    from chuhai.finance.fx import FxRateMissing

    currency, values = None, []
    for kpi in dict.fromkeys(kpis):
        metric = METRICS.get(kpi)
        if metric is None:
            values.append(KpiValue(kpi, kpi, None, "", None, False))
            continue
        if user is not None and not user.has_perm(metric.permission):
            continue
        try:
            result = run([kpi], date_from=date_from, date_to=date_to)
        except (MetricError, FxRateMissing):
            values.append(KpiValue(kpi, metric.name, metric.unit, metric.definition, None, False))
            continue
        currency = result.currency
        values.append(KpiValue(kpi, metric.name, metric.unit, metric.definition, result.rows[0].get(kpi), True))
    return currency, values


# -- capability self-assessment ------------------------------------------------------------------------------------

@transaction.atomic
def record_assessment(*, assessed_on: dt.date, product_differentiation: int, supply_chain_integration: int,
                      digital_operations: int, note: str = "", user=None) -> CapabilityAssessment:
    """Keep one self-assessment (three scores 1–5). Raises :class:`django.core.exceptions.ValidationError` — and
    stores nothing — when a score is outside 1–5 or a field is missing: a 0 or a 6 would bend the radar chart and
    the trend."""
    assessment = CapabilityAssessment(
        assessed_on=assessed_on, product_differentiation=product_differentiation,
        supply_chain_integration=supply_chain_integration, digital_operations=digital_operations,
        note=note or "", created_by=user if getattr(user, "is_authenticated", False) else None)
    assessment.full_clean()
    assessment.save()
    return assessment


def assessment_history():
    """Every assessment, newest first (by the day it assessed, then by entry)."""
    return CapabilityAssessment.objects.select_related("created_by").order_by("-assessed_on", "-id")


def scores(assessment: CapabilityAssessment) -> list[int]:
    """An assessment's scores in :data:`CAPABILITIES` order."""
    return [getattr(assessment, key) for key, _label in CAPABILITIES]

