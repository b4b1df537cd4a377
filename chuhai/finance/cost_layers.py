"""Cost of goods: what each unit in stock cost us, and what each unit sold took out of it.

A :class:`CostLayer` is one batch of units that arrived in one warehouse at one unit cost, all in the base
currency at the rate of the day the cost was incurred: purchase cost plus the landed cost (first-leg freight,
duty, customs and clearance fees, packaging) that :class:`LandedCharge` rows put onto it. Selling consumes
layers — oldest first (FIFO, per warehouse) or at the running average (``FinanceSettings.costing_method``) — and
each consumption is a :class:`CostOfSale` row tied to its order line, so profit reads COGS instead of guessing it.
A customer return that goes back to stock becomes a new layer at the unit cost the sale took out (never today's
cost), with a negative :class:`CostOfSale` for the order line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chuhai.core.fields import CurrencyField

COST_DIGITS, COST_PLACES = 20, 6


class LayerSource(models.TextChoices):
    RECEIPT = "receipt", _("Goods received")
    TRANSFER = "transfer", _("Transferred in")
    RETURN = "return", _("Customer return restocked")
    OPENING = "opening", _("Opening balance")
    ADJUSTMENT = "adjustment", _("Adjustment")


class CostLayer(models.Model):
    """Units of one product that arrived in one warehouse together, at one unit cost (base currency)."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="cost_layers",
                                verbose_name=_("product"))
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="cost_layers",
                                  verbose_name=_("warehouse"))
    source = models.CharField(_("source"), max_length=12, choices=LayerSource.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True,
                                 help_text=_("Purchase order, inbound shipment or order the units came from."))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    quantity = models.PositiveIntegerField(_("quantity received"))
    remaining = models.PositiveIntegerField(_("quantity left"))
    purchase_unit_cost = models.DecimalField(_("purchase cost per unit"), max_digits=COST_DIGITS,
                                             decimal_places=COST_PLACES)
    purchase_currency = CurrencyField(_("purchase currency"))
    purchase_fx_rate = models.DecimalField(_("rate to base currency"), max_digits=24, decimal_places=12,
                                           help_text=_("Base currency per unit of the purchase currency on the "
                                                       "day of purchase."))
    landed_unit_cost = models.DecimalField(_("landed cost per unit"), max_digits=COST_DIGITS,
                                           decimal_places=COST_PLACES, default=0,
                                           help_text=_("Freight, duty, customs and packaging per unit, in the "
                                                       "base currency."))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=COST_DIGITS, decimal_places=COST_PLACES,
                                    help_text=_("Purchase plus landed cost per unit, in the base currency."))
    source_layer = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     help_text=_("The layer a transfer or a return came from."))
    movement_group = models.UUIDField(null=True, blank=True, db_index=True,
                                      help_text=_("The stock-ledger group that brought the units in."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "warehouse", "received_at", "id"]
        verbose_name = _("cost layer")
        verbose_name_plural = _("cost layers")
        indexes = [models.Index(fields=["product", "warehouse", "received_at"], name="cost_layer_fifo_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(remaining__lte=models.F("quantity")),
                                   name="cost_layer_remaining_le_quantity"),
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0, landed_unit_cost__gte=0,
                                                      purchase_unit_cost__gte=0),
                                   name="cost_layer_costs_not_negative"),
            models.CheckConstraint(condition=models.Q(source__in=LayerSource.values), name="cost_layer_source"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id} {self.remaining}/{self.quantity} × {self.unit_cost}"


class ChargeKind(models.TextChoices):
    FREIGHT = "freight", _("First-leg freight")
    DUTY = "duty", _("Import duty")
    CUSTOMS = "customs", _("Customs and clearance fees")
    PACKAGING = "packaging", _("Packaging")
    INSURANCE = "insurance", _("Insurance")
    OTHER = "other", _("Other landed cost")


class AllocationBasis(models.TextChoices):
    WEIGHT = "weight", _("By weight")
    VOLUME = "volume", _("By volume")
    VALUE = "value", _("By value")
    QUANTITY = "quantity", _("By quantity")


class LandedCharge(models.Model):
    """A cost of getting one inbound shipment's goods to where they sell, spread over its units by ``basis``."""

    shipment = models.ForeignKey("inventory.InboundShipment", on_delete=models.PROTECT,
                                 related_name="landed_charges", verbose_name=_("inbound shipment"))
    kind = models.CharField(_("charge"), max_length=12, choices=ChargeKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=COST_DIGITS, decimal_places=COST_PLACES)
    currency = CurrencyField(_("currency"))
    incurred_on = models.DateField(_("date"), help_text=_("The rate of this day converts it to the base currency."))
    basis = models.CharField(_("allocated"), max_length=10, choices=AllocationBasis.choices,
                             default=AllocationBasis.WEIGHT)
    base_amount = models.DecimalField(_("amount in base currency"), max_digits=COST_DIGITS,
                                      decimal_places=COST_PLACES, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["shipment", "incurred_on", "id"]
        verbose_name = _("landed cost charge")
        verbose_name_plural = _("landed cost charges")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="landed_charge_not_negative"),
            models.CheckConstraint(condition=models.Q(kind__in=ChargeKind.values), name="landed_charge_kind"),
            models.CheckConstraint(condition=models.Q(basis__in=AllocationBasis.values), name="landed_charge_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind} {self.amount} {self.currency}"


class CostOfSale(models.Model):
    """Units of one order line taken out of one cost layer (positive), or put back by a return (negative)."""

    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="costs",
                                   verbose_name=_("order line"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    layer = models.ForeignKey(CostLayer, on_delete=models.PROTECT, null=True, blank=True, related_name="sales",
                              help_text=_("Empty when no layer covered the units: the product's standard cost "
                                          "was used and the figure is an estimate."))
    quantity = models.IntegerField(_("quantity"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=COST_DIGITS, decimal_places=COST_PLACES)
    amount = models.DecimalField(_("cost"), max_digits=COST_DIGITS, decimal_places=COST_PLACES,
                                 help_text=_("quantity × unit cost, in the base currency."))
    is_return = models.BooleanField(_("return"), default=False)
    at = models.DateTimeField(_("at"))
    movement_group = models.UUIDField(null=True, blank=True,
                                      help_text=_("The stock-ledger group (shipment or return) this cost follows."))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("cost of sale")
        verbose_name_plural = _("costs of sale")
        constraints = [
            # one row per line × layer × direction × ledger group: replaying the ledger never doubles a cost
            models.UniqueConstraint(fields=["order_line", "layer", "is_return", "movement_group"],
                                    name="cost_of_sale_unique"),
            models.CheckConstraint(condition=~models.Q(quantity=0), name="cost_of_sale_quantity_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} {self.quantity} × {self.unit_cost}"
