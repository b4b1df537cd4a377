"""The fee taxonomy: every platform's money-line types mapped onto one set of categories.

Each platform reports money in its own words (Amazon "ItemFees / FBAPerUnitFulfillmentFee", Shopify Payments
"charge fee", eBay "Final Value Fee", Shopee "Commission Fee"...). Profit, reconciliation and the P&L read only
:class:`FeeCategory`. The default mapping of each platform lives in its own package (``chuhai/channels/<platform>/
fee_types.py``); :class:`FeeTypeMapping` rows, edited by finance, override it. A type nobody mapped is kept, with
category ``unknown``, and listed for someone to map — never dropped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FeeCategory(models.TextChoices):
    # revenue side
    PRINCIPAL = "principal", _("Product sales")
    SHIPPING_INCOME = "shipping_income", _("Shipping charged to the buyer")
    GIFT_WRAP_INCOME = "gift_wrap_income", _("Gift wrap charged to the buyer")
    TAX_COLLECTED = "tax_collected", _("Tax collected by the seller")
    MARKETPLACE_TAX = "marketplace_tax", _("Tax collected and remitted by the marketplace")
    PROMOTION = "promotion", _("Promotions and discounts")
    REFUND = "refund", _("Refunds to buyers")
    # platform fees
    REFERRAL_FEE = "referral_fee", _("Referral / commission / final value fee")
    REFUND_COMMISSION = "refund_commission", _("Refund administration fee")
    FULFILMENT_FEE = "fulfilment_fee", _("Fulfilment fee (FBA and platform logistics)")
    SHIPPING_LABEL = "shipping_label", _("Shipping labels bought on the platform")
    STORAGE_FEE = "storage_fee", _("Storage fees")
    INBOUND_FEE = "inbound_fee", _("Inbound placement and transport")
    TRANSACTION_FEE = "transaction_fee", _("Transaction and payment processing fees")
    SERVICE_FEE = "service_fee", _("Programme and service fees")
    SUBSCRIPTION = "subscription", _("Subscription")
    ADVERTISING = "advertising", _("Advertising")
    COUPON_DEAL = "coupon_deal", _("Coupons, deals and vouchers")
    # other money movements
    REIMBURSEMENT = "reimbursement", _("Reimbursements")
    RESERVE = "reserve", _("Reserve held or released")
    TRANSFER = "transfer", _("Payout to the bank")
    WITHDRAWAL_FEE = "withdrawal_fee", _("Withdrawal fees (PingPong, LianLian, Payoneer...)")
    FX_SPREAD = "fx_spread", _("Currency conversion spread")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not mapped yet")


class FeeTypeMapping(models.Model):
    """A finance user's mapping of one platform money-line type onto a category (wins over the default).

    The key is what the platform reports: its transaction type, amount type and amount description, each of
    which may be "" (matches anything). The most specific matching row wins."""

    platform = models.CharField(_("platform"), max_length=20)
    transaction_type = models.CharField(_("transaction type"), max_length=100, blank=True)
    amount_type = models.CharField(_("amount type"), max_length=100, blank=True)
    amount_description = models.CharField(_("amount description"), max_length=255, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=FeeCategory.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["platform", "transaction_type", "amount_type", "amount_description"]
        verbose_name = _("fee type mapping")
        verbose_name_plural = _("fee type mappings")
        constraints = [
            models.UniqueConstraint(fields=["platform", "transaction_type", "amount_type", "amount_description"],
                                    name="fee_type_mapping_unique"),
            models.CheckConstraint(condition=models.Q(category__in=FeeCategory.values),
                                   name="fee_type_mapping_category_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}: {self.transaction_type}/{self.amount_type}/{self.amount_description} → {self.category}"


class FeeScheduleKind(models.TextChoices):
    # xgettext:no-python-format
    REFERRAL_PERCENT = "referral_percent", _("Referral fee (% of the sale)")
    FULFILMENT_PER_UNIT = "fulfilment_per_unit", _("Fulfilment fee per unit")
    # xgettext:no-python-format
    PAYMENT_PERCENT = "payment_percent", _("Payment processing (% of the order)")
    PAYMENT_FIXED = "payment_fixed", _("Payment processing (fixed per order)")
    # xgettext:no-python-format
    TRANSACTION_PERCENT = "transaction_percent", _("Transaction / service fee (% of the order)")


class FeeSchedule(models.Model):
    """A platform's published fee, dated and sourced, used to estimate the fees of orders not settled yet.

    One row is one rate: e.g. Amazon US referral fee for "Electronics" 8 % (minimum 0.30 USD) from 2025-01-15,
    or the FBA fulfilment fee for a "Small standard" unit up to 4 oz of 3.06 USD. ``category`` matches the
    product's category ("" = any); ``size_tier`` and the weight band apply to fulfilment fees."""

    platform = models.CharField(_("platform"), max_length=20)
    marketplace = models.CharField(_("marketplace"), max_length=2, blank=True, help_text=_("Empty: every market."))
    kind = models.CharField(_("fee"), max_length=24, choices=FeeScheduleKind.choices)
    category = models.CharField(_("product category"), max_length=100, blank=True)
    size_tier = models.CharField(_("size tier"), max_length=40, blank=True)
    weight_from_g = models.PositiveIntegerField(_("from weight (g)"), null=True, blank=True)
    weight_to_g = models.PositiveIntegerField(_("to weight (g)"), null=True, blank=True)
    percent = models.DecimalField(_("percent"), max_digits=7, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=6, null=True, blank=True)
    minimum = models.DecimalField(_("minimum"), max_digits=20, decimal_places=6, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500, help_text=_("Where the figure comes from (URL, page)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["platform", "marketplace", "kind", "category", "size_tier", "weight_from_g", "-valid_from"]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=FeeScheduleKind.values),
                                   name="fee_schedule_kind_valid"),
            models.CheckConstraint(condition=models.Q(percent__isnull=False) | models.Q(amount__isnull=False),
                                   name="fee_schedule_has_a_rate"),
            models.CheckConstraint(condition=models.Q(valid_to__isnull=True)
                                   | models.Q(valid_to__gte=models.F("valid_from")), name="fee_schedule_period"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.marketplace} {self.kind} {self.category or '*'} {self.valid_from}"
