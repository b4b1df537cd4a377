"""The demo seller's stock: allocation rules per account, opening stock in every warehouse, the open orders'
reservations and two inbound shipments on their way — all through the same services a user's actions run.

Opening stock is booked after the year of orders is written, so the year's shipped orders are history (from
before stock was tracked) and only today's open orders take stock, exactly as for a seller who starts using
chuhai with a year of imported reports. A few SKUs are left without stock somewhere, so there are orders waiting
for stock to look at.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.catalog.models import Product
from chuhai.channels.models import ChannelAccount
from chuhai.inventory import transfers
from chuhai.inventory.allocation import sync_orders
from chuhai.inventory.channel_rules import AllocationRule, AllocationStep
from chuhai.inventory.ledger import MovementKind, StockBalance, StockMovement, StockState
from chuhai.inventory.models import Warehouse
from chuhai.orders.models import Order, OrderStatus

EU = "DE FR IT ES NL BE AT PL SE IE"

#: account → (FBA warehouse, [(warehouse, ship-to countries)], split allowed, safety buffer, % shown, max shown)
RULES = {
    "AMZ-US": ("FBA-US", [("US-3PL-ONT", "US"), ("SZ-LONGHUA", "")], False, 2, 100, None),
    "AMZ-DE": ("FBA-EU", [("DE-3PL-HAM", EU), ("SZ-LONGHUA", "")], False, 2, 100, None),
    "AMZ-UK": ("FBA-EU", [("SZ-LONGHUA", "")], False, 2, 100, None),
    "AMZ-JP": ("FBA-JP", [("SZ-LONGHUA", "JP")], False, 0, 100, None),
    "SHOPEE-SG": (None, [("SZ-LONGHUA", "")], False, 0, 50, 30),
    "SHOPEE-MY": (None, [("SZ-LONGHUA", "")], False, 0, 50, 30),
    "TIKTOK-US": (None, [("US-3PL-ONT", "US")], False, 3, 80, 100),
    "EBAY-US": (None, [("US-3PL-ONT", "US"), ("SZ-LONGHUA", "")], False, 1, 100, None),
    "SHOPIFY-SITE": (None, [("US-3PL-ONT", "US CA"), ("DE-3PL-HAM", EU), ("SZ-LONGHUA", "")], True, 0, 100, None),
}

#: warehouse → (min, max) opening units per SKU, and the share of SKUs it holds at all.
OPENING = {
    "SZ-LONGHUA": ((150, 900), 1.0),
    "US-3PL-ONT": ((20, 260), 0.8),
    "DE-3PL-HAM": ((10, 160), 0.6),
    "FBA-US": ((30, 400), 0.85),
    "FBA-EU": ((20, 220), 0.7),
    "FBA-JP": ((10, 90), 0.5),
}


def load_demo_inventory(rng: random.Random, report: Callable[[str, int, int], None]) -> dict:
    warehouses = {w.code: w for w in Warehouse.objects.all()}
    accounts = {a.code: a for a in ChannelAccount.objects.all()}
    for code, (fba, steps, split, buffer, percent, cap) in RULES.items():
        if code not in accounts:
            continue
        rule = AllocationRule.objects.create(account=accounts[code], fba_warehouse=warehouses.get(fba) if fba else None,
                                             allow_split=split, safety_buffer=buffer, ats_percent=percent,
                                             ats_max=cap)
        AllocationStep.objects.bulk_create([
            AllocationStep(rule=rule, position=i, warehouse=warehouses[w], countries=countries)
            for i, (w, countries) in enumerate(steps, start=1)])

    stage = _("Booking opening stock")
    products = list(Product.objects.filter(is_bundle=False).order_by("sku"))
    balances, movements = [], []
    for product in products:
        for code, ((low, high), share) in OPENING.items():
            if code not in warehouses or rng.random() > share:
                continue
            qty = rng.randint(low, high)
            balances.append(StockBalance(product=product, warehouse=warehouses[code], on_hand=qty))
            movements.append(StockMovement(product=product, warehouse=warehouses[code], kind=MovementKind.RECEIPT,
                                           state=StockState.ON_HAND, quantity=qty, reference="DEMO-OPENING",
                                           reason=_("Opening stock count")))
    StockBalance.objects.bulk_create(balances, batch_size=1000)
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    report(stage, len(products), len(products))

    stage = _("Reserving stock for what is still to ship")
    open_orders = Order.objects.filter(status__in=[OrderStatus.PENDING, OrderStatus.UNSHIPPED,
                                                   OrderStatus.PARTIALLY_SHIPPED])
    counts = sync_orders(open_orders)
    report(stage, 1, 1)

    inbound = 0
    if {"SZ-LONGHUA", "US-3PL-ONT", "FBA-US"} <= warehouses.keys() and len(products) >= 12:
        sz = warehouses["SZ-LONGHUA"]
        free = {b.product_id: b.available for b in StockBalance.objects.filter(warehouse=sz)}
        picks = [p for p in rng.sample(products, 24) if free.get(p.pk, 0) >= 60][:12]
        today = timezone.localdate()
        sea = transfers.create(sz, warehouses["US-3PL-ONT"], "sea",
                               {p.sku: min(rng.randint(100, 300), free[p.pk] // 2) for p in picks[:8]},
                               carrier="COSCO (Matson)", eta=today + dt.timedelta(days=18))
        transfers.ship(sea)
        transfers.mark_in_transit(sea)
        air = transfers.create(sz, warehouses["FBA-US"], "air",
                               {p.sku: min(rng.randint(30, 80), free[p.pk] // 2) for p in picks[8:]},
                               carrier="UPS", eta=today + dt.timedelta(days=5))
        transfers.ship(air)
        inbound = 2
    return {"allocation_rules": len(RULES), "stock_balances": len(balances), "inbound_shipments": inbound,
            "orders_reserved": counts.get("allocated", 0), "orders_waiting_for_stock": counts.get("short", 0)}
