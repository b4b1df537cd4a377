"""Stock pages: balances by SKU × warehouse, and one SKU's ledger history with its stock-adjustment form.

The pages only read the ledger and the cached balances; every change goes through
:func:`chuhai.inventory.stock.adjust`, which writes the ledger row and the balance in one transaction. The table
specs, filter and form live here because nothing else uses them.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.catalog.models import Product
from chuhai.core.exports import DATETIME, NUMBER, Column, TableSpec
from chuhai.inventory.ledger import StockBalance, StockMovement, StockState
from chuhai.inventory.models import Warehouse
from chuhai.inventory.stock import ADJUSTABLE_STATES, InsufficientStock, adjust, balances

from ..filters import ANY, FilterForm, _search
from ..forms import add_service_errors
from ..tables import table_response

# -- tables -----------------------------------------------------------------------------------------------------

STOCK = TableSpec("stock", (
    Column("sku", _lazy("SKU"), lambda b: b.product.sku, url=lambda b: reverse("stock-detail", args=[b.product.sku]),
           code=True),
    Column("name", _lazy("Name"), lambda b: b.product.display_name(get_language())),
    Column("warehouse", _lazy("Warehouse"), lambda b: b.warehouse.code, code=True),
    Column("on_hand", _lazy("On hand"), lambda b: b.on_hand, kind=NUMBER),
    Column("reserved", _lazy("Reserved"), lambda b: b.reserved, kind=NUMBER),
    Column("available", _lazy("Available"), lambda b: b.on_hand - b.reserved, kind=NUMBER),
    Column("inbound", _lazy("Inbound"), lambda b: b.inbound, kind=NUMBER),
    Column("unsellable", _lazy("Unsellable"), lambda b: b.unsellable, kind=NUMBER),
))

MOVEMENTS = TableSpec("stock-movements", (
    Column("created_at", _lazy("When"), lambda m: m.created_at, kind=DATETIME),
    Column("user", _lazy("Who"), lambda m: m.user.username if m.user else ""),
    Column("warehouse", _lazy("Warehouse"), lambda m: m.warehouse.code, code=True),
    Column("kind", _lazy("Kind"), lambda m: m.get_kind_display()),
    Column("state", _lazy("Stock state"), lambda m: m.get_state_display()),
    Column("quantity", _lazy("Quantity"), lambda m: m.quantity, kind=NUMBER,
           display=lambda m: f"{m.quantity:+d}"),
    Column("reason", _lazy("Reason"), lambda m: m.reason),
    Column("reference", _lazy("Reference"), lambda m: m.reference, code=True),
))

# -- queries ----------------------------------------------------------------------------------------------------

ONLY_AVAILABLE, ONLY_RESERVED = "available", "reserved"


def stock_balances(q: str = "", warehouse: Warehouse | None = None, show: str = "") -> QuerySet[StockBalance]:
    """Balances with their product and warehouse fetched in the same query, by SKU then warehouse."""
    qs = StockBalance.objects.select_related("product", "warehouse")
    if q:
        qs = qs.filter(Q(product__sku__icontains=q) | Q(product__name_en__icontains=q)
                       | Q(product__name_zh__icontains=q))
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if show == ONLY_AVAILABLE:
        qs = qs.filter(on_hand__gt=F("reserved"))
    elif show == ONLY_RESERVED:
        qs = qs.filter(reserved__gt=0)
    return qs.order_by("product__sku", "warehouse__code")


def movements(product: Product, warehouse: Warehouse | None = None) -> QuerySet[StockMovement]:
    qs = StockMovement.objects.filter(product=product).select_related("warehouse", "user")
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return qs.order_by("-created_at", "-id")


# -- forms ------------------------------------------------------------------------------------------------------

def _warehouse_field(label, required: bool = False, active_only: bool = False) -> forms.ModelChoiceField:
    queryset = Warehouse.objects.order_by("code")
    return forms.ModelChoiceField(label=label, required=required, to_field_name="code",
                                  queryset=queryset.filter(is_active=True) if active_only else queryset,
                                  empty_label=None if required else _lazy("All"))


class StockFilter(FilterForm):
    q = _search(_lazy("SKU or name"))
    warehouse = _warehouse_field(_lazy("Warehouse"))
    show = forms.ChoiceField(label=_lazy("Show"), required=False, choices=ANY + [
        (ONLY_AVAILABLE, _lazy("Only available")), (ONLY_RESERVED, _lazy("Only reserved")),
    ])


class MovementFilter(FilterForm):
    warehouse = _warehouse_field(_lazy("Warehouse"))


class AdjustmentForm(forms.Form):
    """Parses what the person typed; the service decides whether the stock allows it."""

    warehouse = _warehouse_field(_lazy("Warehouse"), required=True, active_only=True)
    quantity = forms.IntegerField(label=_lazy("Quantity"), help_text=_lazy(
        "Signed: 5 adds five units, -3 removes three."))
    state = forms.ChoiceField(label=_lazy("Stock state"), initial=StockState.ON_HAND,
                              choices=[(s, StockState(s).label) for s in ADJUSTABLE_STATES])
    reason = forms.CharField(label=_lazy("Reason"), max_length=500, help_text=_lazy(
        "Why the stock changes, e.g. damaged in the warehouse, found in a stock count."))

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise ValidationError(_("Enter a quantity other than 0."))
        return quantity


def shortage_message(product: Product, warehouse: Warehouse, state: str) -> str:
    """Why a decrease was refused, in the reader's language, with what is left to take."""
    balance = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    if balance is None:
        return _("%(sku)s has no stock in %(warehouse)s.") % {"sku": product.sku, "warehouse": warehouse.code}
    if state == StockState.ON_HAND:
        return _("Not enough stock: %(sku)s in %(warehouse)s has %(on_hand)s on hand, %(reserved)s of them "
                 "reserved for orders, so at most %(available)s can be removed.") % {
            "sku": product.sku, "warehouse": warehouse.code, "on_hand": balance.on_hand,
            "reserved": balance.reserved, "available": balance.available}
    return _("Not enough stock: %(sku)s in %(warehouse)s has only %(count)s %(state)s.") % {
        "sku": product.sku, "warehouse": warehouse.code, "count": getattr(balance, state),
        "state": StockState(state).label.lower()}


# -- views ------------------------------------------------------------------------------------------------------

@permission_required("inventory.view_stockbalance", raise_exception=True)
def stock_list(request):
    filters = StockFilter(request.GET)
    return table_response(
        request, spec=STOCK, queryset=stock_balances(**filters.values()), template="web/pages/stock.html",
        context={"title": _("Stock"), "filter_form": filters},
    )


@permission_required("inventory.view_stockbalance", raise_exception=True)
def stock_detail(request, sku: str):
    """GET: the SKU's balances and ledger. POST: an adjustment (its own permission), then redirect back."""
    product = get_object_or_404(Product, sku=sku)
    can_adjust = request.user.has_perm("inventory.add_stockmovement")
    form = None
    if request.method == "POST":
        if not can_adjust:
            raise PermissionDenied
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                adjust(product, data["warehouse"], data["quantity"], data["reason"], user=request.user,
                       state=data["state"])
            except InsufficientStock:
                form.add_error("quantity", shortage_message(product, data["warehouse"], data["state"]))
            except (ValidationError, ValueError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Stock of %(sku)s in %(warehouse)s adjusted by %(quantity)+d.") % {
                    "sku": product.sku, "warehouse": data["warehouse"].code, "quantity": data["quantity"]})
                return redirect("stock-detail", sku=product.sku)
        messages.error(request, _("Please correct the errors below."))
    elif can_adjust:
        form = AdjustmentForm()
    filters = MovementFilter(request.GET)
    return table_response(
        request, spec=MOVEMENTS, queryset=movements(product, **filters.values()),
        template="web/pages/stock_detail.html",
        context={
            "product": product,
            "product_name": product.display_name(get_language()),
            "balances": balances(product),
            "filter_form": filters,
            "form": form,
            "empty_text": _("No stock movements yet."),
        },
    )
