"""Inbound shipments: stock moving between our own warehouses (domestic → overseas 3PL or FBA).

A shipment is a document with a life cycle (draft → shipped → in transit → partially received / received →
closed); the units themselves move only through the stock ledger (:mod:`chuhai.inventory.transfers`), so while
the boat is at sea they show up as ``inbound`` at the destination and nowhere else. Lines remember how much left
and how much arrived; what never arrived is written off at close and kept as a discrepancy note.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TransportMode(models.TextChoices):
    SEA = "sea", _("Sea freight")
    AIR = "air", _("Air freight")
    EXPRESS = "express", _("Express")
    RAIL = "rail", _("Rail")


class InboundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CLOSED = "closed", _("Closed")


class InboundShipment(models.Model):
    """One consignment from one of our warehouses to another."""

    reference = models.CharField(_("reference"), max_length=60, unique=True)
    from_warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT,
                                       related_name="outbound_transfers", verbose_name=_("from warehouse"))
    to_warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT,
                                     related_name="inbound_shipments", verbose_name=_("to warehouse"))
    mode = models.CharField(_("mode"), max_length=10, choices=TransportMode.choices)
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking = models.CharField(_("tracking number"), max_length=200, blank=True)
    eta = models.DateField(_("ETA"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=InboundStatus.choices,
                              default=InboundStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="inbound_shipments", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("last received at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbound shipment")
        verbose_name_plural = _("inbound shipments")
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_warehouse=models.F("to_warehouse")),
                                   name="inbound_shipment_distinct_warehouses"),
            models.CheckConstraint(condition=models.Q(mode__in=TransportMode.values), name="inbound_shipment_mode"),
            models.CheckConstraint(condition=models.Q(status__in=InboundStatus.values),
                                   name="inbound_shipment_status"),
        ]

    def __str__(self) -> str:
        return self.reference


class InboundLine(models.Model):
    """How many units of one product left, and how many have arrived so far."""

    shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("inbound shipment"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="inbound_lines",
                                verbose_name=_("product"))
    qty_shipped = models.PositiveIntegerField(_("quantity shipped"))
    qty_received = models.PositiveIntegerField(_("quantity received"), default=0)
    discrepancy = models.CharField(_("discrepancy note"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["shipment", "product__sku"]
        verbose_name = _("inbound line")
        verbose_name_plural = _("inbound lines")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "product"], name="inbound_line_unique_product"),
            models.CheckConstraint(condition=models.Q(qty_shipped__gt=0), name="inbound_line_qty_shipped_gt_0"),
            models.CheckConstraint(condition=models.Q(qty_received__lte=models.F("qty_shipped")),
                                   name="inbound_line_received_lte_shipped"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.product_id} × {self.qty_shipped}"

    @property
    def outstanding(self) -> int:
        """Units shipped that have not arrived (yet)."""
        return self.qty_shipped - self.qty_received
