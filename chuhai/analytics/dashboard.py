"""The home dashboard: net sales, orders, units, AOV and top SKUs of the last N days, in the base currency.

Every figure comes from the metric layer (:func:`chuhai.analytics.metric_layer.run`), which defines each metric
once for every page, report, export and API: ``net_sales``, ``orders``, ``units`` and ``aov`` for the current
and the previous period, by channel account, by channel (platform), by SKU (the top SKUs) and by day and channel
(the daily series). Labels and tooltips are the layer's (:data:`~chuhai.analytics.metric_layer.METRICS`). This
module only picks the periods, adds names (accounts, products, platforms) and reshapes the rows; the layer has
already rounded each figure once, to the base currency's minor unit.

Periods are calendar days in the company's time zone (``CompanySettings.time_zone``): the current period is the
``days`` days ending with ``today`` (inclusive), the previous period the ``days`` days just before it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import DecimalField, ExpressionWrapper, F
from django.utils import timezone

from chuhai.analytics.metric_layer import METRICS as LAYER_METRICS
from chuhai.analytics.metric_layer import Metric, run
from chuhai.catalog.models import Product
from chuhai.channels.models import ChannelAccount, Platform
from chuhai.core.models import CompanySettings
from chuhai.core.money import quantize
from chuhai.orders.models import SALE_STATUSES, Order

#: The page's figure keys (the keys of ``totals``, ``previous``, ``change``…) → the metric layer's ids. The
#: page says "sales" where the layer says ``net_sales``: the value is the layer's net sales.
KPI_METRICS: dict[str, str] = {"sales": "net_sales", "orders": "orders", "units": "units", "aov": "aov"}

#: The layer's definitions of the page's figures, by page key: ``.name`` is the label, ``.definition`` the
#: tooltip, ``.unit`` ``money`` or ``count``.
METRICS: dict[str, Metric] = {key: LAYER_METRICS[metric_id] for key, metric_id in KPI_METRICS.items()}

#: Number of SKUs in the "top SKUs" table.
TOP_SKU_COUNT = 10

# Precision of intermediate sums: money columns hold 6 places; rates 12.
_SUM_FIELD = DecimalField(max_digits=38, decimal_places=12)

#: Goods value of one order line in the base currency, before rounding (an ORM expression; the dashboard itself
#: reads the metric layer's ``net_sales``, which is the same amount summed in DuckDB).
LINE_SALES = ExpressionWrapper(
    (F("gross_amount") - F("discount")) * F("order__fx_rate"), output_field=_SUM_FIELD
)

_TOTALS = "net_sales,orders,units,aov"
_GROUPED = "net_sales,orders,units"


def _change(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """Percent change from ``previous`` to ``current``; None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)


def _figures(row: dict) -> dict:
    """A layer row's ``net_sales``, ``orders``, ``units``, ``aov`` under the page's keys."""
    return {key: row[metric_id] for key, metric_id in KPI_METRICS.items()}


def _empty_figures(zero: Decimal) -> dict:
    return {"sales": zero, "orders": 0, "units": 0, "aov": None}


def home_summary(days: int = 30, today: dt.date | None = None) -> dict:
    """Net sales, orders, units, AOV, net sales by channel account and platform, top SKUs and daily net sales.

    ``today`` is a date in the company time zone (default: now there). Money figures are ``Decimal`` in the base
    currency, each rounded once to its minor unit by the metric layer; percentages are unrounded ``Decimal`` or
    None.

    The layer leaves out orders whose stored ``base_currency`` differs from the company's current base currency
    (the company changed it after they were imported: they cannot be added up with one rate);
    ``other_base_orders`` counts those of the current period so the page can say so rather than hide it.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    company = CompanySettings.load()
    base = company.base_currency
    tz = ZoneInfo(company.time_zone)
    today = today or timezone.now().astimezone(tz).date()
    start = today - dt.timedelta(days=days - 1)
    prev_start = start - dt.timedelta(days=days)
    prev_end = start - dt.timedelta(days=1)
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    zero = quantize(Decimal(0), base)

    summary = {
        "currency": base,
        "time_zone": company.time_zone,
        "days": days,
        "start": start,
        "end": today,
        "previous_start": prev_start,
        "previous_end": prev_end,
        "metrics": METRICS,
    }

    if not Order.objects.exists():
        # Nothing imported yet: every figure is zero, no need to start the analytics engine.
        empty = _empty_figures(zero)
        return {
            **summary,
            "totals": empty,
            "previous": dict(empty),
            "change": dict.fromkeys(KPI_METRICS),
            "by_account": [],
            "by_platform": [],
            "top_skus": [],
            "daily": [{"date": d, "sales": zero} for d in dates],
            "daily_by_platform": [],
            "other_base_orders": 0,
            "has_orders": False,
        }

    # A data-quality note, not a metric: orders of the current period in a sale status stored against another
    # base currency (local midnights as aware datetimes, right across summer-time changes).
    def midnight(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    other_base_orders = (
        Order.objects.filter(purchased_at__gte=midnight(start),
                             purchased_at__lt=midnight(today + dt.timedelta(days=1)), status__in=SALE_STATUSES)
        .exclude(base_currency=base)
        .count()
    )

    current_period = {"date_from": start, "date_to": today}
    totals = _figures(run(_TOTALS, **current_period).rows[0])
    previous = _figures(run(_TOTALS, date_from=prev_start, date_to=prev_end).rows[0])
    account_rows = run(_GROUPED, by="account", sort="-net_sales", **current_period).rows
    channel_rows = run(_GROUPED, by="channel", sort="-net_sales", **current_period).rows
    sku_rows = run("net_sales,units,orders", by="sku", sort="-net_sales", limit=TOP_SKU_COUNT,
                   **current_period).rows
    daily_rows = run("net_sales", by="day", **current_period).rows
    daily_channel_rows = run("net_sales", by="day,channel", **current_period).rows

    platform_labels = dict(Platform.choices)
    accounts = {a.code: a for a in ChannelAccount.objects.filter(code__in=[r["account"] for r in account_rows])}
    by_account = []
    for row in account_rows:
        account = accounts.get(row["account"])
        platform = account.platform if account else ""
        by_account.append({
            "code": row["account"],
            "name": account.name if account else "",
            "platform": platform,
            "platform_label": platform_labels.get(platform, platform),
            "sales": row["net_sales"],
            "orders": row["orders"],
            "units": row["units"],
        })
    platforms = [
        {"platform": row["channel"], "label": platform_labels.get(row["channel"], row["channel"]),
         "sales": row["net_sales"], "orders": row["orders"], "units": row["units"]}
        for row in channel_rows
    ]

    products = {p.sku: p for p in Product.objects.filter(sku__in=[r["sku"] for r in sku_rows])
                .only("sku", "name_en", "name_zh")}
    top_skus = []
    for row in sku_rows:
        product = products.get(row["sku"])
        top_skus.append({
            "sku": row["sku"],
            "name_en": product.name_en if product else "",
            "name_zh": product.name_zh if product else "",
            "sales": row["net_sales"],
            "units": row["units"],
            "orders": row["orders"],
        })

    daily = {row["day"]: row["net_sales"] for row in daily_rows}
    per_channel: dict[str, dict[dt.date, Decimal]] = {}
    for row in daily_channel_rows:
        per_channel.setdefault(row["channel"], {})[row["day"]] = row["net_sales"]

    return {
        **summary,
        "totals": totals,
        "previous": previous,
        "change": {key: _change(totals[key], previous[key]) for key in KPI_METRICS},
        "by_account": by_account,
        "by_platform": platforms,
        "top_skus": top_skus,
        "daily": [{"date": d, "sales": daily.get(d, zero)} for d in dates],
        "daily_by_platform": [
            {"platform": p["platform"], "label": p["label"],
             "values": [per_channel.get(p["platform"], {}).get(d, zero) for d in dates]}
            for p in platforms
        ],
        "other_base_orders": other_base_orders,
        "has_orders": True,
    }
