"""The tables of the core pages, declared once for the screen and the CSV / Excel exports."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from chuhai.core.exports import BOOL, DATE, DATETIME, MONEY, NUMBER, Column, TableSpec


def _credentials_summary(account) -> str:
    return ", ".join(f"{key}: {masked}" for key, masked in sorted(account.masked_credentials().items()))


PRODUCTS = TableSpec("products", (
    Column("sku", _("SKU"), lambda p: p.sku, url=lambda p: reverse("product-detail", args=[p.pk]), code=True),
    Column("name", _("Name"), lambda p: p.display_name(get_language())),
    Column("category", _("Category"), lambda p: p.category),
    Column("brand", _("Brand"), lambda p: p.brand),
    Column("is_bundle", _("Bundle"), lambda p: p.is_bundle, kind=BOOL),
    Column("purchase_cost", _("Purchase cost"), lambda p: p.purchase_cost, kind=MONEY,
           currency=lambda p: p.cost_currency),
    Column("cost_currency", _("Cost currency"), lambda p: p.cost_currency),
    Column("weight_g", _("Weight (g)"), lambda p: p.weight_g, kind=NUMBER),
    Column("hs_code", _("HS code"), lambda p: p.hs_code),
    Column("is_active", _("Active"), lambda p: p.is_active, kind=BOOL),
))

LISTINGS = TableSpec("listings", (
    Column("account", _("Account"), lambda li: li.account.code, code=True),
    Column("channel_sku", _("Channel SKU"), lambda li: li.channel_sku, code=True),
    Column("external_id", _("ASIN / item id"), lambda li: li.external_id, code=True),
    Column("sku", _("SKU"), lambda li: li.product.sku, url=lambda li: reverse("product-detail", args=[li.product_id]),
           code=True),
    Column("marketplace", _("Marketplace"), lambda li: li.marketplace),
    Column("price", _("Price"), lambda li: li.price, kind=MONEY, currency=lambda li: li.currency),
    Column("currency", _("Currency"), lambda li: li.currency),
    Column("status", _("Status"), lambda li: li.get_status_display()),
))

ACCOUNTS = TableSpec("channel-accounts", (
    Column("code", _("Code"), lambda a: a.code, url=lambda a: reverse("account-edit", args=[a.pk]), code=True),
    Column("name", _("Name"), lambda a: a.name),
    Column("platform", _("Platform"), lambda a: a.get_platform_display()),
    Column("marketplace", _("Marketplace"), lambda a: a.marketplace),
    Column("currency", _("Currency"), lambda a: a.currency),
    Column("operating_model", _("Operating model"), lambda a: a.get_operating_model_display()),
    Column("is_active", _("Active"), lambda a: a.is_active, kind=BOOL),
    Column("credentials", _("Credentials"), _credentials_summary),
))

WAREHOUSES = TableSpec("warehouses", (
    Column("code", _("Code"), lambda w: w.code, code=True),
    Column("name", _("Name"), lambda w: w.name),
    Column("type", _("Type"), lambda w: w.get_type_display()),
    Column("country", _("Country"), lambda w: w.country),
    Column("time_zone", _("Time zone"), lambda w: w.time_zone),
    Column("is_active", _("Active"), lambda w: w.is_active, kind=BOOL),
))

ORDERS = TableSpec("orders", (
    Column("purchased_at", _("Purchased at"), lambda o: o.purchased_at, kind=DATETIME),
    Column("external_id", _("Order id"), lambda o: o.external_id, url=lambda o: reverse("order-detail", args=[o.pk]),
           code=True),
    Column("account", _("Account"), lambda o: o.account.code, code=True),
    Column("marketplace", _("Marketplace"), lambda o: o.marketplace),
    Column("status", _("Status"), lambda o: o.get_status_display()),
    Column("fulfilment", _("Fulfilment"), lambda o: o.get_fulfilment_channel_display()),
    Column("ship_country", _("Ship-to country"), lambda o: o.ship_country),
    Column("order_total", _("Order total"), lambda o: o.order_total, kind=MONEY, currency=lambda o: o.currency),
    Column("currency", _("Currency"), lambda o: o.currency),
    Column("base_total", _("Total in base currency"), lambda o: o.order_total * o.fx_rate, kind=MONEY,
           currency=lambda o: o.base_currency),
    Column("base_currency", _("Base currency"), lambda o: o.base_currency),
))

MANUAL_RATES = TableSpec("manual-rates", (
    Column("base", _("From"), lambda r: r.base),
    Column("quote", _("To"), lambda r: r.quote),
    Column("rate", _("Rate"), lambda r: r.rate, kind=NUMBER),
    Column("valid_from", _("Valid from"), lambda r: r.valid_from, kind=DATE),
    Column("note", _("Note"), lambda r: r.note),
    Column("created_by", _("Added by"), lambda r: r.created_by.username if r.created_by else ""),
    Column("created_at", _("Added at"), lambda r: r.created_at, kind=DATETIME),
))
