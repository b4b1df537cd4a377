"""The chart of a currency pair's ECB rate on the exchange-rate page (the series: finance.fx.ecb_pair_series)."""

from __future__ import annotations


def chart_option(base: str, quote: str, points: list[tuple[str, str]]) -> dict:
    """The ECharts option for :func:`ecb_pair_series` (drawn by chuhai.js from a JSON script tag)."""
    return {
        "grid": {"left": 56, "right": 16, "top": 24, "bottom": 32},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "time"},
        "yAxis": {"type": "value", "scale": True},
        "series": [{
            "name": f"{base}/{quote}",
            "type": "line",
            "showSymbol": False,
            "data": [[day, rate] for day, rate in points],
        }],
    }
