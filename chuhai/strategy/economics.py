"""Unit economics per channel or per SKU: what one order and one unit leave after every cost, in the base
currency — the figures behind "is this channel (this SKU) worth its orders?" (seeds 004 §3.3.1: profit = price −
purchase cost − logistics − commission − ads; 004 §5.1: net margin tops the KPI pyramid).

One definition of each figure, reused, never recomputed:

- the money parts are the profit report's sums (:func:`chuhai.analytics.profit.profit_rows`, by ``sku``, or by
  ``account`` folded into channels with :func:`chuhai.strategy.evidence.channel_key`) over the profit rows whose
  day is in ``[date_from, date_to]``; costs are negative, as in the ledger;
- ``revenue`` is net revenue (VAT excluded, before promotions); ``platform_fees`` the platforms' referral,
  fulfilment (FBA), transaction and service fees; ``advertising``; ``logistics`` the postage bought through the
  platform (own-carrier postage is not in the ledger, see :mod:`chuhai.finance.profit`); ``cogs``; ``refunds``;
  ``other`` = shipping charged + promotions + other fees + reimbursements (the remaining contribution parts, so
  the parts always add up);
- ``contribution`` = Σ :data:`chuhai.analytics.metrics.CONTRIBUTION_PARTS` = the metric layer's
  ``contribution_margin``; ``margin_percent`` = :func:`chuhai.analytics.metrics.margin_percent` (contribution ÷
  net revenue × 100), the layer's ``margin_percent``;
- ``orders`` and ``units`` are the metric layer's (orders in a sale status; units sold less units credited back)
  by ``sku`` or by ``account`` folded into channels, over the same days;
- ``contribution_per_order`` = contribution ÷ orders; ``contribution_per_unit`` = contribution ÷ units (None
  when there is nothing to divide by). Period fees spread onto SKUs are in the SKU's contribution (an
  unallocated period fee only in its channel's and in the SKU ``""`` row).

Nothing is rounded here; :meth:`UnitEconomics.to_dict` rounds once, at the edge (money to the currency's minor
unit, percentages to two places).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from chuhai.analytics import metrics

from .evidence import account_channels, may_see_finance

ZERO = Decimal(0)
BY = ("channel", "sku")
#: The named parts; ``other`` collects the rest of the contribution parts.
NAMED_PARTS = ("revenue", "platform_fees", "advertising", "logistics", "cogs", "refunds")
OTHER_PARTS = tuple(p for p in metrics.CONTRIBUTION_PARTS if p not in NAMED_PARTS)


@dataclass
class UnitEconomics:
    by: str
    key: str
    currency: str
    orders: int = 0
    units: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: {p: ZERO for p in metrics.CONTRIBUTION_PARTS})

    def _part(self, name: str) -> Decimal:
        return self.amounts.get(name, ZERO)

    @property
    def revenue(self) -> Decimal:
        return self._part("revenue")

    @property
    def platform_fees(self) -> Decimal:
        return self._part("platform_fees")

    @property
    def advertising(self) -> Decimal:
        return self._part("advertising")

    @property
    def logistics(self) -> Decimal:
        return self._part("logistics")

    @property
    def cogs(self) -> Decimal:
        return self._part("cogs")

    @property
    def refunds(self) -> Decimal:
        return self._part("refunds")

    @property
    def other(self) -> Decimal:
        return sum((self._part(p) for p in OTHER_PARTS), ZERO)

    @property
    def contribution(self) -> Decimal:
        return metrics.contribution(self.amounts)

    @property
    def contribution_per_order(self) -> Decimal | None:
        return self.contribution / self.orders if self.orders else None

    @property
    def contribution_per_unit(self) -> Decimal | None:
        return self.contribution / self.units if self.units else None

    @property
    def margin_percent(self) -> Decimal | None:
        return metrics.margin_percent(self.contribution, self.revenue)

    def per_unit(self, part: str) -> Decimal | None:
        """A part (``revenue``, ``cogs``…, or ``other``) per unit, unrounded."""
        value = self.other if part == "other" else self._part(part)
        return value / self.units if self.units else None

    def to_dict(self) -> dict:
        """JSON-ready: money rounded to the currency's minor unit and as strings, margin to two places."""
        from chuhai.core.money import quantize

        def money(value):
            return None if value is None else str(quantize(value, self.currency))

        return {
            "by": self.by, "key": self.key, "currency": self.currency, "orders": self.orders, "units": self.units,
            **{name: money(getattr(self, name)) for name in (*NAMED_PARTS, "other", "contribution",
                                                            "contribution_per_order", "contribution_per_unit")},
            "margin_percent": None if self.margin_percent is None else str(
                self.margin_percent.quantize(Decimal("0.01"))),
        }


def unit_economics(by: str, *, date_from: dt.date | None, date_to: dt.date | None, user=None,
                   filters: dict | None = None) -> list[UnitEconomics]:
    """Unit economics ``by`` ``"channel"`` or ``"sku"`` over ``[date_from, date_to]`` (inclusive), largest net
    revenue first. ``filters``: the profit report's (``account``, ``sku``, ``marketplace``, ``country``) and the
    same for the metric layer's counts. Raises :class:`PermissionDenied` for a ``user`` without
    ``finance.access_finance`` and :class:`ValueError` for an unknown ``by``."""
    from chuhai.analytics.metric_layer import run
    from chuhai.analytics.profit import base_currency, profit_rows

    if by not in BY:
        raise ValueError(_("cannot compute unit economics by %(by)r: choose one of %(choices)s") % {
            "by": by, "choices": ", ".join(BY)})
    if not may_see_finance(user):
        raise PermissionDenied(_("Unit economics show profit figures: they need finance access."))
    filters = dict(filters or {})
    currency = base_currency()
    layer_filters = {k: v for k, v in (("account", filters.get("account")), ("sku", filters.get("sku")),
                                       ("marketplace", filters.get("marketplace")),
                                       ("ship_country", filters.get("country"))) if v}
    window = {"date_from": date_from, "date_to": date_to}
    rows: dict[str, UnitEconomics] = {}

    def row(key: str) -> UnitEconomics:
        if key not in rows:
            rows[key] = UnitEconomics(by=by, key=key, currency=currency)
        return rows[key]

    if by == "sku":
        for found in profit_rows(date_from, date_to, by="sku", **filters):
            target = row(found.key[0] or "")
            for part in metrics.CONTRIBUTION_PARTS:
                target.amounts[part] += found.amounts[part]
        for counted in run("orders,units", by="sku", filters=layer_filters, **window).rows:
            target = row(counted["sku"] or "")
            target.orders += counted["orders"] or 0
            target.units += counted["units"] or 0
    else:
        channels = account_channels()
        for found in profit_rows(date_from, date_to, by="account", **filters):
            target = row(channels.get(found.account_code, found.account_code))
            for part in metrics.CONTRIBUTION_PARTS:
                target.amounts[part] += found.amounts[part]
        for counted in run("orders,units", by="account", filters=layer_filters, **window).rows:
            target = row(channels.get(counted["account"], counted["account"]))
            target.orders += counted["orders"] or 0
            target.units += counted["units"] or 0
    return sorted(rows.values(), key=lambda r: (-r.revenue, r.key))
