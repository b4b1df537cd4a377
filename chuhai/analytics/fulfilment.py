"""Shipping KPIs and Amazon account health: every figure defined once, here, for the pages, the API and the CLI.

Each KPI is a :class:`KpiDefinition` (name, one-line definition, unit, Amazon's target and its source) plus one
measurement: the rows it counts over (its *population*, orders or shipments in a window), the rows that count
towards the figure, and the rows *behind a breach* (the ones that pull the figure the wrong way: late orders,
shipments without valid tracking...). :func:`compute` turns that into a :class:`KpiResult` with one SQL query;
:func:`breach_rows` hands the rows behind it to a table. Nothing loops over orders in Python.

Conventions, the same for every KPI:

- Orders are *real* orders: credit documents and orders still awaiting payment are never counted.
- *Merchant-fulfilled* means every fulfilment channel except FBA (own warehouse, overseas 3PL, dropship): the
  seller ships it, so its lateness and tracking are the seller's.
- A window is ``[start, end)``: order KPIs take orders *purchased* in it, shipment KPIs take shipments shipped
  (valid tracking) or delivered (on-time delivery, transit days) in it. Amazon's windows are the defaults
  (:attr:`KpiDefinition.default_days`); ``end`` defaults to now.
- No rows, no rate: a KPI over an empty population has ``value is None`` (shown as "—"), never 0 % and never a
  division error. A percentage is exact (``Decimal``); pages round it when they show it.
- The ship-by date is :func:`ship_by_expression`: the order's ``ship_by`` as the channel reported it, else its
  purchase time plus the handling time (:data:`DEFAULT_HANDLING_DAYS` unless a caller passes another).

Targets and windows come from compliance.md §B6 (autumn 2026), each with its source; re-check them there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuhai.channels.models import ChannelAccount, Platform
from chuhai.logistics.models import Carrier, Shipment, TrackingEvent, TrackingStatus
from chuhai.orders.models import DocumentType, FulfilmentChannel, Order, OrderDefect, OrderStatus

#: Days between purchase and the latest ship date when the channel did not report a ship-by date. Amazon's
#: default handling time for seller-fulfilled offers is 1–2 business days; 2 calendar days is the lenient reading.
DEFAULT_HANDLING_DAYS = 2
#: Days a carrier is given from the ship-by date to deliver, for the on-time delivery promise.
DEFAULT_TRANSIT_DAYS = 7
#: Window of the shipping KPIs page and ``GET /shipping-kpis`` when none is given.
DEFAULT_SHIPPING_DAYS = 30

PERCENT, DAYS = "percent", "days"
#: Direction of a target: the figure must stay below it (defects) or above it (tracking).
BELOW, ABOVE = "below", "above"
ORDER, SHIPMENT = "order", "shipment"
PASS, BREACH, NO_DATA, NO_TARGET = "pass", "breach", "no_data", "no_target"

_SELLER_CENTRAL_EU = "https://sellercentral-europe.amazon.com/gp/help/external/"


@dataclass(frozen=True)
class KpiDefinition:
    """What a KPI means: shown next to every figure so nobody has to guess how it was counted."""

    id: str
    name: str | Promise
    definition: str | Promise
    unit: str
    #: Amazon's window for the figure, in days (the default of every function taking ``days``).
    default_days: int
    #: What the figure counts and what :func:`breach_rows` returns: orders or shipments.
    subject: str
    target: Decimal | None = None
    direction: str | None = None
    #: Where the target comes from (compliance.md §B6), and its address when there is one.
    source: str = ""
    source_url: str = ""

    def status(self, value: Decimal | None) -> str:
        """``pass`` or ``breach`` against the target (strictly below / above it), ``no_data`` without a value."""
        if value is None:
            return NO_DATA
        if self.target is None or self.direction is None:
            return NO_TARGET
        ok = value < self.target if self.direction == BELOW else value > self.target
        return PASS if ok else BREACH


KPIS: dict[str, KpiDefinition] = {
    k.id: k
    for k in (
        KpiDefinition(
            "order_defect_rate", _("Order defect rate"),
            _("Orders with negative feedback, an A-to-z Guarantee claim or a chargeback ÷ orders purchased in "
              "the window (awaiting-payment orders and credit notes excluded)."),
            PERCENT, 60, ORDER, Decimal(1), BELOW,
            "Amazon Seller Central help 200205250 (official): ODR < 1 %, 60 days",
            _SELLER_CENTRAL_EU + "200205250",
        ),
        KpiDefinition(
            "cancel_rate", _("Pre-fulfilment cancel rate"),
            _("Merchant-fulfilled orders cancelled before any shipment ÷ merchant-fulfilled orders purchased in "
              "the window."),
            PERCENT, 7, ORDER, Decimal("2.5"), BELOW,
            "Copies of Amazon's text (theecommerceinindia, systems2scale, cajari.com): < 2.5 %, 7 days",
            "https://cajari.com",
        ),
        KpiDefinition(
            "late_shipment_rate", _("Late shipment rate"),
            _("Merchant-fulfilled orders first shipped after their ship-by date, or still unshipped past it ÷ "
              "merchant-fulfilled orders purchased in the window that are shipped or due (cancelled orders, and "
              "orders marked shipped without a shipment record, are left out)."),
            PERCENT, 30, ORDER, Decimal(4), BELOW,
            "Secondary sources (channelbloom, ssopdot, cajari.com): < 4 %, 10 or 30 days",
            "https://cajari.com",
        ),
        KpiDefinition(
            "valid_tracking_rate", _("Valid tracking rate"),
            _("Merchant-fulfilled shipments with a tracking number the carrier knows (a tracking event or status "
              "beyond pending) ÷ merchant-fulfilled shipments shipped in the window."),
            PERCENT, 30, SHIPMENT, Decimal(95), ABOVE,
            "Amazon Seller Central help 201817070 (official): > 95 %",
            _SELLER_CENTRAL_EU + "201817070",
        ),
        KpiDefinition(
            "on_time_delivery_rate", _("On-time delivery rate"),
            _("Merchant-fulfilled shipments delivered by the promise (ship-by date + carrier transit days) ÷ "
              "merchant-fulfilled shipments delivered in the window."),
            PERCENT, 30, SHIPMENT, Decimal(97), ABOVE,
            "Amazon Seller Central help 200847280 (official) recommends > 97 %; third parties say > 90 %. "
            "Missing it does not in itself suspend an account.",
            "https://sellercentral.amazon.com/gp/help/external/200847280",
        ),
    )
}

#: The four figures of Amazon's account-health page, in its order.
ACCOUNT_HEALTH_KPIS = ("order_defect_rate", "cancel_rate", "late_shipment_rate", "valid_tracking_rate")
#: The shipping KPIs (beside transit days, which has no single figure).
SHIPPING_KPIS = ("late_shipment_rate", "valid_tracking_rate", "on_time_delivery_rate")

TRANSIT_DAYS = KpiDefinition(
    "transit_days", _("Transit days"),
    _("Days from shipment to delivery (delivered at − shipped at), median and 90th percentile per carrier and "
      "route (warehouse country → ship-to country), over shipments delivered in the window."),
    DAYS, DEFAULT_SHIPPING_DAYS, SHIPMENT,
)


# -- windows ----------------------------------------------------------------------------------------------------

def window(days: int, start: dt.datetime | None = None, end: dt.datetime | None = None
           ) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)``: as given, else the ``days`` days up to ``end`` (default now)."""
    end = end or timezone.now()
    if start is None:
        if days < 1:
            raise ValueError("days must be at least 1")
        start = end - dt.timedelta(days=days)
    if start >= end:
        raise ValueError("the window must start before it ends")
    return start, end


def company_time_zone() -> str:
    from chuhai.core.models import CompanySettings

    return CompanySettings.load().time_zone


def company_today() -> dt.date:
    """Today's date in the company's time zone (the last day of a date-range window by default)."""
    return timezone.now().astimezone(ZoneInfo(company_time_zone())).date()


def date_window(first: dt.date, last: dt.date, time_zone: str | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Calendar days ``first`` … ``last`` (inclusive) in the company's time zone, as a ``[start, end)`` window."""
    if last < first:
        raise ValueError("the end date is before the start date")
    tz = ZoneInfo(time_zone or company_time_zone())
    return (dt.datetime.combine(first, dt.time.min, tzinfo=tz),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


# -- shared expressions -----------------------------------------------------------------------------------------

def _plus(field: str, days: int):
    return ExpressionWrapper(F(field) + Value(dt.timedelta(days=days), output_field=DurationField()),
                             output_field=DateTimeField())


def ship_by_expression(handling_days: int = DEFAULT_HANDLING_DAYS, prefix: str = ""):
    """The latest ship date of an order in SQL: ``ship_by``, else ``purchased_at`` + the handling time.

    ``prefix`` reaches the order through a relation (``"order__"`` from a shipment).
    """
    return Coalesce(F(f"{prefix}ship_by"), _plus(f"{prefix}purchased_at", handling_days),
                    output_field=DateTimeField())


def promise_expression(handling_days: int = DEFAULT_HANDLING_DAYS, transit_days: int = DEFAULT_TRANSIT_DAYS):
    """The promised delivery time of a shipment: its order's ship-by date + the carrier's transit days."""
    return Coalesce(_plus("order__ship_by", transit_days), _plus("order__purchased_at", handling_days + transit_days),
                    output_field=DateTimeField())


def real_orders() -> QuerySet[Order]:
    """Orders a buyer placed and paid for: no credit documents, nothing still awaiting payment."""
    return Order.objects.filter(document_type=DocumentType.ORDER).exclude(status=OrderStatus.PENDING)


def _scope_orders(account, orders: QuerySet | None) -> QuerySet[Order]:
    qs = real_orders()
    if orders is not None:
        qs = qs.filter(pk__in=orders.values("pk"))
    if account is not None:
        qs = qs.filter(account=account)
    return qs


def _scope_shipments(account, orders: QuerySet | None) -> QuerySet[Shipment]:
    qs = Shipment.objects.filter(order__document_type=DocumentType.ORDER).exclude(
        order__fulfilment_channel=FulfilmentChannel.FBA)
    if orders is not None:
        qs = qs.filter(order__in=orders.values("pk"))
    if account is not None:
        qs = qs.filter(order__account=account)
    return qs


def _first_shipped_at():
    return Subquery(Shipment.objects.filter(order=OuterRef("pk")).order_by("shipped_at").values("shipped_at")[:1],
                    output_field=DateTimeField())


# -- the measurements -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Params:
    """What one computation runs over: account, window and the two promise constants."""

    account: ChannelAccount | None
    start: dt.datetime
    end: dt.datetime
    orders: QuerySet | None = None
    handling_days: int = DEFAULT_HANDLING_DAYS
    transit_days: int = DEFAULT_TRANSIT_DAYS


@dataclass(frozen=True)
class Measure:
    """``population(params)`` rows; ``counted`` of them make the figure; ``behind_breach`` pull it the wrong way."""

    population: Callable[[Params], QuerySet]
    counted: Q
    behind_breach: Q


def _defect_population(p: Params) -> QuerySet[Order]:
    """ODR: every order purchased in the window; an order counts once however many defects it has."""
    return (_scope_orders(p.account, p.orders).filter(purchased_at__gte=p.start, purchased_at__lt=p.end)
            .annotate(has_defect=Exists(OrderDefect.objects.filter(order=OuterRef("pk")))))


def _cancel_population(p: Params) -> QuerySet[Order]:
    """Cancel rate: merchant-fulfilled orders purchased in the window; cancelled with no shipment row counts."""
    return (_scope_orders(p.account, p.orders).exclude(fulfilment_channel=FulfilmentChannel.FBA)
            .filter(purchased_at__gte=p.start, purchased_at__lt=p.end)
            .annotate(has_shipment=Exists(Shipment.objects.filter(order=OuterRef("pk")))))


#: Statuses of an order the seller still has to ship.
AWAITING_SHIPMENT = (OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED)


def _late_population(p: Params) -> QuerySet[Order]:
    """Late shipment rate: merchant-fulfilled orders purchased in the window, not cancelled, that either have a
    shipment (their first ``shipped_at`` decides) or are still awaiting one with their ship-by date before the
    window's end (late by then). Shipping exactly at the ship-by time is on time. Orders still awaiting shipment
    whose ship-by date is not yet past are not due and left out; so are orders the channel marked shipped for
    which no shipment was recorded, since their ship date is unknown."""
    return (_scope_orders(p.account, p.orders).exclude(fulfilment_channel=FulfilmentChannel.FBA)
            .exclude(status=OrderStatus.CANCELLED)
            .filter(purchased_at__gte=p.start, purchased_at__lt=p.end)
            .annotate(ship_by_at=ship_by_expression(p.handling_days), first_shipped_at=_first_shipped_at())
            .filter(Q(first_shipped_at__isnull=False)
                    | Q(first_shipped_at__isnull=True, status__in=AWAITING_SHIPMENT, ship_by_at__lt=p.end)))


def _tracking_population(p: Params) -> QuerySet[Shipment]:
    """Valid tracking rate: merchant-fulfilled shipments shipped in the window. Valid: a tracking number, and
    either a tracking event with a status beyond ``pending`` or the shipment's own status beyond ``pending``."""
    scanned = TrackingEvent.objects.filter(shipment=OuterRef("pk")).exclude(status=TrackingStatus.PENDING)
    return (_scope_shipments(p.account, p.orders).filter(shipped_at__gte=p.start, shipped_at__lt=p.end)
            .annotate(has_scan=Exists(scanned)))


def _delivery_population(p: Params) -> QuerySet[Shipment]:
    """On-time delivery rate: merchant-fulfilled shipments delivered in the window; on time when delivered at or
    before the promise (:func:`promise_expression`)."""
    return (_scope_shipments(p.account, p.orders).filter(delivered_at__gte=p.start, delivered_at__lt=p.end)
            .annotate(promise_at=promise_expression(p.handling_days, p.transit_days)))


_VALID_TRACKING = ~Q(tracking_number="") & (Q(has_scan=True) | ~Q(status=TrackingStatus.PENDING))
_LATE = Q(first_shipped_at__gt=F("ship_by_at")) | Q(first_shipped_at__isnull=True)

MEASURES: dict[str, Measure] = {
    "order_defect_rate": Measure(_defect_population, Q(has_defect=True), Q(has_defect=True)),
    "cancel_rate": Measure(_cancel_population, Q(status=OrderStatus.CANCELLED, has_shipment=False),
                           Q(status=OrderStatus.CANCELLED, has_shipment=False)),
    "late_shipment_rate": Measure(_late_population, _LATE, _LATE),
    "valid_tracking_rate": Measure(_tracking_population, _VALID_TRACKING,
                                   Q(tracking_number="") | Q(has_scan=False, status=TrackingStatus.PENDING)),
    "on_time_delivery_rate": Measure(_delivery_population, Q(delivered_at__lte=F("promise_at")),
                                     Q(delivered_at__gt=F("promise_at"))),
}


@dataclass(frozen=True)
class KpiResult:
    """One KPI over one window: ``numerator`` of ``denominator`` rows; ``behind_breach`` rows pull it the wrong
    way (the numerator for a figure that must stay low, the rest for one that must stay high)."""

    kpi: KpiDefinition
    account: ChannelAccount | None
    start: dt.datetime
    end: dt.datetime
    numerator: int
    denominator: int
    behind_breach: int

    @property
    def value(self) -> Decimal | None:
        """The percentage, exact; None when there is nothing to count."""
        if not self.denominator:
            return None
        return Decimal(self.numerator * 100) / Decimal(self.denominator)

    @property
    def status(self) -> str:
        return self.kpi.status(self.value)

    @property
    def days(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / Decimal(86400)


def _params(kpi: KpiDefinition, account, days, start, end, orders, handling_days, transit_days) -> Params:
    start, end = window(days or kpi.default_days, start, end)
    return Params(account, start, end, orders, handling_days, transit_days)


def _kpi(kpi_id: str) -> KpiDefinition:
    try:
        return KPIS[kpi_id]
    except KeyError:
        raise ValueError(f"unknown KPI {kpi_id!r}; choose one of {', '.join(KPIS)}") from None


def compute(kpi_id: str, *, account: ChannelAccount | None = None, days: int | None = None,
            start: dt.datetime | None = None, end: dt.datetime | None = None, orders: QuerySet | None = None,
            handling_days: int = DEFAULT_HANDLING_DAYS, transit_days: int = DEFAULT_TRANSIT_DAYS) -> KpiResult:
    """One KPI for ``account`` (None: every account) over its window, in one aggregate query.

    The window is ``[start, end)`` when both are given, else the ``days`` (default: Amazon's window for the KPI)
    up to ``end`` (default now). ``orders`` narrows the population to a queryset of orders.
    """
    kpi = _kpi(kpi_id)
    params = _params(kpi, account, days, start, end, orders, handling_days, transit_days)
    measure = MEASURES[kpi_id]
    counts = measure.population(params).aggregate(
        total=Count("pk"), counted=Count("pk", filter=measure.counted),
        behind=Count("pk", filter=measure.behind_breach))
    return KpiResult(kpi, account, params.start, params.end, counts["counted"], counts["total"], counts["behind"])


def breach_rows(kpi_id: str, *, account: ChannelAccount | None = None, days: int | None = None,
                start: dt.datetime | None = None, end: dt.datetime | None = None, orders: QuerySet | None = None,
                handling_days: int = DEFAULT_HANDLING_DAYS, transit_days: int = DEFAULT_TRANSIT_DAYS) -> QuerySet:
    """The rows behind the figure, same window as :func:`compute`: orders (defective, cancelled, shipped late)
    or shipments (no valid tracking, delivered late), oldest first, with their order and account fetched.

    Order rows carry ``ship_by_at`` and ``first_shipped_at`` (late shipment); shipment rows ``promise_at`` (on-time
    delivery) — the values the verdict was made on.
    """
    kpi = _kpi(kpi_id)
    params = _params(kpi, account, days, start, end, orders, handling_days, transit_days)
    measure = MEASURES[kpi_id]
    rows = measure.population(params).filter(measure.behind_breach)
    if kpi.subject == ORDER:
        rows = rows.select_related("account")
        if kpi_id == "late_shipment_rate":
            return rows.order_by("ship_by_at", "pk")
        if kpi_id == "order_defect_rate":
            rows = rows.prefetch_related("defects")
        return rows.order_by("purchased_at", "pk")
    rows = rows.select_related("order", "order__account", "carrier", "warehouse")
    return rows.order_by("delivered_at" if kpi_id == "on_time_delivery_rate" else "shipped_at", "pk")


def breach_order_ids(kpi_id: str, **kwargs) -> QuerySet:
    """``(pk, external_id)`` of the distinct orders behind the figure (a shipment KPI's rows are shipments)."""
    kpi = _kpi(kpi_id)
    rows = breach_rows(kpi_id, **kwargs)
    if kpi.subject == ORDER:
        return rows.values_list("pk", "external_id")
    return Order.objects.filter(pk__in=rows.values("order_id")).order_by("purchased_at", "pk").values_list(
        "pk", "external_id")


# -- transit days -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TransitRow:
    """Transit days of one carrier on one route: shipments delivered, median and 90th percentile (in days)."""

    carrier_code: str
    carrier_name: str
    origin: str
    destination: str
    shipments: int
    median_days: Decimal
    p90_days: Decimal

    @property
    def route(self) -> str:
        return f"{self.origin or '?'} → {self.destination or '?'}"


def _days(value: dt.timedelta) -> Decimal:
    return (Decimal(value.days) + Decimal(value.seconds * 1_000_000 + value.microseconds) / Decimal(86_400_000_000))


def transit_days(*, account: ChannelAccount | None = None, days: int | None = None,
                 start: dt.datetime | None = None, end: dt.datetime | None = None,
                 orders: QuerySet | None = None) -> list[TransitRow]:
    """Median and 90th-percentile transit days per carrier and route, computed in the database.

    Shipments delivered in the window with both dates (and not delivered before they shipped) are ranked by
    transit time within their carrier × route with a window function; only the ranks that make the median (the
    middle one, or the two middle ones, averaged) and the 90th percentile (nearest rank: the smallest value with
    at least 90 % of the shipments at or below it) come back. Sorted by shipments, most first.
    """
    start, end = window(days or DEFAULT_SHIPPING_DAYS, start, end)
    partition = [F("carrier_id"), F("origin"), F("destination")]
    ranked = (
        _scope_shipments(account, orders)
        .filter(Q(delivered_at__gte=F("shipped_at")), delivered_at__gte=start, delivered_at__lt=end)
        .annotate(
            transit=ExpressionWrapper(F("delivered_at") - F("shipped_at"), output_field=DurationField()),
            origin=Coalesce(F("warehouse__country"), Value(""), output_field=CharField()),
            destination=F("order__ship_country"),
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=partition, order_by=[F("transit").asc(), F("pk").asc()]),
            n=Window(Count("pk"), partition_by=partition),
        )
    )
    # The median's ranks: n ≤ 2·rank ≤ n + 2 (the middle row for odd n, the two middle ones for even n).
    # The 90th percentile's rank: 9·n ≤ 10·rank < 9·n + 10, i.e. rank = ⌈0.9·n⌉.
    median_rows = _picked(ranked, F("rank") * 2, F("n"), F("n") + 2)
    p90_rows = _picked(ranked, F("rank") * 10, F("n") * 9, F("n") * 9 + 9)
    groups: dict[tuple, dict] = {}
    for row in median_rows:
        group = groups.setdefault((row["carrier_id"], row["origin"], row["destination"]),
                                  {"n": row["n"], "median": [], "p90": None})
        group["median"].append(row["transit"])
    for row in p90_rows:
        groups[(row["carrier_id"], row["origin"], row["destination"])]["p90"] = row["transit"]
    carriers = {c.pk: c for c in Carrier.objects.filter(pk__in={key[0] for key in groups})}
    tenth = Decimal("0.1")
    result = [
        TransitRow(
            carrier_code=carriers[key[0]].code, carrier_name=carriers[key[0]].name, origin=key[1],
            destination=key[2], shipments=group["n"],
            median_days=(sum((_days(t) for t in group["median"]), Decimal(0)) / len(group["median"])).quantize(tenth),
            p90_days=_days(group["p90"]).quantize(tenth),
        )
        for key, group in groups.items()
    ]
    result.sort(key=lambda r: (-r.shipments, r.carrier_code, r.origin, r.destination))
    return result


def _picked(ranked: QuerySet, scaled_rank, low, high) -> QuerySet:
    """The rows whose ``scaled_rank`` lies in ``[low, high]`` (filtering on a window function: Django wraps
    the ranked query in a subquery, so this stays one query)."""
    return (ranked.annotate(scaled=scaled_rank, low=low, high=high)
            .filter(scaled__gte=F("low"), scaled__lte=F("high"))
            .order_by()
            .values("carrier_id", "origin", "destination", "n", "transit"))


# -- account health ---------------------------------------------------------------------------------------------

def amazon_accounts() -> QuerySet[ChannelAccount]:
    return ChannelAccount.objects.filter(platform=Platform.AMAZON).order_by("code")


def account_health(account: ChannelAccount, *, end: dt.datetime | None = None) -> list[KpiResult]:
    """Amazon's four account-health figures for one account, each over Amazon's own window up to ``end``."""
    end = end or timezone.now()
    return [compute(kpi_id, account=account, end=end) for kpi_id in ACCOUNT_HEALTH_KPIS]


def shipping_kpis(*, account: ChannelAccount | None = None, days: int | None = None,
                  start: dt.datetime | None = None, end: dt.datetime | None = None) -> dict:
    """Late shipment, valid tracking and on-time delivery rates plus transit days, all over one window."""
    start, end = window(days or DEFAULT_SHIPPING_DAYS, start, end)
    return {
        "start": start,
        "end": end,
        "results": [compute(kpi_id, account=account, start=start, end=end) for kpi_id in SHIPPING_KPIS],
        "transit": transit_days(account=account, start=start, end=end),
    }
