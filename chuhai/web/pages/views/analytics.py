"""Analytics dashboards: overview (KPIs compared with the previous period, net sales / orders series), channels
and markets (charts and tables with shares of net sales). Only presentation: the figures are
:mod:`chuhai.analytics.dashboards`' (all from the metric layer).

Every table exports CSV / Excel from its TableSpec (``?export=csv|xlsx&table=ID``). Charts and table rows drill
down to the order list filtered to the rows behind them (channel, account, marketplace, ship-to country, date
range, SKU, and only the documents counted in sales: :mod:`chuhai.analytics.drilldown`). The order list has no
category filter: with one set, a drill-down lists the orders of the other filters; and it lists whole orders, not
only the matching lines.
"""

from __future__ import annotations

import datetime as dt

from babel.numbers import format_decimal
from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import dashboards
from chuhai.analytics.metric_layer import METRICS, MetricError, Result
from chuhai.core.exports import EXPORTERS, Column, TableSpec, babel_locale, display_text, money_text
from chuhai.core.money import normalize_currency
from chuhai.finance.fx import FxRateMissing
from chuhai.web.pages import analytics_tabs

from ..filters import MarketFilter
from ..tables import css_class, export_response, wants_fragment

VIEW_PERM = "orders.view_order"


class AnalyticsFilter(MarketFilter):
    sku = forms.CharField(label=_lazy("SKU"), required=False, max_length=100,
                          widget=forms.TextInput(attrs={"size": 10}))
    category = forms.CharField(label=_lazy("Category"), required=False, max_length=100,
                               widget=forms.TextInput(attrs={"size": 10}))
    currency = forms.CharField(label=_lazy("Currency"), required=False, max_length=3,
                               widget=forms.TextInput(attrs={"size": 4, "placeholder": "USD"}))

    def clean_currency(self):
        value = self.cleaned_data["currency"]
        return normalize_currency(value) if value else ""


#: The filters of the analytics pages, as the layer's filter ids (a model choice gives its ``code``).
FILTER_KEYS = ("account", "marketplace", "ship_country", "sku", "category")


def read_filters(request, form_class=None, keys=FILTER_KEYS):
    """(form, period, {filter id: value}, cleaned values) from the query string, for every analytics page:
    the period defaults to the last 30 days (and falls back to it when it ends before it starts)."""
    data = request.GET.copy()
    default = dashboards.default_period()
    data.setdefault("date_from", default.start.isoformat())
    data.setdefault("date_to", default.end.isoformat())
    form = (form_class or AnalyticsFilter)(data)
    values = form.values()
    period = dashboards.Period(values.get("date_from") or default.start, values.get("date_to") or default.end)
    if period.start > period.end:
        period = default
    filters = {}
    for key in keys:
        if values.get(key):
            filters[key] = getattr(values[key], "code", values[key])
    return form, period, filters, values


def _read_filters(request):
    form, period, filters, values = read_filters(request)
    return form, period, filters, values.get("currency") or None


def orders_url(date_from: dt.date, date_to: dt.date, filters: dict, **extra) -> str:
    """The order list filtered to the rows behind a figure (the filters it understands)."""
    query = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    if filters.get("account"):
        query["account"] = filters["account"]
    if filters.get("ship_country"):
        query["ship_country"] = filters["ship_country"]
    for key in ("channel", "marketplace", "sku", "category"):
        if filters.get(key):
            query[key] = filters[key]
    query.update({k: v for k, v in extra.items() if v})
    query["sales"] = "yes"  # the documents the metric layer counts (no cancelled or unpaid orders)
    return f"{reverse('orders')}?{urlencode(query)}"


def chart_number(value) -> float | None:
    """Chart coordinates are JSON numbers; the exact Decimal stays in the tables and exports."""
    return None if value is None else float(value)


def kpi_text(value, unit: str, currency: str, language: str) -> str:
    """A KPI card's figure in the page's language: money with its currency, percentages with %, "—" for none."""
    if value is None:
        return "—"
    if unit == "money":
        return money_text(value, currency, language)
    text = format_decimal(value, locale=babel_locale(language))
    return f"{text}%" if unit == "percent" else text


def chart_title(text) -> dict:
    """The ECharts title block every analytics chart uses."""
    return {"text": str(text), "left": 0, "textStyle": {"fontSize": 14}}


def table_region(request, table_id: str, title, spec, rows) -> dict:
    """One table of an analytics page (headers, display cells, drill-down links, CSV/XLSX export links) as the
    region template renders it; the analytics pages of every tab build their tables with it."""
    language = get_language()
    classes = [css_class(c) for c in spec.columns]
    query = request.GET.copy()
    query.pop("export", None)
    query["table"] = table_id
    links = {}
    for fmt in ("csv", "xlsx"):
        query["export"] = fmt
        links[fmt] = f"{request.path}?{query.urlencode()}"
    return {
        "id": table_id, "title": title, "exports": links,
        "headers": [{"key": c.key, "text": str(c.header), "css": "num" if c.numeric else ""} for c in spec.columns],
        "rows": [[{"key": c.key, "text": display_text(c, row, language), "css": css,
                   "url": c.url(row) if c.url else None} for c, css in zip(spec.columns, classes, strict=True)]
                 for row in rows],
    }


def respond_page(request, template: str, context: dict, exports: dict):
    """The analytics page, its htmx region (filter changes), or one of ``exports`` ({table id: (spec, rows)})
    as CSV/XLSX when ``?export=`` asks for it."""
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        table = exports.get(request.GET.get("table") or next(iter(exports), ""))
        if table is None:
            raise Http404("no such table")
        spec, rows = table
        return export_response(spec, rows, fmt)
    context["fragment"] = wants_fragment(request)
    name = "web/pages/analytics_region.html" if context["fragment"] else "web/pages/analytics.html"
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def base_context(request, form, period, page: str) -> dict:
    return {"filter_form": form, "period": period, "page": page, "error": None,
            "finance": request.user.has_perm(dashboards.FINANCE_PERMISSION),
            "region_template": "web/pages/analytics_overview_region.html" if page == "overview" else
            "web/pages/analytics_breakdown_region.html",
            "tabs": analytics_tabs.tabs(request.user, page)}


# -- overview ------------------------------------------------------------------------------------------------------

def series_chart(view: dashboards.Overview) -> dict:
    return {
        "title": chart_title(_("Net sales and orders by day") if view.grain == "day" else
                        _("Net sales and orders by month")),
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [p["key"] for p in view.series]},
        "yAxis": [{"type": "value", "name": view.currency}, {"type": "value", "name": str(METRICS["orders"].name)}],
        "series": [
            {"id": "net_sales", "name": str(METRICS["net_sales"].name), "type": "bar",
             "data": [chart_number(p["net_sales"]) for p in view.series]},
            {"id": "orders", "name": str(METRICS["orders"].name), "type": "line", "yAxisIndex": 1,
             "data": [p["orders"] for p in view.series]},
        ],
    }


def _bucket_range(key: str, grain: str, period: dashboards.Period) -> tuple[dt.date, dt.date]:
    if grain == "day":
        day = dt.date.fromisoformat(key)
        return day, day
    year, month = (int(p) for p in key.split("-"))
    first = dt.date(year, month, 1)
    last = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    return max(first, period.start), min(last, period.end)


@permission_required(VIEW_PERM, raise_exception=True)
def analytics_overview(request):
    form, period, filters, currency = _read_filters(request)
    context = base_context(request, form, period, "overview")
    context["title"] = _("Analytics overview")
    exports = {}
    try:
        view = dashboards.overview(period, filters, currency, finance=context["finance"])
    except (FxRateMissing, MetricError) as exc:
        context["error"] = str(exc)
        return respond_page(request, "overview", context, exports)
    language = get_language()
    kpis = []
    for k in view.kpis:
        text, before = kpi_text(k.value, k.unit, view.currency, language), kpi_text(k.previous, k.unit,
                                                                                       view.currency, language)
        kpis.append({"id": k.id, "name": k.name, "definition": k.definition, "text": text, "previous": before,
                     "change": k.change})
    rows = [{view.grain: p["key"], "net_sales": p["net_sales"], "orders": p["orders"]} for p in view.series]
    for row in rows:
        start, end = _bucket_range(row[view.grain], view.grain, period)
        row["_url"] = orders_url(start, end, filters)
    layer_spec = Result(view.currency, ("net_sales", "orders"), (view.grain,), rows).spec()
    first = layer_spec.columns[0]
    spec = TableSpec("sales-series", (
        Column(first.key, first.header, first.value, first.kind, url=lambda r: r["_url"]),
        *layer_spec.columns[1:]))
    exports["series"] = (spec, rows)
    context.update({
        "view": view, "currency": view.currency, "kpis": kpis,
        "chart": series_chart(view), "drill": [r["_url"] for r in rows],
        "tables": [table_region(request, "series", _("Net sales and orders"), spec, rows)],
    })
    return respond_page(request, "overview", context, exports)


# -- channels and markets ------------------------------------------------------------------------------------------

def pie_chart(title, part: dashboards.Breakdown, label) -> dict:
    return {
        "title": chart_title(title),
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "type": "scroll"},
        "series": [{"id": part.dimension, "name": str(METRICS["net_sales"].name), "type": "pie",
                    "radius": ["35%", "65%"],
                    "data": [{"name": label(r), "value": chart_number(r["net_sales"])} for r in part.rows]}],
    }


def bar_chart(title, part: dashboards.Breakdown, label) -> dict:
    rows = list(reversed(part.rows))  # ECharts draws the first category at the bottom
    return {
        "title": chart_title(title),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [label(r) for r in rows]},
        "series": [{"id": part.dimension, "name": str(METRICS["net_sales"].name), "type": "bar",
                    "data": [chart_number(r["net_sales"]) for r in rows]}],
    }


def _label(dimension: str):
    return lambda row: row.get(dimension) or _("(none)")


def _breakdown_parts(request, context, exports, parts, period, filters):
    """Charts (first part: pie, second: bar with drill-down) and one exportable table per part."""
    charts, tables = [], []
    for index, (part, title, link) in enumerate(parts):
        url = None
        if link:
            def url(row, key=part.dimension):
                return orders_url(period.start, period.end, filters, **{key: row.get(key)}) if row.get(key) \
                    else None
        spec = part.spec(url=url)
        exports[part.dimension] = (spec, part.rows)
        chart_id = f"chart-{part.dimension}"
        if index == 0:
            option = pie_chart(title, part, _label(part.dimension))
            drill = [url(r) if url else None for r in part.rows]  # the pie's data are in the rows' order
        else:
            option = bar_chart(title, part, _label(part.dimension))
            drill = [url(r) if url else None for r in reversed(part.rows)]
        if part.rows:
            charts.append({"id": chart_id, "option_id": f"{chart_id}-option", "option": option,
                           "drill": drill if any(drill) else None, "drill_id": f"{chart_id}-drill"})
        tables.append(table_region(request, part.dimension, title, spec, part.rows))
    context.update({"charts": charts, "tables": tables})


def _breakdown_page(request, page: str, title, build, headline, parts):
    """A breakdown dashboard (channels, markets): ``build(period, filters, currency, finance)`` gives the
    service's view, ``headline(view)`` the headline card, ``parts(view)`` the (breakdown, title, dimension)
    charts and tables."""
    form, period, filters, currency = _read_filters(request)
    context = base_context(request, form, period, page)
    context["title"] = title
    exports = {}
    try:
        view = build(period, filters, currency, finance=context["finance"])
    except (FxRateMissing, MetricError) as exc:
        context["error"] = str(exc)
        return respond_page(request, page, context, exports)
    chosen = parts(view)
    context["currency"] = chosen[0][0].currency
    context["headline"] = headline(view)
    _breakdown_parts(request, context, exports, chosen, period, filters)
    return respond_page(request, page, context, exports)


def _channels_headline(view) -> dict:
    largest = view.by_channel.largest()
    return {
        "label": _("Channel concentration"),
        "definition": _("Share of net sales of the largest channel (platform)."),
        "text": "—" if view.concentration is None else f"{view.concentration}%",
        "detail": largest["channel"] if largest else "",
    }


def _markets_headline(view) -> dict:
    largest = view.by_ship_country.largest()
    return {
        "label": _("Market mix"),
        "definition": _("Each market's share of net sales; the largest ship-to country is shown."),
        "text": "—" if not largest or largest["share"] is None else f"{largest['share']}%",
        "detail": (largest["ship_country"] or _("(none)")) if largest else "",
    }


@permission_required(VIEW_PERM, raise_exception=True)
def analytics_channels(request):
    return _breakdown_page(request, "channels", _("Sales by channel"), dashboards.channels, _channels_headline,
                           lambda view: [(view.by_channel, _("Net sales by channel"), "channel"),
                                         (view.by_account, _("Net sales by channel account"), "account")])


@permission_required(VIEW_PERM, raise_exception=True)
def analytics_markets(request):
    return _breakdown_page(request, "markets", _("Sales by market"), dashboards.markets, _markets_headline,
                           lambda view: [(view.by_marketplace, _("Net sales by marketplace"), "marketplace"),
                                         (view.by_ship_country, _("Net sales by ship-to country"),
                                          "ship_country")])
