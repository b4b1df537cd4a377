"""Creating products and listings; the product-list import lives in :mod:`chuhai.catalog.product_import`."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from chuhai.core.countries import normalize_country
from chuhai.core.money import normalize_currency

from .models import Listing, Product


def create_product(sku: str, name_en: str = "", name_zh: str = "", cost: Decimal | None = None,
                   cost_currency: str | None = None, weight_g: int | None = None, **extra) -> Product:
    """Validate and create one product. A cost without a currency is an error, not a guess."""
    sku = (sku or "").strip()
    if cost is not None and not cost_currency:
        raise ValidationError({"cost_currency": "a purchase cost needs its currency"})
    product = Product(
        sku=sku,
        name_en=name_en,
        name_zh=name_zh,
        purchase_cost=cost,
        cost_currency=normalize_currency(cost_currency) if cost_currency else "",
        weight_g=weight_g,
        **extra,
    )
    product.full_clean()
    product.save()
    return product


def update_product(product: Product, changes: dict) -> Product:
    """Apply ``changes`` (model field → value) with the model's full validation; the audit history records who."""
    for field, value in changes.items():
        setattr(product, field, value)
    if product.cost_currency:
        product.cost_currency = normalize_currency(product.cost_currency)
    if product.purchase_cost is not None and not product.cost_currency:
        raise ValidationError({"cost_currency": "a purchase cost needs its currency"})
    product.full_clean()
    product.save()
    return product


def create_listing(account, product: Product, channel_sku: str, price: Decimal | None = None,
                   external_id: str = "", currency: str | None = None, marketplace: str | None = None) -> Listing:
    listing = Listing(
        account=account,
        product=product,
        channel_sku=channel_sku,
        external_id=external_id,
        marketplace=normalize_country(marketplace) if marketplace else account.marketplace,
        currency=normalize_currency(currency) if currency else account.currency,
        price=price,
    )
    listing.full_clean()
    listing.save()
    return listing
