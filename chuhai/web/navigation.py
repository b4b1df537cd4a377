"""The navigation: each entry names the permission that opens it, so menus and server checks agree."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None


NAVIGATION = [
    NavItem(_("Dashboard"), "home", "analytics.view_dashboard"),
    NavItem(_("Products"), "products", "catalog.view_product"),
    NavItem(_("Listings"), "listings", "catalog.view_listing"),
    NavItem(_("Channel accounts"), "accounts", "channels.view_channelaccount"),
    NavItem(_("Warehouses"), "warehouses", "inventory.view_warehouse"),
    NavItem(_("Stock"), "stock", "inventory.view_stockbalance"),
    NavItem(_("Channel stock"), "ats", "inventory.view_stockbalance"),
    NavItem(_("Inbound shipments"), "inbound", "inventory.view_inboundshipment"),
    NavItem(_("Allocation rules"), "allocation-rules", "inventory.view_allocationrule"),
    NavItem(_("Orders"), "orders", "orders.view_order"),
    NavItem(_("Shipments"), "shipments", "logistics.view_shipment"),
    NavItem(_("Returns"), "returns", "logistics.view_customerreturn"),
    NavItem(_("FBA reconciliation"), "fba-reconciliation", "inventory.view_fbainventorysnapshot"),
    NavItem(_("Account health"), "account-health", "analytics.view_dashboard"),
    NavItem(_("Imports"), "imports", "channels.view_importrun"),
    NavItem(_("Unmapped SKUs"), "unmapped-skus", "catalog.view_unmappedsku"),
    NavItem(_("Exchange rates"), "fx", "finance.access_finance"),
    NavItem(_("Settings"), "company-settings", "core.change_companysettings"),
]


def visible_navigation(user, current_path: str):
    items = []
    for item in NAVIGATION:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "active": current_path == url or (url != "/" and current_path.startswith(url))})
    return items
