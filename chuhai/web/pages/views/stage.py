"""Analytics → Stage: the seller's business stage (inferred or overridden), the evidence and rules behind it, the
stage's KPIs for a period against the previous one (CSV / Excel export), monthly net sales with their trend, and
a form to override the stage. Only presentation: the figures and rules are :mod:`chuhai.analytics.stage`'s.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import dashboards
from chuhai.analytics import stage as stages
from chuhai.analytics.metric_layer import METRICS, MetricError
from chuhai.core.exports import EXPORTERS, NUMBER, TEXT, Column, TableSpec
from chuhai.finance.fx import FxRateMissing
from chuhai.web.pages import analytics_tabs

from ..tables import export_response
from .analytics import chart_number, chart_title, kpi_text, table_region

VIEW_PERM = "orders.view_order"
CHANGE_PERM = "core.change_companysettings"
DEFAULT_DAYS = 90


class StagePeriodForm(forms.Form):
    date_from = forms.DateField(label=_lazy("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class StageOverrideForm(forms.Form):
    stage = forms.ChoiceField(label=_lazy("Business stage"), required=False,
                              choices=[("", _lazy("Inferred from the data"))]
                              + [(s, stages.STAGE_NAMES[s]) for s in stages.STAGES])


def _period(request) -> tuple[StagePeriodForm, dashboards.Period]:
    today = dashboards.company_today()
    default = dashboards.Period(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)
    data = {"date_from": request.GET.get("date_from") or default.start.isoformat(),
            "date_to": request.GET.get("date_to") or default.end.isoformat()}
    form = StagePeriodForm(data)
    values = form.cleaned_data if form.is_valid() else {}
    period = dashboards.Period(values.get("date_from") or default.start, values.get("date_to") or default.end)
    return form, (default if period.start > period.end else period)


def kpi_spec(currency: str) -> TableSpec:
    """The KPI table of the page and its exports (one row per :class:`chuhai.analytics.stage.KpiFigure`)."""
    language = get_language()

    def shown(key):
        return lambda f: kpi_text(getattr(f, key), f.unit, currency, language)

    return TableSpec("stage-kpis", (
        Column("metric", _lazy("Metric id"), lambda f: f.kpi.metric, TEXT, code=True),
        Column("name", _lazy("KPI"), lambda f: str(f.name), TEXT),
        Column("value", _lazy("Value"), lambda f: f.value, NUMBER, display=shown("value")),
        Column("previous", _lazy("Previous period"), lambda f: f.previous, NUMBER, display=shown("previous")),
        Column("change", _lazy("Change %"), lambda f: f.change, NUMBER),
        Column("unit", _lazy("Unit"), lambda f: f.unit, TEXT),
        Column("currency", _lazy("Currency"), lambda f: currency if f.unit == "money" else "", TEXT),
        Column("why", _lazy("Why it matters at this stage"), lambda f: str(f.kpi.why), TEXT),
        Column("seed", _lazy("Seed section"), lambda f: f.kpi.seed, TEXT),
    ))


def trend_chart(evidence: stages.StageEvidence) -> dict:
    """Bars: net sales per month; line: the 3-month moving average (the trend the rules compare)."""
    months = evidence.monthly
    values = [m["net_sales"] for m in months]
    average = []
    for i in range(len(values)):
        window = values[max(0, i - stages.TREND_MONTHS + 1): i + 1]
        average.append(chart_number(sum(window) / len(window)) if len(window) == stages.TREND_MONTHS else None)
    return {
        "title": chart_title(_("Net sales by month")),
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [m["month"] for m in months]},
        "yAxis": {"type": "value", "name": evidence.currency},
        "series": [
            {"id": "net_sales", "name": str(METRICS["net_sales"].name), "type": "bar",
             "data": [chart_number(v) for v in values]},
            {"id": "trend", "name": _("3-month average"), "type": "line", "smooth": True, "data": average},
        ],
    }


def _evidence_rows(ev: stages.StageEvidence, finance: bool) -> list[tuple[str, str]]:
    language = get_language()
    money = lambda v: kpi_text(v, "money", ev.currency, language)  # noqa: E731
    pct = lambda v: kpi_text(v, "percent", ev.currency, language)  # noqa: E731
    rows = [
        (_("First and last sale month"), f"{ev.first_month} – {ev.last_month}" if ev.first_month else "—"),
        (_("Months active"), str(ev.months_active)),
        (_("Net sales, last 12 full months"), money(ev.annual_sales)),
        (_("Average monthly net sales"), money(ev.monthly_average)),
        (_("Net sales, last 3 full months"), money(ev.recent_sales)),
        (_("Net sales, the 3 months before"), money(ev.prior_sales)),
        (_("Trend (last 3 vs previous 3 months)"), pct(ev.trend_percent)),
        (_("Active SKUs (12 months)"), str(ev.active_skus)),
        (_("Channels (12 months)"), str(ev.channels)),
        (_("Channel accounts (12 months)"), str(ev.accounts)),
        (_("Repeat purchase rate (12 months)"), pct(ev.repeat_purchase_rate)),
    ]
    if finance:
        rows.append((_("Margin % (12 months)"), pct(ev.margin_percent)))
    return rows


@permission_required(VIEW_PERM, raise_exception=True)
def analytics_stage(request):
    can_change = request.user.has_perm(CHANGE_PERM)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = StageOverrideForm(request.POST)
        if form.is_valid():
            stages.set_stage_override(form.cleaned_data["stage"], request.user)
            if form.cleaned_data["stage"]:
                messages.success(request, _("Business stage set to %(stage)s.")
                                 % {"stage": stages.STAGE_NAMES[form.cleaned_data["stage"]]})
            else:
                messages.success(request, _("Business stage is inferred from the data again."))
            query = request.META.get("QUERY_STRING", "")
            return redirect(reverse("analytics-stage") + (f"?{query}" if query else ""))
        return HttpResponseBadRequest("unknown stage")

    filter_form, period = _period(request)
    finance = request.user.has_perm(dashboards.FINANCE_PERMISSION)
    context = {"title": _("Business stage"), "filter_form": filter_form, "period": period, "error": None,
               "tabs": analytics_tabs.tabs(request.user, "stage"), "can_change": can_change, "finance": finance}
    try:
        status = stages.stage_status()
        currency, figures = stages.kpi_figures(status.stage, period, request.user)
    except (FxRateMissing, MetricError) as exc:
        context["error"] = str(exc)
        return render(request, "web/pages/analytics_stage.html", context)

    spec = kpi_spec(currency)
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(spec, figures, fmt)

    ev = status.inferred
    language = get_language()
    context.update({
        "status": status, "evidence": ev, "currency": currency,
        "stage_name": stages.STAGE_NAMES[status.stage],
        "inferred_name": stages.STAGE_NAMES[ev.stage],
        "steps": [{"id": s, "name": stages.STAGE_NAMES[s], "months": stages.STAGE_MONTHS[s],
                   "goal": stages.STAGE_GOALS[s], "trap": stages.STAGE_TRAPS[s], "current": s == status.stage}
                  for s in stages.STAGES],
        "rules": [{"id": r.id, "name": r.name, "stage": stages.STAGE_NAMES[r.stage], "fired": r.fired,
                   "decisive": r.id == ev.deciding_rule, "reason": r.reason} for r in ev.rules],
        "evidence_rows": _evidence_rows(ev, finance),
        "kpis": [{"id": f.kpi.metric, "name": f.name, "definition": f.definition, "why": f.kpi.why,
                  "seed": f.kpi.seed, "text": kpi_text(f.value, f.unit, currency, language),
                  "previous": kpi_text(f.previous, f.unit, currency, language), "change": f.change}
                 for f in figures],
        "unmeasured": stages.stage_kpis(status.stage, measured=False),
        "chart": trend_chart(ev),
        "tables": [table_region(request, "kpis", _("Stage KPIs"), spec, figures)],
        "override_form": StageOverrideForm(initial={"stage": stages.stage_override()}),
    })
    return render(request, "web/pages/analytics_stage.html", context)
