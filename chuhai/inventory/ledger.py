"""The stock ledger (append-only movements) and the balances cached from it.

Every unit's history is a row in :class:`StockMovement`; nothing is ever updated or deleted, so "where did this
unit go, who moved it and why" always has an answer. :class:`StockBalance` caches the ledger sums per product ×
warehouse so the hot paths (reservation, stock pages) read one row; its CHECK constraints are the database's
backstop against overselling. Balances change only through :mod:`chuhai.inventory.stock`, always in the same
transaction as the ledger rows that explain them, and ``rebuild_balances`` can recompute them from the ledger.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SHIPMENT = "shipment", _("Shipment to customer")
    CUSTOMER_RETURN = "customer_return", _("Customer return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCK_COUNT = "stock_count", _("Stock count")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    FBA_CORRECTION = "fba_correction", _("FBA snapshot correction")
    RESERVE = "reserve", _("Reservation")
    RELEASE = "release", _("Reservation released")


class StockState(models.TextChoices):
    ON_HAND = "on_hand", _("On hand")
    RESERVED = "reserved", _("Reserved")
    INBOUND = "inbound", _("Inbound / in transit")
    UNSELLABLE = "unsellable", _("Unsellable")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger row: corrections are new, compensating movements."""


class StockMovementQuerySet(models.QuerySet):
    """Bulk ``update()`` and ``delete()`` bypass ``save()``/``delete()``; refuse them too."""

    def update(self, **kwargs):
        raise AppendOnlyError("stock movements are append-only: record a compensating movement instead")

    def delete(self):
        raise AppendOnlyError("stock movements are append-only: record a compensating movement instead")


class StockMovement(models.Model):
    """One signed change of one stock state of one product in one warehouse. Rows written together for one business
    event (shipping a reserved unit = −reserved and −on_hand) share a ``group``."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="stock_movements",
                                verbose_name=_("product"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="stock_movements",
                                  verbose_name=_("warehouse"))
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    state = models.CharField(_("stock state"), max_length=12, choices=StockState.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("signed: positive adds to the state, negative removes"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True, help_text=_("e.g. an order id"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="stock_movements", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    group = models.UUIDField(_("movement group"), default=uuid.uuid4, editable=False, db_index=True)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["product", "warehouse", "created_at"], name="stock_move_prod_wh_time")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="stock_movement_qty_nonzero"),
            models.CheckConstraint(condition=models.Q(kind__in=MovementKind.values), name="stock_movement_kind_valid"),
            models.CheckConstraint(condition=models.Q(state__in=StockState.values),
                                   name="stock_movement_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} {self.state} {self.product_id}@{self.warehouse_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("stock movements are append-only: record a compensating movement instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("stock movements are append-only: record a compensating movement instead")


class StockBalance(models.Model):
    """Cached ledger sums for one product × warehouse. Never edited directly: see :mod:`chuhai.inventory.stock`."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="stock_balances",
                                verbose_name=_("product"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="stock_balances",
                                  verbose_name=_("warehouse"))
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    inbound = models.IntegerField(_("inbound"), default=0)
    unsellable = models.IntegerField(_("unsellable"), default=0)

    class Meta:
        ordering = ["product", "warehouse"]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_balance_unique"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_balance_on_hand_gte_0"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_balance_reserved_gte_0"),
            models.CheckConstraint(condition=models.Q(inbound__gte=0), name="stock_balance_inbound_gte_0"),
            models.CheckConstraint(condition=models.Q(unsellable__gte=0), name="stock_balance_unsellable_gte_0"),
            models.CheckConstraint(condition=models.Q(reserved__lte=models.F("on_hand")),
                                   name="stock_balance_reserved_lte_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> int:
        """On hand and not promised to an order."""
        return self.on_hand - self.reserved
