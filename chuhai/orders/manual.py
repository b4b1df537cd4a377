"""Orders entered by hand or through the API: B2B, offline sales, replacements, samples.

A manual order exists only if its stock does: the order, its lines and their reservations are written in one
transaction, and when the account's warehouses cannot cover it the whole thing is rolled back and
:class:`~chuhai.inventory.stock.InsufficientStock` says which SKU is short — nothing is reserved, nothing is left
half-entered. Its id is unique per account like an imported order's; entering it twice is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.catalog.models import Listing, Product
from chuhai.core.countries import normalize_country
from chuhai.core.models import CompanySettings
from chuhai.finance.fx import FxConverter
from chuhai.inventory.allocation import sync_order
from chuhai.inventory.reservations import AllocationStatus
from chuhai.inventory.stock import InsufficientStock

from .models import FulfilmentChannel, Order, OrderLine, OrderStatus

MANUAL_CHANNELS = (FulfilmentChannel.MERCHANT, FulfilmentChannel.THREE_PL)


class OrderExists(ValueError):
    """The account already has an order with this id."""


@dataclass(frozen=True)
class ManualLine:
    sku: str
    quantity: int
    unit_price: Decimal | None = None


def _product(account, sku: str) -> tuple[Product, str]:
    """Our SKU, or the account's channel SKU for one of our products → (product, channel SKU on the line)."""
    product = Product.objects.filter(sku=sku).first()
    if product is not None:
        listing = Listing.objects.filter(account=account, product=product).order_by("pk").first()
        return product, listing.channel_sku if listing else sku
    listing = Listing.objects.select_related("product").filter(account=account, channel_sku=sku).first()
    if listing is None:
        raise ValueError(_("unknown SKU %(sku)s: neither a product SKU nor a channel SKU of %(account)s") % {
            "sku": repr(sku), "account": account.code})
    return listing.product, sku


def _price(account, product: Product, value) -> Decimal:
    if value is None:
        listing = Listing.objects.filter(account=account, product=product, price__isnull=False).first()
        return listing.price if listing else Decimal(0)
    try:
        price = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(_("unit price %(value)s is not a number") % {"value": repr(value)}) from exc
    if not price.is_finite() or price < 0:
        raise ValueError(_("unit price %(value)s must be 0 or more") % {"value": repr(value)})
    return price


def create_manual_order(account, external_id: str, ship_country: str, lines: list[ManualLine], *,
                        purchased_at: dt.datetime | None = None, currency: str | None = None,
                        fulfilment_channel: str = FulfilmentChannel.MERCHANT, is_replacement: bool = False,
                        user=None) -> Order:
    """Create an unshipped order and reserve its stock, or change nothing and raise (ValueError for bad input,
    :class:`OrderExists` for a duplicate id, :class:`InsufficientStock` when stock is short)."""
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValueError(_("an order needs an id"))
    if len(external_id) > 64:
        raise ValueError(_("an order id has at most 64 characters"))
    if fulfilment_channel not in MANUAL_CHANNELS:
        raise ValueError(_("a manual order ships from our own or a 3PL warehouse, not %(channel)s") % {
            "channel": repr(fulfilment_channel)})
    country = normalize_country(ship_country)
    if not lines:
        raise ValueError(_("an order needs at least one line"))
    resolved = []
    for line in lines:
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int) or line.quantity <= 0:
            raise ValueError(_("quantity of %(sku)s must be a whole number greater than 0, not %(value)s") % {
                "sku": line.sku, "value": repr(line.quantity)})
        product, channel_sku = _product(account, line.sku)
        resolved.append((product, channel_sku, line.quantity, _price(account, product, line.unit_price)))
    currency = currency or account.currency
    purchased_at = purchased_at or timezone.now()
    base = CompanySettings.load().base_currency
    rate = Decimal(1) if currency == base else FxConverter().rate(currency, base, purchased_at.date())
    items_total = sum((price * qty for _p, _c, qty, price in resolved), Decimal(0))
    try:
        with transaction.atomic():
            order = Order.objects.create(
                account=account, external_id=external_id, marketplace=account.marketplace,
                purchased_at=purchased_at, status=OrderStatus.UNSHIPPED, fulfilment_channel=fulfilment_channel,
                is_replacement=is_replacement, ship_country=country, currency=currency, items_total=items_total,
                order_total=items_total, base_currency=base, fx_rate=rate, created_by=user if getattr(
                    user, "pk", None) else None)
            OrderLine.objects.bulk_create([
                OrderLine(order=order, line_no=no, product=product, channel_sku=channel_sku,
                          product_name=product.name_en or product.name_zh, quantity=qty, unit_price=price,
                          gross_amount=price * qty)
                for no, (product, channel_sku, qty, price) in enumerate(resolved, start=1)
            ])
            allocation = sync_order(order, user=user)
            if allocation.status != AllocationStatus.ALLOCATED:
                raise InsufficientStock(allocation.message or _("order %(order)s could not be allocated") % {
                    "order": external_id})
    except IntegrityError as exc:
        if Order.objects.filter(account=account, external_id=external_id).exists():
            raise OrderExists(_("%(account)s already has an order %(order)s") % {
                "account": account.code, "order": external_id}) from exc
        raise
    return order
