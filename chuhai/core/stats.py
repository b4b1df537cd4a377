"""Counts of every core entity: ``chuhai stats`` and the health page. Later issues add their entities here."""

from __future__ import annotations

from django.contrib.auth import get_user_model


def entity_counts() -> dict[str, int]:
    from chuhai.catalog.models import BundleComponent, Listing, Product
    from chuhai.channels.models import ChannelAccount
    from chuhai.finance.models import FxRate, ManualFxRate
    from chuhai.inventory.models import Warehouse
    from chuhai.orders.models import Order, OrderLine

    return {
        "products": Product.objects.filter(is_bundle=False).count(),
        "bundles": Product.objects.filter(is_bundle=True).count(),
        "bundle_components": BundleComponent.objects.count(),
        "listings": Listing.objects.count(),
        "accounts": ChannelAccount.objects.count(),
        "warehouses": Warehouse.objects.count(),
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "fx_rates": FxRate.objects.count(),
        "manual_fx_rates": ManualFxRate.objects.count(),
        "users": get_user_model().objects.count(),
    }
