"""Finance's choices that change how money is counted: one row, edited by finance, audited."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CostingMethod(models.TextChoices):
    FIFO = "fifo", _("FIFO per warehouse")
    MOVING_AVERAGE = "moving_average", _("Moving average per warehouse")


class FeeAllocationBasis(models.TextChoices):
    REVENUE = "revenue", _("By revenue")
    UNITS = "units", _("By units sold")
    VOLUME = "volume", _("By volume sold")


class FinanceSettings(models.Model):
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    costing_method = models.CharField(_("costing method"), max_length=16, choices=CostingMethod.choices,
                                      default=CostingMethod.FIFO)
    fee_allocation_basis = models.CharField(
        _("allocate non-order fees"), max_length=10, choices=FeeAllocationBasis.choices,
        default=FeeAllocationBasis.REVENUE,
        help_text=_("How storage, subscription and advertising fees of a period are spread over the SKUs sold."))
    vat_on_fees_recoverable = models.BooleanField(
        _("VAT on platform fees is recoverable"), default=True,
        help_text=_("Registered for VAT where the fees are charged: the VAT on them is reclaimed, not a cost."))
    unsettled_after_days = models.PositiveIntegerField(
        _("flag orders not settled after (days)"), default=21,
        help_text=_("A shipped order with no settlement line after this many days is listed for follow-up."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")
        constraints = [models.CheckConstraint(condition=models.Q(singleton=True), name="finance_settings_singleton"),
                       models.CheckConstraint(condition=models.Q(costing_method__in=CostingMethod.values),
                                              name="finance_settings_costing_method"),
                       models.CheckConstraint(condition=models.Q(fee_allocation_basis__in=FeeAllocationBasis.values),
                                              name="finance_settings_allocation_basis")]

    def __str__(self) -> str:
        return str(_("finance settings"))

    @classmethod
    def load(cls) -> FinanceSettings:
        obj, _created = cls.objects.get_or_create(singleton=True)
        return obj
