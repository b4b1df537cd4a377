"""Customer analytics page (/analytics/customers/): the RFM grid (heatmap; a click lists the customers of a cell),
the segment table, the monthly cohort retention heatmap and table, and customer lifetime value.

Only presentation: every figure is :mod:`chuhai.analytics.customers`'. Each table is a
:class:`~chuhai.core.exports.TableSpec`, drawn on the page and exported with ``?export=csv|xlsx&table=ID``
(the page's filters apply).
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chuhai.analytics import customers as cust
from chuhai.analytics.customer_tables import (  # the table specs, shared with `chuhai report rfm|cohorts|clv`
    cell_spec,
    clv_spec,
    clv_summary_rows,
    clv_summary_spec,
    cohort_spec,
    segment_spec,
)
from chuhai.core.exports import EXPORTERS, TableSpec, display_text
from chuhai.core.models import CompanySettings
from chuhai.web.pages import analytics_tabs

from ..filters import MarketFilter
from ..tables import css_class, export_response

VIEW_PERM = "orders.view_order"
#: Rows of a cell's customer list shown on the page (the export has them all).
CELL_ROWS = 200
TABLES = ("cell", "segments", "cohorts", "clv", "clv_summary")


class CustomerFilter(MarketFilter):
    """The customer pages' filters: date range, account, marketplace, ship-to country."""


def _selection(values: dict) -> dict:
    filters = {}
    if values.get("account"):
        filters["account"] = values["account"].code
    for key in ("marketplace", "ship_country"):
        if values.get(key):
            filters[key] = values[key]
    return {"date_from": values.get("date_from"), "date_to": values.get("date_to"), "filters": filters}


def _score(request, name: str) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if 1 <= value <= 5 else None


def _html_table(spec: TableSpec, rows, table_id: str) -> dict:
    language = get_language()
    return {
        "id": table_id,
        "headers": [(str(c.header), "num" if c.numeric else "") for c in spec.columns],
        "rows": [[(display_text(c, row, language), css_class(c)) for c in spec.columns] for row in rows],
    }


# -- charts ---------------------------------------------------------------------------------------------------------

def rfm_chart(result: cust.Rfm) -> dict:
    """5 × 5 heatmap: frequency score across, recency score up; the value is the number of customers."""
    data = [[c.f - 1, c.r - 1, c.customers, float(c.monetary), str(cust.SEGMENTS[c.segment])] for c in result.grid]
    top = max((c.customers for c in result.grid), default=0)
    return {
        "title": {"text": _("RFM grid: customers by recency and frequency score"), "left": 0,
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"position": "top"},
        "grid": {"left": 36, "right": 16, "top": 40, "bottom": 80, "containLabel": True},
        "xAxis": {"type": "category", "name": _("F score"), "nameLocation": "middle", "nameGap": 28, "data": ["1", "2", "3", "4", "5"],
                  "splitArea": {"show": True}},
        "yAxis": {"type": "category", "name": _("R score"), "nameLocation": "middle", "nameGap": 28, "data": ["1", "2", "3", "4", "5"],
                  "splitArea": {"show": True}},
        "visualMap": {"dimension": 2, "min": 0, "max": max(top, 1), "calculable": True, "orient": "horizontal", "left": "center",
                      "bottom": 0, "inRange": {"color": ["#eff6ff", "#2563eb"]}},
        "series": [{"id": "rfm", "name": _("Customers"), "type": "heatmap", "data": data,
                    "label": {"show": True}, "emphasis": {"itemStyle": {"borderColor": "#111", "borderWidth": 1}}}],
    }


def cohort_chart(result: cust.Cohorts) -> dict:
    months = [r.month for r in result.rows]
    data = []
    for y, row in enumerate(result.rows):
        for cell in row.cells:
            data.append([cell.offset, y, float(cell.retention), cell.active])
    return {
        "title": {"text": _("Monthly cohort retention (percentage of the cohort active)"), "left": 0,
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"position": "top"},
        "grid": {"left": 36, "right": 16, "top": 40, "bottom": 80, "containLabel": True},
        "xAxis": {"type": "category", "name": _("Months since first order"), "nameLocation": "middle", "nameGap": 28,
                  "data": [str(k) for k in range(result.max_offset + 1)], "splitArea": {"show": True}},
        "yAxis": {"type": "category", "name": _("Cohort"), "nameLocation": "middle", "nameGap": 60, "data": months, "inverse": True,
                  "splitArea": {"show": True}},
        "visualMap": {"dimension": 2, "min": 0, "max": 100, "calculable": True, "orient": "horizontal", "left": "center",
                      "bottom": 0, "inRange": {"color": ["#fef3c7", "#10b981"]}},
        "series": [{"id": "cohorts", "name": _("Retention %"), "type": "heatmap", "data": data,
                    "label": {"show": len(months) <= 24}}],
    }


# -- the page -------------------------------------------------------------------------------------------------------

def _export(fmt: str, which: str, selection: dict, r: int | None, f: int | None):
    currency = CompanySettings.load().base_currency
    if which == "cell":
        if r is None or f is None:
            return HttpResponseBadRequest("r and f must be scores 1 to 5")
        return export_response(cell_spec(currency), cust.rfm_customers(r=r, f=f, **selection), fmt)
    if which == "segments":
        return export_response(segment_spec(currency), cust.rfm(**selection).segments, fmt)
    if which == "cohorts":
        cohorts = cust.cohorts(**selection)
        return export_response(cohort_spec(cohorts.max_offset), cohorts.rows, fmt)
    value = cust.lifetime_value(**selection)
    if which == "clv":
        return export_response(clv_spec(currency), value.cohorts, fmt)
    return export_response(clv_summary_spec(currency), clv_summary_rows(value), fmt)


@permission_required(VIEW_PERM, raise_exception=True)
def customer_analytics(request):
    filters = CustomerFilter(request.GET)
    values = filters.values()
    if filters.non_field_errors():  # a reversed range: shown as an error, the dates are not applied
        values.pop("date_from", None)
        values.pop("date_to", None)
    selection = _selection(values)
    r, f = _score(request, "r"), _score(request, "f")
    fmt, which = request.GET.get("export"), request.GET.get("table", "")
    if fmt and (fmt not in EXPORTERS or which not in TABLES):
        return HttpResponseBadRequest("export must be csv or xlsx and table one of " + ", ".join(TABLES))

    if fmt:
        return _export(fmt, which, selection, r, f)

    rfm = cust.rfm(**selection)
    currency = rfm.currency
    cohorts = cust.cohorts(**selection)
    value = cust.lifetime_value(**selection, cohort_table=cohorts)
    cell = None
    if r is not None and f is not None:
        rows = cust.rfm_customers(r=r, f=f, **selection)
        cell = {"r": r, "f": f, "segment": cust.SEGMENTS[cust.segment_of(r, f)], "count": len(rows),
                "table": _html_table(cell_spec(currency), rows[:CELL_ROWS], "rfm-cell-table"),
                "truncated": len(rows) > CELL_ROWS, "shown": CELL_ROWS}
    context = {
        "title": _("Customer analytics"),
        "filter_form": filters,
        "currency": currency,
        "rfm": rfm,
        "cell": cell,
        "rfm_chart": rfm_chart(rfm) if rfm.customers else None,
        "cohort_chart": cohort_chart(cohorts) if cohorts.rows else None,
        "segments_table": _html_table(segment_spec(currency), rfm.segments, "rfm-segments-table"),
        "cohort_table": _html_table(cohort_spec(cohorts.max_offset), cohorts.rows, "cohort-table"),
        "clv_table": _html_table(clv_spec(currency), value.cohorts, "clv-table"),
        "clv_summary_table": _html_table(clv_summary_spec(currency), clv_summary_rows(value), "clv-summary-table"),
        "value": value,
        "tabs": analytics_tabs.tabs(request.user, "customers"),
    }
    return render(request, "web/pages/customer_analytics.html", context)
