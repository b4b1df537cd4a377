"""Per channel account: where its orders may draw stock from, and how much stock the channel is shown.

An :class:`AllocationRule` is an ordered list of warehouses (:class:`AllocationStep`), each optionally limited to
some ship-to countries, plus whether one order may be split across warehouses and which FBA warehouse holds the
account's Amazon-fulfilled stock. The same rule says what the channel may sell: available-to-sell is the stock of
the rule's warehouses, less reservations and a safety buffer, then the channel's own limits (a percentage of it,
a maximum shown, zero below a minimum) — see :mod:`chuhai.inventory.ats`. An account without a rule draws on every
active non-FBA warehouse (:func:`chuhai.inventory.allocation.candidate_warehouses`).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AllocationRule(models.Model):
    account = models.OneToOneField("channels.ChannelAccount", on_delete=models.CASCADE,
                                   related_name="allocation_rule", verbose_name=_("channel account"))
    allow_split = models.BooleanField(
        _("allow split shipments"), default=False,
        help_text=_("Let one order take units from more than one warehouse when no single warehouse can ship it."))
    fba_warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="fba_rules",
        verbose_name=_("FBA warehouse"), help_text=_("Where this account's Amazon-fulfilled orders take stock from."))
    safety_buffer = models.PositiveIntegerField(
        _("safety buffer"), default=0, help_text=_("Units per SKU held back from the channel."))
    ats_percent = models.PositiveSmallIntegerField(
        _("share shown (%)"), default=100, validators=[MaxValueValidator(100)],
        help_text=_("Percentage of the available stock this channel is shown."))
    ats_max = models.PositiveIntegerField(_("maximum shown"), null=True, blank=True,
                                          help_text=_("Never show the channel more than this (empty: no cap)."))
    ats_min = models.PositiveIntegerField(
        _("zero below"), default=0, help_text=_("Show 0 when fewer than this many units are available."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["account__code"]
        verbose_name = _("allocation rule")
        verbose_name_plural = _("allocation rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(ats_percent__lte=100), name="allocation_rule_percent_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.account}"


class AllocationStep(models.Model):
    """One warehouse in a rule's order of preference, optionally only for some ship-to countries."""

    rule = models.ForeignKey(AllocationRule, on_delete=models.CASCADE, related_name="steps",
                             verbose_name=_("allocation rule"))
    position = models.PositiveSmallIntegerField(_("position"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="allocation_steps",
                                  verbose_name=_("warehouse"))
    countries = models.CharField(
        _("ship-to countries"), max_length=500, blank=True,
        help_text=_("ISO codes separated by spaces or commas; empty: any country."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "position"]
        verbose_name = _("allocation step")
        verbose_name_plural = _("allocation steps")
        constraints = [
            models.UniqueConstraint(fields=["rule", "position"], name="allocation_step_unique_position"),
            models.UniqueConstraint(fields=["rule", "warehouse"], name="allocation_step_unique_warehouse"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} #{self.position} {self.warehouse}"

    @property
    def country_codes(self) -> frozenset[str]:
        return frozenset(code for code in self.countries.replace(",", " ").upper().split() if code)

    def serves(self, country: str) -> bool:
        codes = self.country_codes
        return not codes or (country or "").upper() in codes


class ListingStockPush(models.Model):
    """The quantity last sent (or exported) to the channel for one listing: "what changed since the last push"."""

    listing = models.OneToOneField("catalog.Listing", on_delete=models.CASCADE, related_name="stock_push",
                                   verbose_name=_("listing"))
    quantity = models.PositiveIntegerField(_("quantity pushed"))
    pushed_at = models.DateTimeField(_("pushed at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=40, blank=True, help_text=_("e.g. amazon-file, shopify-csv"))
    pushed_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("pushed by"))

    class Meta:
        ordering = ["listing"]
        verbose_name = _("listing stock push")
        verbose_name_plural = _("listing stock pushes")

    def __str__(self) -> str:
        return f"{self.listing_id}: {self.quantity}"
