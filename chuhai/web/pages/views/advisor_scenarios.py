"""Advisor → Scenarios: the three what-ifs of :mod:`chuhai.strategy.scenarios` (move a SKU to the own site, dropship
or hold stock, add a market), each a form whose blank fields the ledger, the reference tables or a stated default
answer; the result lists every assumption with where it came from, and "Save" keeps it. Below: the saved
scenarios, the hybrid channel conflicts (:mod:`chuhai.strategy.conflicts`) and, for finance, the unit economics
per channel and per SKU (:mod:`chuhai.strategy.economics`) with CSV / Excel export. Only presentation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import dashboards
from chuhai.analytics.metric_layer import MetricError, run
from chuhai.core.exports import EXPORTERS, MONEY, NUMBER, TEXT, Column, TableSpec, money_text
from chuhai.finance.fx import FxRateMissing
from chuhai.strategy import conflicts, economics, scenarios
from chuhai.strategy.models import Scenario, ScenarioKind

from ..filters import DateInput
from ..tables import export_response
from .advisor_common import ADD_SCENARIO, FINANCE, VIEW_SCENARIO, require, tabs
from .analytics import table_region

#: The unit-economics tables default to the last this many days.
ECONOMICS_DAYS = 90
SAVED_SHOWN = 50
HINTS = {
    "move_to_own_site": _lazy("What one unit leaves on the own site against the platform it sells on now, and "
                              "the acquisition cost per order at which the move pays (seeds 000 §5.3)."),
    "dropship_vs_stock": _lazy("Margin and cash tied up when a supplier ships each order, against buying and "
                               "holding stock (seeds 001 FAQ Q4)."),
    "add_market": _lazy("What one unit leaves in a new market after VAT, fees, freight and duty, against the "
                        "market it sells in now (seeds 000 §5.3)."),
}


# -- forms ---------------------------------------------------------------------------------------------------------

def scenario_form(kind: str, data=None, initial=None, placeholders=None) -> forms.Form:
    """A form of ``kind``'s assumptions: every field optional (blank: the ledger or the default answers; the
    scenario names a missing one), prefixed with the kind so the three forms share one page."""
    fields = {}
    for f in scenarios.KINDS[kind].fields:
        attrs = {"size": 12, "autocomplete": "off"}
        if placeholders and placeholders.get(f.key) not in (None, ""):
            attrs["placeholder"] = placeholders[f.key]
        fields[f.key] = forms.CharField(label=f.label, required=False, max_length=100,
                                        widget=forms.TextInput(attrs=attrs))
    form_class = type(f"{kind}Form", (forms.Form,), fields)
    return form_class(data=data, initial=initial, prefix=kind)


def entered(form: forms.Form) -> dict[str, str]:
    """The assumptions the user typed (blank ones left to the ledger)."""
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {key: value.strip() for key, value in values.items() if value and value.strip()}


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_lazy("To"), required=False, widget=DateInput())


def _period(request) -> tuple[PeriodForm, dt.date, dt.date]:
    today = dashboards.company_today()
    default = (today - dt.timedelta(days=ECONOMICS_DAYS - 1), today)
    form = PeriodForm({"date_from": request.GET.get("date_from") or default[0].isoformat(),
                       "date_to": request.GET.get("date_to") or default[1].isoformat()})
    values = form.cleaned_data if form.is_valid() else {}
    start, end = values.get("date_from") or default[0], values.get("date_to") or default[1]
    return (form, *(default if start > end else (start, end)))


# -- showing a result ----------------------------------------------------------------------------------------------

def value_text(value, kind: str, currency: str | None, language: str) -> str:
    """An assumption or figure (strings from ``to_dict()``) for reading: money with its currency, % for
    percentages, "—" for none."""
    if value is None or value == "":
        return "—"
    if kind == scenarios.MONEY and currency:
        return money_text(Decimal(str(value)), currency, language)
    if kind == scenarios.PERCENT:
        return f"{value}%"
    return str(value)


def result_view(result: dict) -> dict:
    """A scenario result (``ScenarioResult.to_dict()``, live or saved) as the template shows it."""
    language = get_language()
    currency = result.get("currency")
    return {
        "kind": result.get("kind"), "currency": currency, "notes": result.get("notes") or [],
        "assumptions": [{"key": a["key"], "label": a["label"], "source": a["source"],
                         "source_label": a.get("source_label") or a["source"],
                         "text": value_text(a["value"], a["kind"], a.get("currency"), language)}
                        for a in result.get("assumptions") or []],
        "figures": [{"key": key, "label": f["label"], "kind": f["kind"], "value": f["value"],
                     "text": value_text(f["value"], f["kind"], currency, language)}
                    for key, f in (result.get("figures") or {}).items()],
    }


def top_sku(today: dt.date) -> str:
    """The SKU with the most net sales over the last 90 days: the scenarios' starting example."""
    try:
        rows = run("net_sales", by="sku", date_from=today - dt.timedelta(days=ECONOMICS_DAYS - 1), date_to=today,
                   sort="-net_sales", limit=1).rows
    except (MetricError, FxRateMissing):
        return ""
    return str(rows[0]["sku"]) if rows and rows[0]["sku"] and (rows[0]["net_sales"] or 0) > 0 else ""


def ledger_hints(kind: str, values: dict, user, today: dt.date) -> dict[str, str]:
    """What the ledger and the reference tables would answer for ``kind`` given ``values``, for the placeholders
    of a scenario that cannot run yet (a required assumption nobody answers): the user sees what is known."""
    from chuhai.analytics.profit import base_currency
    from chuhai.strategy.evidence import may_see_finance

    spec = scenarios.KINDS[kind]
    fields = {f.key: f for f in spec.fields}
    try:
        given = {k: scenarios.parse_value(fields[k], v) for k, v in values.items() if k in fields}
        ctx = scenarios.Context(today=today, finance=may_see_finance(user), base=base_currency())
        found = spec.prefill(given, ctx)
    except (scenarios.ScenarioError, MetricError, FxRateMissing):
        return {}
    language = get_language()
    hints = {}
    for key, (value, _source) in found.items():
        if value is not None and key in fields and key not in values:
            kind_of = fields[key].kind
            if isinstance(value, Decimal) and kind_of not in (scenarios.MONEY, scenarios.RATE):
                value = value.quantize(Decimal("0.01")).normalize()
            hints[key] = value_text(str(value), kind_of, ctx.base, language)
    for f in spec.fields:
        if f.key not in hints and f.key not in values and f.default is not None:
            hints[f.key] = value_text(str(f.default), f.kind, ctx.base, language)
    return hints


# -- unit economics --------------------------------------------------------------------------------------------------

def economics_spec(by: str) -> TableSpec:
    """The unit-economics table (money in the base currency, costs negative as in the ledger)."""
    money = lambda key, header: Column(key, header, lambda r: getattr(r, key), MONEY,  # noqa: E731
                                       currency=lambda r: r.currency)
    percent = lambda r: None if r.margin_percent is None else r.margin_percent.quantize(Decimal("0.01"))  # noqa: E731
    return TableSpec(f"unit-economics-{by}", (
        Column("key", _lazy("Channel") if by == "channel" else _lazy("SKU"), lambda r: r.key or "—", TEXT,
               code=by == "sku"),
        Column("orders", _lazy("Orders"), lambda r: r.orders, NUMBER),
        Column("units", _lazy("Units"), lambda r: r.units, NUMBER),
        money("revenue", _lazy("Net revenue")),
        money("platform_fees", _lazy("Platform fees")),
        money("advertising", _lazy("Advertising")),
        money("logistics", _lazy("Logistics")),
        money("cogs", _lazy("Cost of goods")),
        money("refunds", _lazy("Refunds")),
        money("other", _lazy("Other")),
        money("contribution", _lazy("Contribution")),
        money("contribution_per_order", _lazy("Contribution per order")),
        money("contribution_per_unit", _lazy("Contribution per unit")),
        Column("margin_percent", _lazy("Margin %"), percent, NUMBER),
        Column("currency", _lazy("Currency"), lambda r: r.currency, TEXT),
    ))


# -- the page --------------------------------------------------------------------------------------------------------

def _scenario_url(kind: str, values: dict) -> str:
    query = {"kind": kind, **{f"{kind}-{k}": v for k, v in values.items()}}
    return f"{reverse('strategy-scenarios')}?{urlencode(query)}#scenario-{kind}"


def scenario_card(request, kind: str, label, chosen: str | None, example: dict, today: dt.date) -> dict:
    """One scenario's form and result: the submitted one (``chosen``) runs on what the user typed and shows why
    it cannot run; the others run quietly on the ``example`` SKU so their fields show what the ledger knows."""
    submitted = kind == chosen
    values = entered(scenario_form(kind, data=request.GET)) if submitted else dict(example)
    card = {"kind": kind, "label": label, "hint": HINTS.get(kind, ""), "result": None, "error": None,
            "entered": values, "open": submitted or not chosen}
    try:
        if submitted or values:
            result = scenarios.run_scenario(kind, values, today=today, user=request.user)
            card["result"] = result_view(result.to_dict())
    except scenarios.ScenarioError as exc:
        if submitted:
            card["error"] = str(exc)
    except (MetricError, FxRateMissing) as exc:
        card["error"] = str(exc)
    if card["result"]:
        placeholders = {a["key"]: a["text"] for a in card["result"]["assumptions"] if a["source"] != scenarios.USER}
    else:
        placeholders = ledger_hints(kind, values, request.user, today)
    card["form"] = (scenario_form(kind, data=request.GET, placeholders=placeholders) if submitted
                    else scenario_form(kind, initial=values, placeholders=placeholders))
    return card


@permission_required(VIEW_SCENARIO, raise_exception=True)
def scenarios_page(request):
    today = dashboards.company_today()
    finance = request.user.has_perm(FINANCE)
    period_form, start, end = _period(request)

    exports = {}
    if finance:
        exports = {f"ue-{by}": by for by in economics.BY}
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        by = exports.get(request.GET.get("table", ""))
        if by is None:
            raise Http404("no such table")
        rows = economics.unit_economics(by, date_from=start, date_to=end, user=request.user)
        return export_response(economics_spec(by), rows, fmt)

    chosen = request.GET.get("kind")
    example = {"sku": sku} if (sku := top_sku(today)) else {}
    cards = [scenario_card(request, kind, label, chosen, example, today) for kind, label in ScenarioKind.choices]

    saved = [{"scenario": s, "kind_label": ScenarioKind(s.kind).label if s.kind in ScenarioKind.values else s.kind,
              "result": result_view(s.result), "rerun": _scenario_url(s.kind, s.assumptions)}
             for s in Scenario.objects.select_related("created_by")[:SAVED_SHOWN]]

    try:
        found = conflicts.hybrid_conflicts(today=today)
        conflict_error = None
    except (MetricError, FxRateMissing) as exc:
        found, conflict_error = [], str(exc)

    tables = []
    if finance:
        for by, title in (("channel", _("Unit economics by channel")), ("sku", _("Unit economics by SKU"))):
            rows = economics.unit_economics(by, date_from=start, date_to=end, user=request.user)
            tables.append(table_region(request, f"ue-{by}", title, economics_spec(by), rows))

    context = {
        "title": _("Scenarios"), "tabs": tabs(request.user, "scenarios"), "cards": cards, "saved": saved,
        "can_save": request.user.has_perm(ADD_SCENARIO), "conflicts": found, "conflict_error": conflict_error,
        "finance": finance, "tables": tables, "period_form": period_form, "period_start": start,
        "period_end": end, "empty_text": _("No sales in this period."),
        "lookback_months": scenarios.LOOKBACK_MONTHS,
    }
    return render(request, "web/pages/advisor_scenarios.html", context)


@permission_required(VIEW_SCENARIO, raise_exception=True)
def scenario_save(request):
    """Run the scenario on the entered assumptions and keep it; back to the page with it shown."""
    if request.method != "POST":
        return redirect("strategy-scenarios")
    require(request.user, ADD_SCENARIO)
    kind = request.POST.get("kind", "")
    if kind not in scenarios.KINDS:
        return HttpResponseBadRequest("unknown scenario")
    values = entered(scenario_form(kind, data=request.POST))
    try:
        saved = scenarios.save_scenario(kind, request.POST.get("name", ""), values, request.user)
    except scenarios.ScenarioError as exc:
        messages.error(request, _("The scenario was not saved: %(error)s") % {"error": exc})
        return redirect(_scenario_url(kind, values))
    messages.success(request, _("Scenario “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{reverse('strategy-scenarios')}#saved-{saved.pk}")
