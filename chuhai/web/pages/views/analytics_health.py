"""Account-health dashboard (analytics): each account's service levels for a period against Amazon's targets, a
monthly trend chart per figure, and ACOS / TACOS / ROAS by account. Only presentation: every figure comes from the
metric layer (:mod:`chuhai.analytics.metric_layer.service_levels`, :mod:`...advertising`); targets, definitions
and verdicts are :mod:`chuhai.analytics.fulfilment`'s. The operational page (Amazon's own windows, the rows behind
each figure, recording defects) stays at ``/account-health/``.

Needs ``orders.view_order``; the advertising table also needs ``finance.access_finance`` (as the advertising page).
Every table exports CSV / Excel from its TableSpec (``?export=csv|xlsx&table=ID``).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import permission_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import fulfilment
from chuhai.analytics.metric_layer import METRICS, MetricError, run
from chuhai.analytics.metric_layer.definitions import FINANCE_PERMISSION
from chuhai.analytics.metric_layer.service_levels import DEFECT_KIND_METRICS, KPI_METRICS, kpi_of, status
from chuhai.core.exports import NUMBER, TEXT, Column, TableSpec
from chuhai.core.money import normalize_currency
from chuhai.finance.fx import FxRateMissing
from chuhai.web.pages import analytics_tabs

from ..filters import MarketFilter
from .account_health import BADGE, STATUS_LABELS, percent_text, target_text
from .analytics import chart_number, chart_title, read_filters, respond_page, table_region

VIEW_PERM = "orders.view_order"
#: The service levels the table and the charts show: Amazon's account-health figures, then the defect parts.
SERVICE_METRICS = (*KPI_METRICS, *DEFECT_KIND_METRICS)
AD_METRICS = ("ad_spend", "ad_sales", "ad_total_sales", "acos", "tacos", "roas")
REGION = "web/pages/analytics_health_region.html"
HUNDREDTH = Decimal("0.01")


class HealthFilter(MarketFilter):
    """Date range, channel account, marketplace (service levels have no ship-to country), report currency."""

    currency = forms.CharField(label=_lazy("Currency"), required=False, max_length=3,
                               widget=forms.TextInput(attrs={"size": 4, "placeholder": "USD"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["ship_country"]

    def clean_currency(self):
        value = self.cleaned_data["currency"]
        return normalize_currency(value) if value else ""


def _read_filters(request):
    form, period, filters, values = read_filters(request, HealthFilter, keys=("account", "marketplace"))
    return form, period, filters, values.get("currency") or None


def service_rows(period, filters) -> list[dict]:
    """One row per (account, service level): value, target and verdict; the all-accounts rows first."""
    metrics = ",".join(SERVICE_METRICS)
    totals = run(metrics, date_from=period.start, date_to=period.end, filters=filters).rows
    by_account = run(metrics, by="account", date_from=period.start, date_to=period.end, filters=filters).rows
    rows = []
    for account_row in [{"account": "", **totals[0]}, *by_account]:
        for metric_id in SERVICE_METRICS:
            value = account_row[metric_id]
            kpi = kpi_of(metric_id)
            rows.append({"account": account_row["account"], "metric": metric_id,
                         "name": METRICS[metric_id].name, "definition": METRICS[metric_id].definition,
                         "value": value, "target": target_text(kpi) if kpi else "—",
                         "status": status(metric_id, value)})
    return rows


def service_spec() -> TableSpec:
    return TableSpec("service-levels", (
        Column("account", _lazy("Channel account"), lambda r: r["account"], TEXT, code=True,
               display=lambda r: r["account"] or _("All accounts")),
        Column("metric", _lazy("Service level"), lambda r: str(r["name"]), TEXT),
        Column("value", _lazy("Value (%)"), lambda r: r["value"], NUMBER, display=lambda r: percent_text(r["value"])),
        Column("target", _lazy("Target"), lambda r: r["target"], TEXT),
        Column("status", _lazy("Status"), lambda r: str(STATUS_LABELS[r["status"]]), TEXT),
    ))


def trend_chart(metric_id: str, months: list[str], accounts: list[str], rows: list[dict]) -> dict:
    """The metric by month, one line per account, with the target as a dashed line."""
    values = {(r["month"], r["account"]): r[metric_id] for r in rows}
    kpi = kpi_of(metric_id)
    series = []
    for index, account in enumerate(accounts):
        line = {"id": account, "name": account, "type": "line", "connectNulls": False,
                "data": [chart_number(values.get((m, account))) for m in months]}
        if index == 0 and kpi is not None and kpi.target is not None:
            line["markLine"] = {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed"},
                                "label": {"formatter": target_text(kpi)},
                                "data": [{"yAxis": float(kpi.target)}]}
        series.append(line)
    return {
        "title": chart_title(METRICS[metric_id].name),
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "right": 0, "type": "scroll"},
        "grid": {"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": months},
        "yAxis": {"type": "value", "min": 0, "axisLabel": {"formatter": "{value} %"}},
        "series": series,
    }


@permission_required(VIEW_PERM, raise_exception=True)
def analytics_health(request):
    form, period, filters, currency = _read_filters(request)
    finance = request.user.has_perm(FINANCE_PERMISSION)
    context = {"filter_form": form, "period": period, "page": "health", "error": None, "finance": finance,
               "region_template": REGION, "tabs": analytics_tabs.tabs(request.user, "health"),
               "title": _("Account health")}
    exports = {}
    try:
        rows = service_rows(period, filters)
        trend = run(",".join(SERVICE_METRICS), by="month,account", date_from=period.start, date_to=period.end,
                    filters=filters)
        ads = (run(",".join(AD_METRICS), by="account", date_from=period.start, date_to=period.end,
                   filters=filters, currency=currency) if finance else None)
    except (FxRateMissing, MetricError) as exc:
        context["error"] = str(exc)
        return respond_page(request, "health", context, exports)
    spec = service_spec()
    exports["service"] = (spec, rows)
    service_table = table_region(request, "service", _("Service levels by account"), spec, rows)
    for row, cells in zip(rows, service_table["rows"], strict=True):
        for cell in cells:
            if cell["key"] == "status":
                cell["badge"] = BADGE[row["status"]]
            if cell["key"] == "metric":
                cell["title"] = str(row["definition"])
    trend_spec = trend.spec()
    exports["trend"] = (trend_spec, trend.rows)
    tables = [service_table, table_region(request, "trend", _("Service levels by month"), trend_spec, trend.rows)]
    months = sorted({r["month"] for r in trend.rows})
    accounts = sorted({r["account"] for r in trend.rows})
    charts = []
    if trend.rows:
        for metric_id in KPI_METRICS:
            chart_id = f"chart-{metric_id}"
            charts.append({"id": chart_id, "option_id": f"{chart_id}-option",
                           "option": trend_chart(metric_id, months, accounts, trend.rows)})
    if ads is not None:
        for row in ads.rows:  # the layer leaves a multiple unrounded; shown and exported to 2 places
            if row["roas"] is not None:
                row["roas"] = row["roas"].quantize(HUNDREDTH)
        ads_spec = ads.spec()
        exports["ads"] = (ads_spec, ads.rows)
        tables.append(table_region(request, "ads", _("Advertising by account"), ads_spec, ads.rows))
        context["currency"] = ads.currency
    else:
        from chuhai.core.models import CompanySettings

        context["currency"] = currency or CompanySettings.load().base_currency
    context.update({"tables": tables, "charts": charts,
                    "definitions": [{"name": METRICS[m].name, "definition": METRICS[m].definition,
                                     "target": target_text(kpi_of(m)) if kpi_of(m) else "—",
                                     "source": kpi_of(m).source if kpi_of(m) else ""}
                                    for m in SERVICE_METRICS],
                    "fulfilment_kpis": fulfilment.ACCOUNT_HEALTH_KPIS})
    return respond_page(request, "health", context, exports)
