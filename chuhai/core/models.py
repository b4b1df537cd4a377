"""Company-wide settings and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fields import CountryField, CurrencyField


class CompanySettings(models.Model):
    """The seller's company: one row. Base currency is what every consolidated figure is reported in."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(_("company name"), max_length=200, default="My company")
    base_currency = CurrencyField(_("base currency"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    country = CountryField(_("country of establishment"), default="CN", help_text=_("Matters for EU OSS and import rules."))
    #: The business stage (survival / growth / stable / scale, seeds-digest §3) the seller says it is in; empty:
    #: inferred from the data (chuhai.analytics.stage). Kept here so the override has an audit trail.
    seller_stage = models.CharField(
        _("business stage"), max_length=10, blank=True,
        choices=[("survival", _("Survival")), ("growth", _("Growth")), ("stable", _("Stable")), ("scale", _("Scale"))],
        help_text=_("Leave empty to let chuhai infer the stage from your orders."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        constraints = [models.CheckConstraint(condition=models.Q(singleton=True), name="company_settings_singleton")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> CompanySettings:
        """The settings row, created from CHUHAI_BASE_CURRENCY / CHUHAI_TIME_ZONE the first time it is read."""
        obj, _created = cls.objects.get_or_create(
            singleton=True,
            defaults={"base_currency": settings.CHUHAI_BASE_CURRENCY, "time_zone": settings.TIME_ZONE},
        )
        return obj


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def authenticate(self, raw: str):
        """The active user owning ``raw``, or None. Only the SHA-256 of a token is stored."""
        if not raw or not raw.startswith(ApiToken.PREFIX):
            return None
        token = self.select_related("user").filter(key_hash=_hash_token(raw), revoked_at__isnull=True).first()
        if token is None or not token.user.is_active:
            return None
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class ApiToken(models.Model):
    """A bearer token for scripts (``Authorization: Bearer chu_…``). The raw value is shown once, at creation."""

    PREFIX = "chu_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("last characters"), max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} …{self.hint}"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=_hash_token(raw), hint=raw[-4:])
        return token, raw
