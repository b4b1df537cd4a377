"""Counts of every core entity: ``chuhai stats`` and the health page. Later issues add their entities here."""

from __future__ import annotations

from django.contrib.auth import get_user_model


def entity_counts() -> dict[str, int]:
    from chuhai.analytics.models import AdPerformance
    from chuhai.catalog.models import BundleComponent, Listing, Product, UnmappedSku
    from chuhai.channels.models import ChannelAccount, ImportRun
    from chuhai.finance.models import FxRate, LedgerLine, ManualFxRate, Settlement
    from chuhai.inventory.models import (
        FbaInventorySnapshot,
        InboundShipment,
        StockBalance,
        StockMovement,
        Warehouse,
    )
    from chuhai.logistics.models import CustomerReturn
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
        # ingestion (issue 3): what imports brought in, the import log, and the SKUs still waiting to be mapped
        "settlements": Settlement.objects.count(),
        "ledger_lines": LedgerLine.objects.count(),
        "fba_snapshots": FbaInventorySnapshot.objects.count(),
        "customer_returns": CustomerReturn.objects.count(),
        "ad_rows": AdPerformance.objects.count(),
        "imports": ImportRun.objects.count(),
        "unmapped_skus": UnmappedSku.objects.filter(resolved_at__isnull=True).count(),
        "stock_movements": StockMovement.objects.count(),
        "stock_balances": StockBalance.objects.count(),
        "inbound_shipments": InboundShipment.objects.count(),
    }
