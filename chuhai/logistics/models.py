"""Outbound logistics: carriers, shipments to customers with their tracking, and customer returns.

Shipments carry one canonical tracking status set (17TRACK's and AfterShip's vocabularies map onto it), so the
shipping KPIs (:mod:`chuhai.analytics.fulfilment`) mean the same thing whichever tracking service a seller uses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TrackingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    INFO_RECEIVED = "info_received", _("Info received")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    AVAILABLE_FOR_PICKUP = "available_for_pickup", _("Available for pickup")
    ATTEMPT_FAIL = "attempt_fail", _("Delivery attempt failed")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
    EXPIRED = "expired", _("Expired")
    RETURNING = "returning", _("Returning to sender")
    RETURNED = "returned", _("Returned to sender")


class Carrier(models.Model):
    """A carrier or line-haul service (UPS, 4PX, Yanwen, YunExpress...), with its public tracking page."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    tracking_url_template = models.CharField(
        _("tracking URL"), max_length=300, blank=True,
        help_text=_("With {tracking} where the tracking number goes, e.g. https://t.17track.net/en#nums={tracking}"))
    is_line_haul = models.BooleanField(_("Chinese line-haul carrier"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name

    def tracking_url(self, tracking_number: str) -> str:
        return self.tracking_url_template.replace("{tracking}", tracking_number) if self.tracking_url_template else ""


class Shipment(models.Model):
    """One parcel to a customer: which order (and lines), from which warehouse, with which carrier and number."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments",
                              verbose_name=_("order"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="shipments", verbose_name=_("warehouse"))
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="shipments",
                                verbose_name=_("carrier"))
    service = models.CharField(_("service"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), default=timezone.now)
    status = models.CharField(_("tracking status"), max_length=24, choices=TrackingStatus.choices,
                              default=TrackingStatus.PENDING)
    status_at = models.DateTimeField(_("status since"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-shipped_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "tracking_number"], condition=~models.Q(tracking_number=""),
                                    name="shipment_unique_tracking"),
            models.CheckConstraint(condition=models.Q(status__in=TrackingStatus.values),
                                   name="shipment_status_valid"),
        ]
        indexes = [
            models.Index(fields=["tracking_number"], name="shipment_tracking_idx"),
            models.Index(fields=["shipped_at"], name="shipment_shipped_idx"),
            models.Index(fields=["delivered_at"], name="shipment_delivered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier_id} {self.tracking_number or self.pk}"

    @property
    def tracking_url(self) -> str:
        return self.carrier.tracking_url(self.tracking_number) if self.tracking_number else ""


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines",
                                 verbose_name=_("shipment"))
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines",
                                   verbose_name=_("order line"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_qty_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: line {self.order_line_id} ×{self.quantity}"


class TrackingEvent(models.Model):
    """One checkpoint from a tracking feed, with the carrier's own words kept next to our canonical status."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("shipment"))
    occurred_at = models.DateTimeField(_("time"))
    status = models.CharField(_("status"), max_length=24, choices=TrackingStatus.choices)
    raw_status = models.CharField(_("status as reported"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True, help_text=_("e.g. 17track, aftership"))

    class Meta:
        ordering = ["shipment", "occurred_at"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "occurred_at", "status", "description"],
                                    name="tracking_event_unique"),
            models.CheckConstraint(condition=models.Q(status__in=TrackingStatus.values),
                                   name="tracking_event_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.occurred_at:%Y-%m-%d %H:%M} {self.status}"


class ReturnCondition(models.TextChoices):
    UNKNOWN = "", _("Not inspected")
    SELLABLE = "sellable", _("Sellable")
    DAMAGED = "damaged", _("Damaged")
    DEFECTIVE = "defective", _("Defective")
    MISSING_PARTS = "missing_parts", _("Missing parts")


class RestockDecision(models.TextChoices):
    PENDING = "", _("Not processed")
    SELLABLE = "sellable", _("Restocked as sellable")
    UNSELLABLE = "unsellable", _("Restocked as unsellable")
    NOT_RESTOCKED = "not_restocked", _("Not restocked (disposed / kept by buyer)")


class CustomerReturn(models.Model):
    """One returned unit (or line): from a platform's returns report, or entered when a parcel comes back."""

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="returns")
    returned_at = models.DateTimeField(_("return date"))
    order_ref = models.CharField(_("order id"), max_length=64, db_index=True)
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="returns", verbose_name=_("order"))
    sku = models.CharField(_("SKU"), max_length=100)
    asin = models.CharField(_("ASIN"), max_length=20, blank=True)
    fnsku = models.CharField(_("FNSKU"), max_length=20, blank=True)
    product_name = models.CharField(_("product name"), max_length=500, blank=True)
    quantity = models.IntegerField(_("quantity"))
    fulfillment_center = models.CharField(_("fulfilment centre"), max_length=20, blank=True)
    disposition = models.CharField(_("disposition"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=80, blank=True)
    license_plate = models.CharField(_("licence plate number"), max_length=40, blank=True)
    customer_comments = models.TextField(_("customer comments"), blank=True)
    condition = models.CharField(_("condition"), max_length=20, choices=ReturnCondition.choices, blank=True,
                                 default=ReturnCondition.UNKNOWN)
    restock = models.CharField(_("restock"), max_length=20, choices=RestockDecision.choices, blank=True,
                               default=RestockDecision.PENDING)
    restock_warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="customer_returns", verbose_name=_("restocked in"))
    refund_amount = models.DecimalField(_("refund"), max_digits=20, decimal_places=6, null=True, blank=True)
    refund_currency = models.CharField(_("refund currency"), max_length=3, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    processed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("processed by"))
    import_run = models.ForeignKey("channels.ImportRun", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="returns")

    class Meta:
        ordering = ["-returned_at"]
        verbose_name = _("customer return")
        verbose_name_plural = _("customer returns")
        constraints = [
            models.UniqueConstraint(fields=["account", "order_ref", "sku", "license_plate", "returned_at"],
                                    name="customer_return_unique"),
            models.CheckConstraint(condition=models.Q(restock__in=RestockDecision.values),
                                   name="customer_return_restock_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order_ref} {self.sku} ×{self.quantity}"
