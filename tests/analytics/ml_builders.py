"""A small business for the metric-layer tests, every figure worked out by hand.

Company: base CNY, time zone Asia/Shanghai (UTC+8, no DST). Accounts AMZ-US (amazon, USD) and SHOPEE-SG
(shopee, SGD). Products CABLE-1 (category "cables") and CHARGER-2 (category "chargers").

Order documents (line value = (unit price × qty − discount) × order fx_rate; "charged" adds shipping):

- O1 AMZ-US, 2026-01-10 02:00 UTC (Jan), customer c1, ship US, fx 7.1
    CABLE   2 × 10.00 − 1.00 discount, shipping 3.00 → goods 19.00 × 7.1 = 134.90; charged 22.00 × 7.1 = 156.20
    CHARGER 1 × 25.50                                → goods 25.50 × 7.1 = 181.05; charged 181.05
- O2 SHOPEE-SG, 2026-01-31 17:30 UTC = 2026-02-01 01:30 in Shanghai (Feb!), customer c1, ship SG, fx 5.3
    CABLE   1 × 8.00, shipping 1.00                  → goods 42.40; charged 9.00 × 5.3 = 47.70
    CHARGER 2 × 30.00, item cancelled                → left out (the dashboard counts it: 318.00, 2 units)
- O3 AMZ-US, 2026-02-05 10:00 UTC, customer c2, ship CA, fx 7.2
    CHARGER 2 × 25.00                                → goods 50.00 × 7.2 = 360.00; charged 360.00
- O4 AMZ-US credit note, 2026-02-20 UTC, status refunded, customer c2, ship CA, fx 7.2
    CHARGER −1 × 25.00                               → goods −180.00; charged −180.00 (refund 180.00)
- O5 AMZ-US cancelled, O6 AMZ-US pending payment: left out (CABLE 5 × 10.00 and 4 × 10.00)
- O7 SHOPEE-SG, 2026-02-12 UTC, guest (no customer), ship SG, fx 5.4
    CABLE   3 × 8.00                                 → goods 24.00 × 5.4 = 129.60; charged 129.60

Profit rows (base CNY; costs negative; gross profit = revenue + shipping_income + promotions + refunds + cogs):

- P1 O1's CABLE line, 2026-01-10: revenue 134.90, shipping 21.30, fees −20.00, cogs −40.00 → GP 116.20, profit 96.20
- P2 O3's CHARGER line, 2026-02-05: revenue 360.00, fees −54.00, ads −10.00, cogs −150.00 → GP 210.00, profit 146.00
- P3 O4's credit line, 2026-02-20: refunds −180.00, cogs +75.00 → GP −105.00, profit −105.00
- P4 SHOPEE-SG storage fee allocated to CABLE-1, 2026-02-01: other fees −5.50 → GP 0, profit −5.50
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.finance.profit_facts import ProfitFact
from chuhai.orders.models import Order, OrderLine

D = Decimal


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def make_order(account, external_id, when, fx_rate, lines, *, status="shipped", customer="", ship="",
               document_type="order", base_currency="CNY"):
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace, purchased_at=when,
        status=status, fulfilment_channel="fba", currency=account.currency, base_currency=base_currency,
        fx_rate=D(fx_rate), customer_ref=customer, ship_country=ship, document_type=document_type,
    )
    made = []
    for no, line in enumerate(lines, start=1):
        product, qty, price = line[:3]
        extra = line[3] if len(line) > 3 else {}
        made.append(OrderLine.objects.create(
            order=order, line_no=no, product=product, channel_sku=f"{account.code}-{product.sku}", quantity=qty,
            unit_price=D(price), discount=D(extra.get("discount", "0")), shipping=D(extra.get("shipping", "0")),
            item_status=extra.get("item_status", "shipped")))
    return order, made


def company(base="CNY", tz="Asia/Shanghai"):
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = base, tz
    settings.save()
    return settings


def business(with_credit_and_cancelled: bool = True, with_profit: bool = True) -> dict:
    company()
    us = create_account("AMZ-US", "amazon", "US")
    sg = create_account("SHOPEE-SG", "shopee", "SG")
    cable = create_product("CABLE-1", name_en="USB-C cable", name_zh="USB-C 数据线")
    charger = create_product("CHARGER-2", name_en="65W charger", name_zh="65W 充电器")
    cable.category, charger.category = "cables", "chargers"
    cable.save()
    charger.save()
    o1, o1_lines = make_order(us, "O1", utc(2026, 1, 10, 2), "7.1",
                              [(cable, 2, "10.00", {"discount": "1.00", "shipping": "3.00"}),
                               (charger, 1, "25.50")], customer="c1", ship="US")
    o2_lines = [(cable, 1, "8.00", {"shipping": "1.00"})]
    if with_credit_and_cancelled:
        o2_lines.append((charger, 2, "30.00", {"item_status": "cancelled"}))
    make_order(sg, "O2", utc(2026, 1, 31, 17, 30), "5.3", o2_lines, status="delivered", customer="c1", ship="SG")
    o3, o3_lines = make_order(us, "O3", utc(2026, 2, 5, 10), "7.2", [(charger, 2, "25.00")], customer="c2",
                              ship="CA")
    o4 = o4_lines = None
    if with_credit_and_cancelled:
        o4, o4_lines = make_order(us, "O4", utc(2026, 2, 20), "7.2", [(charger, -1, "25.00")], status="refunded",
                                  customer="c2", ship="CA", document_type="credit")
    make_order(us, "O5", utc(2026, 2, 10), "7.2", [(cable, 5, "10.00")], status="cancelled", customer="c3")
    make_order(us, "O6", utc(2026, 2, 11), "7.2", [(cable, 4, "10.00")], status="pending", customer="c3")
    make_order(sg, "O7", utc(2026, 2, 12), "5.4", [(cable, 3, "8.00")], ship="SG")
    if with_profit:
        def fact(kind, line, order, account, product, day, **amounts):
            amounts = {k: D(v) for k, v in amounts.items()}
            profit = sum(amounts.values(), D(0))
            ProfitFact.objects.create(
                kind=kind, order_line=line, order=order, account=account, product=product, sku=product.sku,
                listing_sku=line.channel_sku if line else "", marketplace=account.marketplace,
                ship_country=order.ship_country if order else "", day=day, month=day.replace(day=1),
                units=line.quantity if line else 0, currency="CNY", profit=profit, settled=True, **amounts)

        fact("order_line", o1_lines[0], o1, us, cable, dt.date(2026, 1, 10), revenue="134.90",
             shipping_income="21.30", platform_fees="-20.00", cogs="-40.00")
        fact("order_line", o3_lines[0], o3, us, charger, dt.date(2026, 2, 5), revenue="360.00",
             platform_fees="-54.00", advertising="-10.00", cogs="-150.00")
        if with_credit_and_cancelled:
            fact("order_line", o4_lines[0], o4, us, charger, dt.date(2026, 2, 20), refunds="-180.00", cogs="75.00")
        fact("allocated", None, None, sg, cable, dt.date(2026, 2, 1), other_fees="-5.50")
    return {"us": us, "sg": sg, "cable": cable, "charger": charger}
