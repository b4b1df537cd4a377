"""What actually reached the seller's bank or wallet for a payout, in the currency it arrived in.

Amazon pays a settlement of 10,000.00 USD; PingPong credits 71,850.00 CNY after its fee and spread. The book value
of the settlement is the sum of its ledger lines at each line's transaction-date rate (``LedgerLine.base_amount``);
what arrived, at the rate of the day it arrived, minus that book value is the FX gain or loss.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chuhai.core.fields import CurrencyField

from .cost_layers import COST_DIGITS, COST_PLACES


class PayoutProvider(models.TextChoices):
    BANK = "bank", _("Bank account")
    PINGPONG = "pingpong", _("PingPong")
    LIANLIAN = "lianlian", _("LianLian Pay")
    PAYONEER = "payoneer", _("Payoneer")
    WORLDFIRST = "worldfirst", _("WorldFirst")
    AIRWALLEX = "airwallex", _("Airwallex")
    PAYPAL = "paypal", _("PayPal")
    STRIPE = "stripe", _("Stripe")
    OTHER = "other", _("Other")


class PayoutReceipt(models.Model):
    """Money received for one settlement (or a payout without one): amount, currency, fee and date."""

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="payouts",
                                verbose_name=_("channel account"))
    settlement = models.ForeignKey("finance.Settlement", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="receipts", verbose_name=_("settlement"))
    provider = models.CharField(_("received through"), max_length=12, choices=PayoutProvider.choices)
    reference = models.CharField(_("reference"), max_length=100,
                                 help_text=_("The provider's transaction id: the same id is never entered twice."))
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount received"), max_digits=COST_DIGITS, decimal_places=COST_PLACES)
    currency = CurrencyField(_("currency received"))
    fee = models.DecimalField(_("provider fee"), max_digits=COST_DIGITS, decimal_places=COST_PLACES, default=0,
                              help_text=_("Withdrawal fee charged by the provider, in the currency received."))
    base_amount = models.DecimalField(_("received in base currency"), max_digits=COST_DIGITS,
                                      decimal_places=COST_PLACES, null=True, blank=True)
    book_amount = models.DecimalField(_("book value in base currency"), max_digits=COST_DIGITS,
                                      decimal_places=COST_PLACES, null=True, blank=True,
                                      help_text=_("The settlement's ledger lines at their own dates' rates."))
    fx_gain = models.DecimalField(_("FX gain / loss"), max_digits=COST_DIGITS, decimal_places=COST_PLACES,
                                  null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payout received")
        verbose_name_plural = _("payouts received")
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="payout_receipt_unique_reference"),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="payout_receipt_fee_not_negative"),
            models.CheckConstraint(condition=models.Q(provider__in=PayoutProvider.values),
                                   name="payout_receipt_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference} {self.amount} {self.currency}"
