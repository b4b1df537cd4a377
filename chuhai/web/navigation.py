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
    section: str = ""


OVERVIEW = _("Overview")
SALES = _("Sales & fulfilment")
INVENTORY = _("Inventory")
CATALOGUE = _("Catalogue & channels")
FINANCE = _("Finance")
ADMIN = _("Administration")

NAVIGATION = [
    NavItem(_("Dashboard"), "home", "analytics.view_dashboard", OVERVIEW),
    NavItem(_("Account health"), "account-health", "analytics.view_dashboard", OVERVIEW),
    NavItem(_("Analytics"), "analytics-overview", "orders.view_order", OVERVIEW),
    NavItem(_("Customer analytics"), "analytics-customers", "orders.view_order", OVERVIEW),
    NavItem(_("Advisor"), "strategy", "strategy.view_advicerecord", OVERVIEW),
    NavItem(_("Orders"), "orders", "orders.view_order", SALES),
    NavItem(_("Shipments"), "shipments", "logistics.view_shipment", SALES),
    NavItem(_("Returns"), "returns", "logistics.view_customerreturn", SALES),
    NavItem(_("Imports"), "imports", "channels.view_importrun", SALES),
    NavItem(_("Stock"), "stock", "inventory.view_stockbalance", INVENTORY),
    NavItem(_("Channel stock"), "ats", "inventory.view_stockbalance", INVENTORY),
    NavItem(_("Inbound shipments"), "inbound", "inventory.view_inboundshipment", INVENTORY),
    NavItem(_("FBA reconciliation"), "fba-reconciliation", "inventory.view_fbainventorysnapshot", INVENTORY),
    NavItem(_("Allocation rules"), "allocation-rules", "inventory.view_allocationrule", INVENTORY),
    NavItem(_("Warehouses"), "warehouses", "inventory.view_warehouse", INVENTORY),
    NavItem(_("Products"), "products", "catalog.view_product", CATALOGUE),
    NavItem(_("Listings"), "listings", "catalog.view_listing", CATALOGUE),
    NavItem(_("Unmapped SKUs"), "unmapped-skus", "catalog.view_unmappedsku", CATALOGUE),
    NavItem(_("Channel accounts"), "accounts", "channels.view_channelaccount", CATALOGUE),
    NavItem(_("Exchange rates"), "fx", "finance.access_finance", FINANCE),
    NavItem(_("Fee schedules"), "fee-schedules", "finance.access_finance", FINANCE),
    NavItem(_("Fee types"), "fee-types", "finance.access_finance", FINANCE),
    NavItem(_("Payouts received"), "payouts", "finance.access_finance", FINANCE),
    NavItem(_("Finance settings"), "finance-settings", "finance.access_finance", FINANCE),
    NavItem(_("Inventory value"), "costs", "finance.access_finance", FINANCE),
    NavItem(_("Settlements"), "settlements", "finance.access_finance", FINANCE),
    NavItem(_("Advertising"), "ads", "finance.access_finance", FINANCE),
    NavItem(_("Profit & loss"), "pnl", "finance.access_finance", FINANCE),
    NavItem(_("Profit by SKU"), "profit", "finance.access_finance", FINANCE),
    NavItem(_("Settings"), "company-settings", "core.change_companysettings", ADMIN),
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
        active = current_path == url or (url != "/" and current_path.startswith(url))
        heading = item.section if not items or items[-1]["section"] != item.section else ""
        items.append({"label": item.label, "url": url, "active": active, "section": item.section,
                      "heading": heading})
    return items
