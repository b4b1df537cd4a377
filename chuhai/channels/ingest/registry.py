"""Every importable source, by CLI/API name. Each lives in its platform's package under ``chuhai.channels``."""

from __future__ import annotations

from importlib import import_module

from .sources import Source

SOURCE_CLASSES = {
    "amazon-orders": "chuhai.channels.amazon.orders:AllOrdersReport",
    "amazon-settlement": "chuhai.channels.amazon.settlement:SettlementReport",
    "amazon-transactions": "chuhai.channels.amazon.transactions:TransactionReport",
    "amazon-fba-inventory": "chuhai.channels.amazon.fba_inventory:FbaInventoryReport",
    "amazon-returns": "chuhai.channels.amazon.returns:CustomerReturnsReport",
    "amazon-ads-sp": "chuhai.channels.amazon.ads:SponsoredProductsReport",
    "shopify-orders": "chuhai.channels.shopify.orders:ShopifyOrdersCsv",
    "ebay-orders": "chuhai.channels.ebay.orders:EbayOrdersReport",
    "shopee-orders": "chuhai.channels.shopee.orders:ShopeeOrdersExport",
    "tiktok-orders": "chuhai.channels.tiktok.orders:TiktokOrdersExport",
    "lazada-orders": "chuhai.channels.lazada.orders:LazadaOrdersExport",
    "woocommerce-orders": "chuhai.channels.woocommerce.orders:WooCommerceOrdersJson",
    "walmart-orders": "chuhai.channels.walmart.orders:WalmartOrdersJson",
    "generic-orders": "chuhai.channels.generic.orders:MappedOrders",
}


def available_sources() -> list[str]:
    """Names whose parser is installed (a package not built yet is left out rather than failing)."""
    names = []
    for name in SOURCE_CLASSES:
        try:
            get_source(name)
        except (ImportError, AttributeError):
            continue
        names.append(name)
    return names


def get_source(name: str) -> Source:
    try:
        target = SOURCE_CLASSES[name]
    except KeyError as exc:
        raise ValueError(f"unknown source {name!r}; choose one of {', '.join(SOURCE_CLASSES)}") from exc
    module, cls = target.split(":")
    return getattr(import_module(module), cls)()
