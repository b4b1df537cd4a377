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
