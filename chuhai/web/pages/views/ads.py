"""Advertising (finance): Sponsored Products by SKU (or day, campaign, account) — spend, attributed sales, total
sales, ACOS, TACOS, ROAS — sortable and exportable, with a daily chart of spend against attributed sales and ACOS.

Needs ``finance.access_finance``. Figures: :func:`chuhai.analytics.ads.ad_report`; ratios from
:mod:`chuhai.analytics.metrics`; the table: :func:`chuhai.finance.reconciliation_tables.ads_spec`.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics.ads import GROUPINGS, ad_report, ad_total
from chuhai.core.exports import EXPORTERS, money_text
from chuhai.core.money import quantize
from chuhai.finance.fx import FxRateMissing
from chuhai.finance.reconciliation_tables import ads_spec

from ..filters import DateInput, FilterForm, _account_field
from ..tables import PAGE_SIZE, build_table, export_response, wants_fragment

VIEW_PERM = "finance.access_finance"
HUNDREDTH = Decimal("0.01")
BY_CHOICES = [("sku", _lazy("SKU")), ("day", _lazy("Day")), ("campaign", _lazy("Campaign")),
              ("account", _lazy("Account"))]


class AdsFilter(FilterForm):
    account = _account_field()
    date_from = forms.DateField(label=_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_lazy("To"), required=False, widget=DateInput())
    by = forms.ChoiceField(label=_lazy("Group by"), required=False, choices=BY_CHOICES)
    currency = forms.CharField(label=_lazy("Currency"), required=False, max_length=3,
                               widget=forms.TextInput(attrs={"size": 4, "placeholder": "USD"}))

    def clean_currency(self):
        return (self.cleaned_data["currency"] or "").strip().upper()


def _num(value) -> float | None:
    """Chart coordinates are JSON numbers; the exact Decimals stay in the table."""
    return None if value is None else float(value)


def chart_option(days: list) -> dict:
    """Spend and attributed sales per day (bars/lines, money axis) and ACOS (%, right axis)."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [d.day.isoformat() for d in days]},
        "yAxis": [{"type": "value", "name": days[0].currency if days else ""},
                  {"type": "value", "name": "ACOS %", "axisLabel": {"formatter": "{value} %"}}],
        "series": [
            {"id": "spend", "name": _("Spend"), "type": "line", "data": [_num(quantize(d.spend, d.currency))
                                                                       for d in days]},
            {"id": "sales", "name": _("Attributed sales"), "type": "line",
             "data": [_num(quantize(d.sales, d.currency)) for d in days]},
            {"id": "acos", "name": _("ACOS %"), "type": "line", "yAxisIndex": 1, "smooth": True,
             "data": [_num(None if d.acos is None else d.acos.quantize(HUNDREDTH)) for d in days]},
        ],
    }


def _sorted(rows, spec, sort: str):
    key = sort.lstrip("-")
    column = next((c for c in spec.columns if c.key == key), None)
    if column is None:
        return rows, ""
    present = [r for r in rows if column.value(r) is not None]
    missing = [r for r in rows if column.value(r) is None]
    present.sort(key=column.value, reverse=sort.startswith("-"))
    return present + missing, sort


@permission_required(VIEW_PERM, raise_exception=True)
def ads_page(request):
    filters = AdsFilter(request.GET)
    values = filters.values()
    by = values.get("by") or "sku"
    if by not in GROUPINGS:
        by = "sku"
    spec = ads_spec(by)
    args = (values.get("date_from"), values.get("date_to"), values.get("account"))
    error = None
    try:
        rows = ad_report(*args, by=by, currency=values.get("currency") or None)
        days = ad_report(*args, by="day", currency=values.get("currency") or None)
        total = ad_total(*args, currency=values.get("currency") or None)
    except FxRateMissing as exc:
        rows, days, total, error = [], [], None, str(exc)
    rows, sort = _sorted(rows, spec, request.GET.get("sort", ""))
    headers = [{"key": c.key, "label": str(c.header), "num": c.numeric,
                "sort": ("-" + c.key) if sort == c.key else c.key,
                "arrow": "▲" if sort == c.key else ("▼" if sort == "-" + c.key else "")} for c in spec.columns]
    summary = None
    if total is not None and days:
        summary = {"spend": money_text(total.spend, total.currency), "sales": money_text(total.sales, total.currency),
                   "total_sales": money_text(total.total_sales, total.currency),
                   "acos": total.acos, "tacos": total.tacos, "roas": total.roas}
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(spec, rows, fmt)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": _("Advertising"), "filter_form": filters, "headers": headers, "summary": summary,
        "table": build_table(spec, page), "chart": chart_option(days) if days else None, "error": error,
        "empty_text": _("No Sponsored Products rows in this period. Import an advertised product report "
                        "(Imports → Amazon Sponsored Products report)."),
    }
    template = "web/pages/_ads_table.html" if wants_fragment(request) else "web/pages/ads.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
