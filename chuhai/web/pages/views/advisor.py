"""Advisor → questionnaire, advice, past advice and the rule catalogue.

The questionnaire works alone until the seller has sales; with sales, the answers the ledger can give are
prefilled and marked "from your data". Submitting runs :func:`chuhai.strategy.services.run_advice` and shows the
stored advice: the primary model, the mix as a chart, the stage, each reason with the rule and seed section
behind it, the risks by level, the 90-day plan and the stage's KPIs with their values from the metric layer. The
printable page is the same advice without the shell, for the browser to print or save as PDF. Only presentation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import dashboards
from chuhai.analytics.metric_layer import MetricError
from chuhai.core.exports import DATETIME, TEXT, Column, TableSpec
from chuhai.finance.fx import FxRateMissing
from chuhai.strategy import engine, services
from chuhai.strategy.answers import MODELS, AnswersError
from chuhai.strategy.models import AdviceRecord

from ..tables import table_response
from . import advisor_forms as qf
from .advisor_common import (
    ADD_ADVICE,
    MODEL_HINTS,
    RISK_BADGES,
    RISK_NAMES,
    RULE_KINDS,
    VIEW_ADVICE,
    model_name,
    require,
    stage_name,
    tabs,
)
from .analytics import chart_title, kpi_text

#: The KPIs on the advice page are measured over the last this many days (as on the stage page).
KPI_DAYS = 90
PLAN_PERIODS = ("0–30", "31–60", "61–90")


# -- questionnaire -------------------------------------------------------------------------------------------------

def _prefill(request) -> services.LedgerPrefill:
    """The ledger's answers; a ledger that cannot be read now (a missing rate) leaves the questionnaire alone."""
    try:
        return services.ledger_prefill(user=request.user)
    except (FxRateMissing, MetricError) as exc:
        messages.warning(request, _("Your sales data could not be read, so nothing is prefilled: %(error)s")
                         % {"error": exc})
        return services.LedgerPrefill({}, (), None)


@permission_required(VIEW_ADVICE, raise_exception=True)
def questionnaire(request):
    can_run = request.user.has_perm(ADD_ADVICE)
    if request.method == "POST":
        require(request.user, ADD_ADVICE)
    prefill = _prefill(request)
    if request.method == "POST":
        form = qf.QuestionnaireForm(request.POST, prefill=prefill.answers)
        if form.is_valid():
            try:
                record = services.run_advice(form.partial_answers(), user=request.user)
            except AnswersError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("strategy-advice", pk=record.pk)
    else:
        initial = {}
        source = request.GET.get("from")
        if source and source.isdigit():
            record = AdviceRecord.objects.filter(pk=int(source)).first()
            if record is not None:
                initial = qf.initial_from(record.answers)
        form = qf.QuestionnaireForm(initial=initial, prefill=prefill.answers)
    context = {
        "title": _("Operating-model advisor"), "tabs": tabs(request.user, "questionnaire"), "form": form,
        "can_run": can_run, "from_data": form.from_data, "has_data": prefill.evidence is not None,
        "evidence": prefill.evidence,
        "evidence_stage": stage_name(prefill.evidence.stage) if prefill.evidence else "",
        "recent": [{"pk": r.pk, "created_at": r.created_at, "primary": model_name(r.primary),
                    "stage": stage_name(r.stage)} for r in services.advice_history(5)],
        "models": [{"id": m, "name": model_name(m), "hint": MODEL_HINTS[m]} for m in (*MODELS, "hybrid")],
    }
    return render(request, "web/pages/advisor_questionnaire.html", context)


# -- the advice ----------------------------------------------------------------------------------------------------

def _number(value) -> Decimal:
    return Decimal(str(value or 0))


def mix_rows(mix: dict) -> list[dict]:
    """The mix as rows in the engine's model order, each share as a whole percent for reading."""
    rows = []
    for model in MODELS:
        share = _number(mix.get(model)) * 100
        rows.append({"id": model, "name": model_name(model), "percent": share.quantize(Decimal("1"))})
    return rows


def mix_chart(mix: dict) -> dict:
    """Horizontal bars: the share of effort the advice puts on each operating model."""
    rows = list(reversed(mix_rows(mix)))  # ECharts draws the first category at the bottom
    return {
        "title": chart_title(_("Recommended mix")),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 48, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": [r["name"] for r in rows]},
        "series": [{"id": "mix", "name": _("Share of effort"), "type": "bar", "colorBy": "data",
                    "data": [float(r["percent"]) for r in rows],
                    "label": {"show": True, "position": "right", "formatter": "{c}%"}}],
    }


def effect_text(effect: dict) -> str:
    """A reason's weight points per model: ``+2 Own site, −1 Platform``."""
    parts = []
    for model, points in (effect or {}).items():
        value = _number(points)
        if value:
            sign = "+" if value > 0 else "−"
            parts.append(f"{sign}{abs(value).normalize():f} {model_name(model)}")
    return ", ".join(parts)


def answer_rows(answers: dict, from_ledger) -> list[dict]:
    """The answers the advice was given on, as label / value rows, the ledger's marked."""
    form = qf.QuestionnaireForm()
    label = lambda name: form.fields[name].label  # noqa: E731
    channel_names = dict(qf.channel_choices())
    team = answers.get("team") or {}
    category = answers.get("category") or {}
    listed = lambda values, names: ", ".join(str(names.get(v, v)) for v in values) or "—"  # noqa: E731
    rows = [
        ("months_selling", label("months_selling"), answers.get("months_selling")),
        ("monthly_revenue_cny", label("monthly_revenue_cny"), answers.get("monthly_revenue_cny")),
        ("cash_runway_months", label("cash_runway_months"), answers.get("cash_runway_months")),
        ("team", _("Team"), listed([k for k, v in team.items() if v], qf.TEAM_NAMES)),
        ("supply_chain", label("supply_chain"), qf.SUPPLY_CHAIN_NAMES.get(answers.get("supply_chain"), "—")),
        ("category", label("category_kind"), qf.CATEGORY_NAMES.get(category.get("kind"), "—")),
        ("avg_price_usd", label("category_avg_price_usd"), category.get("avg_price_usd")),
        ("repeat_potential", label("category_repeat_potential"),
         qf.REPEAT_NAMES.get(category.get("repeat_potential"), "—")),
        ("markets", label("markets"), ", ".join(answers.get("markets") or []) or "—"),
        ("channels_now", label("channels_now"), listed(answers.get("channels_now") or [], channel_names)),
        ("goals", label("goals"), listed(answers.get("goals") or [], qf.GOAL_NAMES)),
    ]
    ledger = set(from_ledger or [])
    return [{"key": key, "label": text, "value": "—" if value in (None, "") else value, "from_data": key in ledger}
            for key, text, value in rows]


def advice_context(record: AdviceRecord, user) -> dict:
    """Everything the advice page and its printable page show."""
    advice = record.advice
    language = get_language()
    today = dashboards.company_today()
    start = today - dt.timedelta(days=KPI_DAYS - 1)
    currency, kpis = services.advice_kpis(advice.get("kpis") or [], user=user, date_from=start, date_to=today)
    plan = []
    for period in PLAN_PERIODS:
        steps = [s for s in advice.get("plan") or [] if s.get("days") == period]
        if steps:
            plan.append({"days": period, "steps": steps})
    plan += [{"days": s.get("days"), "steps": [s]} for s in advice.get("plan") or []
             if s.get("days") not in PLAN_PERIODS]
    return {
        "record": record, "advice": advice,
        "primary_name": model_name(advice.get("primary", record.primary)),
        "primary_hint": MODEL_HINTS.get(advice.get("primary", record.primary), ""),
        "stage_name": stage_name(advice.get("stage", record.stage)),
        "mix": mix_rows(advice.get("mix") or {}), "chart": mix_chart(advice.get("mix") or {}),
        "reasons": [{**r, "effect_text": effect_text(r.get("effect"))} for r in advice.get("reasons") or []],
        "risks": [{**r, "badge": RISK_BADGES.get(r.get("level"), "badge-muted"),
                   "level_name": RISK_NAMES.get(r.get("level"), r.get("level"))} for r in advice.get("risks") or []],
        "plan": plan,
        "kpis": [{"id": k.id, "name": k.name, "definition": k.definition, "measured": k.measured,
                  "text": kpi_text(k.value, k.unit, currency or "", language) if k.measured else "—"}
                 for k in kpis],
        "kpi_start": start, "kpi_end": today, "kpi_currency": currency,
        "answers": answer_rows(record.answers, record.from_ledger),
        "rules_url": reverse("strategy-rules"),
    }


@permission_required(VIEW_ADVICE, raise_exception=True)
def advice_detail(request, pk: int):
    record = get_object_or_404(AdviceRecord.objects.select_related("created_by"), pk=pk)
    context = advice_context(record, request.user)
    context.update({"title": _("Advice of %(date)s") % {"date": timezone.localdate(record.created_at).isoformat()},
                    "tabs": tabs(request.user, "history"), "can_run": request.user.has_perm(ADD_ADVICE)})
    return render(request, "web/pages/advisor_advice.html", context)


@permission_required(VIEW_ADVICE, raise_exception=True)
def advice_print(request, pk: int):
    """The advice as a standalone page sized for A4: the browser prints it or saves it as PDF."""
    record = get_object_or_404(AdviceRecord.objects.select_related("created_by"), pk=pk)
    context = advice_context(record, request.user)
    context["title"] = _("Operating-model advice")
    return render(request, "web/pages/advisor_print.html", context)


# -- past advice and the rules -------------------------------------------------------------------------------------

def _answer_label(key: str):
    field = qf.QuestionnaireForm.base_fields.get(key)
    return field.label if field is not None else key


def history_spec() -> TableSpec:
    return TableSpec("advice-history", (
        Column("created_at", _lazy("Given at"), lambda r: r.created_at, DATETIME,
               url=lambda r: reverse("strategy-advice", args=[r.pk])),
        Column("primary", _lazy("Primary model"), lambda r: r.primary, TEXT, display=lambda r: model_name(r.primary)),
        Column("stage", _lazy("Stage"), lambda r: r.stage, TEXT, display=lambda r: stage_name(r.stage)),
        Column("from_ledger", _lazy("From your data"), lambda r: ", ".join(r.from_ledger or []), TEXT,
               display=lambda r: ", ".join(str(_answer_label(k)) for k in r.from_ledger or [])),
        Column("created_by", _lazy("Asked by"), lambda r: r.created_by.get_username() if r.created_by else "", TEXT),
    ))


@permission_required(VIEW_ADVICE, raise_exception=True)
def advice_history(request):
    return table_response(request, spec=history_spec(), queryset=services.advice_history(),
                          template="web/pages/advisor_history.html",
                          context={"title": _("Past advice"), "tabs": tabs(request.user, "history"),
                                   "empty_text": _("No advice yet.")})


def _rule_row(rule) -> dict:
    """One catalogue entry as a dict, whether the engine lists dicts or objects."""
    get = (lambda key: rule.get(key)) if isinstance(rule, dict) else (lambda key: getattr(rule, key, None))
    return {"id": get("id"), "source": get("source"), "kind": RULE_KINDS.get(get("kind"), get("kind") or ""),
            "description": get("description") or get("text") or get("name") or ""}


@permission_required(VIEW_ADVICE, raise_exception=True)
def rule_catalogue(request):
    return render(request, "web/pages/advisor_rules.html", {
        "title": _("The advisor's rules"), "tabs": tabs(request.user, "rules"),
        "rules": [_rule_row(r) for r in engine.rule_catalogue()],
    })
