"""Orders: list and detail. The detail page also shows where the order's stock is held (its allocation and
reservations per warehouse), its shipments, and a form to ship it (with ``logistics.add_shipment``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics.drilldown import filter_orders
from chuhai.channels.models import Platform
from chuhai.core.countries import normalize_country
from chuhai.core.exports import decimal_text
from chuhai.core.models import CompanySettings
from chuhai.inventory.reservations import OrderAllocation, Reservation
from chuhai.logistics.models import Carrier
from chuhai.logistics.shipping import UNSHIPPABLE, create_shipment, open_lines
from chuhai.orders.models import FulfilmentChannel, Order

from .. import queries, specs
from ..filters import ANY, YES_NO, OrderFilter, country_field
from ..order_totals import line_rows, total_rows
from ..tables import table_response
from .common import field_rows
from .profit import order_profit_context

ORDER_FIELDS = ["external_id", "account", "marketplace", "purchased_at", "status", "fulfilment_channel", "ship_country",
                "ship_by"]
CUSTOMER_FIELDS = ["customer_ref", "ship_region", "ship_city", "ship_postal"]


class ShipForm(forms.Form):
    """What a person types to ship an order; :func:`~chuhai.logistics.shipping.create_shipment` decides whether the
    order and its stock allow it."""

    carrier = forms.ModelChoiceField(label=_lazy("Carrier"), to_field_name="code", empty_label=None,
                                     queryset=Carrier.objects.order_by("name"))
    tracking_number = forms.CharField(label=_lazy("Tracking number"), max_length=100)
    service = forms.CharField(label=_lazy("Service"), max_length=100, required=False,
                              help_text=_lazy("e.g. Ground, Priority, YunExpress Global Direct line"))
    lines = forms.MultipleChoiceField(label=_lazy("Lines"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (str(line.pk), f"#{line.line_no} {line.product.sku if line.product_id else line.channel_sku} "
                           f"× {line.quantity}")
            for line in lines
        ]
        if not self.is_bound:
            self.fields["lines"].initial = [str(line.pk) for line in lines]


def allocation_context(order: Order) -> dict:
    """The order's allocation state and its reservations grouped by warehouse (for the people who pick and pack)."""
    allocation = OrderAllocation.objects.filter(order=order).first()
    reservations = list(Reservation.objects.filter(order_line__order=order)
                        .select_related("product", "warehouse", "order_line")
                        .order_by("warehouse__code", "order_line__line_no", "product__sku"))
    by_warehouse: dict[str, list[Reservation]] = {}
    for reservation in reservations:
        by_warehouse.setdefault(reservation.warehouse.code, []).append(reservation)
    return {"allocation": allocation, "reservations_by_warehouse": list(by_warehouse.items())}


class OrderListFilter(OrderFilter):
    """The order list's filters, with the channel (the account's platform), the marketplace, the SKU, the category
    and "counted in sales" the analytics drill-downs pass (:mod:`chuhai.analytics.drilldown`)."""

    channel = forms.ChoiceField(label=_lazy("Channel"), required=False, choices=ANY + list(Platform.choices))
    marketplace = country_field(_lazy("Marketplace"))
    sku = forms.CharField(label=_lazy("SKU"), required=False, max_length=100,
                          widget=forms.TextInput(attrs={"size": 10}))
    category = forms.CharField(label=_lazy("Category"), required=False, max_length=100,
                               widget=forms.TextInput(attrs={"size": 10}))
    sales = forms.ChoiceField(label=_lazy("Counted in sales"), required=False, choices=YES_NO,
                              help_text=_lazy("Orders and credit notes whose lines count in the analytics' net "
                                              "sales (a sale status, not every line cancelled)."))
    field_order = ["q", "account", "channel", "marketplace", "sku", "category", "status", "sales", "date_from",
                   "date_to", "ship_country"]

    def clean_marketplace(self):
        value = self.cleaned_data["marketplace"]
        return normalize_country(value) if value else ""


DRILL_FILTERS = ("channel", "marketplace", "sales", "sku", "category")


@permission_required("orders.view_order", raise_exception=True)
def order_list(request):
    filters = OrderListFilter(request.GET)
    values = filters.values()
    drill = {key: values.pop(key) for key in DRILL_FILTERS if key in values}
    with timezone.override(CompanySettings.load().time_zone or None):  # the seller's days, as the analytics
        queryset = filter_orders(queries.orders(**values), **drill)
    return table_response(
        request, spec=specs.ORDERS, queryset=queryset,
        template="web/pages/list.html",
        context={"title": _("Orders"), "filter_form": filters,
                 "create_url": reverse("order-create") if request.user.has_perm("orders.add_order") else None,
                 "create_label": _("New order")},
    )


@permission_required("orders.view_order", raise_exception=True)
def order_detail(request, pk: int):
    """GET: the order. POST: ship it (needs ``logistics.add_shipment``), then back to the order."""
    order = get_object_or_404(Order.objects.select_related("account"), pk=pk)
    # Amazon ships FBA orders, and an order awaiting payment, cancelled or returned cannot ship: no form for them.
    can_ship = (request.user.has_perm("logistics.add_shipment") and order.fulfilment_channel != FulfilmentChannel.FBA
                and order.status not in UNSHIPPABLE)
    shippable = open_lines(order) if can_ship else []
    ship_form = None
    if request.method == "POST":
        if not can_ship:
            raise PermissionDenied
        ship_form = ShipForm(request.POST, lines=shippable)
        if ship_form.is_valid():
            data = ship_form.cleaned_data
            try:
                shipment = create_shipment(order, data["carrier"], data["tracking_number"], service=data["service"],
                                           lines=[int(pk) for pk in data["lines"]], user=request.user)
            except ValueError as exc:  # refused by the order's state or its stock; nothing was written
                ship_form.add_error(None, str(exc))
            else:
                messages.success(request, _("Shipped with %(carrier)s, tracking number %(tracking)s.") % {
                    "carrier": shipment.carrier.name, "tracking": shipment.tracking_number})
                return redirect("order-detail", pk=order.pk)
        messages.error(request, _("Please correct the errors below."))
    elif shippable:
        ship_form = ShipForm(lines=shippable)
    names = ORDER_FIELDS + (CUSTOMER_FIELDS if request.user.has_perm("orders.view_order_customer") else [])
    lines = list(order.lines.select_related("product").order_by("line_no"))
    shipments = []
    if request.user.has_perm("logistics.view_shipment"):
        shipments = list(order.shipments.select_related("carrier", "warehouse")
                         .prefetch_related("lines__order_line").order_by("shipped_at", "id"))
    return render(request, "web/pages/order_detail.html", {
        "order": order,
        "fields": field_rows(order, names),
        "lines": line_rows(lines, order.currency),
        "totals": total_rows(order),
        "fx_rate": decimal_text(order.fx_rate),
        "can_view_shipments": request.user.has_perm("logistics.view_shipment"),
        "shipments": shipments,
        "ship_form": ship_form,
        "returns": list(order.returns.order_by("-returned_at")) if request.user.has_perm(
            "logistics.view_customerreturn") else None,
        "defects": list(order.defects.order_by("-opened_at")) if request.user.has_perm(
            "orders.view_orderdefect") else None,
        "can_add_defect": request.user.has_perm("orders.add_orderdefect"),
        **(allocation_context(order) if request.user.has_perm("inventory.view_reservation") else {}),
        **order_profit_context(request.user, order),
    })
