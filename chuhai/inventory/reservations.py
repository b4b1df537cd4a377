"""What each order holds: its allocation state, and the units reserved for each line in each warehouse.

The stock ledger records the movements (reserve, release, shipment); these rows say which order they belong to,
so a cancellation releases exactly what that order held and shipping turns exactly that into an outbound
movement. Bundles reserve their components: a line for a kit of 2 cables and a charger holds three rows.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationStatus(models.TextChoices):
    ALLOCATED = "allocated", _("Reserved")
    SHORT = "short", _("Waiting for stock")
    SHIPPED = "shipped", _("Shipped from stock")
    RELEASED = "released", _("Released (cancelled)")
    UNMAPPED = "unmapped", _("Waiting for SKU mapping")
    NO_WAREHOUSE = "no_warehouse", _("No warehouse configured")
    NOT_TRACKED = "not_tracked", _("Not stock-tracked")


class OrderAllocation(models.Model):
    """One per order that chuhai has tried to allocate: where it stands, and why (for the people who must act)."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="allocation",
                                 verbose_name=_("order"))
    status = models.CharField(_("allocation"), max_length=20, choices=AllocationStatus.choices)
    message = models.CharField(_("message"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order allocation")
        verbose_name_plural = _("order allocations")
        indexes = [models.Index(fields=["status"], name="order_allocation_status_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AllocationStatus.values),
                                   name="order_allocation_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.status}"


class ReservationStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    SHIPPED = "shipped", _("Shipped")
    RELEASED = "released", _("Released")


class Reservation(models.Model):
    """Units of one product (a line's SKU, or one component of a bundle line) held in one warehouse for a line."""

    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="reservations",
                                   verbose_name=_("order line"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="reservations",
                                verbose_name=_("product"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="reservations",
                                  verbose_name=_("warehouse"))
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=10, choices=ReservationStatus.choices,
                              default=ReservationStatus.RESERVED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order_line", "product", "warehouse"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        indexes = [models.Index(fields=["product", "warehouse", "status"], name="reservation_prod_wh_status")]
        constraints = [
            models.UniqueConstraint(fields=["order_line", "product", "warehouse"], name="reservation_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="reservation_quantity_gt_0"),
            models.CheckConstraint(condition=models.Q(status__in=ReservationStatus.values),
                                   name="reservation_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id}: {self.product_id}@{self.warehouse_id} ×{self.quantity} {self.status}"
