"""Channel concentration and market mix: metrics that need more than one aggregation level.

- ``net_sales_share`` (percent): the row's net sales as a percentage of the **total** net sales of the request
  (same period, filters and currency, not grouped). ``by=marketplace`` is the market mix, ``by=channel`` the
  channel mix, ``by=sku`` each SKU's share. Computed in :func:`.query.run` from a ``by=()`` total
  (:data:`.query.TOTALS`).
- ``channel_concentration`` (percent): the net sales of the row's **largest channel** (platform) as a percentage
  of the row's net sales: for each row, max over channels of Σ net sales ÷ Σ net sales × 100. By ``month``: one
  figure per month; without ``by``: over the whole period. Computed from an
  :class:`.query.InnerAggregate` (net sales per row × channel, then ``MAX``). By ``channel`` or ``account`` every
  row has one channel, so it is 100.

Both are empty (``None``) when the denominator is zero or negative (refunds only): a share of a negative total
means nothing. Money is converted to the report currency before dividing (each inner group at its days' rates).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .definitions import ALL_DIMENSIONS, FILTERS, ORDER_PERMISSION, ORDERS, PERCENT, Metric, register
from .query import TOTALS, InnerAggregate, total_key

HUNDRED = Decimal(100)


def share(part, total) -> Decimal | None:
    """part ÷ total × 100 (unrounded), or None when the total is missing, zero or negative."""
    if part is None or total is None or Decimal(total) <= 0:
        return None
    return Decimal(part) * HUNDRED / Decimal(total)


def _net_sales_share(a):
    return share(a["net_sales"], a[total_key("net_sales")])


def _channel_concentration(a):
    return share(a["top_channel_net_sales"], a["net_sales"])


register(
    aggregates=(
        InnerAggregate("top_channel_net_sales", ORDERS, "COALESCE(SUM(goods), 0)", money=True, inner="channel",
                       outer="MAX", rollup_sql="COALESCE(SUM(goods), 0)"),
    ),
    metrics=(
        Metric(
            "net_sales_share", _("Share of net sales"), PERCENT, ORDERS,
            _("The row's net sales as a percentage of the total net sales of the same period and filters (by "
              "marketplace: the market mix; by channel: the channel mix)."),
            "net_sales ÷ net_sales of the whole request (no grouping) × 100; empty when that total is ≤ 0",
            ("net_sales",), _net_sales_share, grain=_("order line"), dimensions=ALL_DIMENSIONS, filters=FILTERS,
            permission=ORDER_PERMISSION, extra={TOTALS: ("net_sales",)}),
        Metric(
            "channel_concentration", _("Channel concentration"), PERCENT, ORDERS,
            _("Share of the row's net sales made by its largest channel (platform)."),
            "MAX over channels of net_sales(row, channel) ÷ net_sales(row) × 100; empty when net_sales(row) ≤ 0",
            ("top_channel_net_sales", "net_sales"), _channel_concentration, grain=_("order line"),
            dimensions=ALL_DIMENSIONS, filters=FILTERS, permission=ORDER_PERMISSION),
    ),
)
