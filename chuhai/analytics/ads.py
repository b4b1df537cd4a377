"""Sponsored Products performance: spend, attributed sales, orders, clicks and impressions per SKU × day (and
per campaign or account), with the SKU's total sales from our own order lines for TACOS.

Read from :class:`~chuhai.analytics.models.AdPerformance` rows of the *advertised product* report (the search
term and targeting reports describe the same spend a second time and are left out; a 14-day attribution report
is used for an account × day only when no 7-day one was imported). A row covering several days (a summary report)
belongs to its first day; its SKU's total sales are summed over all its days.

Total sales of a SKU = the goods value (line amount − discount) of the order lines of that channel SKU on the same
account and day(s), of orders that count as a sale. Amounts are converted to the report currency (default: the
company's base currency) at each day's rate; ACOS, TACOS and ROAS come from :mod:`chuhai.analytics.metrics`, on
the exact sums.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from . import metrics
from .models import AdPerformance

ZERO = Decimal(0)
ADVERTISED = "sp_advertised_product"
ADVERTISED_14D = "sp_advertised_product_14d"
GROUPINGS = ("sku", "day", "campaign", "account")


@dataclass
class AdRow:
    """One group: its key fields (those not grouped on are ``""`` / None) and exact sums."""

    sku: str = ""
    day: dt.date | None = None
    campaign: str = ""
    account: str = ""
    currency: str = ""
    impressions: int = 0
    clicks: int = 0
    orders: int = 0
    units: int = 0
    spend: Decimal = ZERO
    sales: Decimal = ZERO
    total_sales: Decimal = ZERO
    #: (account id, sku, day) whose total sales are in ``total_sales`` (each counted once per group).
    keys: set = field(default_factory=set, repr=False)

    @property
    def acos(self) -> Decimal | None:
        return metrics.acos_percent(self.spend, self.sales)

    @property
    def tacos(self) -> Decimal | None:
        return metrics.tacos_percent(self.spend, self.total_sales)

    @property
    def roas(self) -> Decimal | None:
        return metrics.roas(self.sales, self.spend)


def ad_rows_queryset(date_from: dt.date | None = None, date_to: dt.date | None = None, account=None):
    """The advertised-product rows of the period (see the module docstring for which report types count)."""
    seven_day = AdPerformance.objects.filter(account=OuterRef("account"), start_date=OuterRef("start_date"),
                                             report_type=ADVERTISED)
    qs = AdPerformance.objects.filter(Q(report_type=ADVERTISED)
                                      | (Q(report_type=ADVERTISED_14D) & ~Exists(seven_day)))
    if date_from:
        qs = qs.filter(start_date__gte=date_from)
    if date_to:
        qs = qs.filter(start_date__lte=date_to)
    if account is not None:
        qs = qs.filter(account=account)
    return qs


def _total_sales(account_ids: set[int], skus: set[str], first: dt.date, last: dt.date
                 ) -> dict[tuple[int, str, dt.date], list[tuple[str, Decimal]]]:
    """Goods value per (account, channel SKU, day) and currency, from order lines (one grouped query)."""
    from chuhai.orders.models import SALE_STATUSES, DocumentType, OrderLine

    if not account_ids or not skus:
        return {}
    rows = (OrderLine.objects.filter(order__account_id__in=account_ids, channel_sku__in=skus,
                                     order__status__in=SALE_STATUSES, order__document_type=DocumentType.ORDER,
                                     order__purchased_at__date__gte=first, order__purchased_at__date__lte=last)
            .annotate(day=TruncDate("order__purchased_at"))
            .values("order__account_id", "channel_sku", "day", "order__currency")
            .annotate(goods=Sum(F("gross_amount") - F("discount")))
            .order_by())
    found: dict[tuple[int, str, dt.date], list[tuple[str, Decimal]]] = defaultdict(list)
    for row in rows:
        found[(row["order__account_id"], row["channel_sku"], row["day"])].append(
            (row["order__currency"], Decimal(str(row["goods"] or 0))))
    return found


def ad_report(date_from: dt.date | None = None, date_to: dt.date | None = None, account=None, by: str = "sku",
              currency: str | None = None) -> list[AdRow]:
    """Advertising rows grouped ``by`` sku | day | campaign | account, in ``currency`` (default base)."""
    from chuhai.core.models import CompanySettings
    from chuhai.finance.fx import FxConverter

    if by not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}")
    currency = (currency or CompanySettings.load().base_currency).upper()
    fx = FxConverter()
    rows = list(ad_rows_queryset(date_from, date_to, account).select_related("account")
                .order_by("start_date", "id"))
    if not rows:
        return []
    first = min(r.start_date for r in rows)
    last = max(r.end_date for r in rows)
    totals = _total_sales({r.account_id for r in rows}, {r.advertised_sku for r in rows if r.advertised_sku},
                          first, last)

    groups: dict[tuple, AdRow] = {}
    for r in rows:
        if by == "sku":
            key = (r.account.code, r.advertised_sku)
            fields = {"sku": r.advertised_sku, "account": r.account.code}
        elif by == "day":
            key = (r.start_date,)
            fields = {"day": r.start_date}
        elif by == "campaign":
            key = (r.account.code, r.campaign)
            fields = {"campaign": r.campaign, "account": r.account.code}
        else:
            key = (r.account.code,)
            fields = {"account": r.account.code}
        group = groups.get(key)
        if group is None:
            group = groups[key] = AdRow(currency=currency, **fields)
        group.impressions += r.impressions
        group.clicks += r.clicks
        group.orders += r.orders
        group.units += r.units
        group.spend += fx.convert(r.spend, r.currency, currency, r.start_date)
        group.sales += fx.convert(r.sales, r.currency, currency, r.start_date)
        if not r.advertised_sku:
            continue
        day = r.start_date
        while day <= r.end_date:
            sku_day = (r.account_id, r.advertised_sku, day)
            if sku_day not in group.keys:
                group.keys.add(sku_day)
                for ccy, goods in totals.get(sku_day, ()):
                    group.total_sales += fx.convert(goods, ccy, currency, day)
            day += dt.timedelta(days=1)
    order = {"sku": lambda g: (g.account, g.sku), "day": lambda g: g.day,
             "campaign": lambda g: (g.account, g.campaign), "account": lambda g: g.account}[by]
    return sorted(groups.values(), key=order)


def ad_total(date_from: dt.date | None = None, date_to: dt.date | None = None, account=None,
             currency: str | None = None) -> AdRow:
    """The whole period in one row (accounts never share a SKU-day, so summing the per-account rows counts
    each SKU's total sales once)."""
    rows = ad_report(date_from, date_to, account, "account", currency)
    total = AdRow(currency=rows[0].currency if rows else (currency or ""))
    for row in rows:
        total.impressions += row.impressions
        total.clicks += row.clicks
        total.orders += row.orders
        total.units += row.units
        total.spend += row.spend
        total.sales += row.sales
        total.total_sales += row.total_sales
    return total
