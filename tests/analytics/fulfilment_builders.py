"""Small builders for the fulfilment KPI tests: orders, shipments, tracking events and defects made directly
through the models, each with only the fields a KPI reads, so every expected figure can be checked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chuhai.channels.models import ChannelAccount
from chuhai.inventory.models import Warehouse
from chuhai.logistics.models import Carrier, Shipment, TrackingEvent
from chuhai.orders.models import Order, OrderDefect

UTC = dt.UTC
#: The end of every window in these tests ("now" for the KPIs).
END = dt.datetime(2026, 4, 1, tzinfo=UTC)


def days_before_end(days: float, **extra) -> dt.datetime:
    return END - dt.timedelta(days=days, **extra)


def account(code: str = "AMZ-US", platform: str = "amazon", marketplace: str = "US") -> ChannelAccount:
    return ChannelAccount.objects.create(code=code, platform=platform, marketplace=marketplace, currency="USD",
                                         operating_model="platform")


def carrier(code: str = "ups", name: str = "UPS") -> Carrier:
    return Carrier.objects.get_or_create(code=code, defaults={"name": name})[0]


def warehouse(code: str = "SZ-MAIN", country: str = "CN", type: str = "domestic") -> Warehouse:
    return Warehouse.objects.get_or_create(code=code, defaults={"type": type, "country": country})[0]


_counter = {"n": 0}


def order(acct: ChannelAccount, purchased_at: dt.datetime, *, status: str = "unshipped",
          channel: str = "merchant", ship_by: dt.datetime | None = None, ship_country: str = "US",
          external_id: str | None = None, document_type: str = "order") -> Order:
    _counter["n"] += 1
    return Order.objects.create(
        account=acct, external_id=external_id or f"111-{_counter['n']:07d}", marketplace=acct.marketplace,
        purchased_at=purchased_at, status=status, fulfilment_channel=channel, document_type=document_type,
        ship_by=ship_by, ship_country=ship_country, currency="USD", items_total=Decimal("10"),
        order_total=Decimal("10"), base_currency="CNY", fx_rate=Decimal("7.1"),
    )


def ship(o: Order, shipped_at: dt.datetime, *, tracking: str | None = None, status: str = "in_transit",
         delivered_at: dt.datetime | None = None, via: Carrier | None = None, origin: Warehouse | None = None,
         events: tuple[str, ...] = ()) -> Shipment:
    _counter["n"] += 1
    shipment = Shipment.objects.create(
        order=o, carrier=via or carrier(), warehouse=origin, shipped_at=shipped_at, status=status,
        delivered_at=delivered_at, tracking_number=f"1Z{_counter['n']:010d}" if tracking is None else tracking,
    )
    for index, event_status in enumerate(events):
        TrackingEvent.objects.create(shipment=shipment, occurred_at=shipped_at + dt.timedelta(hours=index + 1),
                                     status=event_status, description=f"event {index}")
    return shipment


def defect(o: Order, kind: str = "negative_feedback", opened_at: dt.datetime | None = None) -> OrderDefect:
    return OrderDefect.objects.create(order=o, kind=kind, opened_at=opened_at or o.purchased_at + dt.timedelta(days=3))


def breaching_account(code: str = "AMZ-US") -> dict:
    """An Amazon account, relative to now, breaching two of Amazon's four targets:

    - order defect rate 1 of 4 orders = 25 % (breach); pre-fulfilment cancel rate 0 of 3 merchant orders (pass);
    - late shipment rate 1 of 3 shipped orders = 33.33 % (breach: ``late`` shipped two days after its ship-by);
    - valid tracking rate 3 of 3 shipments (pass); on-time delivery 1 of 1; one UPS CN → US transit of 4 days.
    A Shopify account alongside has no account-health page.
    """
    from django.utils import timezone

    now = timezone.now()
    acct = account(code)
    account("SHOP-1", platform="shopify")
    ups, origin = carrier("ups", "UPS"), warehouse("SZ-MAIN", "CN")
    t = now - dt.timedelta(days=5)
    on_time = order(acct, t, status="delivered", ship_by=t + dt.timedelta(days=1), external_id="111-0000001-0000001")
    late = order(acct, t, status="shipped", ship_by=t + dt.timedelta(days=1), external_id="111-0000002-0000002")
    defective = order(acct, t, status="shipped", ship_by=t + dt.timedelta(days=1),
                      external_id="111-0000003-0000003")
    fba = order(acct, t, status="shipped", channel="fba", external_id="111-0000004-0000004")
    ship(on_time, t + dt.timedelta(hours=5), via=ups, origin=origin, status="delivered",
         delivered_at=t + dt.timedelta(days=4, hours=5))
    ship(late, t + dt.timedelta(days=3), via=ups, origin=origin)
    ship(defective, t + dt.timedelta(hours=2), via=ups, origin=origin)
    defect(defective, "a_to_z_claim", opened_at=now - dt.timedelta(days=2))
    return {"account": acct, "on_time": on_time, "late": late, "defective": defective, "fba": fba, "now": now}
