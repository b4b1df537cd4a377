"""Database constraints hold even when application validation is bypassed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chuhai.catalog.models import BundleComponent, Listing, Product
from chuhai.catalog.services import create_listing, create_product
from chuhai.channels.services import create_account


@pytest.mark.django_db
def test_sku_is_unique_in_the_database():
    Product.objects.create(sku="PB-10K")
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(sku="PB-10K")


@pytest.mark.django_db
def test_cost_needs_a_currency_and_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(sku="A", purchase_cost=Decimal("1"), cost_currency="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(sku="B", purchase_cost=Decimal("-1"), cost_currency="CNY")
    with pytest.raises(ValidationError, match="cost_currency"):
        create_product("C", cost=Decimal("1"))


@pytest.mark.django_db
def test_bundle_cannot_contain_itself_or_zero_quantity():
    kit = Product.objects.create(sku="KIT", is_bundle=True)
    part = Product.objects.create(sku="PART")
    BundleComponent.objects.create(bundle=kit, component=part, quantity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        BundleComponent.objects.create(bundle=kit, component=kit, quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BundleComponent.objects.create(bundle=kit, component=part, quantity=1)


@pytest.mark.django_db
def test_channel_sku_unique_per_account_only():
    us = create_account("AMZ-US", "amazon", "US")
    de = create_account("AMZ-DE", "amazon", "DE")
    product = create_product("HUB-7", name_en="7-port hub")
    create_listing(us, product, "HUB7-US", price=Decimal("29.99"))
    eu = create_listing(de, product, "HUB7-US", price=Decimal("27.99"))
    assert eu.currency == "EUR" and eu.marketplace == "DE"
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.create(account=us, product=product, channel_sku="HUB7-US", marketplace="US", currency="USD")
