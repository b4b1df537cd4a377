"""Profit pages (finance): the P&L by month, and profit by SKU, order, listing, account, marketplace, country or
month — sortable, filtered, paginated, exported to CSV / Excel, each with an ECharts chart.

Only presentation: the figures, the tables' columns and the status of each figure are
:mod:`chuhai.analytics.profit`'s (the same as ``chuhai report profit|pnl`` and ``/api/v1/reports/...``).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import profit
from chuhai.core.countries import normalize_country
from chuhai.core.exports import EXPORTERS, display_text, money_text
from chuhai.core.money import normalize_currency
from chuhai.finance.fx import FxRateMissing

from ..filters import DateRangeFilter, _account_field
from ..tables import PAGE_SIZE, css_class, export_response, wants_fragment

VIEW_PERM = "finance.access_finance"
BY_ORDER = ("sku", "order", "listing", "account", "marketplace", "country", "month")
CHART_SIZE = 10
TITLES = {
    "sku": _lazy("Profit by SKU"), "order": _lazy("Profit by order"), "listing": _lazy("Profit by listing"),
    "account": _lazy("Profit by channel account"), "marketplace": _lazy("Profit by marketplace"),
    "country": _lazy("Profit by ship-to country"), "month": _lazy("Profit by month"),
}


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1), today


class PeriodFilter(DateRangeFilter):
    account = _account_field()
    marketplace = forms.CharField(label=_lazy("Marketplace"), required=False, max_length=2,
                                  widget=forms.TextInput(attrs={"size": 3, "placeholder": "US"}))
    currency = forms.CharField(label=_lazy("Currency"), required=False, max_length=3,
                               widget=forms.TextInput(attrs={"size": 4, "placeholder": "USD"}))

    def clean_marketplace(self):
        value = self.cleaned_data["marketplace"]
        return normalize_country(value) if value else ""

    def clean_currency(self):
        value = self.cleaned_data["currency"]
        return normalize_currency(value) if value else ""


class ProfitFilter(PeriodFilter):
    by = forms.ChoiceField(label=_lazy("Group by"), required=False,
                           choices=[(key, profit.GROUPING_LABELS[key]) for key in BY_ORDER])
    field_order = ["by", "date_from", "date_to", "account", "marketplace", "currency"]


def _with_default_period(request) -> dict:
    data = request.GET.copy()
    start, end = default_period()
    if "date_from" not in data:
        data["date_from"] = start.isoformat()
    if "date_to" not in data:
        data["date_to"] = end.isoformat()
    return data


def _report_args(values: dict) -> tuple[tuple, dict]:
    filters = {}
    if values.get("account"):
        filters["account"] = values["account"]
    if values.get("marketplace"):
        filters["marketplace"] = values["marketplace"]
    return (values.get("date_from"), values.get("date_to")), filters


def _num(value) -> float:
    """Chart coordinates are JSON numbers; the exact Decimal stays in the tables and exports."""
    return float(value)


# -- profit by a dimension ------------------------------------------------------------------------------------------

def _row_url(by: str):
    if by == "order":
        return lambda r: reverse("order-detail", args=[r.order_id]) if r.order_id else None
    return None


def top_and_bottom_chart(rows: list[profit.ProfitRow], by: str) -> dict:
    """Horizontal bars: the ten groups with the largest contribution and the ten with the smallest."""
    ranked = sorted(rows, key=lambda r: r.profit, reverse=True)
    chosen = ranked if len(ranked) <= 2 * CHART_SIZE else ranked[:CHART_SIZE] + ranked[-CHART_SIZE:]
    chosen = list(reversed(chosen))  # ECharts draws the first category at the bottom
    return {
        "title": {"text": _("Top and bottom %(n)s by contribution") % {"n": CHART_SIZE}, "left": 0,
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [r.label for r in chosen]},
        "series": [{
            "id": "contribution", "name": _("Contribution"), "type": "bar",
            "data": [{"value": _num(r.profit), "itemStyle": {"color": "#10b981" if r.profit >= 0 else "#ef4444"}}
                     for r in chosen],
        }],
    }


def _sort_headers(request, spec, sort: str) -> list[dict]:
    current = sort.lstrip("-")
    descending = sort.startswith("-")
    headers = []
    for column in spec.columns:
        sortable = column.key in profit.SORT_FIELDS
        if column.key == current:
            target = column.key if descending else f"-{column.key}"
        else:
            target = column.key if column.kind == "text" else f"-{column.key}"  # numbers: largest first
        query = request.GET.copy()
        query["sort"] = target
        query.pop("page", None)
        query.pop("export", None)
        headers.append({
            "key": column.key, "header": str(column.header), "css": "num" if column.numeric else "",
            "url": f"{request.path}?{query.urlencode()}" if sortable else None,
            "direction": ("desc" if descending else "asc") if column.key == current else "",
        })
    return headers


@permission_required(VIEW_PERM, raise_exception=True)
def profit_page(request):
    filters = ProfitFilter(_with_default_period(request))
    values = filters.values()
    by = values.get("by") or "sku"
    default_sort = "label" if by == "month" else "-revenue"
    sort = request.GET.get("sort") or default_sort
    if sort.lstrip("-") not in profit.SORT_FIELDS:
        sort = default_sort
    period, extra = _report_args(values)
    error = None
    try:
        rows = profit.profit_rows(*period, by=by, currency=values.get("currency") or None, sort=sort, **extra)
    except FxRateMissing as exc:
        rows, error = [], str(exc)
    spec = profit.profit_spec(by, url=_row_url(by))
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(spec, rows, fmt)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    language = get_language()
    classes = [css_class(c) for c in spec.columns]
    table_rows = [{
        "status": row.status,
        "cells": [{"key": c.key, "text": display_text(c, row, language), "css": css,
                   "url": c.url(row) if c.url else None} for c, css in zip(spec.columns, classes, strict=True)],
    } for row in page.object_list]
    currency = rows[0].currency if rows else (values.get("currency") or profit.base_currency())
    total = profit.totals(rows, currency)
    context = {
        "title": TITLES[by],
        "filter_form": filters,
        "by": by,
        "sort": sort,
        "headers": _sort_headers(request, spec, sort),
        "rows": table_rows,
        "page_table": {"page": page, "exportable": True},
        "error": error,
        "currency": currency,
        "total": {"revenue": money_text(total.revenue, currency), "profit": money_text(total.profit, currency),
                  "margin": profit.percent_text(total.margin_percent), "status": total.status,
                  "status_label": total.status_label if rows else ""},
        "chart": top_and_bottom_chart(rows, by) if rows else None,
    }
    context["fragment"] = wants_fragment(request)
    template = "web/pages/profit_table.html" if context["fragment"] else "web/pages/profit.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def order_profit_context(user, order) -> dict:
    """Context for ``web/pages/profit_order.html`` on the order page: empty unless the user may see money."""
    if not user.has_perm(VIEW_PERM):
        return {}
    row = profit.order_profit(order)
    if row is None:
        return {}
    names = (*profit.AMOUNTS[2:], "profit")
    lines = [(profit.AMOUNT_HEADERS[name], money_text(getattr(row, name), row.currency)) for name in names
             if getattr(row, name) or name in ("revenue", "profit")]
    lines.append((_("Margin %"), profit.percent_text(row.margin_percent)))
    return {"order_profit": row, "order_profit_lines": lines}


# -- the P&L --------------------------------------------------------------------------------------------------------

def pnl_chart(statement: profit.Pnl) -> dict:
    """Per month: revenue (net revenue + shipping charged) and costs (everything else) as bars stacked around
    zero, and the contribution as a line."""
    revenue_keys = ("revenue", "shipping_income")
    money_lines = [line for line in statement.lines if line.kind == "money"]
    revenue, costs = [], []
    for index in range(len(statement.months)):
        revenue.append(sum(line.cells[index].amount for line in money_lines if line.key in revenue_keys))
        costs.append(sum(line.cells[index].amount for line in money_lines if line.key not in revenue_keys))
    contribution = statement.line("contribution")
    return {
        "title": {"text": _("Revenue, costs and contribution by month"), "left": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [m.strftime("%Y-%m") for m in statement.months]},
        "yAxis": {"type": "value"},
        "series": [
            {"id": "revenue", "name": _("Revenue"), "type": "bar", "stack": "pnl", "data": [_num(v) for v in revenue],
             "itemStyle": {"color": "#2563eb"}},
            {"id": "costs", "name": _("Costs"), "type": "bar", "stack": "pnl", "data": [_num(v) for v in costs],
             "itemStyle": {"color": "#f59e0b"}},
            {"id": "contribution", "name": _("Contribution"), "type": "line",
             "data": [_num(c.amount) for c in contribution.cells], "itemStyle": {"color": "#10b981"}},
        ],
    }


def _pnl_cell(line: profit.PnlLine, cell: profit.PnlCell, currency: str, language: str) -> dict:
    if line.kind == "percent":
        text = profit.percent_text(cell.amount)
    else:
        text = money_text(cell.amount, currency, language)
    return {"text": text, "estimated": cell.estimated, "exact": "" if cell.amount is None else str(cell.amount)}


@permission_required(VIEW_PERM, raise_exception=True)
def pnl_page(request):
    filters = PeriodFilter(_with_default_period(request))
    values = filters.values()
    period, extra = _report_args(values)
    error = None
    try:
        statement = profit.pnl(*period, currency=values.get("currency") or None, **extra)
    except FxRateMissing as exc:
        statement, error = profit.pnl(*period, **extra), str(exc)
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(profit.pnl_spec(statement), statement.lines, fmt)
    language = get_language()
    currency = statement.currency
    lines = [{
        "key": line.key, "label": line.label, "kind": line.kind,
        "cells": [_pnl_cell(line, c, currency, language) for c in line.cells],
        "total": _pnl_cell(line, line.total, currency, language),
    } for line in statement.lines]
    context = {
        "title": _("Profit & loss"),
        "filter_form": filters,
        "statement": statement,
        "months": [m.strftime("%Y-%m") for m in statement.months],
        "lines": lines,
        "error": error,
        "rate_days": [(m.strftime("%Y-%m"), d.isoformat()) for m, d in sorted(statement.rate_days.items())],
        "chart": pnl_chart(statement) if statement.months else None,
        "any_estimated": any(line.total.estimated for line in statement.lines),
    }
    template = "web/pages/pnl_table.html" if wants_fragment(request) else "web/pages/pnl.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
