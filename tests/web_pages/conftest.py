"""A small business for the page tests: two accounts, a few products (one a bundle), listings, a warehouse and
orders in USD and JPY, each stored with its rate to CNY the way ingestion will store them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def business(db):
    from chuhai.catalog.models import BundleComponent
    from chuhai.catalog.services import create_listing, create_product
    from chuhai.channels.services import create_account
    from chuhai.inventory.services import create_warehouse
    from chuhai.orders.models import Order, OrderLine

    us = create_account("AMZ-US", "amazon", "US", credentials={"refresh_token": "Atzr|secret-refresh-9f3a"})
    jp = create_account("AMZ-JP", "amazon", "JP")
    cable = create_product("CAB-USB-C-1M", name_en="USB-C cable 1 m", name_zh="USB-C 数据线 1米",
                           cost=Decimal("4.20"), cost_currency="CNY", category="Cables")
    charger = create_product("CHG-65W", name_en="65 W GaN charger", name_zh="65W 氮化镓充电器",
                             cost=Decimal("48.5"), cost_currency="CNY", category="Chargers")
    kit = create_product("KIT-TRAVEL", name_en="Travel kit", is_bundle=True, category="Kits")
    BundleComponent.objects.create(bundle=kit, component=cable, quantity=2)
    BundleComponent.objects.create(bundle=kit, component=charger, quantity=1)
    listing_us = create_listing(us, cable, "CAB-1M-US", price=Decimal("9.99"), external_id="B0CABLE001")
    create_listing(jp, charger, "CHG-65-JP", price=Decimal("4980"))
    warehouse = create_warehouse("SZ-MAIN", "domestic", "CN")

    base_time = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 30))
    orders = []
    specs = [
        (us, "111-0000001", "shipped", "USD", Decimal("19.98"), Decimal("7.1234"), "US"),
        (us, "111-0000002", "cancelled", "USD", Decimal("9.99"), Decimal("7.1234"), "CA"),
        (jp, "250-0000003", "shipped", "JPY", Decimal("4980"), Decimal("0.047321"), "JP"),
    ]
    for index, (account, ext, status, ccy, total, rate, country) in enumerate(specs):
        order = Order.objects.create(
            account=account, external_id=ext, marketplace=account.marketplace,
            purchased_at=base_time + dt.timedelta(days=index), status=status, fulfilment_channel="fba",
            ship_country=country, ship_postal="94107", currency=ccy, items_total=total, order_total=total,
            base_currency="CNY", fx_rate=rate,
        )
        OrderLine.objects.create(order=order, line_no=1, product=cable if ccy == "USD" else charger,
                                 channel_sku="CAB-1M-US" if ccy == "USD" else "CHG-65-JP", quantity=1,
                                 unit_price=total)
        orders.append(order)
    return {"us": us, "jp": jp, "cable": cable, "charger": charger, "kit": kit, "listing_us": listing_us,
            "warehouse": warehouse, "orders": orders}
