"""Exchange rates: the ECB reference history (euro cross rates) and the seller's own rates, which win."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chuhai.core.fields import CurrencyField

RATE_DIGITS, RATE_PLACES = 24, 12


class FxRate(models.Model):
    """ECB reference rate: 1 EUR = ``per_eur`` units of ``currency`` on ``date`` (business days only)."""

    date = models.DateField(_("date"))
    currency = CurrencyField(_("currency"))
    per_eur = models.DecimalField(_("units per EUR"), max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    source = models.CharField(_("source"), max_length=20, default="ECB")

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        permissions = [("access_finance", _("Can open the finance pages"))]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="fx_rate_unique_day"),
            models.CheckConstraint(condition=models.Q(per_eur__gt=0), name="fx_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} EUR/{self.currency} {self.per_eur}"


class ManualFxRate(models.Model):
    """The seller's own rate ("my rate"): 1 ``base`` = ``rate`` ``quote`` from ``valid_from`` until the next one.

    Used for the rate a payment provider actually gave, and for currencies the ECB does not publish (VND, TWD, AED...).
    """

    base = CurrencyField(_("from currency"))
    quote = CurrencyField(_("to currency"))
    rate = models.DecimalField(_("rate"), max_digits=RATE_DIGITS, decimal_places=RATE_PLACES)
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["base", "quote", "-valid_from"]
        verbose_name = _("manual exchange rate")
        verbose_name_plural = _("manual exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "valid_from"], name="manual_fx_unique_start"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="manual_fx_positive"),
            models.CheckConstraint(condition=~models.Q(base=models.F("quote")), name="manual_fx_distinct_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from} 1 {self.base} = {self.rate} {self.quote}"
