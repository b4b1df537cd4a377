"""Counts of every core entity: ``chuhai stats`` and the health page. Later issues add their entities here."""

from __future__ import annotations

from django.contrib.auth import get_user_model


def entity_counts() -> dict[str, int]:
    from chuhai.analytics.models import AdPerformance
    from chuhai.catalog.models import BundleComponent, Listing, Product, UnmappedSku
    from chuhai.channels.models import ChannelAccount, ImportRun
    from chuhai.finance.fees import FeeTypeMapping
    from chuhai.finance.models import FxRate, LedgerLine, ManualFxRate, Settlement
    from chuhai.inventory.models import (
        AllocationRule,
        FbaInventorySnapshot,
        InboundShipment,
        ListingStockPush,
        OrderAllocation,
        Reservation,
        StockBalance,
        StockMovement,
        Warehouse,
    )
    from chuhai.logistics.models import Carrier, CustomerReturn, Shipment, TrackingEvent
    from chuhai.orders.models import Order, OrderDefect, OrderLine

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
        "customer_returns_processed": CustomerReturn.objects.filter(processed_at__isnull=False).count(),
        "ad_rows": AdPerformance.objects.count(),
        "imports": ImportRun.objects.count(),
        "unmapped_skus": UnmappedSku.objects.filter(resolved_at__isnull=True).count(),
        "stock_movements": StockMovement.objects.count(),
        "stock_balances": StockBalance.objects.count(),
        "inbound_shipments": InboundShipment.objects.count(),
        # allocation (issue 4): live reservations, the orders still waiting for stock, and the rules behind them
        "reservations": Reservation.objects.filter(status="reserved").count(),
        "orders_waiting_for_stock": OrderAllocation.objects.filter(status="short").count(),
        "allocation_rules": AllocationRule.objects.count(),
        "listing_stock_pushes": ListingStockPush.objects.count(),
        "shipments": Shipment.objects.count(),
        "tracking_events": TrackingEvent.objects.count(),
        "carriers": Carrier.objects.count(),
        # account health (issue 4): buyers' defects behind the order defect rate
        "order_defects": OrderDefect.objects.count(),
        # fee taxonomy (issue 5): finance's own mappings, and the ledger lines of a type nobody mapped yet
        "fee_type_mappings": FeeTypeMapping.objects.count(),
        "ledger_lines_unmapped": LedgerLine.objects.filter(category="unknown").count(),
    }
