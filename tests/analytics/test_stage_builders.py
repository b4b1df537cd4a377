"""Builders for the business-stage tests: sellers with one order a month per channel account, in USD (base USD,
time zone UTC, fx_rate 1), so each month's net sales are exactly the amounts given. No tests in this module.

``seller(today, amounts, ...)``: ``amounts[-1]`` is the last full month before ``today``'s month, ``amounts[-2]``
the one before, and so on. Each month every account gets one order on the 15th (12:00 UTC) worth the month's
amount; inside the 12-month window the order has one line per SKU (the amount split evenly), before it one line
of the first SKU. Customers c0..c4 rotate, so some buy again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chuhai.analytics.stage import add_months
from chuhai.catalog.models import Product
from chuhai.channels.models import ChannelAccount
from chuhai.orders.models import Order, OrderLine

from .ml_builders import company

D = Decimal
TODAY = dt.date(2026, 12, 1)
PLATFORMS = ("amazon", "ebay", "shopify", "shopee")


def seller(today: dt.date, amounts, accounts: int = 1, skus: int = 1) -> None:
    company(base="USD", tz="UTC")
    accts = [ChannelAccount.objects.get_or_create(code=f"ACC-{i}", defaults={
        "platform": PLATFORMS[i], "marketplace": "US", "currency": "USD", "operating_model": "platform"})[0]
        for i in range(accounts)]
    products = [Product.objects.get_or_create(sku=f"SKU-{i:02d}", defaults={"name_en": f"Product {i}"})[0]
                for i in range(skus)]
    this_month = today.replace(day=1)
    window_start = add_months(this_month, -12)
    lines = []
    n = 0
    for back, amount in enumerate(reversed(list(amounts)), start=1):
        month = add_months(this_month, -back)
        when = dt.datetime(month.year, month.month, 15, 12, tzinfo=dt.UTC)
        for acct in accts:
            n += 1
            order = Order.objects.create(
                account=acct, external_id=f"S{n}", marketplace="US", purchased_at=when, status="shipped",
                fulfilment_channel="merchant", currency="USD", base_currency="USD", fx_rate=D(1),
                customer_ref=f"c{n % 5}", ship_country="US")
            used = products if month >= window_start else products[:1]
            share = D(amount) / len(used)
            for no, product in enumerate(used, start=1):
                lines.append(OrderLine(order=order, line_no=no, product=product, channel_sku=product.sku,
                                       quantity=1, unit_price=share, gross_amount=share,
                                       item_status="shipped"))
    OrderLine.objects.bulk_create(lines)
