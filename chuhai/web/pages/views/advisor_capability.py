"""Advisor → Capabilities: the seeds' capability self-assessment (004 §1.3) — a form for a new assessment, a radar
chart of the latest one over the one before, and every assessment over time (CSV / Excel). Only presentation:
storing and validating is :mod:`chuhai.strategy.services`'.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics.dashboards import company_today
from chuhai.core.exports import DATE, EXPORTERS, NUMBER, TEXT, Column, TableSpec
from chuhai.strategy import services

from ..filters import DateInput
from ..tables import export_response
from .advisor_common import ADD_CAPABILITY, VIEW_CAPABILITY, require, tabs
from .analytics import chart_title, table_region


def _score_field(label):
    return forms.IntegerField(label=label, min_value=services.SCORE_MIN, max_value=services.SCORE_MAX,
                              widget=forms.NumberInput(attrs={"min": services.SCORE_MIN, "max": services.SCORE_MAX,
                                                              "step": 1, "size": 3}))


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_lazy("Assessed on"), widget=DateInput())
    product_differentiation = _score_field(_lazy("Product differentiation"))
    supply_chain_integration = _score_field(_lazy("Supply-chain integration"))
    digital_operations = _score_field(_lazy("Digital operations"))
    note = forms.CharField(label=_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def assessment_spec() -> TableSpec:
    """The assessments table of the page and its exports."""
    columns = [Column("assessed_on", _lazy("Assessed on"), lambda a: a.assessed_on, DATE)]
    columns += [Column(key, label, (lambda a, key=key: getattr(a, key)), NUMBER)
                for key, label in services.CAPABILITIES]
    columns += [
        Column("note", _lazy("Note"), lambda a: a.note, TEXT),
        Column("created_by", _lazy("Entered by"), lambda a: a.created_by.get_username() if a.created_by else "",
               TEXT),
    ]
    return TableSpec("capability-assessments", tuple(columns))


def radar_chart(latest: list) -> dict:
    """A radar of the newest assessment with the one before it overlaid (``latest`` newest first)."""
    # a long English name wraps after its first word, so the side labels are not cut off at the chart's edge
    indicators = [{"name": str(label).replace(" ", "\n", 1), "min": 0, "max": services.SCORE_MAX}
                  for _key, label in services.CAPABILITIES]
    data = []
    for index, assessment in enumerate(latest):
        name = assessment.assessed_on.isoformat()
        label = _("Latest (%(date)s)") if index == 0 else _("Previous (%(date)s)")
        data.append({"name": label % {"date": name}, "value": services.scores(assessment),
                     "areaStyle": {"opacity": 0.25 if index == 0 else 0.08},
                     "lineStyle": {"type": "solid" if index == 0 else "dashed"}})
    return {
        "title": chart_title(_("Capability map (1–5)")),
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "data": [d["name"] for d in data]},
        "radar": {"indicator": indicators, "radius": "65%", "center": ["50%", "54%"], "splitNumber": 5},
        "series": [{"id": "capability", "name": _("Capabilities"), "type": "radar", "data": data}],
    }


@permission_required(VIEW_CAPABILITY, raise_exception=True)
def capability_page(request):
    can_add = request.user.has_perm(ADD_CAPABILITY)
    if request.method == "POST":
        require(request.user, ADD_CAPABILITY)
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.record_assessment(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Assessment saved."))
                return redirect("strategy-capability")
    else:
        form = AssessmentForm(initial={"assessed_on": company_today()})

    spec = assessment_spec()
    history = list(services.assessment_history())
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(spec, history, fmt)

    latest = history[:2]
    context = {
        "title": _("Capability self-assessment"), "tabs": tabs(request.user, "capability"), "form": form,
        "can_add": can_add, "latest": latest,
        "chart": radar_chart(latest) if latest else None,
        "tables": [table_region(request, "assessments", _("Assessments over time"), spec, history)],
        "empty_text": _("No assessment yet."),
    }
    return render(request, "web/pages/advisor_capability.html", context)
