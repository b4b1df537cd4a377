"""Returns as platforms report them (FBA customer returns). Shipments and tracking come with the fulfilment issue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerReturn(models.Model):
    """One returned unit (or line) from a platform's returns report, kept as reported."""

    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="returns")
    returned_at = models.DateTimeField(_("return date"))
    order_ref = models.CharField(_("order id"), max_length=64, db_index=True)
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
    import_run = models.ForeignKey("channels.ImportRun", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="returns")

    class Meta:
        ordering = ["-returned_at"]
        verbose_name = _("customer return")
        verbose_name_plural = _("customer returns")
        constraints = [
            models.UniqueConstraint(fields=["account", "order_ref", "sku", "license_plate", "returned_at"],
                                    name="customer_return_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order_ref} {self.sku} ×{self.quantity}"
