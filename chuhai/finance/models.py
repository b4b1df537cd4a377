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


class Settlement(models.Model):
    """A payout period as the platform reports it (Amazon settlement id): the total its ledger lines must sum to."""

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="settlements")
    settlement_id = models.CharField(_("settlement id"), max_length=64)
    start_at = models.DateTimeField(_("period start"), null=True, blank=True)
    end_at = models.DateTimeField(_("period end"), null=True, blank=True)
    deposit_at = models.DateTimeField(_("deposit date"), null=True, blank=True)
    total_amount = models.DecimalField(_("total"), max_digits=20, decimal_places=6, null=True, blank=True)
    currency = CurrencyField(_("currency"))
    lines_total = models.DecimalField(_("sum of lines"), max_digits=20, decimal_places=6, default=0)
    import_run = models.ForeignKey("channels.ImportRun", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="settlements")

    class Meta:
        ordering = ["-end_at"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["account", "settlement_id"], name="settlement_unique_per_account"),
        ]

    def __str__(self) -> str:
        return self.settlement_id

    @property
    def difference(self):
        """Reported total minus the sum of the stored lines (zero for a consistent file)."""
        return None if self.total_amount is None else self.total_amount - self.lines_total


class LedgerLine(models.Model):
    """One raw money line from a settlement or transaction report, exactly as the platform reported it.

    ``fingerprint`` (digest of the source row + its occurrence number within the file) makes re-imports no-ops.
    Mapping to a fee taxonomy, FX and profit belong to the finance issue; this table stores exactly.
    """

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="ledger_lines")
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, null=True, blank=True, related_name="lines")
    settlement_ref = models.CharField(_("settlement id"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=40)
    fingerprint = models.CharField(max_length=32, editable=False)
    transaction_type = models.CharField(_("transaction type"), max_length=100, blank=True)
    order_ref = models.CharField(_("order id"), max_length=64, blank=True, db_index=True)
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    quantity = models.IntegerField(_("quantity"), null=True, blank=True)
    amount_type = models.CharField(_("amount type"), max_length=100, blank=True)
    amount_description = models.CharField(_("amount description"), max_length=255, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=6)
    currency = CurrencyField(_("currency"))
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    marketplace = models.CharField(_("marketplace"), max_length=64, blank=True)
    fulfilment = models.CharField(_("fulfilment"), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    base_amount = models.DecimalField(_("amount in base currency"), max_digits=20, decimal_places=6, null=True,
                                      blank=True, help_text=_("At the rate of the posting date; empty until "
                                                              "converted (chuhai.finance.base_amounts)."))
    fx_rate = models.DecimalField(_("rate to base currency"), max_digits=RATE_DIGITS, decimal_places=RATE_PLACES,
                                  null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, blank=True, db_index=True,
                                help_text=_("Our fee category (chuhai.finance.fees.FeeCategory); 'unknown' until "
                                            "someone maps the type."))
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="ledger_lines", verbose_name=_("order"))
    import_run = models.ForeignKey("channels.ImportRun", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="ledger_lines")

    class Meta:
        ordering = ["posted_at", "id"]
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        constraints = [
            models.UniqueConstraint(fields=["account", "fingerprint"], name="ledger_line_unique_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.amount_type}/{self.amount_description} {self.amount} {self.currency}"


from .cost_layers import CostLayer, CostOfSale, LandedCharge  # noqa: E402,F401
from .fees import FeeSchedule, FeeTypeMapping  # noqa: E402,F401
from .finance_settings import FinanceSettings  # noqa: E402,F401
from .payouts import PayoutReceipt  # noqa: E402,F401
from .profit_facts import ProfitFact  # noqa: E402,F401
