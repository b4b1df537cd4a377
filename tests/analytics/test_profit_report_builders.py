"""Builders for the profit report tests: real accounts, products, orders and lines through the models, and
ProfitFact rows written directly (the engine that normally fills them is not under test here).

Every figure is in CNY (the test base currency), costs negative, so a fact's contribution is the plain sum of its
parts. No tests in this module."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chuhai.catalog.models import Product
from chuhai.channels.models import ChannelAccount
from chuhai.core.models import CompanySettings
from chuhai.finance.profit_facts import FactKind, ProfitFact
from chuhai.orders.models import Order, OrderLine

UTC = dt.UTC
D = Decimal


def base(currency: str = "CNY") -> None:
    settings = CompanySettings.load()
    settings.base_currency = currency
    settings.save()


def account(code: str = "AMZ-US", marketplace: str = "US", platform: str = "amazon") -> ChannelAccount:
    return ChannelAccount.objects.get_or_create(code=code, defaults={
        "platform": platform, "marketplace": marketplace, "currency": "USD", "operating_model": "platform"})[0]


def product(sku: str) -> Product:
    return Product.objects.get_or_create(sku=sku, defaults={"name_en": f"Product {sku}"})[0]


_n = {"orders": 0}


def order(acct: ChannelAccount, day: dt.date, external_id: str | None = None, country: str = "US") -> Order:
    _n["orders"] += 1
    return Order.objects.create(
        account=acct, external_id=external_id or f"113-{_n['orders']:07d}", marketplace=acct.marketplace,
        purchased_at=dt.datetime.combine(day, dt.time(12), tzinfo=UTC), status="shipped",
        fulfilment_channel="merchant", ship_country=country, currency="USD", items_total=D("10"),
        order_total=D("10"), base_currency="CNY", fx_rate=D("7.1"),
    )


def fact(o: Order | None, sku: str, day: dt.date, *, account_: ChannelAccount | None = None, units: int = 1,
         revenue="0", platform_fees="0", cogs="0", settled: bool = True, cogs_estimated: bool = False,
         fees: dict | None = None, listing_sku: str | None = None, country: str | None = None,
         kind: str | None = None, currency: str = "CNY", **amounts) -> ProfitFact:
    """One fact: an order line of ``o`` (a new line each call) or, with ``o=None``, an allocated period fee.

    ``profit`` is stored as the sum of the parts given, as the engine stores it."""
    acct = account_ or (o.account if o else account())
    line = None
    if o is not None:
        line_no = o.lines.count() + 1
        line = OrderLine.objects.create(order=o, line_no=line_no, product=product(sku) if sku else None,
                                        channel_sku=listing_sku or f"L-{sku}", quantity=units or 1,
                                        unit_price=D(revenue) if D(revenue) > 0 else D(1),
                                        gross_amount=D(revenue) if D(revenue) > 0 else D(1))
    parts = {"revenue": D(revenue), "platform_fees": D(platform_fees), "cogs": D(cogs),
             **{k: D(v) for k, v in amounts.items()}}
    profit = sum((v for k, v in parts.items() if k not in ("gross_sales", "vat")), D(0))
    return ProfitFact.objects.create(
        kind=kind or (FactKind.ORDER_LINE if o else FactKind.ALLOCATED), order_line=line, order=o, account=acct,
        product=product(sku) if sku else None, sku=sku, listing_sku=listing_sku or (f"L-{sku}" if sku else ""),
        marketplace=acct.marketplace, ship_country=country if country is not None else (o.ship_country if o else ""),
        day=day, month=day.replace(day=1), units=units, currency=currency, profit=profit,
        fees={k: str(D(v)) for k, v in (fees or {}).items()}, settled=settled, cogs_estimated=cogs_estimated,
        **parts,
    )


def two_skus() -> dict:
    """Three facts for two SKUs in March 2026 (CNY), one unsettled:

    ======  ==========  =======  =============  ======  ========  =======
    fact    SKU         revenue  platform fees  COGS    settled   profit
    ======  ==========  =======  =============  ======  ========  =======
    f1      MUG-1       100.00   -15.00         -40.00  yes        45.00
    f2      MUG-1        50.00    -7.50         -20.00  no         22.50
    f3      LAMP-2      200.00   -30.00         -90.00  yes        80.00
    ======  ==========  =======  =============  ======  ========  =======

    MUG-1: revenue 150.00, fees -22.50, COGS -60.00 → profit 67.50, margin 67.50 / 150 = 45 %, partly estimated.
    LAMP-2: profit 80.00, margin 80 / 200 = 40 %, settled.
    """
    base("CNY")
    us = account("AMZ-US", "US")
    de = account("AMZ-DE", "DE")
    o1 = order(us, dt.date(2026, 3, 2), "113-0000001", country="US")
    o2 = order(us, dt.date(2026, 3, 20), "113-0000002", country="CA")
    o3 = order(de, dt.date(2026, 3, 5), "303-0000003", country="DE")
    return {
        "us": us, "de": de, "orders": (o1, o2, o3),
        "f1": fact(o1, "MUG-1", dt.date(2026, 3, 2), units=2, revenue="100.00", platform_fees="-15.00",
                   cogs="-40.00", fees={"referral_fee": "-15.00"}),
        "f2": fact(o2, "MUG-1", dt.date(2026, 3, 20), units=1, revenue="50.00", platform_fees="-7.50",
                   cogs="-20.00", settled=False, fees={"referral_fee": "-7.50"}),
        "f3": fact(o3, "LAMP-2", dt.date(2026, 3, 5), units=1, revenue="200.00", platform_fees="-30.00",
                   cogs="-90.00", cogs_estimated=True, fees={"referral_fee": "-20.00", "fulfilment_fee": "-10.00"}),
    }
