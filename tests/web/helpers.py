"""Small business data for the web tests, created through the services and the ORM like real data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.orders.models import Order, OrderLine


def make_sales(days_ago_and_amounts=None):
    """Three accounts on two platforms with a few orders in the last days; returns the accounts."""
    us = create_account("AMZ-US", "amazon", "US")
    de = create_account("AMZ-DE", "amazon", "DE")
    tt = create_account("TIKTOK-US", "tiktok", "US")
    cable = create_product("CABLE-1", name_en="USB-C cable", name_zh="USB-C 数据线")
    charger = create_product("CHARGER-2", name_en="65W charger", name_zh="65W 充电器")
    now = timezone.now()
    rows = days_ago_and_amounts or [
        (us, 1, cable, 3, "12.99", "7.1"),
        (us, 3, charger, 1, "39.00", "7.1"),
        (de, 2, charger, 2, "35.00", "7.8"),
        (de, 5, cable, 1, "11.50", "7.8"),
        (tt, 4, cable, 4, "9.99", "7.1"),
    ]
    for n, (account, days_ago, product, qty, price, rate) in enumerate(rows, start=1):
        order = Order.objects.create(
            account=account, external_id=f"T-{n}", marketplace=account.marketplace,
            purchased_at=now - dt.timedelta(days=days_ago), status="shipped", fulfilment_channel="merchant",
            currency=account.currency, base_currency="CNY", fx_rate=Decimal(rate),
        )
        OrderLine.objects.create(order=order, line_no=1, product=product, channel_sku=product.sku, quantity=qty,
                                 unit_price=Decimal(price))
    return us, de, tt
