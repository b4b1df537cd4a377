"""The analytics dashboards (overview, channels, markets): every figure comes from the metric layer's
:func:`chuhai.analytics.metric_layer.run`; this module only chooses the metrics, the periods and the groupings,
and derives the comparisons and shares from the layer's (already rounded) figures. No SQL here.

- **Compare to previous period**: the period before, of equal length, ending the day before the period starts
  (:func:`previous_period`). Change % = (value − previous) ÷ |previous| × 100, two places; ``None`` when the
  previous value is zero or missing.
- **Series**: net sales and orders per day when the range is at most :data:`DAILY_MAX_DAYS` days long, else per
  month; days/months without orders appear with zeros so the chart's axis is continuous.
- **Market mix** (markets page) and each row's **share** of net sales in the breakdown tables: the layer's
  ``net_sales_share`` metric (the row's net sales ÷ the total net sales of the same period and filters × 100).
  **Channel concentration** (channels page): the layer's ``channel_concentration`` metric over the period (the
  largest channel's net sales ÷ net sales × 100). Both are defined in
  :mod:`chuhai.analytics.metric_layer.mix`; when the total is zero or negative (refunds only) they are ``None``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from chuhai.core.exports import NUMBER, Column, TableSpec

from .metric_layer import METRICS, Result, run

ORDER_KPIS = ("gmv", "net_sales", "orders", "units", "aov", "refunds", "return_rate", "customers",
              "repeat_purchase_rate")
FINANCE_KPIS = ("gross_profit", "contribution_margin", "margin_percent")
FINANCE_PERMISSION = "finance.access_finance"
#: Breakdown tables: these order metrics (finance users also get the profit metrics).
BREAKDOWN_METRICS = ("net_sales", "orders", "units", "gmv", "aov", "refunds")
DAILY_MAX_DAYS = 62
DEFAULT_DAYS = 30
HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def company_today() -> dt.date:
    from chuhai.core.models import CompanySettings

    return dt.datetime.now(ZoneInfo(CompanySettings.load().time_zone)).date()


def default_period(today: dt.date | None = None) -> Period:
    """The last :data:`DEFAULT_DAYS` days up to today (company time zone), today included."""
    today = today or company_today()
    return Period(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)


def previous_period(period: Period) -> Period:
    """The period of equal length that ends the day before ``period`` starts."""
    end = period.start - dt.timedelta(days=1)
    return Period(end - dt.timedelta(days=period.days - 1), end)


def change_percent(value, previous) -> Decimal | None:
    """(value − previous) ÷ |previous| × 100, two places; None when there is nothing to compare with."""
    if value is None or previous is None or previous == 0:
        return None
    return ((Decimal(value) - Decimal(previous)) * HUNDRED / abs(Decimal(previous))).quantize(PLACES)


def kpi_ids(finance: bool) -> tuple[str, ...]:
    return ORDER_KPIS + (FINANCE_KPIS if finance else ())


def breakdown_ids(finance: bool) -> tuple[str, ...]:
    return BREAKDOWN_METRICS + (FINANCE_KPIS if finance else ())


@dataclass
class Kpi:
    id: str
    name: Any
    unit: str
    definition: Any
    value: Any
    previous: Any
    change: Decimal | None


@dataclass
class Overview:
    currency: str
    period: Period
    previous: Period
    kpis: list[Kpi]
    grain: str
    series: list[dict]

    def kpi(self, metric_id: str) -> Kpi:
        return next(k for k in self.kpis if k.id == metric_id)


@dataclass
class Breakdown:
    """One grouping of a dashboard: the layer's result plus each row's ``share`` of net sales."""

    dimension: str
    result: Result
    total_net_sales: Decimal
    rows: list[dict] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.result.currency

    def largest(self) -> dict | None:
        return self.rows[0] if self.rows else None

    def spec(self, url=None) -> TableSpec:
        """The layer's table (dimension, metrics, currency) plus the share column; ``url(row)`` links the
        dimension cell (drill-down to the orders)."""
        columns = list(self.result.spec().columns)
        if url is not None:
            first = columns[0]
            columns[0] = Column(first.key, first.header, first.value, first.kind, url=url, code=first.code)
        share = Column("share", _("Share of net sales %"), lambda row: row.get("share"), NUMBER)
        columns.insert(len(self.result.by) + 1, share)
        return TableSpec(f"{self.dimension}-breakdown", tuple(columns))


def overview(period: Period, filters: dict | None = None, currency: str | None = None,
             finance: bool = False) -> Overview:
    """The KPIs of ``period`` and of the previous period of equal length, and the net sales / orders series."""
    ids = kpi_ids(finance)
    before = previous_period(period)
    now_row = run(ids, date_from=period.start, date_to=period.end, filters=filters, currency=currency)
    prev_row = run(ids, date_from=before.start, date_to=before.end, filters=filters, currency=currency)
    current, previous = now_row.rows[0], prev_row.rows[0]
    kpis = [Kpi(m, METRICS[m].name, METRICS[m].unit, METRICS[m].definition, current.get(m), previous.get(m),
                change_percent(current.get(m), previous.get(m))) for m in ids]
    grain = "day" if period.days <= DAILY_MAX_DAYS else "month"
    return Overview(now_row.currency, period, before, kpis, grain, series(period, grain, filters, currency))


def _buckets(period: Period, grain: str) -> list[str]:
    if grain == "day":
        return [(period.start + dt.timedelta(days=i)).isoformat() for i in range(period.days)]
    keys, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def series(period: Period, grain: str, filters: dict | None = None, currency: str | None = None) -> list[dict]:
    """[{"key": "2026-01-05" | "2026-01", "net_sales": Decimal, "orders": int}] for every day / month of the
    period, zeros where nothing was sold."""
    result = run("net_sales,orders", by=grain, date_from=period.start, date_to=period.end, filters=filters,
                 currency=currency)
    found = {}
    for row in result.rows:
        key = row[grain].isoformat() if isinstance(row[grain], dt.date) else str(row[grain])
        found[key] = row
    return [{"key": key, "net_sales": found.get(key, {}).get("net_sales") or Decimal(0),
             "orders": found.get(key, {}).get("orders") or 0} for key in _buckets(period, grain)]


def breakdown(dimension: str, period: Period, filters: dict | None = None, currency: str | None = None,
              finance: bool = False) -> Breakdown:
    """The breakdown metrics by ``dimension``, largest net sales first, each row with its ``share`` of the
    rows' total net sales (see the module doc)."""
    ids = breakdown_ids(finance)
    result = run((*ids, "net_sales_share"), by=dimension, date_from=period.start, date_to=period.end,
                 filters=filters, currency=currency, sort="-net_sales")
    total = sum((row["net_sales"] or Decimal(0) for row in result.rows), Decimal(0))
    rows = []
    for row in result.rows:
        row = dict(row)
        row["share"] = row.pop("net_sales_share")
        rows.append(row)
    # The share is a column of the Breakdown's own (``share``, placed after net sales), not of the layer's table.
    result.rows, result.metrics = rows, tuple(ids)
    return Breakdown(dimension, result, total, rows)


@dataclass
class Channels:
    by_channel: Breakdown
    by_account: Breakdown
    #: Channel concentration over the period: the layer's ``channel_concentration``.
    concentration: Decimal | None = None


@dataclass
class Markets:
    by_marketplace: Breakdown
    by_ship_country: Breakdown


def channels(period: Period, filters: dict | None = None, currency: str | None = None,
             finance: bool = False) -> Channels:
    concentration = run("channel_concentration", date_from=period.start, date_to=period.end, filters=filters,
                        currency=currency).rows[0]["channel_concentration"]
    return Channels(breakdown("channel", period, filters, currency, finance),
                    breakdown("account", period, filters, currency, finance), concentration)


def markets(period: Period, filters: dict | None = None, currency: str | None = None,
            finance: bool = False) -> Markets:
    return Markets(breakdown("marketplace", period, filters, currency, finance),
                   breakdown("ship_country", period, filters, currency, finance))
