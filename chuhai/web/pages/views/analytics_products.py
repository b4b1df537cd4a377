"""Product analytics page (/analytics/products/): per-SKU figures, ABC classes, a Pareto chart and the class
summary. Only presentation: figures and classes are :mod:`chuhai.analytics.products`' (from the metric layer).

Both tables export CSV / Excel from their TableSpec (``?export=csv|xlsx&table=products|classes``). A SKU (table
cell or chart bar) drills down to the order list: the documents counted in sales with a line not cancelled of that
SKU (an unmapped line by its channel SKU, as the metric layer's ``sku``; :mod:`chuhai.analytics.drilldown`), in the
page's date range, account, marketplace, ship-to country and category (held by the same line) — exactly the
documents behind the SKU's figures.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.utils.translation import gettext as _

from chuhai.analytics import products
from chuhai.analytics.metric_layer import METRICS, MetricError
from chuhai.finance.fx import FxRateMissing

from .analytics import (
    VIEW_PERM,
    AnalyticsFilter,
    base_context,
    chart_number,
    chart_title,
    orders_url,
    read_filters,
    respond_page,
    table_region,
)

#: Band colours of the Pareto chart (A, B, C), light enough for the bars to show through.
BAND_COLOURS = {"A": "rgba(5, 150, 105, 0.10)", "B": "rgba(217, 119, 6, 0.10)", "C": "rgba(107, 114, 128, 0.10)"}


class ProductsFilter(AnalyticsFilter):
    """Date range, account, marketplace, ship-to country, category, currency (the page is per SKU: no SKU
    filter)."""

    sku = None


def _read_filters(request):
    form, period, filters, values = read_filters(request, ProductsFilter,
                                                 keys=("account", "marketplace", "ship_country", "category"))
    return form, period, filters, values.get("currency") or None


def pareto_chart(view: products.ProductsReport) -> dict:
    """Bars: net sales per SKU (Pareto order); line: cumulative share (right axis, %); bands: the A/B/C SKUs."""
    skus = [r["sku"] or _("(none)") for r in view.rows]
    bands = []
    for abc in products.CLASSES:
        members = [label for label, r in zip(skus, view.rows, strict=True) if r["abc"] == abc]
        if members:
            bands.append([{"name": abc, "xAxis": members[0], "itemStyle": {"color": BAND_COLOURS[abc]}},
                          {"xAxis": members[-1]}])
    return {
        "title": chart_title(_("Pareto of net sales by SKU")),
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": skus},
        "yAxis": [{"type": "value", "name": view.currency},
                  {"type": "value", "name": "%", "min": 0, "max": 100}],
        "series": [
            {"id": "net_sales", "name": str(METRICS["net_sales"].name), "type": "bar",
             "data": [chart_number(r["net_sales"]) for r in view.rows],
             "markArea": {"silent": True, "label": {"position": "insideTop"}, "data": bands}},
            {"id": "cumulative_share", "name": _("Cumulative share %"), "type": "line", "yAxisIndex": 1,
             "data": [chart_number(r["cumulative_share"]) for r in view.rows]},
        ],
    }


@permission_required(VIEW_PERM, raise_exception=True)
def analytics_products(request):
    form, period, filters, currency = _read_filters(request)
    context = base_context(request, form, period, "products")
    context.update(title=_("Products"), region_template="web/pages/analytics_products_region.html")
    exports = {}
    try:
        view = products.report(period.start, period.end, filters, currency, finance=context["finance"])
    except (FxRateMissing, MetricError) as exc:
        context["error"] = str(exc)
        return respond_page(request, "products", context, exports)

    def url(row):
        """The order list of the SKU's documents (a row without a SKU has none to filter on)."""
        return orders_url(period.start, period.end, filters, sku=row["sku"]) if row["sku"] else None

    spec, class_spec = view.spec(url=url), view.class_spec()
    exports["products"] = (spec, view.rows)
    exports["classes"] = (class_spec, view.classes)
    drill = [url(r) for r in view.rows]
    context.update({
        "view": None, "report": view, "currency": view.currency,
        "chart": pareto_chart(view) if view.rows else None, "drill": drill if any(drill) else None,
        "tables": [table_region(request, "classes", _("ABC classes"), class_spec, view.classes),
                   table_region(request, "products", _("Net sales by SKU"), spec, view.rows)],
    })
    return respond_page(request, "products", context, exports)
