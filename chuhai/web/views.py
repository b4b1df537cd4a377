"""Shell pages: home dashboard, health check, error pages. Views only translate between HTTP and services."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from chuhai.analytics.dashboard import home_summary
from chuhai.core.roles import ANALYTICS_ACCESS

from .charts import home_charts

#: Periods offered on the home page, in days; anything else falls back to the default.
DASHBOARD_PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def _period(request) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_PERIOD))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in DASHBOARD_PERIODS else DEFAULT_PERIOD


@permission_required(ANALYTICS_ACCESS, raise_exception=True)
def home(request):
    summary = home_summary(days=_period(request))
    metrics = summary["metrics"]
    # metrics: the page's keys → the metric layer's definitions (name = label, definition = tooltip, unit)
    kpis = [
        {"key": key, "metric": metrics[key], "value": summary["totals"][key],
         "previous": summary["previous"][key], "change": summary["change"][key]}
        for key in ("sales", "orders", "units", "aov")
    ]
    chinese = (get_language() or "").startswith("zh")
    for row in summary["top_skus"]:
        row["name"] = (row["name_zh"] or row["name_en"]) if chinese else (row["name_en"] or row["name_zh"])
    return render(request, "web/home.html", {
        "summary": summary,
        "kpis": kpis,
        "charts": home_charts(summary),
        "periods": DASHBOARD_PERIODS,
    })
