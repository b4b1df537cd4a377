"""Hand-checked data for the advertising and service-level metrics of the metric layer (tests/analytics/test_lv_*).

Company: base CNY, time zone Asia/Shanghai (UTC+8). Manual rates: USD→CNY 7.0 from 2026-01-01 and 7.2 from
2026-02-01; EUR→CNY 8 from 2026-01-01 (so CNY→EUR is exactly 0.125).

Advertising (:func:`ads`) — accounts AMZ-US (USD) and AMZ-DE (EUR):

- A1 AMZ-US 2026-01-10 CABLE:   spend 10.00, sales 40.00, 1000 impressions, 20 clicks, 2 orders
- A2 AMZ-US 2026-01-10 CHARGER: spend  5.00, sales  0.00,  500 impressions,  5 clicks
- A3 AMZ-US 2026-02-05 CHARGER: spend 20.00, sales 50.00, 2000 impressions, 40 clicks, 1 order
- A4 AMZ-US 2026-02-05 CHARGER 14-day report: spend 99 — ignored (a 7-day report exists for the account and day)
- A5 AMZ-US 2026-02-06 CABLE 14-day report (no 7-day that day): spend 3.00, sales 6.00, 100 impressions, 4 clicks
- A6 AMZ-DE 2026-02-05 DE-X (EUR): spend 10.00, sales 20.00, 300 impressions, 6 clicks, 1 order

In CNY: spend 70 + 35 + 144 + 21.60 + 80 = 350.60; sales 280 + 0 + 360 + 43.20 + 160 = 843.20.

Orders of AMZ-US (USD) — total sales of the advertised SKUs on their ad days:

- O1 2026-01-10 02:00 UTC: CABLE 2 × 10.00 − 1.00 = 19.00 → ×7 = 133.00; CHARGER 25.50 → 178.50
- O3 2026-02-05 10:00 UTC: CHARGER 2 × 25.00 = 50.00 → ×7.2 = 360.00
- O8 2026-02-06 03:00 UTC: CABLE 10.00 → ×7.2 = 72.00
- left out: credit note on 02-05 (CHARGER −25.00), cancelled order on 02-05 (CHARGER 25.00), O9 on 01-11
  (CABLE, no ad that day)
Total sales 133 + 178.50 + 360 + 72 = 743.50 (AMZ-DE has no orders).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chuhai.analytics.models import AdPerformance
from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.finance.fx import set_manual_rate
from chuhai.logistics.models import Carrier, Shipment, TrackingEvent
from chuhai.orders.models import Order, OrderDefect, OrderLine

from .ml_builders import company, make_order, utc

D = Decimal


def rates():
    set_manual_rate("USD", "CNY", D("7.0"), dt.date(2026, 1, 1))
    set_manual_rate("USD", "CNY", D("7.2"), dt.date(2026, 2, 1))
    set_manual_rate("EUR", "CNY", D("8"), dt.date(2026, 1, 1))


def ad(account, day, sku, spend, sales, impressions, clicks, orders=0, report="sp_advertised_product",
       campaign="C1"):
    return AdPerformance.objects.create(
        account=account, report_type=report, start_date=day, end_date=day, campaign=campaign, ad_group="G",
        advertised_sku=sku, currency=account.currency, spend=D(spend), sales=D(sales), impressions=impressions,
        clicks=clicks, orders=orders, units=orders)


def ads(accounts: dict | None = None) -> dict:
    """The advertising data; with ``accounts`` (``service()``'s), on those accounts."""
    if accounts is None:
        company()
        us = create_account("AMZ-US", "amazon", "US")
        de = create_account("AMZ-DE", "amazon", "DE")
    else:
        us, de = accounts["us"], accounts["de"]
    rates()
    cable = create_product("CABLE-1", name_en="USB-C cable", name_zh="USB-C 数据线")
    charger = create_product("CHARGER-2", name_en="65W charger", name_zh="65W 充电器")
    cable_sku, charger_sku = "AMZ-US-CABLE-1", "AMZ-US-CHARGER-2"
    jan10, feb5, feb6 = dt.date(2026, 1, 10), dt.date(2026, 2, 5), dt.date(2026, 2, 6)
    ad(us, jan10, cable_sku, "10.00", "40.00", 1000, 20, 2)
    ad(us, jan10, charger_sku, "5.00", "0.00", 500, 5, campaign="C2")
    ad(us, feb5, charger_sku, "20.00", "50.00", 2000, 40, 1)
    ad(us, feb5, charger_sku, "99.00", "99.00", 9, 9, 9, report="sp_advertised_product_14d")
    ad(us, feb6, cable_sku, "3.00", "6.00", 100, 4, report="sp_advertised_product_14d")
    ad(de, feb5, "AMZ-DE-X", "10.00", "20.00", 300, 6, 1)
    make_order(us, "O1", utc(2026, 1, 10, 2), "7.1", [(cable, 2, "10.00", {"discount": "1.00"}),
                                                      (charger, 1, "25.50")], base_currency="CNY")
    make_order(us, "O3", utc(2026, 2, 5, 10), "7.2", [(charger, 2, "25.00")])
    make_order(us, "O8", utc(2026, 2, 6, 3), "7.2", [(cable, 1, "10.00")])
    make_order(us, "O4", utc(2026, 2, 5, 12), "7.2", [(charger, -1, "25.00")], status="refunded",
               document_type="credit")
    make_order(us, "O5", utc(2026, 2, 5, 13), "7.2", [(charger, 1, "25.00")], status="cancelled")
    make_order(us, "O9", utc(2026, 1, 11, 3), "7.0", [(cable, 1, "10.00")])
    return {"us": us, "de": de}


# -- service levels -------------------------------------------------------------------------------------------

def order(account, external_id, when, status="shipped", fulfilment="merchant", ship_by=None, document="order"):
    o = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace, purchased_at=when,
        status=status, fulfilment_channel=fulfilment, currency=account.currency, base_currency="CNY",
        fx_rate=D("7"), ship_country=account.marketplace, document_type=document, ship_by=ship_by)
    OrderLine.objects.create(order=o, line_no=1, channel_sku="X", quantity=1 if document == "order" else -1,
                             unit_price=D("10"))
    return o


def shipment(o, carrier, shipped_at, tracking="", status="pending", delivered_at=None):
    return Shipment.objects.create(order=o, carrier=carrier, tracking_number=tracking, shipped_at=shipped_at,
                                   status=status, delivered_at=delivered_at)


def service() -> dict:
    """Orders and shipments of AMZ-US and AMZ-DE in January and February 2026 (merchant-fulfilled unless noted).

    - U1 US 01-05 10:00, ship-by 01-07 10:00; shipped 01-06 (on time), tracking T1 in transit (valid); delivered
      01-10 (promise 01-07 + 7 = 01-14: on time). Negative feedback.
    - U2 US 01-08 10:00, no ship-by (purchase + 2 days = 01-10 10:00); shipped 01-12 (late), no tracking number
      (invalid); delivered 01-25 (promise 01-08 + 9 = 01-17: late). A-to-z claim and chargeback.
    - U3 US 01-20 cancelled, no shipment (a pre-fulfilment cancel).
    - U4 US 02-03 unshipped, ship-by 02-05: still unshipped past it (late).
    - U5 US 02-10 FBA, shipped (only in the defect rates). Chargeback.
    - U6 US 02-12 pending payment, U7 US 02-15 credit note: in no figure.
    - U8 US 02-27 23:00 UTC = 02-28 07:00 in Shanghai, unshipped, ship-by 03-02 (not due by 03-01).
    - U9 US 01-15 marked shipped, no shipment recorded (left out of the late shipment rate).
    - D1 DE 02-01 10:00, ship-by 02-03; shipped 02-02, tracking X1 status pending but a transit scan (valid).
    - D2 DE 02-02 10:00, ship-by 02-03 10:00; shipped 02-04 (late), tracking Y1 pending, no scan (invalid).
      Negative feedback.
    """
    company()
    us = create_account("AMZ-US", "amazon", "US")
    de = create_account("AMZ-DE", "amazon", "DE")
    carrier = Carrier.objects.create(code="lv-post", name="LV Post")
    u1 = order(us, "U1", utc(2026, 1, 5, 10), ship_by=utc(2026, 1, 7, 10))
    shipment(u1, carrier, utc(2026, 1, 6, 10), "T1", "in_transit", delivered_at=utc(2026, 1, 10, 10))
    OrderDefect.objects.create(order=u1, kind="negative_feedback", opened_at=utc(2026, 1, 20))
    u2 = order(us, "U2", utc(2026, 1, 8, 10))
    shipment(u2, carrier, utc(2026, 1, 12, 10), "", "delivered", delivered_at=utc(2026, 1, 25, 10))
    OrderDefect.objects.create(order=u2, kind="a_to_z_claim", opened_at=utc(2026, 1, 26))
    OrderDefect.objects.create(order=u2, kind="chargeback", opened_at=utc(2026, 1, 27))
    order(us, "U3", utc(2026, 1, 20, 10), status="cancelled")
    order(us, "U4", utc(2026, 2, 3, 10), status="unshipped", ship_by=utc(2026, 2, 5, 10))
    u5 = order(us, "U5", utc(2026, 2, 10, 10), fulfilment="fba")
    OrderDefect.objects.create(order=u5, kind="chargeback", opened_at=utc(2026, 2, 20))
    order(us, "U6", utc(2026, 2, 12, 10), status="pending")
    order(us, "U7", utc(2026, 2, 15, 10), status="refunded", document="credit")
    order(us, "U8", utc(2026, 2, 27, 23), status="unshipped", ship_by=utc(2026, 3, 2, 10))
    order(us, "U9", utc(2026, 1, 15, 10))
    d1 = order(de, "D1", utc(2026, 2, 1, 10), ship_by=utc(2026, 2, 3, 10))
    s1 = shipment(d1, carrier, utc(2026, 2, 2, 10), "X1", "pending")
    TrackingEvent.objects.create(shipment=s1, occurred_at=utc(2026, 2, 2, 12), status="in_transit")
    d2 = order(de, "D2", utc(2026, 2, 2, 10), ship_by=utc(2026, 2, 3, 10))
    shipment(d2, carrier, utc(2026, 2, 4, 10), "Y1", "pending")
    OrderDefect.objects.create(order=d2, kind="negative_feedback", opened_at=utc(2026, 2, 20))
    return {"us": us, "de": de}
