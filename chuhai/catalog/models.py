"""Products, bundles and listings.

A *product* is a SKU the seller owns and stocks; a *bundle* is a product made of other products (it consumes its
components' stock); a *listing* is how one channel account sells a product under its own SKU/ASIN/item id.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chuhai.core.fields import CountryField, CurrencyField, MoneyField


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    is_bundle = models.BooleanField(_("bundle / kit"), default=False)
    purchase_cost = MoneyField(_("purchase cost"), null=True, blank=True)
    cost_currency = CurrencyField(_("cost currency"), blank=True)
    weight_g = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    country_of_origin = CountryField(_("country of origin"), blank=True, default="CN")
    has_battery = models.BooleanField(_("contains battery"), default=False)
    is_hazmat = models.BooleanField(_("hazmat"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purchase_cost__isnull=True) | models.Q(purchase_cost__gte=0),
                name="product_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(purchase_cost__isnull=True) | ~models.Q(cost_currency=""),
                name="product_cost_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def name(self) -> str:
        return self.name_en or self.name_zh or self.sku

    def display_name(self, language: str | None) -> str:
        if language and language.startswith("zh"):
            return self.name_zh or self.name_en or self.sku
        return self.name


class BundleComponent(models.Model):
    """One component line of a bundle: selling one ``bundle`` consumes ``quantity`` of ``component``."""

    bundle = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="used_in_bundles")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bundle component")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "component"], name="bundle_component_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="bundle_component_qty_positive"),
            models.CheckConstraint(
                condition=~models.Q(bundle=models.F("component")), name="bundle_component_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bundle} ⊃ {self.quantity}× {self.component}"


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    SUPPRESSED = "suppressed", _("Suppressed")
    CLOSED = "closed", _("Closed")


class Listing(models.Model):
    """A channel account's offer of one of our products, under the channel's own SKU."""

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="listings")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="listings")
    channel_sku = models.CharField(_("channel SKU"), max_length=100)
    external_id = models.CharField(_("ASIN / item id"), max_length=64, blank=True)
    marketplace = CountryField(_("marketplace"))
    currency = CurrencyField(_("currency"))
    price = MoneyField(_("price"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["account__code", "channel_sku"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(fields=["account", "channel_sku"], name="listing_unique_channel_sku"),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0), name="listing_price_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(status__in=ListingStatus.values), name="listing_status_valid"),
        ]
        indexes = [models.Index(fields=["external_id"], name="listing_external_id_idx")]

    def __str__(self) -> str:
        return f"{self.account.code}:{self.channel_sku}"


class UnmappedSku(models.Model):
    """A channel SKU seen on imported order lines that maps to none of our products: a task for someone to map.

    Mapping it (:func:`chuhai.catalog.mapping.map_channel_sku`) creates the listing and re-links past lines.
    """

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.CASCADE, related_name="unmapped_skus")
    channel_sku = models.CharField(_("channel SKU"), max_length=100)
    product_name = models.CharField(_("product name on the channel"), max_length=500, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now=True)
    resolved_at = models.DateTimeField(_("mapped at"), null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["account__code", "channel_sku"]
        verbose_name = _("unmapped channel SKU")
        verbose_name_plural = _("unmapped channel SKUs")
        constraints = [models.UniqueConstraint(fields=["account", "channel_sku"], name="unmapped_sku_unique")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.channel_sku}"
