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


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Imported")
    DRY_RUN = "dry_run", _("Dry run")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One file taken in (or refused): who, when, which file (by SHA-256) and what it changed.

    A rejected file changed nothing; its errors (line, column, value, message) are kept here for the upload page.
    """

    source = models.CharField(_("source"), max_length=40)
    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="import_runs")
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file_size = models.BigIntegerField(_("bytes"), default=0)
    user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    updated = models.PositiveIntegerField(_("records updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [("run_import", _("Can import report files"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ImportStatus.values), name="import_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name} ({self.status})"
