"""Channel accounts: a seller's stores, many per platform, each tied to one operating model."""

from __future__ import annotations

from babel.numbers import get_territory_currencies
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chuhai.core.crypto import mask_secret
from chuhai.core.fields import CountryField, CurrencyField, EncryptedJSONField


class Platform(models.TextChoices):
    AMAZON = "amazon", "Amazon"
    EBAY = "ebay", "eBay"
    ALIEXPRESS = "aliexpress", "AliExpress"
    SHOPEE = "shopee", "Shopee"
    LAZADA = "lazada", "Lazada"
    TIKTOK = "tiktok", "TikTok Shop"
    WALMART = "walmart", "Walmart"
    TEMU = "temu", "Temu"
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    DROPSHIP = "dropship", _("Dropship partner")
    DISTRIBUTOR = "distributor", _("Distributor")


class OperatingModel(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    OWN_SITE = "own_site", _("Own site")
    DISTRIBUTION = "distribution", _("Distribution")


DEFAULT_MODEL = {
    Platform.SHOPIFY: OperatingModel.OWN_SITE,
    Platform.WOOCOMMERCE: OperatingModel.OWN_SITE,
    Platform.DROPSHIP: OperatingModel.DISTRIBUTION,
    Platform.DISTRIBUTOR: OperatingModel.DISTRIBUTION,
}


def default_model_for(platform: str) -> str:
    return DEFAULT_MODEL.get(platform, OperatingModel.PLATFORM)


def default_currency_for(country: str) -> str:
    """The marketplace's legal tender (CLDR), e.g. DE → EUR, GB → GBP."""
    currencies = get_territory_currencies(country, tender=True)
    return currencies[0] if currencies else "USD"


class ChannelAccount(models.Model):
    """One store on one platform and marketplace (``AMZ-US``, ``SHOPEE-SG``...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True, allow_unicode=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    marketplace = CountryField(_("marketplace"))
    currency = CurrencyField(_("currency"))
    operating_model = models.CharField(_("operating model"), max_length=20, choices=OperatingModel.choices)
    is_active = models.BooleanField(_("active"), default=True)
    credentials = EncryptedJSONField(_("credentials"), blank=True, default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["credentials"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(platform__in=Platform.values), name="channel_account_platform_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(operating_model__in=OperatingModel.values), name="channel_account_model_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def masked_credentials(self) -> dict[str, str]:
        """Credentials as they may be shown: keys in full, values as their last four characters."""
        return {key: mask_secret(value) for key, value in (self.credentials or {}).items()}
