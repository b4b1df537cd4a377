"""Orders and order lines, from every channel, in the channel's currency.

Each order keeps the exchange rate to the base currency at its purchase date (``fx_rate``), so consolidated
figures are one multiplication in SQL and never re-fetch a rate per row. Rounding happens when a figure is shown.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chuhai.core.fields import CountryField, CurrencyField, MoneyField


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending payment")
    UNSHIPPED = "unshipped", _("Unshipped")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")
    REFUNDED = "refunded", _("Refunded")


#: Statuses whose revenue counts as a sale (not cancelled, not still awaiting payment).
SALE_STATUSES = (
    OrderStatus.UNSHIPPED,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.RETURNED,
    OrderStatus.REFUNDED,
)


class FulfilmentChannel(models.TextChoices):
    FBA = "fba", _("Amazon FBA")
    MERCHANT = "merchant", _("Merchant (own warehouse)")
    THREE_PL = "3pl", _("Overseas 3PL")
    DROPSHIP = "dropship", _("Dropship")


class DocumentType(models.TextChoices):
    """An order, or a credit document that reverses (part of) one, such as an invoice prefixed "C" in a
    retailer's export. Credit documents carry negative quantities; every other order keeps amounts ≥ 0."""

    ORDER = "order", _("Order")
    CREDIT = "credit", _("Credit / cancellation")


class TaxModel(models.TextChoices):
    """Who remits the tax on the order: marketplace-collected tax (US facilitator, EU IOSS) is never revenue."""

    UNKNOWN = "", _("Unknown")
    SELLER = "seller", _("Seller remits")
    MARKETPLACE = "marketplace", _("Marketplace collects and remits")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")


RATE_DIGITS, RATE_PLACES = 24, 12


class Order(models.Model):
    # No separate index: the unique (account, external id) and (account, purchased at) indexes lead with it, and
    # each extra index is paid on every one of a million imported rows.
    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.PROTECT, related_name="orders",
                                db_index=False, verbose_name=_("channel account"))
    external_id = models.CharField(_("order id"), max_length=64)
    marketplace = CountryField(_("marketplace"))
    purchased_at = models.DateTimeField(_("purchased at"))
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices)
    fulfilment_channel = models.CharField(_("fulfilment"), max_length=10, choices=FulfilmentChannel.choices)
    document_type = models.CharField(_("document"), max_length=10, choices=DocumentType.choices,
                                     default=DocumentType.ORDER)
    tax_model = models.CharField(_("tax collected by"), max_length=12, choices=TaxModel.choices, blank=True,
                                 default=TaxModel.UNKNOWN)
    is_replacement = models.BooleanField(_("replacement order"), default=False)
    is_business = models.BooleanField(_("business order"), default=False)
    promotion_ids = models.CharField(_("promotions"), max_length=500, blank=True)
    customer_ref = models.CharField(
        _("customer"), max_length=128, blank=True, help_text=_("Buyer id or a hash of the buyer's email.")
    )
    ship_country = CountryField(_("ship-to country"), blank=True)
    ship_region = models.CharField(_("ship-to region"), max_length=100, blank=True)
    ship_city = models.CharField(_("ship-to city"), max_length=100, blank=True)
    ship_postal = models.CharField(_("ship-to postal code"), max_length=20, blank=True)
    currency = CurrencyField(_("currency"))
    items_total = MoneyField(_("items"), default=0)
    shipping_total = MoneyField(_("shipping"), default=0)
    tax_total = MoneyField(_("tax"), default=0)
    discount_total = MoneyField(_("discounts"), default=0)
    order_total = MoneyField(_("order total"), default=0)
    base_currency = CurrencyField(_("base currency"))
    fx_rate = models.DecimalField(
        _("rate to base currency"), max_digits=RATE_DIGITS, decimal_places=RATE_PLACES,
        help_text=_("Units of base currency per unit of order currency at the purchase date."),
    )
    ship_by = models.DateTimeField(
        _("ship by"), null=True, blank=True,
        help_text=_("Latest ship date promised to the buyer; empty: the purchase time plus the handling time."))
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("entered by"), help_text=_("Set on orders entered by hand."))
    source_updated_at = models.DateTimeField(_("last updated at source"), null=True, blank=True)
    source_hash = models.CharField(
        _("source fingerprint"), max_length=32, blank=True, editable=False,
        help_text=_("Digest of the imported fields: a re-import with the same digest changes nothing."),
    )
    import_run = models.ForeignKey("channels.ImportRun", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="orders")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-purchased_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        permissions = [("view_order_customer", _("Can view buyers' addresses"))]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="order_unique_per_account"),
            models.CheckConstraint(condition=models.Q(status__in=OrderStatus.values), name="order_status_valid"),
            models.CheckConstraint(
                condition=models.Q(fulfilment_channel__in=FulfilmentChannel.values), name="order_fulfilment_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(document_type="credit")
                | models.Q(items_total__gte=0, shipping_total__gte=0, tax_total__gte=0,
                           discount_total__gte=0, order_total__gte=0),
                name="order_totals_not_negative",
            ),
            models.CheckConstraint(condition=models.Q(document_type__in=DocumentType.values),
                                   name="order_document_type_valid"),
            models.CheckConstraint(condition=models.Q(fx_rate__gt=0), name="order_fx_rate_positive"),
        ]
        indexes = [
            models.Index(fields=["purchased_at"], name="order_purchased_idx"),
            models.Index(fields=["account", "purchased_at"], name="order_account_purchased_idx"),
            models.Index(fields=["customer_ref"], name="order_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)  # see unique
    line_no = models.PositiveIntegerField(_("line"))
    external_line_id = models.CharField(_("order item id"), max_length=64, blank=True)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="order_lines",
        help_text=_("Empty while the channel SKU is not mapped to one of our products."),
    )
    channel_sku = models.CharField(_("channel SKU"), max_length=100)
    product_name = models.CharField(_("product name"), max_length=500, blank=True)
    item_status = models.CharField(_("item status"), max_length=10, choices=ItemStatus.choices,
                                   default=ItemStatus.OPEN)
    quantity = models.IntegerField(
        _("quantity"), help_text=_("Negative only on credit documents; 0 only on an item cancelled before shipping."))
    unit_price = MoneyField(_("unit price"), help_text=_("As the channel reports it (VAT-inclusive in the EU/UK)."))
    gross_amount = MoneyField(
        _("line amount"),
        help_text=_("Goods value of the line as reported (unit price × quantity, before discounts). Kept exactly "
                    "because some channels report only this total, which a unit price cannot always reproduce."),
    )
    item_tax = MoneyField(_("item tax"), default=0)
    shipping = MoneyField(_("shipping"), default=0)
    shipping_tax = MoneyField(_("shipping tax"), default=0)
    discount = MoneyField(_("discount"), default=0)

    class Meta:
        ordering = ["order", "line_no"]
        indexes = [models.Index(fields=["channel_sku"], name="order_line_channel_sku_idx")]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_unique_no"),
            # Amazon lists an item cancelled before shipping with quantity 0; any other line moves units.
            models.CheckConstraint(condition=~models.Q(quantity=0) | models.Q(item_status="cancelled"),
                                   name="order_line_qty_not_zero"),
            models.CheckConstraint(
                condition=models.Q(item_tax__gte=0, shipping__gte=0, shipping_tax__gte=0, discount__gte=0),
                name="order_line_amounts_not_negative",
            ),
            models.CheckConstraint(condition=models.Q(item_status__in=ItemStatus.values),
                                   name="order_line_item_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.line_no}"

    def save(self, *args, **kwargs):
        if self.gross_amount is None:
            self.gross_amount = self.unit_price * self.quantity
        super().save(*args, **kwargs)

    @property
    def item_amount(self):
        """Goods value of the line in the order currency: line amount − discount."""
        return self.gross_amount - self.discount


class DefectKind(models.TextChoices):
    """Amazon's order defects (order defect rate = orders with any of these ÷ orders, over 60 days)."""

    NEGATIVE_FEEDBACK = "negative_feedback", _("Negative feedback")
    A_TO_Z_CLAIM = "a_to_z_claim", _("A-to-z Guarantee claim")
    CHARGEBACK = "chargeback", _("Credit card chargeback")


class OrderDefect(models.Model):
    """A defect a buyer raised against an order: feeds the order defect rate on the account-health page."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="defects", verbose_name=_("order"))
    kind = models.CharField(_("defect"), max_length=20, choices=DefectKind.choices)
    opened_at = models.DateTimeField(_("opened at"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("order defect")
        verbose_name_plural = _("order defects")
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="order_defect_unique_kind"),
            models.CheckConstraint(condition=models.Q(kind__in=DefectKind.values), name="order_defect_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.kind}"
