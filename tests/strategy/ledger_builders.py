"""A small hybrid seller for the advisor's ledger tests (evidence, unit economics, scenarios, conflicts), every
figure worked out by hand. No tests in this module.

Company: base CNY, time zone UTC; ``TODAY`` = 2026-12-01, so the evidence window is December 2025 – November
2026 and the scenarios' lookback September – November 2026. Manual rates USD→CNY 7, EUR→CNY 8 from 2026-01-01
(so the stage's US$5,000 survival threshold is 35,000 CNY).

Accounts: AMZ-US (amazon, US, USD, platform), AMZ-DE (amazon, DE, EUR, platform), SHOP-US (shopify, US, USD,
own site). Products: CABLE (category "Cables", purchase cost 2.00 USD), LAMP (category "Lamps").

Orders (net sales = quantity × price × fx rate):

======  ========  ==========  ========  ===============================  =========  ==========
order   account   day         customer  lines                            net sales  units
======  ========  ==========  ========  ===============================  =========  ==========
A0      AMZ-US    2026-03-15  c2        CABLE 1 × 10.00 USD                  70.00      1
A3      AMZ-US    2026-09-20  c2        CABLE 3 × 10.00 USD                 210.00      3
A1      AMZ-US    2026-10-05  c1        CABLE 2 × 10.00 USD                 140.00      2
A2      AMZ-US    2026-11-10  c1        CABLE 1 × 10.00, LAMP 1 × 30.00     280.00      2
C1      AMZ-US    2026-11-20  c1        credit: CABLE −1 × 10.00 USD        −70.00     −1
S1      SHOP-US   2026-10-12  c3        CABLE 1 × 12.00 USD                  84.00      1
S2      SHOP-US   2026-11-03  c4        CABLE 2 × 12.00 USD                 168.00      2
D1      AMZ-DE    2026-11-15  c5        LAMP 1 × 35.70 EUR (VAT incl.)      285.60      1
======  ========  ==========  ========  ===============================  =========  ==========

Profit facts: :data:`FACTS` (CNY, costs negative; contribution = the plain sum of the parts).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.finance.fx import set_manual_rate
from chuhai.finance.profit_facts import ProfitFact
from chuhai.orders.models import Order, OrderLine

D = Decimal
TODAY = dt.date(2026, 12, 1)
LOOKBACK = (dt.date(2026, 9, 1), dt.date(2026, 11, 30))
WINDOW = (dt.date(2025, 12, 1), dt.date(2026, 11, 30))

#: (order, account, day, customer, currency, fx rate, [(sku, qty, unit price)], document type)
ORDERS = (
    ("A0", "AMZ-US", dt.date(2026, 3, 15), "c2", "USD", "7", [("CABLE", 1, "10.00")], "order"),
    ("A3", "AMZ-US", dt.date(2026, 9, 20), "c2", "USD", "7", [("CABLE", 3, "10.00")], "order"),
    ("A1", "AMZ-US", dt.date(2026, 10, 5), "c1", "USD", "7", [("CABLE", 2, "10.00")], "order"),
    ("A2", "AMZ-US", dt.date(2026, 11, 10), "c1", "USD", "7", [("CABLE", 1, "10.00"), ("LAMP", 1, "30.00")],
     "order"),
    ("C1", "AMZ-US", dt.date(2026, 11, 20), "c1", "USD", "7", [("CABLE", -1, "10.00")], "credit"),
    ("S1", "SHOP-US", dt.date(2026, 10, 12), "c3", "USD", "7", [("CABLE", 1, "12.00")], "order"),
    ("S2", "SHOP-US", dt.date(2026, 11, 3), "c4", "USD", "7", [("CABLE", 2, "12.00")], "order"),
    ("D1", "AMZ-DE", dt.date(2026, 11, 15), "c5", "EUR", "8", [("LAMP", 1, "35.70")], "order"),
)

#: (order or None for a period fee, account, sku, day, units, parts) — one per order line, in line order.
FACTS = (
    ("A0", "AMZ-US", "CABLE", dt.date(2026, 3, 15), 1, {"revenue": "70", "platform_fees": "-10.5", "cogs": "-14"}),
    ("A3", "AMZ-US", "CABLE", dt.date(2026, 9, 20), 3, {"revenue": "210", "platform_fees": "-31.5",
                                                        "advertising": "-21", "cogs": "-42"}),
    ("A1", "AMZ-US", "CABLE", dt.date(2026, 10, 5), 2, {"revenue": "140", "platform_fees": "-21",
                                                        "advertising": "-14", "cogs": "-28"}),
    ("A2", "AMZ-US", "CABLE", dt.date(2026, 11, 10), 1, {"revenue": "70", "platform_fees": "-10.5", "cogs": "-14"}),
    ("A2", "AMZ-US", "LAMP", dt.date(2026, 11, 10), 1, {"revenue": "210", "platform_fees": "-31.5",
                                                        "logistics": "-20", "cogs": "-80"}),
    ("C1", "AMZ-US", "CABLE", dt.date(2026, 11, 20), -1, {"refunds": "-70", "cogs": "14"}),
    ("S1", "SHOP-US", "CABLE", dt.date(2026, 10, 12), 1, {"revenue": "84", "platform_fees": "-2.94",
                                                          "logistics": "-15", "cogs": "-14"}),
    ("S2", "SHOP-US", "CABLE", dt.date(2026, 11, 3), 2, {"revenue": "168", "platform_fees": "-5.88",
                                                         "logistics": "-30", "cogs": "-28", "advertising": "-20"}),
    ("D1", "AMZ-DE", "LAMP", dt.date(2026, 11, 15), 1, {"revenue": "240", "platform_fees": "-42.84",
                                                        "cogs": "-80"}),
    (None, "AMZ-US", "CABLE", dt.date(2026, 11, 1), 0, {"other_fees": "-6"}),
)


def company(base: str = "CNY", tz: str = "UTC"):
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = base, tz
    settings.save()
    return settings


def rates() -> None:
    set_manual_rate("USD", "CNY", D("7"), dt.date(2026, 1, 1))
    set_manual_rate("EUR", "CNY", D("8"), dt.date(2026, 1, 1))


def hybrid_seller(with_facts: bool = True) -> dict:
    """The seller of the module docstring; returns accounts, products and orders by name."""
    company()
    rates()
    accounts = {
        "AMZ-US": create_account("AMZ-US", "amazon", "US"),
        "AMZ-DE": create_account("AMZ-DE", "amazon", "DE"),
        "SHOP-US": create_account("SHOP-US", "shopify", "US"),
    }
    products = {
        "CABLE": create_product("CABLE", name_en="Cable", cost=D("2.00"), cost_currency="USD", category="Cables"),
        "LAMP": create_product("LAMP", name_en="Lamp", category="Lamps"),
    }
    orders, lines = {}, {}
    for name, code, day, customer, currency, rate, items, doc in ORDERS:
        account = accounts[code]
        order = Order.objects.create(
            account=account, external_id=name, marketplace=account.marketplace,
            purchased_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
            status="refunded" if doc == "credit" else "shipped", fulfilment_channel="merchant", currency=currency,
            base_currency="CNY", fx_rate=D(rate), customer_ref=customer, ship_country=account.marketplace,
            document_type=doc)
        orders[name] = order
        for no, (sku, qty, price) in enumerate(items, start=1):
            lines.setdefault(name, []).append(OrderLine.objects.create(
                order=order, line_no=no, product=products[sku], channel_sku=f"{code}-{sku}", quantity=qty,
                unit_price=D(price), gross_amount=D(price) * qty, item_status="shipped"))
    if with_facts:
        used: dict[str, int] = {}
        for name, code, sku, day, units, parts in FACTS:
            line = None
            if name is not None:
                line = lines[name][used.get(name, 0)]
                used[name] = used.get(name, 0) + 1
            amounts = {k: D(v) for k, v in parts.items()}
            ProfitFact.objects.create(
                kind="order_line" if line else "allocated", order_line=line, order=orders.get(name),
                account=accounts[code], product=products[sku], sku=sku,
                listing_sku=line.channel_sku if line else "", marketplace=accounts[code].marketplace,
                ship_country=accounts[code].marketplace, day=day, month=day.replace(day=1), units=units,
                currency="CNY", profit=sum(amounts.values(), D(0)), settled=True, **amounts)
    return {"accounts": accounts, "products": products, "orders": orders}


def fact_sums(keep) -> dict[str, Decimal]:
    """Σ of each part (and ``profit``) over the :data:`FACTS` rows ``keep(row)`` accepts — the independent
    expectation the tests compare the code with."""
    sums: dict[str, Decimal] = {}
    for row in FACTS:
        if not keep(row):
            continue
        for part, value in row[5].items():
            sums[part] = sums.get(part, D(0)) + D(value)
        sums["profit"] = sums.get("profit", D(0)) + sum((D(v) for v in row[5].values()), D(0))
    return sums


def in_lookback(row) -> bool:
    return LOOKBACK[0] <= row[3] <= LOOKBACK[1]
