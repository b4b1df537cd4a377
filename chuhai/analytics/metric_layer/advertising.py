"""Metrics over advertising: Sponsored Products spend, attributed sales, the advertised SKUs' total sales, and
ACOS / TACOS / ROAS from :mod:`chuhai.analytics.metrics`, with the same definitions as the advertising report
(:mod:`chuhai.analytics.ads`):

- the rows are the *advertised product* report's (:func:`chuhai.analytics.ads.ad_rows_queryset`: a 14-day
  attribution row counts for an account × day only when no 7-day one was imported); a row covering several days
  belongs to its first day (``start_date``);
- total sales of an advertised SKU = the goods value (line amount − discount) of the order lines of that channel
  SKU on the same account, on each day the SKU's ad rows cover, of orders in a sale status (credit notes left
  out); each (account, SKU, day) counts once. A day covered by several ad rows belongs to the earliest row's day;
- amounts are stored in the report's (marketplace) currency: each is converted to the base currency at the rate
  of its own day (the ad row's first day; an order line's purchase day in the company's time zone) with
  :class:`chuhai.finance.fx.FxConverter`, inside this source (a small (currency, day, rate) table joined in
  DuckDB); the layer then converts base → report currency per day as for every other source.

Dimensions: month, day (of the ad row's first day), account, channel, marketplace (the account's), sku (the
advertised channel SKU). Money and the ratios made from it need ``finance.access_finance`` (as the advertising
page); impressions, clicks, attributed orders and CTR need ``orders.view_order``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from chuhai.analytics import metrics as ratios

from . import engine
from .definitions import (
    COUNT,
    FINANCE_PERMISSION,
    MONEY,
    ORDER_PERMISSION,
    PERCENT,
    RATIO,
    Aggregate,
    Metric,
    _percent,
    register,
    take,
)
from .sources import Source, d6, local_day, register_source

ADS = "ads"
DIMENSIONS = ("month", "day", "account", "channel", "marketplace", "sku")
FILTERS = ("account", "channel", "marketplace", "sku")
RATE_PLACES = Decimal("1e-12")


def _fx_pairs(base: str, tz: str, date_from: dt.date | None, date_to: dt.date | None
              ) -> tuple[list[tuple[str, dt.date, str]], tuple[dt.date, dt.date] | None]:
    """(currency, day, rate to base as text) for every ad row and every order line its total sales read, and the
    first and last day the ad rows cover (None without advertised SKUs)."""
    from django.db.models.functions import TruncDate

    from chuhai.analytics.ads import ad_rows_queryset
    from chuhai.finance.fx import FxConverter, FxRateMissing
    from chuhai.orders.models import SALE_STATUSES, DocumentType, OrderLine

    rows = ad_rows_queryset(date_from, date_to)
    pairs = set(rows.values_list("currency", "start_date").distinct())
    keys = list(rows.exclude(advertised_sku="").values_list("account_id", "advertised_sku", "start_date", "end_date")
                .distinct())
    covered = None
    if keys:
        zone = ZoneInfo(tz)
        first = min(k[2] for k in keys)
        last = max(k[3] for k in keys)
        covered = (first, last)
        lines = (OrderLine.objects.filter(
            order__account_id__in={k[0] for k in keys}, channel_sku__in={k[1] for k in keys},
            order__status__in=SALE_STATUSES, order__document_type=DocumentType.ORDER,
            order__purchased_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=zone),
            order__purchased_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
            .annotate(local=TruncDate("order__purchased_at", tzinfo=zone))
            .values_list("order__currency", "local").distinct())
        pairs.update(lines)
    fx = FxConverter()
    out = []
    for currency, day in sorted(pairs):
        try:
            rate = fx.rate(currency, base, day)
        except FxRateMissing as exc:
            raise FxRateMissing(f"no exchange rate from {currency} to {base} on {day.isoformat()}: {exc}") from exc
        out.append((currency, day, str(rate.quantize(RATE_PLACES))))
    return out, covered


@register_source
class AdRows(Source):
    """One row per ad row (spend, sales, impressions, clicks, orders) plus one row per order line of an advertised
    SKU on a day its ads cover (``total_sales``), all in the base currency."""

    name = ADS
    money_columns = ("spend", "sales", "total_sales")

    def relation(self) -> str:
        t = engine.table
        sqlite = engine.backend() == "sqlite"
        from chuhai.analytics.ads import ADVERTISED, ADVERTISED_14D
        from chuhai.orders.models import SALE_STATUSES

        pairs, covered = _fx_pairs(self.base, self.tz, self.date_from, self.date_to)
        sold_where = ""
        if covered is not None:
            # Only the order lines of the days the ads cover (local midnights in UTC, no per-row conversion).
            zone = ZoneInfo(self.tz)
            for name, day in (("ad_sold_start", covered[0]), ("ad_sold_end", covered[1] + dt.timedelta(days=1))):
                bound = dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
                self.params[name] = bound.replace(tzinfo=None) if sqlite else bound
            sold_where = "AND o.purchased_at >= $ad_sold_start AND o.purchased_at < $ad_sold_end"
        if pairs:
            self.params["adfx_ccy"] = [p[0] for p in pairs]
            self.params["adfx_day"] = [p[1] for p in pairs]
            self.params["adfx_rate"] = [p[2] for p in pairs]
            fx = ("SELECT UNNEST($adfx_ccy) AS currency, CAST(UNNEST($adfx_day) AS DATE) AS \"day\", "
                  "CAST(UNNEST($adfx_rate) AS DECIMAL(18,12)) AS rate")
        else:
            fx = "SELECT CAST(NULL AS VARCHAR) AS currency, CAST(NULL AS DATE) AS \"day\", " \
                 "CAST(NULL AS DECIMAL(18,12)) AS rate WHERE FALSE"
        where = [f"(r.report_type = '{ADVERTISED}' OR (r.report_type = '{ADVERTISED_14D}' AND NOT EXISTS ("
                 f"SELECT 1 FROM {t('analytics_adperformance')} s WHERE s.account_id = r.account_id "
                 f"AND s.start_date = r.start_date AND s.report_type = '{ADVERTISED}')))"]
        if self.date_from is not None:
            self.params["ad_from"] = self.date_from
            where.append("CAST(r.start_date AS DATE) >= $ad_from")
        if self.date_to is not None:
            self.params["ad_to"] = self.date_to
            where.append("CAST(r.start_date AS DATE) <= $ad_to")
        statuses = ", ".join(f"'{s.value}'" for s in SALE_STATUSES)
        zero = "CAST(0 AS DECIMAL(18,6))"
        return f"""
            WITH fx AS ({fx}),
            ads AS (
                SELECT r.account_id, r.advertised_sku AS sku, CAST(r.start_date AS DATE) AS start_date,
                       CAST(r.end_date AS DATE) AS end_date, r.currency,
                       CAST(r.impressions AS BIGINT) AS impressions, CAST(r.clicks AS BIGINT) AS clicks,
                       CAST(r.orders AS BIGINT) AS ad_orders,
                       {d6('r.spend')} AS spend, {d6('r.sales')} AS sales
                FROM {t('analytics_adperformance')} r
                WHERE {' AND '.join(where)}),
            covered AS (
                SELECT account_id, sku, start_date,
                       CAST(UNNEST(generate_series(CAST(start_date AS TIMESTAMP), CAST(end_date AS TIMESTAMP),
                                                   INTERVAL 1 DAY)) AS DATE) AS sales_day
                FROM ads WHERE sku <> ''),
            keys AS (SELECT account_id, sku, sales_day, MIN(start_date) AS "day" FROM covered GROUP BY ALL),
            sold AS (
                SELECT o.account_id, l.channel_sku AS sku, o.currency,
                       {local_day('o.purchased_at', sqlite, self.tz)} AS sales_day,
                       {d6('l.gross_amount')} - {d6('l.discount')} AS goods
                FROM {t('orders_orderline')} l
                JOIN {t('orders_order')} o ON o.id = l.order_id
                WHERE o.status IN ({statuses}) AND o.document_type = 'order'
                  AND o.account_id IN (SELECT DISTINCT account_id FROM keys) {sold_where})
            SELECT a.start_date AS "day", acc.code AS account, acc.platform AS channel,
                   acc.marketplace AS marketplace, a.sku AS sku,
                   a.impressions, a.clicks, a.ad_orders,
                   a.spend * fx.rate AS spend, a.sales * fx.rate AS sales, {zero} AS total_sales
            FROM ads a
            JOIN fx ON fx.currency = a.currency AND fx."day" = a.start_date
            JOIN {t('channels_channelaccount')} acc ON acc.id = a.account_id
            UNION ALL
            SELECT k."day", acc.code, acc.platform, acc.marketplace, k.sku,
                   CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), {zero}, {zero}, s.goods * fx.rate
            FROM keys k
            JOIN sold s ON s.account_id = k.account_id AND s.sku = k.sku AND s.sales_day = k.sales_day
            JOIN fx ON fx.currency = s.currency AND fx."day" = s.sales_day
            JOIN {t('channels_channelaccount')} acc ON acc.id = k.account_id"""


def _metric(id, name, unit, definition, formula, needs, compute, permission=FINANCE_PERMISSION):
    return Metric(id, name, unit, ADS, definition, formula, tuple(needs), compute, grain=_("advertising row"),
                  dimensions=DIMENSIONS, filters=FILTERS, permission=permission)


def _cpc(a):
    return a["ad_spend"] / a["ad_clicks"] if a["ad_clicks"] else None


register(
    aggregates=(
        Aggregate("ad_spend", ADS, "COALESCE(SUM(spend), 0)", money=True),
        Aggregate("ad_sales", ADS, "COALESCE(SUM(sales), 0)", money=True),
        Aggregate("ad_total_sales", ADS, "COALESCE(SUM(total_sales), 0)", money=True),
        Aggregate("ad_impressions", ADS, "COALESCE(SUM(impressions), 0)"),
        Aggregate("ad_clicks", ADS, "COALESCE(SUM(clicks), 0)"),
        Aggregate("ad_orders", ADS, "COALESCE(SUM(ad_orders), 0)"),
    ),
    metrics=(
        _metric("ad_spend", _("Ad spend"), MONEY,
                _("Sponsored Products spend (advertised-product report), converted at each row's first day."),
                "SUM(spend × rate(report currency → base, start_date)) over advertised-product rows",
                ["ad_spend"], take("ad_spend")),
        _metric("ad_sales", _("Ad sales"), MONEY,
                _("Sales Amazon attributes to the ads (7-day attribution; 14-day only when no 7-day report)."),
                "SUM(attributed sales × rate(report currency → base, start_date)) over advertised-product rows",
                ["ad_sales"], take("ad_sales")),
        _metric("ad_total_sales", _("Total sales of advertised SKUs"), MONEY,
                _("Goods value of all orders of the advertised SKUs on the days their ads ran, attributed or "
                  "not (the TACOS denominator)."),
                "SUM((line amount − discount) × rate(order currency → base, purchase day)) over order lines in a "
                "sale status of each (account, channel SKU, day) an ad row covers, each counted once",
                ["ad_total_sales"], take("ad_total_sales")),
        _metric("acos", _("ACOS"), PERCENT,
                _("Advertising cost of sales: ad spend ÷ ad-attributed sales × 100."),
                "chuhai.analytics.metrics.acos_percent(ad_spend, ad_sales)",
                ["ad_spend", "ad_sales"], lambda a: ratios.acos_percent(a["ad_spend"], a["ad_sales"])),
        _metric("tacos", _("TACOS"), PERCENT,
                _("Total advertising cost of sales: ad spend ÷ total sales of the advertised SKUs × 100."),
                "chuhai.analytics.metrics.tacos_percent(ad_spend, ad_total_sales)",
                ["ad_spend", "ad_total_sales"], lambda a: ratios.tacos_percent(a["ad_spend"], a["ad_total_sales"])),
        _metric("roas", _("ROAS"), RATIO,
                _("Return on ad spend: ad-attributed sales ÷ ad spend (a multiple)."),
                "chuhai.analytics.metrics.roas(ad_sales, ad_spend)",
                ["ad_sales", "ad_spend"], lambda a: ratios.roas(a["ad_sales"], a["ad_spend"])),
        _metric("cpc", _("Cost per click"), MONEY,
                _("Ad spend divided by clicks."),
                "ad_spend ÷ clicks (empty without clicks)",
                ["ad_spend", "ad_clicks"], _cpc),
        _metric("impressions", _("Impressions"), COUNT,
                _("Times the ads were shown."), "SUM(impressions) over advertised-product rows",
                ["ad_impressions"], take("ad_impressions"), ORDER_PERMISSION),
        _metric("clicks", _("Clicks"), COUNT,
                _("Clicks on the ads."), "SUM(clicks) over advertised-product rows",
                ["ad_clicks"], take("ad_clicks"), ORDER_PERMISSION),
        _metric("ctr", _("Click-through rate"), PERCENT,
                _("Clicks ÷ impressions × 100."), "SUM(clicks) ÷ SUM(impressions) × 100",
                ["ad_clicks", "ad_impressions"], lambda a: _percent(a["ad_clicks"], a["ad_impressions"]),
                ORDER_PERMISSION),
        _metric("ad_orders", _("Ad orders"), COUNT,
                _("Orders Amazon attributes to the ads."), "SUM(attributed orders) over advertised-product rows",
                ["ad_orders"], take("ad_orders"), ORDER_PERMISSION),
    ),
)
