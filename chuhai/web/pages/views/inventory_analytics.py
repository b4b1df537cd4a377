"""The inventory analytics dashboard (/analytics/inventory/): KPI cards, the SKUs ordered by stock-out risk, the
days-of-cover distribution and the at-risk SKUs. Only presentation: the figures are
:mod:`chuhai.analytics.inventory_dashboard`'s (the metric layer's ``stock`` metrics).

Needs ``inventory.view_stockbalance`` (as the stock pages); the inventory value is shown to users who also have
``finance.access_finance``. The SKU table exports CSV / Excel from its TableSpec (``?export=csv|xlsx&table=skus``);
a SKU (and a bar of the at-risk chart) links to the SKU's stock page (its ledger), filtered to the chosen warehouse.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import permission_required
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import inventory_dashboard
from chuhai.analytics.metric_layer import METRICS, MetricError
from chuhai.catalog.models import Product
from chuhai.core.exports import BOOL, MONEY, NUMBER, Column, TableSpec
from chuhai.core.money import normalize_currency
from chuhai.finance.fx import FxRateMissing
from chuhai.inventory.models import Warehouse
from chuhai.web.pages import analytics_tabs

from ..filters import DateRangeFilter
from .analytics import chart_number, chart_title, kpi_text, read_filters, respond_page, table_region

VIEW_PERM = "inventory.view_stockbalance"
#: How many at-risk SKUs the bar chart shows.
TOP_AT_RISK = 15


class InventoryFilter(DateRangeFilter):
    warehouse = forms.ModelChoiceField(label=_lazy("Warehouse"), required=False, to_field_name="code",
                                       queryset=Warehouse.objects.order_by("code"), empty_label=_lazy("All"))
    sku = forms.CharField(label=_lazy("SKU"), required=False, max_length=100,
                          widget=forms.TextInput(attrs={"size": 10}))
    category = forms.CharField(label=_lazy("Category"), required=False, max_length=100,
                               widget=forms.TextInput(attrs={"size": 10}))
    currency = forms.CharField(label=_lazy("Currency"), required=False, max_length=3,
                               widget=forms.TextInput(attrs={"size": 4, "placeholder": "USD"}))
    sort = forms.ChoiceField(label=_lazy("Sort by"), required=False,
                             choices=[(key, label) for key, (label, _key) in inventory_dashboard.SORTS.items()])

    def clean_currency(self):
        value = self.cleaned_data["currency"]
        return normalize_currency(value) if value else ""


def _read_filters(request):
    form, period, filters, values = read_filters(request, InventoryFilter, keys=("warehouse", "sku", "category"))
    return form, period, filters, values.get("currency") or None, values.get("sort") or "risk"


def sku_spec(view: inventory_dashboard.InventoryView, stock_url) -> TableSpec:
    """The per-SKU table (page, CSV and Excel); ``stock_url(row)`` links a SKU to its stock page."""
    def metric(mid, kind=NUMBER):
        if kind == MONEY:
            return Column(mid, METRICS[mid].name, lambda r: r.get(mid), MONEY, currency=lambda _r: view.currency)
        return Column(mid, METRICS[mid].name, lambda r: r.get(mid), kind)

    columns = [
        Column("sku", _lazy("SKU"), lambda r: r["sku"], code=True, url=stock_url),
        Column("at_risk", _lazy("At risk"), lambda r: r["at_risk"], BOOL,
               display=lambda r: _("At risk") if r["at_risk"] else ""),
        metric("on_hand"), metric("stock_units_sold"), metric("days_of_cover"), metric("stock_out_days"),
        metric("sell_through"),
    ]
    if view.finance:
        columns.append(metric("inventory_value", MONEY))
        columns.append(Column("currency", _lazy("Currency"), lambda _r: view.currency))
    return TableSpec("inventory-skus", tuple(columns))


def cover_chart(view) -> dict:
    return {
        "title": chart_title(_("SKUs by days of cover")),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "name": _("days"), "data": [label for label, _n in view.cover_buckets]},
        "yAxis": {"type": "value", "name": _("SKUs"), "minInterval": 1},
        "series": [{"id": "cover", "name": _("SKUs"), "type": "bar",
                    "data": [count for _label, count in view.cover_buckets]}],
    }


def risk_chart(rows) -> dict:
    rows = list(reversed(rows))  # ECharts draws the first category at the bottom
    return {
        "title": chart_title(_("At-risk SKUs: days of cover")),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("days")},
        "yAxis": {"type": "category", "data": [r["sku"] for r in rows]},
        "series": [{"id": "days_of_cover", "name": str(METRICS["days_of_cover"].name), "type": "bar",
                    "data": [chart_number(r["days_of_cover"]) for r in rows]}],
    }


@permission_required(VIEW_PERM, raise_exception=True)
def inventory_analytics(request):
    form, period, filters, currency, sort = _read_filters(request)
    finance = request.user.has_perm(inventory_dashboard.FINANCE_PERMISSION)
    context = {"filter_form": form, "period": period, "page": "inventory", "error": None, "finance": finance,
               "region_template": "web/pages/analytics_inventory_region.html",
               "tabs": analytics_tabs.tabs(request.user, "inventory"), "title": _("Inventory")}
    exports = {}
    try:
        view = inventory_dashboard.inventory(period, filters, currency, finance=finance, sort=sort)
    except (FxRateMissing, MetricError) as exc:
        context["error"] = str(exc)
        return respond_page(request, "inventory", context, exports)
    known = set(Product.objects.filter(sku__in=[r["sku"] for r in view.rows]).values_list("sku", flat=True))
    suffix = f"?{urlencode({'warehouse': filters['warehouse']})}" if filters.get("warehouse") else ""

    def stock_url(row):
        return reverse("stock-detail", args=[row["sku"]]) + suffix if row["sku"] in known else None

    language = get_language()
    kpis = [{"id": k.id, "name": k.name, "definition": k.definition,
             "text": kpi_text(k.value, k.unit, view.currency, language)} for k in view.kpis]
    spec = sku_spec(view, stock_url)
    exports["skus"] = (spec, view.rows)
    charts = []
    if any(count for _label, count in view.cover_buckets):
        charts.append({"id": "chart-cover", "option_id": "chart-cover-option", "option": cover_chart(view),
                       "drill": None, "drill_id": "chart-cover-drill"})
    top = view.at_risk[:TOP_AT_RISK]
    if top:
        charts.append({"id": "chart-risk", "option_id": "chart-risk-option", "option": risk_chart(top),
                       "drill": [stock_url(r) for r in reversed(top)], "drill_id": "chart-risk-drill"})
    context.update({"view": None, "currency": view.currency, "kpis": kpis, "charts": charts,
                    "tables": [table_region(request, "skus", _("Stock by SKU, most at risk first"), spec, view.rows)]})
    return respond_page(request, "inventory", context, exports)
