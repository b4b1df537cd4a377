"""The home dashboard: sales, orders, units and top SKUs of the last N days, in the base currency.

Every figure is defined once, in :data:`METRICS`, so the page, the API and (later) the metric layer agree on what
"sales" means. The aggregation runs in SQL over order lines joined to their order, using the ``purchased_at``
index to read only the two periods compared; Python only reshapes a few hundred grouped rows and rounds each
reported figure once, to the base currency's minor unit.

Periods are calendar days in the company's time zone (``CompanySettings.time_zone``): the current period is the
``days`` days ending with ``today`` (inclusive), the previous period the ``days`` days just before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuhai.channels.models import ChannelAccount, Platform
from chuhai.core.models import CompanySettings
from chuhai.core.money import quantize
from chuhai.orders.models import SALE_STATUSES, Order, OrderLine


@dataclass(frozen=True)
class Metric:
    """A figure the dashboard reports: its translated label and the one sentence that defines it."""

    key: str
    label: str | Promise
    definition: str | Promise
    kind: str  # "money" (base currency), "count", or "ratio"


#: The definitions of the dashboard's figures. Labels are translated (zh-hans in chuhai/locale).
METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "sales",
            _("Sales"),
            _("Goods value of order lines (unit price × quantity − line discount), converted to the base currency "
              "at each order's stored rate; tax and shipping excluded; orders in a sale status only."),
            "money",
        ),
        Metric(
            "orders",
            _("Orders"),
            _("Number of orders in a sale status (not pending payment, not cancelled) purchased in the period."),
            "count",
        ),
        Metric("units", _("Units"), _("Quantity sold over all order lines of those orders."), "count"),
        Metric("aov", _("Average order value"), _("Sales divided by orders."), "money"),
    )
}

#: Number of SKUs in the "top SKUs" table.
TOP_SKU_COUNT = 10

# Precision of intermediate sums: money columns hold 6 places; rates 12. Rounding happens once, in _money().
_SUM_FIELD = DecimalField(max_digits=38, decimal_places=12)

#: Goods value of one order line in the base currency, before rounding.
LINE_SALES = ExpressionWrapper(
    (F("gross_amount") - F("discount")) * F("order__fx_rate"), output_field=_SUM_FIELD
)


def _period_bounds(days: int, today: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(previous start, current start, current end) as aware datetimes at local midnight."""
    end_date = today + dt.timedelta(days=1)
    start_date = end_date - dt.timedelta(days=days)
    prev_date = start_date - dt.timedelta(days=days)

    def midnight(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time.min, tzinfo=tz)

    return midnight(prev_date), midnight(start_date), midnight(end_date)


def _change(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """Percent change from ``previous`` to ``current``; None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)


def home_summary(days: int = 30, today: dt.date | None = None) -> dict:
    """Sales, orders, units, AOV, sales by channel account and platform, top SKUs and daily sales.

    ``today`` is a date in the company time zone (default: now there). Money figures are ``Decimal`` in the base
    currency, each rounded once to its minor unit; percentages are unrounded ``Decimal`` or None.

    Orders whose stored ``base_currency`` differs from the company's current base currency (the company changed
    it after they were imported) cannot be added up with one rate and are left out; ``other_base_orders`` counts
    them so the page can say so rather than hide it.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    company = CompanySettings.load()
    base = company.base_currency
    tz = ZoneInfo(company.time_zone)
    today = today or timezone.now().astimezone(tz).date()
    prev_start, start, end = _period_bounds(days, today, tz)

    in_window = Q(purchased_at__gte=prev_start, purchased_at__lt=end, status__in=SALE_STATUSES)
    period = Case(When(purchased_at__gte=start, then=Value(1)), default=Value(0), output_field=IntegerField())

    # 1. Orders per (period, account, base currency): counts straight from the orders table.
    order_rows = (
        Order.objects.filter(in_window)
        .annotate(period=period)
        .values("period", "account_id", "base_currency")
        .annotate(n=Count("id"))
        .order_by()
    )
    # 2. Sales and units per (period, account), lines of orders in the company's base currency.
    lines = OrderLine.objects.filter(
        order__purchased_at__gte=prev_start,
        order__purchased_at__lt=end,
        order__status__in=SALE_STATUSES,
        order__base_currency=base,
    )
    line_period = Case(
        When(order__purchased_at__gte=start, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    line_rows = (
        lines.annotate(period=line_period)
        .values("period", "order__account_id")
        .annotate(sales=Sum(LINE_SALES), units=Sum("quantity"))
        .order_by()
    )
    current_lines = lines.filter(order__purchased_at__gte=start)
    # 3. Daily sales per platform (local calendar days). The day is found by comparing with the local midnights
    # computed here (right across DST changes) rather than a per-row time zone conversion, which SQLite can
    # only do through a slow Python function.
    dates = [start.date() + dt.timedelta(days=i) for i in range(days)]
    midnights = [dt.datetime.combine(d, dt.time.min, tzinfo=tz) for d in dates[1:]]
    day_index = Case(
        *(When(order__purchased_at__lt=m, then=Value(i)) for i, m in enumerate(midnights)),
        default=Value(days - 1),
        output_field=IntegerField(),
    )
    daily_rows = (
        current_lines.annotate(day=day_index)
        .values("day", "order__account__platform")
        .annotate(sales=Sum(LINE_SALES))
        .order_by()
    )
    # 4. Top SKUs: our SKU, or the channel's SKU while a line is not mapped to a product.
    top_rows = (
        current_lines.annotate(sku=Coalesce(F("product__sku"), F("channel_sku"), output_field=CharField()))
        .values("sku")
        .annotate(
            sales=Sum(LINE_SALES),
            units=Sum("quantity"),
            orders=Count("order_id", distinct=True),
            name_en=Max("product__name_en"),
            name_zh=Max("product__name_zh"),
        )
        .order_by("-sales", "sku")[:TOP_SKU_COUNT]
    )

    zero = Decimal(0)
    totals = {1: {"sales": zero, "orders": 0, "units": 0}, 0: {"sales": zero, "orders": 0, "units": 0}}
    per_account: dict[int, dict] = {}
    other_base_orders = 0
    for row in order_rows:
        if row["base_currency"] != base:
            other_base_orders += row["n"] if row["period"] == 1 else 0
            continue
        totals[row["period"]]["orders"] += row["n"]
        if row["period"] == 1:
            per_account.setdefault(row["account_id"], {"sales": zero, "units": 0, "orders": 0})["orders"] += row["n"]
    for row in line_rows:
        sales, units = row["sales"] or zero, row["units"] or 0
        totals[row["period"]]["sales"] += sales
        totals[row["period"]]["units"] += units
        if row["period"] == 1:
            acc = per_account.setdefault(row["order__account_id"], {"sales": zero, "units": 0, "orders": 0})
            acc["sales"] += sales
            acc["units"] += units

    accounts = {a.pk: a for a in ChannelAccount.objects.filter(pk__in=per_account)}
    platform_labels = dict(Platform.choices)

    def money(amount: Decimal) -> Decimal:
        return quantize(amount, base)

    def figures(t: dict) -> dict:
        return {
            "sales": money(t["sales"]),
            "orders": t["orders"],
            "units": t["units"],
            "aov": money(t["sales"] / t["orders"]) if t["orders"] else None,
        }

    current, previous = totals[1], totals[0]
    current_aov = current["sales"] / current["orders"] if current["orders"] else None
    previous_aov = previous["sales"] / previous["orders"] if previous["orders"] else None

    by_account = []
    by_platform: dict[str, dict] = {}
    for account_id, acc in per_account.items():
        account = accounts[account_id]
        by_account.append({
            "code": account.code,
            "name": account.name,
            "platform": account.platform,
            "platform_label": platform_labels.get(account.platform, account.platform),
            "sales": money(acc["sales"]),
            "orders": acc["orders"],
            "units": acc["units"],
        })
        plat = by_platform.setdefault(
            account.platform,
            {"platform": account.platform, "label": platform_labels.get(account.platform, account.platform),
             "sales": zero, "orders": 0, "units": 0},
        )
        plat["sales"] += acc["sales"]
        plat["orders"] += acc["orders"]
        plat["units"] += acc["units"]
    by_account.sort(key=lambda a: (-a["sales"], a["code"]))
    platforms = sorted(by_platform.values(), key=lambda p: (-p["sales"], p["platform"]))
    for plat in platforms:
        plat["sales"] = money(plat["sales"])

    daily_total = dict.fromkeys(dates, zero)
    daily_platform: dict[str, dict[dt.date, Decimal]] = {}
    for row in daily_rows:
        day, sales = dates[row["day"]], row["sales"] or zero
        daily_total[day] = daily_total.get(day, zero) + sales
        daily_platform.setdefault(row["order__account__platform"], {})[day] = sales

    has_orders = bool(current["orders"] or previous["orders"]) or Order.objects.exists()
    return {
        "currency": base,
        "time_zone": company.time_zone,
        "days": days,
        "start": dates[0],
        "end": dates[-1],
        "previous_start": prev_start.date(),
        "previous_end": start.date() - dt.timedelta(days=1),
        "totals": figures(current),
        "previous": figures(previous),
        "change": {
            "sales": _change(current["sales"], previous["sales"]),
            "orders": _change(current["orders"], previous["orders"]),
            "units": _change(current["units"], previous["units"]),
            "aov": _change(current_aov, previous_aov),
        },
        "by_account": by_account,
        "by_platform": platforms,
        "top_skus": [
            {"sku": r["sku"], "name_en": r["name_en"] or "", "name_zh": r["name_zh"] or "",
             "sales": money(r["sales"] or zero), "units": r["units"], "orders": r["orders"]}
            for r in top_rows
        ],
        "daily": [{"date": d, "sales": money(daily_total[d])} for d in dates],
        "daily_by_platform": [
            {"platform": p["platform"], "label": p["label"],
             "values": [money(daily_platform.get(p["platform"], {}).get(d, zero)) for d in dates]}
            for p in platforms
        ],
        "other_base_orders": other_base_orders,
        "has_orders": has_orders,
        "metrics": METRICS,
    }
