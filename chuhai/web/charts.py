"""ECharts options for the home dashboard, built from :func:`chuhai.analytics.dashboard.home_summary`.

Only presentation: the figures are the metric layer's (already rounded in the base currency), series names are
the layer's metric names; this module picks chart types and translated titles. The page embeds each option as JSON and ``chuhai.js`` draws it.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def _num(value) -> float:
    """Chart coordinates are JSON numbers; the exact Decimal stays in the tables and KPI cards."""
    return float(value)


def sales_by_channel(summary: dict) -> dict:
    """Horizontal bars: net sales of each channel account in the period, largest on top."""
    accounts = list(reversed(summary["by_account"]))  # ECharts draws the first category at the bottom
    return {
        "title": {"text": _("Net sales by channel account"), "left": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 110, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [a["code"] for a in accounts]},
        "series": [{
            "id": "sales-by-account",
            "name": str(summary["metrics"]["sales"].name),
            "type": "bar",
            "data": [_num(a["sales"]) for a in accounts],
            "label": {"show": True, "position": "right"},
        }],
    }


def daily_sales(summary: dict) -> dict:
    """Stacked bars of daily net sales per platform, with the day's net sales (all platforms) as a line."""
    dates = [d["date"] for d in summary["daily"]]
    series = [
        {
            "id": f"platform-{p['platform']}",
            "name": str(p["label"]),
            "type": "bar",
            "stack": "sales",
            "data": [_num(v) for v in p["values"]],
        }
        for p in summary["daily_by_platform"]
    ]
    series.append({
        "id": "daily-total",
        "name": _("Total"),
        "type": "line",
        "smooth": True,
        "symbol": "none",
        "data": [_num(d["sales"]) for d in summary["daily"]],
    })
    return {
        "title": {"text": _("Daily net sales by platform"), "left": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0, "right": 0, "width": "60%"},
        "grid": {"left": 8, "right": 16, "top": 56, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [date_format(d, "m-d") for d in dates]},
        "yAxis": {"type": "value"},
        "series": series,
    }


def home_charts(summary: dict) -> dict[str, dict]:
    return {"sales_by_channel": sales_by_channel(summary), "daily_sales": daily_sales(summary)}
