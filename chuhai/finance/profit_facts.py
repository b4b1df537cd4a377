"""Profit as a table: one row per order line, plus one row per period fee spread onto a SKU.

Recomputed from the ledger, the fee estimates and the costs of sale (``chuhai.finance.profit``); every profit
figure — page, report, API, export — sums these rows through :mod:`chuhai.analytics.metrics`. All amounts are in
the base currency, unrounded; costs are negative, as in the platforms' ledgers, so a row's ``profit`` is the plain
sum of its parts. ``settled`` says the fees are the platform's actual lines; otherwise they are estimates from the
fee schedules and are replaced when the settlement arrives.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chuhai.core.fields import CountryField, CurrencyField

from .cost_layers import COST_DIGITS, COST_PLACES


def _money(label):
    return models.DecimalField(label, max_digits=COST_DIGITS, decimal_places=COST_PLACES, default=0)


class FactKind(models.TextChoices):
    ORDER_LINE = "order_line", _("Order line")
    ALLOCATED = "allocated", _("Period fee allocated to a SKU")
    UNALLOCATED = "unallocated", _("Period fee with no sales to carry it")


class ProfitFact(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=FactKind.choices)
    order_line = models.OneToOneField("orders.OrderLine", on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="profit", verbose_name=_("order line"))
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="profit_facts", verbose_name=_("order"), db_index=False)
    # no single-column indexes on account and product: (account, month) leads with the account, and a product is
    # looked up here only when it is deleted; every index costs a million-row rebuild time (see profit.py)
    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("channel account"), db_index=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("product"), db_index=False)
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    listing_sku = models.CharField(_("channel SKU"), max_length=100, blank=True)
    marketplace = models.CharField(_("marketplace"), max_length=2, blank=True)
    ship_country = CountryField(_("ship-to country"), blank=True)
    day = models.DateField(_("date"))
    month = models.DateField(_("month"), help_text=_("First day of the month of ``day``."))
    units = models.IntegerField(_("units"), default=0)
    currency = CurrencyField(_("base currency"))
    gross_sales = _money(_("sales as charged"))
    vat = _money(_("VAT in the prices"))
    revenue = _money(_("net revenue"))
    shipping_income = _money(_("shipping charged"))
    promotions = _money(_("promotions"))
    refunds = _money(_("refunds"))
    platform_fees = _money(_("platform fees"))
    advertising = _money(_("advertising"))
    other_fees = _money(_("other fees"))
    reimbursements = _money(_("reimbursements"))
    cogs = _money(_("cost of goods"))
    logistics = _money(_("shipping and logistics"))
    profit = _money(_("contribution"))
    fees = models.JSONField(_("by category"), default=dict,
                            help_text=_("Each fee category's amount (base currency, as a decimal string)."))
    settled = models.BooleanField(_("settled"), default=False)
    cogs_estimated = models.BooleanField(_("cost estimated"), default=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "id"]
        verbose_name = _("profit line")
        verbose_name_plural = _("profit lines")
        indexes = [
            models.Index(fields=["day"], name="profit_fact_day_idx"),
            models.Index(fields=["account", "month"], name="profit_fact_account_month_idx"),
            models.Index(fields=["sku", "month"], name="profit_fact_sku_month_idx"),
            models.Index(fields=["order"], name="profit_fact_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=FactKind.values), name="profit_fact_kind"),
            models.CheckConstraint(condition=models.Q(kind="order_line", order_line__isnull=False)
                                   | (~models.Q(kind="order_line") & models.Q(order_line__isnull=True)),
                                   name="profit_fact_order_line_iff_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sku} {self.day} {self.profit}"
