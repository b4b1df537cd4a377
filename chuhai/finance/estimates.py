"""Estimated fees for orders the platform has not settled yet, from the dated fee schedules.

An order's real fees arrive weeks later in a settlement or transaction report. Until then profit uses estimates
built here from :class:`~chuhai.finance.fees.FeeSchedule` rows valid at the order's purchase date; once the
order has ledger lines of category ``referral_fee`` or ``fulfilment_fee`` it is *settled* (:func:`is_settled`)
and the actual lines replace every estimate.

Rules (each estimate carries the schedule it used and a ``basis`` text showing the arithmetic):

- **Which schedule**: same platform and fee kind, ``valid_from <= purchase date <= valid_to`` (open end allowed),
  marketplace equal to the order's or "" (any), category equal to the product's or "" (any). The most specific
  wins: the order's marketplace over "any", then the product's category over "any", then the latest
  ``valid_from`` (a newer row overrides an older open-ended one), then the newest row.
- **Referral fee** (``referral_percent``), per line: ``percent`` × (line goods value − discount + shipping the
  buyer paid for the line), at least ``minimum`` per unit (minimum × quantity).
- **Fulfilment fee** (``fulfilment_per_unit``), per line, only for FBA orders: the row of the unit's size tier
  whose weight band (grams, both ends inclusive, open ends allowed) holds its shipping weight, × quantity.
- **Payment / transaction fees** (``payment_percent``, ``payment_fixed``, ``transaction_percent``), once per
  order: percent × what the buyer paid (the order total, or the sum of its lines when the total is missing),
  and the fixed amount per order. Rows with a category apply to products, not orders, so only "" rows count.
- Amounts are positive (what the platform will charge), in the order's currency, never rounded here. A schedule
  in another currency (an amount or a minimum) is converted with :class:`~chuhai.finance.fx.FxConverter` at the
  purchase date.
- Nothing is estimated for credit documents and cancelled orders or lines; a line without a product, dimensions
  or a matching schedule is skipped with the reason, never guessed.

**US size tiers** (:func:`size_tier`, Amazon's rules since 2024; sides sorted longest → shortest, the product's
weight taken as the packaged unit weight): *small standard* ≤ 16 oz unit weight and sides ≤ 15 × 12 × 0.75 in;
*large standard* ≤ 20 lb and sides ≤ 18 × 14 × 8 in; *large bulky* ≤ 50 lb, sides ≤ 59 × 33 × 33 in and length +
girth ≤ 130 in; anything larger is *extra large*. The shipping weight is the unit weight for small standard and
the greater of the unit weight and the dimensional weight (L × W × H in³ / 139 lb) otherwise, rounded up to a
whole gram. A product without weight or all three sides is ``unknown``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from chuhai.core.exports import decimal_text

from .fee_schedule_data import EXTRA_LARGE, LARGE_BULKY, LARGE_STANDARD, SMALL_STANDARD, UNKNOWN_TIER
from .fees import FeeCategory, FeeSchedule, FeeScheduleKind
from .fx import FxConverter, FxRateMissing

HUNDRED = Decimal(100)
GRAMS_PER_LB = Decimal("453.59237")
MM_PER_INCH = Decimal("25.4")
DIM_DIVISOR = Decimal(139)  # in³ per lb

# (longest, median, shortest side in mm, weight in g) — the published inch/pound limits converted exactly.
SMALL_STANDARD_MAX = (15 * MM_PER_INCH, 12 * MM_PER_INCH, Decimal("0.75") * MM_PER_INCH, GRAMS_PER_LB)
LARGE_STANDARD_MAX = (18 * MM_PER_INCH, 14 * MM_PER_INCH, 8 * MM_PER_INCH, 20 * GRAMS_PER_LB)
LARGE_BULKY_MAX = (59 * MM_PER_INCH, 33 * MM_PER_INCH, 33 * MM_PER_INCH, 50 * GRAMS_PER_LB)
LARGE_BULKY_GIRTH_MM = 130 * MM_PER_INCH

ORDER_LEVEL_KINDS = (FeeScheduleKind.PAYMENT_PERCENT, FeeScheduleKind.PAYMENT_FIXED,
                     FeeScheduleKind.TRANSACTION_PERCENT)
ACTUAL_CATEGORIES = (FeeCategory.REFERRAL_FEE, FeeCategory.FULFILMENT_FEE)


@dataclass(frozen=True)
class SizeInfo:
    tier: str
    shipping_weight_g: int | None


@dataclass(frozen=True)
class EstimatedFee:
    """One estimated fee: ``line_no`` None for an order-level fee (payment, transaction)."""

    line_no: int | None
    category: str
    amount: Decimal
    currency: str
    schedule_id: int
    basis: str


@dataclass(frozen=True)
class SkippedFee:
    line_no: int | None
    category: str
    reason: str


@dataclass
class OrderFeeEstimate:
    currency: str
    settled: bool
    fees: list[EstimatedFee] = field(default_factory=list)
    skipped: list[SkippedFee] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((f.amount for f in self.fees), Decimal(0))


# -- size tier ----------------------------------------------------------------------------------------------------
def _fits(sides: list[Decimal], weight: Decimal, limits: tuple) -> bool:
    return all(side <= limit for side, limit in zip(sides, limits[:3], strict=True)) and weight <= limits[3]


def size_info(product) -> SizeInfo:
    """The product's US FBA size tier and shipping weight (whole grams, rounded up); see the module docstring."""
    if product is None or not product.weight_g or not all((product.length_mm, product.width_mm, product.height_mm)):
        return SizeInfo(UNKNOWN_TIER, None)
    sides = sorted((Decimal(product.length_mm), Decimal(product.width_mm), Decimal(product.height_mm)), reverse=True)
    unit = Decimal(product.weight_g)
    if _fits(sides, unit, SMALL_STANDARD_MAX):
        return SizeInfo(SMALL_STANDARD, product.weight_g)
    cubic_inches = sides[0] * sides[1] * sides[2] / MM_PER_INCH ** 3
    shipping = max(unit, cubic_inches / DIM_DIVISOR * GRAMS_PER_LB)
    grams = math.ceil(shipping)
    if _fits(sides, shipping, LARGE_STANDARD_MAX):
        return SizeInfo(LARGE_STANDARD, grams)
    if _fits(sides, shipping, LARGE_BULKY_MAX) and sides[0] + 2 * (sides[1] + sides[2]) <= LARGE_BULKY_GIRTH_MM:
        return SizeInfo(LARGE_BULKY, grams)
    return SizeInfo(EXTRA_LARGE, grams)


def size_tier(product) -> str:
    """``small_standard``, ``large_standard``, ``large_bulky``, ``extra_large``, or ``unknown`` (no dimensions)."""
    return size_info(product).tier


# -- schedules ----------------------------------------------------------------------------------------------------
def valid_schedules(day: dt.date | None = None, *, platform: str = "", marketplace: str = "", kind: str = ""):
    """Schedule rows valid on ``day`` (every row when None), optionally of one platform, marketplace, fee kind.

    ``marketplace`` keeps the rows of that market *and* those for every market ("")."""
    qs = FeeSchedule.objects.all()
    if day is not None:
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)
    if platform:
        qs = qs.filter(platform=platform)
    if marketplace:
        qs = qs.filter(marketplace__in=(marketplace, ""))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def _band_holds(schedule: FeeSchedule, grams: int) -> bool:
    return ((schedule.weight_from_g is None or schedule.weight_from_g <= grams)
            and (schedule.weight_to_g is None or grams <= schedule.weight_to_g))


def pick_schedule(rows, marketplace: str, category: str = "", size_tier: str | None = None,
                  grams: int | None = None) -> FeeSchedule | None:
    """The most specific of ``rows`` (already valid on the day, one platform and kind) for the given keys."""
    candidates = [
        s for s in rows
        if s.marketplace in (marketplace, "") and s.category in (category, "")
        and (size_tier is None or (s.size_tier == size_tier and grams is not None and _band_holds(s, grams)))
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.marketplace == marketplace, bool(s.category), s.valid_from, s.pk))


# -- estimate -----------------------------------------------------------------------------------------------------
def _n(value: Decimal) -> str:
    return decimal_text(value)


class FeeEstimator:
    """Estimates many orders with one schedule query per (platform, day) and one FX converter.

    Create one per request or batch: it does not see schedules or rates added after it read them."""

    def __init__(self, fx: FxConverter | None = None):
        self.fx = fx or FxConverter()
        self._rows: dict[tuple[str, dt.date], dict[str, list[FeeSchedule]]] = {}
        self._referral_platforms: set[str] | None = None

    def _charges_referral(self, platform: str) -> bool:
        """Whether any schedule (of any date) says this platform takes a referral fee."""
        if self._referral_platforms is None:
            self._referral_platforms = set(FeeSchedule.objects.filter(
                kind=FeeScheduleKind.REFERRAL_PERCENT).values_list("platform", flat=True).distinct())
        return platform in self._referral_platforms

    def _schedules(self, platform: str, day: dt.date) -> dict[str, list[FeeSchedule]]:
        key = (platform, day)
        if key not in self._rows:
            by_kind: dict[str, list[FeeSchedule]] = {}
            for row in valid_schedules(day, platform=platform):
                by_kind.setdefault(row.kind, []).append(row)
            self._rows[key] = by_kind
        return self._rows[key]

    def _in_order_currency(self, amount: Decimal, schedule: FeeSchedule, currency: str, day: dt.date):
        """(amount in the order's currency, text of the conversion or "")."""
        if schedule.currency == currency:
            return amount, ""
        rate = self.fx.rate(schedule.currency, currency, day)
        return amount * rate, _(" (%(amount)s %(from)s × %(rate)s %(to)s/%(from)s)") % {
            "amount": _n(amount), "from": schedule.currency, "rate": _n(rate), "to": currency}

    def estimate(self, order) -> OrderFeeEstimate:
        """Estimated fees of ``order`` (whether it is settled or not: see :func:`is_settled`)."""
        from chuhai.orders.models import DocumentType, ItemStatus, OrderStatus

        result = OrderFeeEstimate(currency=order.currency, settled=is_settled(order))
        if order.document_type == DocumentType.CREDIT:
            result.skipped.append(SkippedFee(None, "", _("Credit documents carry no fees of their own.")))
            return result
        if order.status == OrderStatus.CANCELLED:
            result.skipped.append(SkippedFee(None, "", _("Cancelled orders are not charged.")))
            return result
        day = order.purchased_at.date()
        platform, marketplace, currency = order.account.platform, order.marketplace, order.currency
        rows = self._schedules(platform, day)
        prefetched = getattr(order, "_prefetched_objects_cache", {})
        lines = list(order.lines.all() if "lines" in prefetched else order.lines.select_related("product"))
        for line in lines:
            if line.item_status == ItemStatus.CANCELLED or line.quantity <= 0:
                continue
            self._referral(result, rows, line, platform, marketplace, currency, day)
            if order.fulfilment_channel == "fba":
                self._fulfilment(result, rows, line, marketplace, currency, day)
        self._order_level(result, rows, order, lines, marketplace, currency, day)
        return result

    def _referral(self, result, rows, line, platform, marketplace, currency, day):
        kind_rows = rows.get(FeeScheduleKind.REFERRAL_PERCENT, [])
        category = line.product.category if line.product_id else ""
        if not self._charges_referral(platform):
            return  # no referral fee on record for this platform at all (e.g. an own site)
        schedule = pick_schedule(kind_rows, marketplace, category)
        if schedule is None:
            result.skipped.append(SkippedFee(line.line_no, FeeCategory.REFERRAL_FEE, _(
                "No referral fee schedule for category “%(category)s” in %(market)s on %(day)s.")
                % {"category": category or _("(none)"), "market": marketplace, "day": day.isoformat()}))
            return
        base = line.item_amount + line.shipping
        fee = base * schedule.percent / HUNDRED
        basis = _("%(percent)s %% × %(base)s %(ccy)s = %(fee)s %(ccy)s") % {
            "percent": _n(schedule.percent), "base": _n(base), "ccy": currency, "fee": _n(fee)}
        if schedule.minimum:
            try:
                minimum, conversion = self._in_order_currency(schedule.minimum, schedule, currency, day)
            except FxRateMissing as exc:
                result.skipped.append(SkippedFee(line.line_no, FeeCategory.REFERRAL_FEE, str(exc)))
                return
            floor = minimum * line.quantity
            if floor > fee:
                basis += _("; minimum %(minimum)s %(ccy)s%(conversion)s × %(qty)s units = %(floor)s %(ccy)s "
                           "applies") % {"minimum": _n(minimum), "ccy": currency, "conversion": conversion,
                                         "qty": line.quantity, "floor": _n(floor)}
                fee = floor
        result.fees.append(EstimatedFee(line.line_no, FeeCategory.REFERRAL_FEE, fee, currency, schedule.pk, basis))

    def _fulfilment(self, result, rows, line, marketplace, currency, day):
        kind_rows = rows.get(FeeScheduleKind.FULFILMENT_PER_UNIT, [])
        info = size_info(line.product)
        if info.tier == UNKNOWN_TIER:
            reason = (_("The line's SKU is not mapped to a product.") if not line.product_id else
                      _("Product %(sku)s has no weight or dimensions, so its size tier is unknown.")
                      % {"sku": line.product.sku})
            result.skipped.append(SkippedFee(line.line_no, FeeCategory.FULFILMENT_FEE, reason))
            return
        category = line.product.category
        schedule = pick_schedule(kind_rows, marketplace, category, info.tier, info.shipping_weight_g)
        if schedule is None:
            result.skipped.append(SkippedFee(line.line_no, FeeCategory.FULFILMENT_FEE, _(
                "No fulfilment fee schedule for %(tier)s, %(grams)s g in %(market)s on %(day)s.")
                % {"tier": info.tier, "grams": info.shipping_weight_g, "market": marketplace,
                   "day": day.isoformat()}))
            return
        try:
            per_unit, conversion = self._in_order_currency(schedule.amount, schedule, currency, day)
        except FxRateMissing as exc:
            result.skipped.append(SkippedFee(line.line_no, FeeCategory.FULFILMENT_FEE, str(exc)))
            return
        fee = per_unit * line.quantity
        basis = _("%(tier)s, %(grams)s g: %(unit)s %(ccy)s%(conversion)s × %(qty)s units = %(fee)s %(ccy)s") % {
            "tier": info.tier.replace("_", " "), "grams": info.shipping_weight_g, "unit": _n(per_unit),
            "ccy": currency, "conversion": conversion, "qty": line.quantity, "fee": _n(fee)}
        result.fees.append(EstimatedFee(line.line_no, FeeCategory.FULFILMENT_FEE, fee, currency, schedule.pk, basis))

    def _order_level(self, result, rows, order, lines, marketplace, currency, day):
        charged = order.order_total or sum(
            (li.item_amount + li.shipping + li.item_tax + li.shipping_tax for li in lines
             if li.item_status != "cancelled"), Decimal(0))
        for kind in ORDER_LEVEL_KINDS:
            kind_rows = [s for s in rows.get(kind, []) if not s.category]
            schedule = pick_schedule(kind_rows, marketplace)
            if schedule is None:
                continue
            if kind == FeeScheduleKind.PAYMENT_FIXED:
                try:
                    fee, conversion = self._in_order_currency(schedule.amount, schedule, currency, day)
                except FxRateMissing as exc:
                    result.skipped.append(SkippedFee(None, FeeCategory.TRANSACTION_FEE, str(exc)))
                    continue
                basis = _("%(fee)s %(ccy)s%(conversion)s per order") % {"fee": _n(fee), "ccy": currency,
                                                                         "conversion": conversion}
            else:
                fee = charged * schedule.percent / HUNDRED
                basis = _("%(percent)s %% × %(base)s %(ccy)s paid = %(fee)s %(ccy)s") % {
                    "percent": _n(schedule.percent), "base": _n(charged), "ccy": currency, "fee": _n(fee)}
            result.fees.append(EstimatedFee(None, FeeCategory.TRANSACTION_FEE, fee, currency, schedule.pk, basis))


def explain_order_fees(order, estimator: FeeEstimator | None = None) -> OrderFeeEstimate:
    """Estimated fees, the ones that could not be estimated (with why), and whether actuals exist already."""
    return (estimator or FeeEstimator()).estimate(order)


def estimate_order_fees(order, estimator: FeeEstimator | None = None) -> list[EstimatedFee]:
    """The estimated fees of ``order`` (unrounded, positive, in the order's currency)."""
    return explain_order_fees(order, estimator).fees


# -- settled ------------------------------------------------------------------------------------------------------
def settled_lines(order):
    """The order's actual referral and fulfilment fee lines: linked to it, or on its account under its id."""
    from .models import LedgerLine

    return LedgerLine.objects.filter(
        Q(order=order) | Q(account_id=order.account_id, order_ref=order.external_id),
        category__in=ACTUAL_CATEGORIES,
    )


def is_settled(order) -> bool:
    """True once the platform reported the order's referral or fulfilment fee: actuals replace estimates."""
    return settled_lines(order).exists()
