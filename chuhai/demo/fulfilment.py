"""The demo seller's fulfilment history: parcels with their tracking, Amazon order defects, customer returns and
today's FBA inventory reports — so the shipments, account-health, returns and FBA reconciliation pages open full.

Everything here is *history*, written the way an import would leave it (rows inserted in bulk, no stock moved):
the year's orders were shipped before the seller started tracking stock in chuhai (see :mod:`.inventory`), so a
parcel shipped last spring must not take units out of today's opening stock, and an old return was restocked
back then. Only what is still open today is left for a person: the returns of the last two weeks are pending, and
the FBA reports differ from the ledger by a handful of units to reconcile.

What a seller sees, account by account (windows end at load time, as on the account-health page):

- every merchant / 3PL order that left a warehouse has one parcel, with a carrier that serves that route (US 3PL:
  USPS, UPS, FedEx; Hamburg 3PL: DHL; Shenzhen: line-haul carriers, Royal Mail to the UK, Ninja Van / J&T /
  Cainiao to South-East Asia) and a tracking number in that carrier's format; its scans run label → pick-up →
  (export, import customs) → out for delivery → delivered, with the odd exception, failed attempt or parcel
  returned to sender, and a few numbers that never scanned (invalid tracking); parcels older than
  :data:`FULL_HISTORY_DAYS` keep only their first and last scan;
- Amazon's account health: AMZ-US passes everything, AMZ-DE ships a little too late, AMZ-UK is just above the
  1 % order defect rate and AMZ-JP has too many parcels without valid tracking (:data:`HEALTH`). The rates inside
  Amazon's windows are planted as counts (not left to chance), so a small demo shows them too;
- returns: 2–4 % of the delivered orders, FBA returns with Amazon's disposition, centre and licence plate, own-
  warehouse returns with the inspected condition; those of the last two weeks are pending;
- FBA reports: each Amazon account's FBA warehouse as the ledger holds it, except a few lost and damaged units,
  one SKU Amazon made up (an ``amzn.gr.`` Warehouse Deals SKU: unmapped) and the pending FBA returns, which
  Amazon has already put back on its shelves (unaccounted until they are processed).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.analytics.fulfilment import DEFAULT_HANDLING_DAYS, compute
from chuhai.catalog.models import BundleComponent, Listing, Product
from chuhai.channels.models import ChannelAccount
from chuhai.core.bulk import insert_rows
from chuhai.core.models import CompanySettings
from chuhai.core.money import quantize
from chuhai.inventory.channel_rules import AllocationRule
from chuhai.inventory.ledger import StockBalance
from chuhai.inventory.models import FbaInventorySnapshot, Warehouse
from chuhai.logistics.carriers import ensure_default_carriers
from chuhai.logistics.models import (
    Carrier,
    CustomerReturn,
    RestockDecision,
    ReturnCondition,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from chuhai.logistics.models import TrackingStatus as S
from chuhai.logistics.returns import FBA_DISPOSITION_CONDITION, FBA_DISPOSITION_RESTOCK
from chuhai.orders.models import DefectKind, FulfilmentChannel, Order, OrderDefect, OrderLine, OrderStatus

DAY = 86400.0
SHIPPED_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.REFUNDED)
DELIVERED_STATUSES = (OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.REFUNDED)
#: The channels whose parcels the seller ships (and tracks) itself; the demo has no dropship orders.
SELLER_SHIPPED = (FulfilmentChannel.MERCHANT, FulfilmentChannel.THREE_PL)
EU = frozenset("DE FR IT ES NL BE AT PL SE IE".split())

#: Amazon accounts' shipping performance inside Amazon's windows: late-shipment share (30 days), share of parcels
#: without valid tracking (30 days), order defect share (60 days; ``None``: just above Amazon's 1 % limit).
#: A share at or beyond Amazon's limit (late ≥ 4 %, invalid tracking ≥ 5 %) is a breach on purpose.
HEALTH = {
    "AMZ-US": (0.022, 0.01, 0.004),
    "AMZ-DE": (0.055, 0.01, 0.005),
    "AMZ-UK": (0.02, 0.015, None),
    "AMZ-JP": (0.015, 0.08, 0.003),
}
LATE_LIMIT, INVALID_LIMIT, ODR_LIMIT = 0.04, 0.05, 0.01
#: Outside those windows (and for the other channels): the chance that a parcel left late / never scanned.
LATE_RATE, INVALID_RATE = 0.03, 0.015
#: Returns of the last two weeks are still waiting for a person to inspect and process them.
PENDING_DAYS = 14
#: Parcels shipped in these last days keep every scan; older ones their first and last (the KPIs read only the last
#: 30 days' scans, and a year of full histories would add seconds to the demo's load for pages nobody opens).
FULL_HISTORY_DAYS = 120
#: Ids per ``IN (...)`` list (SQLite allows at most 32,766 parameters in one statement).
CHUNK = 5000

# -- carriers and routes ----------------------------------------------------------------------------------------

#: (carrier, weight) by origin warehouse and destination; Shenzhen's line-haul for the rest of the world.
US_3PL = (("usps", 0.55), ("ups", 0.30), ("fedex", 0.15))
DE_3PL_DOMESTIC = (("dhl-paket", 0.85), ("dhl-express", 0.15))
DE_3PL_EU = (("dhl-paket", 0.7), ("dhl-express", 0.3))
SZ_BY_COUNTRY = {
    "SG": (("ninja-van", 0.45), ("jt-express", 0.35), ("cainiao", 0.20)),
    "MY": (("ninja-van", 0.40), ("jt-express", 0.40), ("cainiao", 0.20)),
    "GB": (("royal-mail", 0.40), ("yunexpress", 0.35), ("4px", 0.25)),
    "JP": (("yunexpress", 0.35), ("4px", 0.25), ("yanwen", 0.20), ("sf-express", 0.20)),
}
SZ_EU = (("yunexpress", 0.4), ("4px", 0.3), ("yanwen", 0.2), ("dhl-paket", 0.1))
SZ_OTHER = (("yunexpress", 0.45), ("4px", 0.30), ("yanwen", 0.25))

SERVICES = {
    "usps": ("USPS Ground Advantage", "USPS Priority Mail"),
    "ups": ("UPS Ground", "UPS SurePost"),
    "fedex": ("FedEx Home Delivery", "FedEx Ground Economy"),
    "dhl-paket": ("DHL Paket", "DHL Paket International"),
    "dhl-express": ("DHL Express Worldwide",),
    "royal-mail": ("Royal Mail Tracked 48", "International Tracked"),
    "yunexpress": ("YunExpress Global Direct Line (tracked)",),
    "4px": ("4PX Global Express Tracked",),
    "yanwen": ("Yanwen Special Line (tracked)",),
    "sf-express": ("SF International Standard",),
    "ninja-van": ("Ninja Van Standard",),
    "jt-express": ("J&T Express EZ",),
    "cainiao": ("Cainiao Standard Shipping for Shopee",),
}

#: Transit days (low, most likely, high) from dispatch to delivery, by origin → destination.
TRANSIT = {
    "US": (1.5, 3.0, 6.0), "DE": (1.0, 1.5, 3.5), "DE>EU": (2.0, 3.0, 6.0),
    "SZ>SG": (3.0, 5.0, 9.0), "SZ>MY": (4.0, 6.0, 11.0), "SZ>JP": (3.0, 5.0, 8.0), "SZ>GB": (5.0, 7.0, 12.0),
    "SZ>EU": (6.0, 8.0, 14.0), "SZ>US": (6.0, 8.5, 14.0), "SZ>OTHER": (8.0, 11.0, 18.0),
}
ORIGIN_PLACE = {"US-3PL-ONT": "Ontario, CA, US", "DE-3PL-HAM": "Hamburg, DE", "SZ-LONGHUA": "Shenzhen, CN"}
US_HUBS = ("Los Angeles, CA, US", "Phoenix, AZ, US", "Dallas, TX, US", "Memphis, TN, US", "Louisville, KY, US",
           "Chicago, IL, US", "Atlanta, GA, US", "Jersey City, NJ, US")
DE_HUBS = ("Hamburg-Allermöhe, DE", "Hannover, DE", "Bremen, DE", "Radefeld (Leipzig), DE", "Köln, DE",
           "Aschheim (München), DE", "Neumünster, DE")
ARRIVAL_HUBS = {
    "US": ("Los Angeles, CA, US", "New York, NY, US", "Chicago, IL, US"), "CA": ("Toronto, ON, CA",),
    "AU": ("Sydney, AU",), "GB": ("London Heathrow, GB", "East Midlands, GB"), "JP": ("Tokyo (Narita), JP",
                                                                                      "Osaka (Kansai), JP"),
    "SG": ("Singapore, SG",), "MY": ("Kuala Lumpur (KLIA), MY",), "DE": ("Frankfurt, DE", "Leipzig, DE"),
}
EXCEPTIONS = ("Customs clearance delay: additional information requested", "Address information incomplete, "
              "awaiting contact with the recipient", "Delivery rescheduled due to weather", "Parcel delayed at the "
              "sorting centre")


def _carrier_mix(origin: str, country: str):
    if origin == "US-3PL-ONT":
        return US_3PL
    if origin == "DE-3PL-HAM":
        return DE_3PL_DOMESTIC if country == "DE" else DE_3PL_EU
    if country in SZ_BY_COUNTRY:
        return SZ_BY_COUNTRY[country]
    return SZ_EU if country in EU else SZ_OTHER


def _transit(origin: str, country: str) -> tuple[float, float, float]:
    if origin == "US-3PL-ONT":
        return TRANSIT["US"]
    if origin == "DE-3PL-HAM":
        return TRANSIT["DE"] if country == "DE" else TRANSIT["DE>EU"]
    if country in ("SG", "MY", "JP", "GB", "US"):
        return TRANSIT[f"SZ>{country}"]
    return TRANSIT["SZ>EU"] if country in EU else TRANSIT["SZ>OTHER"]


def _origin(channel: str, country: str, warehouses: dict) -> str:
    """The warehouse a parcel left: the 3PL in (or next to) the buyer's country, else Shenzhen."""
    if channel == "3pl":
        if country in EU and "DE-3PL-HAM" in warehouses:
            return "DE-3PL-HAM"
        if "US-3PL-ONT" in warehouses:
            return "US-3PL-ONT"
    return "SZ-LONGHUA"


def _s10(rng: random.Random, prefix: str, country: str) -> str:
    """A UPU S10 item number (two letters, eight digits, the check digit, the country): Royal Mail, Yanwen."""
    serial = f"{rng.randrange(10**8):08d}"
    check = 11 - sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"{prefix}{serial}{check}{country}"


def _tracking_number(rng: random.Random, carrier: str, country: str, year: int) -> str:
    if carrier == "usps":
        return f"9400{rng.randrange(10**18):018d}"
    if carrier == "ups":
        return f"1ZV8E479{rng.choice(('03', '03', '12', '42'))}{rng.randrange(10**8):08d}"
    if carrier == "fedex":
        return f"7{rng.randrange(10**11):011d}"
    if carrier == "dhl-paket":
        return f"00340434{rng.randrange(10**12):012d}"
    if carrier == "dhl-express":
        return f"{rng.randrange(10**9, 10**10)}"
    if carrier == "royal-mail":
        return _s10(rng, rng.choice(("TT", "QH", "HZ")), "GB")
    if carrier == "yanwen":
        return _s10(rng, "UG", "YP")
    if carrier == "yunexpress":
        return f"YT{year % 100:02d}{rng.randrange(10**14):014d}"
    if carrier == "4px":
        return f"4PX3{rng.randrange(10**12):012d}CN"
    if carrier == "sf-express":
        return f"SF{rng.randrange(10**12, 10**13)}"
    if carrier == "ninja-van":
        return f"NV{country}VLTN{rng.randrange(10**10):010d}"
    if carrier == "jt-express":
        return f"63{rng.randrange(10**10):010d}" if country == "MY" else f"JTSG{rng.randrange(10**10):010d}"
    if carrier == "cainiao":
        return f"LP00{rng.randrange(10**12):012d}"
    return f"{rng.randrange(10**11, 10**12)}"


def _pick(rng: random.Random, weighted) -> str:
    x = rng.random() * sum(w for _c, w in weighted)
    for choice, w in weighted:
        x -= w
        if x < 0:
            return choice
    return weighted[-1][0]


def _triangular_days(rng: random.Random, spec: tuple[float, float, float]) -> float:
    low, mode, high = spec
    return rng.triangular(low, high, mode)


def _stamper() -> Callable[[dt.datetime], object]:
    """Datetimes as the database stores them, converted here once, so :func:`insert_rows` passes them through
    (its own conversion looks the connection up for every value: seconds for the tracking history). SQLite:
    naive UTC text, as Django writes it; other databases take aware datetimes."""
    if connection.vendor != "sqlite":
        return lambda value: value

    def naive_utc(value: dt.datetime) -> str:
        if value.tzinfo is dt.UTC:
            return value.isoformat(" ")[:-6]  # less its "+00:00"
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    return naive_utc


def _at(base: dt.datetime, days: float) -> dt.datetime:
    return base + dt.timedelta(seconds=int(days * DAY))


# -- the loader -------------------------------------------------------------------------------------------------

def load_demo_fulfilment(rng: random.Random, report: Callable[[str, int, int], None], *,
                         now: dt.datetime | None = None) -> dict:
    """Write the fulfilment history of the demo orders already in the database; returns counts of what it wrote.

    Runs inside :func:`chuhai.demo.loader.load_demo`'s transaction, after the orders and opening stock. ``now``
    is the load time (the end of the demo year, of Amazon's windows and of the returns still pending).
    """
    now = now or timezone.now()
    ensure_default_carriers()
    carriers = dict(Carrier.objects.values_list("code", "pk"))
    warehouses = {w.code: w for w in Warehouse.objects.all()}
    accounts = {a.pk: a for a in ChannelAccount.objects.order_by("code")}
    ops = get_user_model().objects.filter(username="ops").first()

    stage = _("Recording shipments and tracking")
    report(stage, 0, 1)
    shipped = _shipments(rng, now, carriers, warehouses, accounts)
    report(stage, 1, 1)

    stage = _("Recording returns, defects and FBA inventory reports")
    defects = _defects(rng, now, accounts)
    returns, pending, fba_pending = _returns(rng, now, accounts, warehouses, shipped["origins"], ops)
    snapshots = _fba_snapshots(rng, now, accounts, fba_pending)
    report(stage, 1, 1)
    return {"shipments": shipped["shipments"], "tracking_events": shipped["events"], "order_defects": defects,
            "customer_returns": returns, "returns_pending": pending, "fba_snapshot_rows": snapshots}


# -- shipments --------------------------------------------------------------------------------------------------

def _planted(rng: random.Random, candidates: list[int], want: int) -> set[int]:
    """``want`` of ``candidates`` (indices), chosen by the demo's random generator (deterministic)."""
    want = max(0, min(want, len(candidates)))
    return set(rng.sample(candidates, want)) if want else set()


def _late_and_invalid(rng, now, orders, accounts) -> tuple[set[int], set[int]]:
    """Indices of the orders shipped late and of the parcels that never scan, planted as counts inside Amazon's
    30-day windows (so each account's rate is the one :data:`HEALTH` asks for) and left to chance elsewhere."""
    late: set[int] = set()
    invalid: set[int] = set()
    window_start = now - dt.timedelta(days=30)
    in_window: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(orders):
        if row[1] in accounts and accounts[row[1]].code in HEALTH and row[2] >= window_start:
            in_window[row[1]].append(i)
    for account_id, account in accounts.items():
        if account.code not in HEALTH:
            continue
        late_share, invalid_share, _odr = HEALTH[account.code]
        members = in_window.get(account_id, [])
        # Orders still waiting past their ship-by date are late already: they count towards the share.
        overdue = compute("late_shipment_rate", account=account, end=now).numerator
        n = len(members) + overdue
        want = round(late_share * n)
        if late_share >= LATE_LIMIT:
            want = max(want, math.floor(LATE_LIMIT * n) + 1) if n else 0
        else:
            want = min(max(want, 1 if n * LATE_LIMIT > 1 else 0), math.ceil(LATE_LIMIT * n) - 1)
        can_be_late = [i for i in members if (now - orders[i][2]).total_seconds() > (DEFAULT_HANDLING_DAYS + 0.2) * DAY]
        late |= _planted(rng, can_be_late, want - overdue)
        # Valid tracking counts parcels shipped in the window: leave out the first days' orders, shipped before it.
        recent = [i for i in members if orders[i][2] >= window_start + dt.timedelta(days=3)]
        n = len(recent)
        want = round(invalid_share * n)
        if invalid_share >= INVALID_LIMIT:
            want = max(want, math.floor(INVALID_LIMIT * n) + 1) if n else 0
        else:
            want = min(want, max(math.ceil(INVALID_LIMIT * n) - 1, 0))
        invalid |= _planted(rng, recent, want)
    for i, row in enumerate(orders):
        if row[1] in accounts and accounts[row[1]].code in HEALTH and row[2] >= window_start:
            continue
        if rng.random() < LATE_RATE and (now - row[2]).total_seconds() > (DEFAULT_HANDLING_DAYS + 0.2) * DAY:
            late.add(i)
        if rng.random() < INVALID_RATE:
            invalid.add(i)
    return late, invalid


def _shipments(rng, now, carriers, warehouses, accounts) -> dict:
    ship_by = ExpressionWrapper(F("purchased_at") + Value(dt.timedelta(days=DEFAULT_HANDLING_DAYS),
                                                          output_field=DurationField()), output_field=DateTimeField())
    scope = Order.objects.filter(fulfilment_channel__in=SELLER_SHIPPED, status__in=SHIPPED_STATUSES)
    orders = list(scope.order_by("pk").values_list(
        "pk", "account_id", "purchased_at", "status", "fulfilment_channel", "ship_country", "ship_city",
        "source_updated_at"))
    late, invalid = _late_and_invalid(rng, now, orders, accounts)
    scope.update(ship_by=ship_by)

    stamp = _stamper()
    full_history_since = now - dt.timedelta(days=FULL_HISTORY_DAYS)
    used: set[tuple[str, str]] = set()
    shipment_rows, events_by_order, origins = [], {}, {}
    for i, (pk, _account_id, purchased, status, channel, country, city, updated) in enumerate(orders):
        origin = _origin(channel, country, warehouses)
        carrier = _pick(rng, _carrier_mix(origin, country))
        if carrier not in carriers:
            carrier = "17track"
        while True:
            number = _tracking_number(rng, carrier, country, purchased.year)
            if (carrier, number) not in used:
                used.add((carrier, number))
                break
        age = (now - purchased).total_seconds() / DAY
        if i in late:
            offset = DEFAULT_HANDLING_DAYS + rng.uniform(0.05, min(1.0, age - DEFAULT_HANDLING_DAYS - 0.1))
        else:
            offset = rng.triangular(0.08, 1.95, 0.9 if channel == "3pl" else 1.3)
            offset = min(offset, age * 0.8)
        shipped_at = _at(purchased, offset)
        delivered = status in DELIVERED_STATUSES
        planned = _at(shipped_at, _triangular_days(rng, _transit(origin, country)))
        if delivered:
            # Delivered by the time the channel said so (a returned order: days before it came back), before now.
            latest = min(now - dt.timedelta(hours=rng.uniform(1, 12)),
                         updated if status == OrderStatus.DELIVERED else updated - dt.timedelta(days=2))
            planned = max(min(planned, latest), _at(shipped_at, 0.4))
        returned_to_sender = status == OrderStatus.RETURNED and rng.random() < 0.25
        place = f"{city}, {country}" if city else country
        if i in invalid:
            events, final, delivered_at = [], S.PENDING, None
        else:
            events, final, delivered_at = _events(rng, now, purchased, shipped_at, planned, delivered,
                                                  returned_to_sender, origin, country, place)
        status_at = events[-1][0] if events else None
        if len(events) > 2 and shipped_at < full_history_since:
            events = [events[0], events[-1]]
        shipped_text = stamp(shipped_at)
        shipment_rows.append((pk, warehouses[origin].pk if origin in warehouses else None, carriers[carrier],
                              rng.choice(SERVICES.get(carrier, ("",))), number, shipped_text, final,
                              status_at and stamp(status_at), delivered_at and stamp(delivered_at), shipped_text))
        events_by_order[pk] = events
        back = events[-1][0] if final == S.RETURNED else None
        origins[pk] = (origin, back)
    insert_rows(Shipment, ("order_id", "warehouse_id", "carrier_id", "service", "tracking_number", "shipped_at",
                           "status", "status_at", "delivered_at", "created_at"), shipment_rows)
    ids = {order_id: pk for order_id, pk in Shipment.objects.values_list("order_id", "pk") if order_id in origins}
    event_rows = [(ids[order_id], stamp(at), status, raw, description, location, "17track")
                  for order_id, events in events_by_order.items()
                  for at, status, raw, description, location in events]
    insert_rows(TrackingEvent, ("shipment_id", "occurred_at", "status", "raw_status", "description", "location",
                                "source"), event_rows)
    line_rows = [(ids[order_id], line_id, qty) for line_id, order_id, qty in
                 OrderLine.objects.filter(order__in=scope, quantity__gt=0).order_by("pk").values_list(
                     "pk", "order_id", "quantity") if order_id in ids]
    insert_rows(ShipmentLine, ("shipment_id", "order_line_id", "quantity"), line_rows)
    return {"shipments": len(shipment_rows), "events": len(event_rows), "origins": origins}


def _events(rng, now, purchased, shipped_at, planned, delivered, returned_to_sender, origin, country, place):
    """The scans of one parcel up to ``now``: (time, status, 17TRACK status, description, location) tuples, the
    parcel's status (its last scan's) and its delivery time (None unless delivered).

    ``delivered`` says what the channel reports: a parcel of an order still marked shipped gets no delivery scan
    even when its usual transit time is over — it is late in transit, or its tracking has gone quiet (expired)."""
    cross_border = origin == "SZ-LONGHUA"
    events = []
    label = purchased + (shipped_at - purchased) * rng.uniform(0.3, 0.9)
    events.append((label.replace(microsecond=0), S.INFO_RECEIVED, "InfoReceived",
                   "Shipment information received, label created", ORIGIN_PLACE[origin]))
    events.append((shipped_at, S.IN_TRANSIT, "InTransit/InTransit_PickedUp", "Picked up by the carrier",
                   ORIGIN_PLACE[origin]))
    transit = (planned - shipped_at).total_seconds() / DAY
    if cross_border:
        hub = rng.choice(ARRIVAL_HUBS.get(country) or (ARRIVAL_HUBS["DE"] if country in EU else (country,)))
        export = _at(shipped_at, min(rng.uniform(0.6, 1.5), transit * 0.3))
        arrival = _at(shipped_at, transit * rng.uniform(0.55, 0.7))
        events.append((export, S.IN_TRANSIT, "InTransit/InTransit_Departure", "Departed from the origin country",
                       rng.choice(("Shenzhen, CN", "Hong Kong, HK"))))
        events.append((arrival, S.IN_TRANSIT, "InTransit/InTransit_Arrival", "Arrived in the destination country",
                       hub))
        events.append((_at(arrival, rng.uniform(0.2, 0.6) * min(transit * 0.25, 1.5)), S.IN_TRANSIT,
                       "InTransit/InTransit_CustomsReleased", "Import customs clearance completed", hub))
    else:
        hubs = US_HUBS if origin == "US-3PL-ONT" else DE_HUBS
        events.append((_at(shipped_at, transit * rng.uniform(0.35, 0.6)), S.IN_TRANSIT, "InTransit/InTransit_Other",
                       "Arrived at the carrier's sorting facility", rng.choice(hubs)))
    r = rng.random()
    if r < 0.03:  # a hiccup on the way, then on it goes
        events.append((_at(shipped_at, transit * 0.8), S.EXCEPTION, "Exception/Exception_Delayed",
                       rng.choice(EXCEPTIONS), place))
    if returned_to_sender:
        attempt = _at(planned, -0.3)
        events.append((attempt, S.ATTEMPT_FAIL, "DeliveryFailure/DeliveryFailure_NoBody",
                       "Delivery attempted: recipient not available, notice left", place))
        events.append((_at(attempt, 7.0), S.RETURNING, "Exception/Exception_Returning",
                       "Not collected: being returned to the sender", place))
        events.append((_at(attempt, 7.0 + transit), S.RETURNED, "Exception/Exception_Returned",
                       "Returned to the sender", ORIGIN_PLACE[origin]))
    elif delivered:
        if 0.03 <= r < 0.05:
            events.append((_at(planned, -1.0), S.ATTEMPT_FAIL, "DeliveryFailure/DeliveryFailure_NoBody",
                           "Delivery attempted: recipient not available", place))
        events.append((planned - dt.timedelta(hours=rng.uniform(2.0, 7.0)), S.OUT_FOR_DELIVERY, "OutForDelivery",
                       "Out for delivery", place))
        events.append((planned, S.DELIVERED, "Delivered/Delivered_Other",
                       rng.choice(("Delivered", "Delivered, front door / porch", "Delivered to mailbox",
                                   "Delivered, handed to the recipient")), place))
    elif planned < now:
        if (now - shipped_at).total_seconds() > 25 * DAY:
            events = [e for e in events if e[0] <= now]
            events.sort(key=lambda e: e[0])
            return events, S.EXPIRED, None  # no scan for weeks: the tracking service gives up
        events.append((min(now - dt.timedelta(hours=1), _at(planned, 0.5)), S.EXCEPTION,
                       "Exception/Exception_Delayed", "Delayed in transit", place))
    elif (planned - now).total_seconds() < 6 * 3600:
        events.append((planned - dt.timedelta(hours=6), S.OUT_FOR_DELIVERY, "OutForDelivery", "Out for delivery",
                       place))
    events = [e for e in events if e[0] <= now]
    events.sort(key=lambda e: e[0])
    final = events[-1][1] if events else S.PENDING
    return events, final, events[-1][0] if final == S.DELIVERED else None


# -- order defects ----------------------------------------------------------------------------------------------

def _defects(rng, now, accounts) -> int:
    """Negative feedback, A-to-z claims and chargebacks on Amazon orders: each account's order defect rate over
    Amazon's 60 days as :data:`HEALTH` says, and about 0.4 % of the older orders."""
    kinds = ((DefectKind.NEGATIVE_FEEDBACK, 0.6), (DefectKind.A_TO_Z_CLAIM, 0.3), (DefectKind.CHARGEBACK, 0.1))
    window_start = now - dt.timedelta(days=60)
    rows = []
    for account_id, account in accounts.items():
        if account.code not in HEALTH:
            continue
        orders = list(Order.objects.filter(account_id=account_id, status__in=SHIPPED_STATUSES)
                      .order_by("pk").values_list("pk", "purchased_at"))
        recent = [i for i, (_pk, at) in enumerate(orders) if at >= window_start and (now - at).days >= 3]
        older = [i for i, (_pk, at) in enumerate(orders) if at < window_start]
        n = compute("order_defect_rate", account=account, end=now).denominator
        share = HEALTH[account.code][2]
        if share is None:  # just above the limit
            want = math.floor(ODR_LIMIT * n) + 1 if n else 0
        else:
            want = min(round(share * n), max(math.ceil(ODR_LIMIT * n) - 1, 0))
        chosen = sorted(_planted(rng, recent, want)) + sorted(_planted(rng, older, round(len(older) * 0.004)))
        for i in chosen:
            pk, purchased = orders[i]
            age = (now - purchased).total_seconds() / DAY
            opened = _at(purchased, rng.uniform(min(3.0, age * 0.5), min(35.0, age - 0.1)))
            rows.append((pk, _pick(rng, kinds), opened, ""))
    insert_rows(OrderDefect, ("order_id", "kind", "opened_at", "note"), rows)
    return len(rows)


# -- customer returns -------------------------------------------------------------------------------------------

FULFILMENT_CENTRES = {"US": ("ONT8", "LGB8", "PHX7", "MDW2", "BFI4", "TEB9", "CLT2", "DFW7"),
                      "DE": ("LEJ1", "MUC3", "FRA7", "DTM2", "STR1", "BER3"), "GB": ("LTN4", "BHX4", "MAN1", "EUK5"),
                      "JP": ("NRT2", "KIX2", "HND3", "FSZ1")}
DISPOSITIONS = (("SELLABLE", 0.6), ("CUSTOMER_DAMAGED", 0.2), ("DAMAGED", 0.12), ("DEFECTIVE", 0.08))
AMAZON_REASONS = (("UNWANTED_ITEM", 0.25), ("NOT_AS_DESCRIBED", 0.15), ("DEFECTIVE", 0.15),
                  ("ORDERED_WRONG_ITEM", 0.12), ("NO_REASON_GIVEN", 0.1), ("FOUND_BETTER_PRICE", 0.08),
                  ("DAMAGED_BY_CARRIER", 0.06), ("MISSED_ESTIMATED_DELIVERY", 0.05), ("SWITCHEROO", 0.04))
OWN_REASONS = (("No longer needed", 0.25), ("Defective / does not work", 0.2), ("Item not as described", 0.15),
               ("Arrived damaged", 0.12), ("Wrong item sent", 0.08), ("Bought by mistake", 0.12),
               ("Arrived too late", 0.08))
COMMENTS = ("Stopped charging after two days", "Does not fit my phone", "Box was crushed", "Changed my mind",
            "Cable too short", "Works fine, just not needed", "Gets very hot while charging", "")
CONDITIONS = ((ReturnCondition.SELLABLE, 0.55), (ReturnCondition.DAMAGED, 0.15), (ReturnCondition.DEFECTIVE, 0.2),
              (ReturnCondition.MISSING_PARTS, 0.1))
OWN_DECISION = {ReturnCondition.SELLABLE: RestockDecision.SELLABLE, ReturnCondition.DAMAGED: RestockDecision.UNSELLABLE,
                ReturnCondition.DEFECTIVE: RestockDecision.UNSELLABLE,
                ReturnCondition.MISSING_PARTS: RestockDecision.NOT_RESTOCKED}


def _fnsku(rng: random.Random) -> str:
    return "X00" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(7))


def _returns(rng, now, accounts, warehouses, origins, ops) -> tuple[int, int, dict]:
    """Returns of every returned order, of most refunded ones and of 1 % of the delivered ones (one unit of one
    line: the order stays delivered). Processed when older than two weeks (as history, without stock movements),
    pending otherwise. Returns (rows, pending rows, pending FBA units per warehouse code and product id)."""
    fba_of = {rule.account_id: rule.fba_warehouse for rule in
              AllocationRule.objects.filter(fba_warehouse__isnull=False).select_related("fba_warehouse")}
    fields = ("pk", "account_id", "external_id", "status", "fulfilment_channel", "ship_country", "purchased_at",
              "source_updated_at", "currency")
    delivered = list(Order.objects.filter(status=OrderStatus.DELIVERED).order_by("pk").values_list("pk", flat=True))
    partial = sorted(delivered[i] for i in rng.sample(range(len(delivered)), round(len(delivered) * 0.01)))
    orders = list(Order.objects.filter(status__in=(OrderStatus.RETURNED, OrderStatus.REFUNDED)).values_list(*fields))
    for start in range(0, len(partial), CHUNK):
        orders += Order.objects.filter(pk__in=partial[start:start + CHUNK]).values_list(*fields)
    orders.sort(key=lambda row: row[0])
    ids = [row[0] for row in orders]
    lines = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        for row in (OrderLine.objects.filter(order_id__in=ids[start:start + CHUNK], quantity__gt=0)
                    .order_by("order_id", "line_no").values_list("order_id", "channel_sku", "quantity", "unit_price",
                                                                 "discount", "product_id", "product_name")):
            lines[row[0]].append(row)
    products = {p.pk: p for p in Product.objects.all()}
    asins = {(account_id, sku): asin for account_id, sku, asin in
             Listing.objects.filter(account__platform="amazon").values_list("account_id", "channel_sku",
                                                                            "external_id")}
    fnskus: dict[tuple[str, int], str] = {}
    pending_cutoff = now - dt.timedelta(days=PENDING_DAYS)
    rows, pending = [], 0
    fba_pending: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for pk, account_id, external_id, status, channel, _country, _purchased, updated, currency in orders:
        account = accounts[account_id]
        if status == OrderStatus.REFUNDED and rng.random() < 0.3:
            continue  # refunded without a return (cheap items are not worth shipping back)
        order_lines = lines.get(pk, [])
        if not order_lines:
            continue
        if status == OrderStatus.DELIVERED:
            line = rng.choice(order_lines)
            picked = [(line, 1)]
            returned_at = updated + dt.timedelta(days=rng.uniform(3, 25))
            if returned_at >= now:
                continue
        else:
            picked = [(line, line[2]) for line in order_lines]
            returned_at = updated
        returned_at = returned_at.replace(microsecond=0)
        fba = channel == FulfilmentChannel.FBA and account_id in fba_of
        origin, back_at = origins.get(pk, ("", None))
        to_sender = back_at is not None
        if to_sender:
            returned_at = back_at
        is_pending = returned_at >= pending_cutoff
        for (_oid, sku, qty_sold, unit_price, discount, product_id, line_name), qty in picked:
            product = products.get(product_id)
            name = line_name or (product.name_en if product else "")
            refund = quantize(unit_price * qty - discount * qty / qty_sold, currency)
            comment = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
            processed_at = None if is_pending else min(_at(returned_at, rng.uniform(0.2, 4.0)), now)
            if fba:
                warehouse = fba_of[account_id]
                disposition = _pick(rng, DISPOSITIONS)
                reason = "DEFECTIVE" if disposition == "DEFECTIVE" else _pick(rng, AMAZON_REASONS)
                key = (warehouse.code, product_id or 0)
                if key not in fnskus:
                    fnskus[key] = _fnsku(rng)
                market = account.marketplace if account.marketplace in FULFILMENT_CENTRES else "US"
                centre = rng.choice(FULFILMENT_CENTRES[market])
                plate = "LPN" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(2)) + \
                    f"{rng.randrange(10**9):09d}"
                amazon_status = "Unit returned to inventory" if disposition == "SELLABLE" or rng.random() < 0.7 \
                    else "Reimbursed"
                condition = "" if is_pending else FBA_DISPOSITION_CONDITION[disposition]
                restock = "" if is_pending else FBA_DISPOSITION_RESTOCK[disposition]
                restock_wh = None if is_pending else warehouse.pk
                if is_pending and product_id:
                    fba_pending[warehouse.code][product_id][0 if disposition == "SELLABLE" else 1] += qty
                rows.append((account_id, returned_at, external_id, pk, sku, asins.get((account_id, sku), ""),
                             fnskus[key], name[:500], qty, centre, disposition, reason, amazon_status, plate, comment,
                             condition, restock, restock_wh, refund, currency, processed_at,
                             ops.pk if ops and processed_at else None))
            else:
                reason = "Returned to sender (not collected)" if to_sender else _pick(rng, OWN_REASONS)
                if is_pending:
                    condition, restock, restock_wh = "", "", None
                elif to_sender:
                    condition, restock, restock_wh = ReturnCondition.SELLABLE, RestockDecision.SELLABLE, origin
                else:
                    condition = _pick(rng, CONDITIONS)
                    restock, restock_wh = OWN_DECISION[condition], origin
                    if origin == "SZ-LONGHUA" or origin not in warehouses:
                        # Shipping a parcel back to Shenzhen costs more than it is worth: refunded, kept or disposed.
                        restock, restock_wh = RestockDecision.NOT_RESTOCKED, None
                    if restock == RestockDecision.NOT_RESTOCKED:
                        restock_wh = None
                wh = warehouses[restock_wh].pk if restock_wh in warehouses else None
                rows.append((account_id, returned_at, external_id, pk, sku, "", "", name[:500], qty, "", "", reason,
                             "", "", comment, condition, restock, wh, refund, currency, processed_at,
                             ops.pk if ops and processed_at else None))
            pending += is_pending
    insert_rows(CustomerReturn, (
        "account_id", "returned_at", "order_ref", "order_id", "sku", "asin", "fnsku", "product_name", "quantity",
        "fulfillment_center", "disposition", "reason", "status", "license_plate", "customer_comments", "condition",
        "restock", "restock_warehouse_id", "refund_amount", "refund_currency", "processed_at", "processed_by_id"),
        rows)
    return len(rows), pending, {"fba": fba_pending, "fnskus": fnskus}


# -- FBA inventory reports --------------------------------------------------------------------------------------

def _fba_snapshots(rng, now, accounts, returns_info) -> int:
    """Today's FBA inventory report of each Amazon account: its FBA warehouse as the ledger holds it (Amazon's
    fulfillable + reserved = our on hand, see :mod:`chuhai.inventory.fba_reconciliation`), except a few lost
    units, a couple damaged in the fulfilment centre, one ``amzn.gr.`` SKU of Amazon's own and the pending FBA
    returns Amazon has already shelved. Accounts sharing a warehouse (Pan-European FBA) get the same report."""
    today = timezone.localtime(now, ZoneInfo(CompanySettings.load().time_zone)).date()
    pending, fnskus = returns_info["fba"], returns_info["fnskus"]
    rules = list(AllocationRule.objects.filter(fba_warehouse__isnull=False, account__platform="amazon")
                 .select_related("account", "fba_warehouse").order_by("account__code"))
    products = {p.pk: p for p in Product.objects.all()}
    kit_parts = defaultdict(list)
    for bundle_id, component_id, qty in BundleComponent.objects.order_by("pk").values_list(
            "bundle_id", "component_id", "quantity"):
        kit_parts[bundle_id].append((component_id, qty))
    asins = {(account_id, sku): asin for account_id, sku, asin in
             Listing.objects.filter(account__platform="amazon").values_list("account_id", "channel_sku",
                                                                            "external_id")}
    reports: dict[str, dict] = {}
    rows = []
    for rule in rules:
        warehouse = rule.fba_warehouse
        if warehouse.code not in reports:
            reports[warehouse.code] = _warehouse_report(rng, warehouse, products, kit_parts,
                                                        pending.get(warehouse.code, {}), fnskus)
        figures, extra = reports[warehouse.code]
        account = rule.account
        for product_id, f in figures.items():
            product = products[product_id]
            fulfillable, reserved, unsellable, inbound, researching, fnsku = f
            warehouse_total = fulfillable + reserved + unsellable
            rows.append(FbaInventorySnapshot(
                account=account, snapshot_date=today, sku=product.sku, fnsku=fnsku,
                asin=asins.get((account.pk, product.sku), ""), product_name=product.name_en[:500], condition="New",
                fulfillable=fulfillable, unsellable=unsellable, reserved=reserved, warehouse_total=warehouse_total,
                total=warehouse_total + inbound, inbound_shipped=inbound, researching=researching))
        sku, fnsku, name, qty = extra
        rows.append(FbaInventorySnapshot(
            account=account, snapshot_date=today, sku=sku, fnsku=fnsku, product_name=name[:500],
            condition="UsedLikeNew", fulfillable=qty, warehouse_total=qty, total=qty))
    FbaInventorySnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _warehouse_report(rng, warehouse, products, kit_parts, pending, fnskus):
    """{product id: [fulfillable, reserved, unsellable, inbound shipped, researching, fnsku]} for one FBA
    warehouse, and the one unmapped SKU: (sku, fnsku, name, units)."""
    figures: dict[int, list] = {}
    for b in StockBalance.objects.filter(warehouse=warehouse).order_by("product__sku"):
        if not (b.on_hand or b.unsellable or b.inbound):
            continue
        key = (warehouse.code, b.product_id)
        if key not in fnskus:
            fnskus[key] = _fnsku(rng)
        figures[b.product_id] = [b.on_hand - b.reserved, b.reserved, b.unsellable, b.inbound, 0, fnskus[key]]
    # Pending FBA returns: already back on Amazon's shelves (a kit comes back as its parts in our books).
    for product_id, (sellable, unsellable) in sorted(pending.items()):
        parts = kit_parts.get(product_id) or [(product_id, 1)]
        for part_id, per_unit in parts:
            key = (warehouse.code, part_id)
            if key not in fnskus:
                fnskus[key] = _fnsku(rng)
            f = figures.setdefault(part_id, [0, 0, 0, 0, 0, fnskus[key]])
            f[0] += sellable * per_unit
            f[2] += unsellable * per_unit
    # Lost in the fulfilment centre (one of them still being researched by Amazon), and damaged there.
    stocked = [pk for pk, f in figures.items() if f[0] >= 12 and pk not in pending]
    picked = rng.sample(stocked, min(len(stocked), 5))
    for n, pk in enumerate(picked):
        units = rng.randint(1, 3)
        figures[pk][0] -= units
        if n < 3:
            if n == 0:
                figures[pk][4] = units
        else:
            figures[pk][2] += units
    source = products[rng.choice(sorted(figures))] if figures else None
    suffix = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
    sku = f"amzn.gr.{source.sku if source else 'item'}-{suffix}"
    name = f"{source.name_en if source else 'Item'} (Amazon Warehouse, used – like new)"
    return figures, (sku, _fnsku(rng), name, rng.randint(1, 3))
