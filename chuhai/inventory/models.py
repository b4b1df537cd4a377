"""Warehouses. The stock ledger, reservations and allocation arrive with the inventory issue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chuhai.core.fields import CountryField


class WarehouseType(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic warehouse")
    OVERSEAS_3PL = "overseas_3pl", _("Overseas 3PL")
    FBA = "fba", _("Amazon FBA")
    DROPSHIP = "dropship", _("Supplier dropship")


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=WarehouseType.choices)
    country = CountryField(_("country"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.CheckConstraint(condition=models.Q(type__in=WarehouseType.values), name="warehouse_type_valid"),
        ]

    def __str__(self) -> str:
        return self.code


class FbaInventorySnapshot(models.Model):
    """What Amazon says it holds for a SKU on a day (Manage FBA Inventory report). Reconciled against the stock
    ledger by the inventory issue; stored here as reported. One row per account × day × SKU × FNSKU."""

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="fba_snapshots")
    snapshot_date = models.DateField(_("date"))
    sku = models.CharField(_("SKU"), max_length=100)
    fnsku = models.CharField(_("FNSKU"), max_length=20, blank=True)
    asin = models.CharField(_("ASIN"), max_length=20, blank=True)
    product_name = models.CharField(_("product name"), max_length=500, blank=True)
    condition = models.CharField(_("condition"), max_length=40, blank=True)
    fulfillable = models.IntegerField(_("fulfillable"), default=0)
    unsellable = models.IntegerField(_("unsellable"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    warehouse_total = models.IntegerField(_("in warehouse"), default=0)
    total = models.IntegerField(_("total"), default=0)
    inbound_working = models.IntegerField(_("inbound working"), default=0)
    inbound_shipped = models.IntegerField(_("inbound shipped"), default=0)
    inbound_receiving = models.IntegerField(_("inbound receiving"), default=0)
    researching = models.IntegerField(_("researching"), default=0)
    import_run = models.ForeignKey("channels.ImportRun", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="fba_snapshots")

    class Meta:
        ordering = ["-snapshot_date", "sku"]
        verbose_name = _("FBA inventory snapshot")
        verbose_name_plural = _("FBA inventory snapshots")
        constraints = [
            models.UniqueConstraint(fields=["account", "snapshot_date", "sku", "fnsku"], name="fba_snapshot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_date} {self.sku}"

from .channel_rules import AllocationRule, AllocationStep, ListingStockPush  # noqa: E402,F401
from .inbound import InboundLine, InboundShipment  # noqa: E402,F401
from .ledger import StockBalance, StockMovement  # noqa: E402,F401
from .reservations import OrderAllocation, Reservation  # noqa: E402,F401
