"""Inbound shipments: list (filters, export), create a draft with its lines, and one shipment's page with its life
cycle — ship, in transit, receive (partial quantities per line), close (what never arrived is written off and
shown as a discrepancy).

Every step is one call to :mod:`chuhai.inventory.transfers`, which moves the stock and refuses what the
shipment's status or the stock does not allow; the page shows the refusal and changes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from chuhai.core.exports import DATE, DATETIME, NUMBER, Column, TableSpec
from chuhai.inventory import transfers
from chuhai.inventory.inbound import InboundShipment, InboundStatus, TransportMode
from chuhai.inventory.models import Warehouse

from ..filters import ANY, DateInput, FilterForm, _search
from ..forms import add_service_errors
from ..tables import table_response
from .common import field_rows

CHANGE_PERMISSION = "inventory.change_inboundshipment"
ACTIONS = ("ship", "in-transit", "receive", "close")
#: Empty line rows of the create form.
LINE_ROWS = 8

INBOUND = TableSpec("inbound-shipments", (
    Column("reference", _lazy("Reference"), lambda s: s.reference,
           url=lambda s: reverse("inbound-detail", args=[s.pk]), code=True),
    Column("from", _lazy("From"), lambda s: s.from_warehouse.code, code=True),
    Column("to", _lazy("To"), lambda s: s.to_warehouse.code, code=True),
    Column("mode", _lazy("Mode"), lambda s: s.get_mode_display()),
    Column("status", _lazy("Status"), lambda s: s.get_status_display()),
    Column("carrier", _lazy("Carrier"), lambda s: s.carrier),
    Column("tracking", _lazy("Tracking number"), lambda s: s.tracking, code=True),
    Column("eta", _lazy("ETA"), lambda s: s.eta, kind=DATE),
    Column("units", _lazy("Units shipped"), lambda s: s.units or 0, kind=NUMBER),
    Column("received", _lazy("Units received"), lambda s: s.units_received or 0, kind=NUMBER),
    Column("created_at", _lazy("Created at"), lambda s: s.created_at, kind=DATETIME),
))


def _warehouse_choice(label, required: bool) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, required=required, to_field_name="code",
                                  queryset=Warehouse.objects.order_by("code"),
                                  empty_label=None if required else _lazy("All"))


class InboundFilter(FilterForm):
    q = _search(_lazy("Reference or tracking"))
    status = forms.ChoiceField(label=_lazy("Status"), required=False, choices=ANY + list(InboundStatus.choices))
    warehouse = _warehouse_choice(_lazy("Warehouse"), required=False)


def inbound_shipments(q: str = "", status: str = "", warehouse: Warehouse | None = None) -> QuerySet:
    qs = InboundShipment.objects.select_related("from_warehouse", "to_warehouse").annotate(
        units=Sum("lines__qty_shipped"), units_received=Sum("lines__qty_received"))
    if q:
        qs = qs.filter(Q(reference__icontains=q) | Q(tracking__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if warehouse is not None:
        qs = qs.filter(Q(from_warehouse=warehouse) | Q(to_warehouse=warehouse))
    return qs.order_by("-created_at", "-id")


class InboundForm(forms.Form):
    from_warehouse = _warehouse_choice(_lazy("From warehouse"), required=True)
    to_warehouse = _warehouse_choice(_lazy("To warehouse"), required=True)
    mode = forms.ChoiceField(label=_lazy("Mode"), choices=TransportMode.choices)
    reference = forms.CharField(label=_lazy("Reference"), required=False, max_length=60,
                                help_text=_lazy("Empty: the next IB-00001 number."))
    carrier = forms.CharField(label=_lazy("Carrier"), required=False, max_length=100)
    tracking = forms.CharField(label=_lazy("Tracking number"), required=False, max_length=200,
                               help_text=_lazy("Tracking or bill-of-lading number."))
    eta = forms.DateField(label=_lazy("ETA"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("from_warehouse") and data.get("from_warehouse") == data.get("to_warehouse"):
            raise ValidationError(_("The source and destination warehouse must differ."))
        return data


class LineForm(forms.Form):
    sku = forms.CharField(label=_lazy("SKU"), required=False, max_length=64)
    quantity = forms.IntegerField(label=_lazy("Quantity"), required=False, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("sku") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("sku"):
            self.add_error("sku", _("Enter the SKU."))
        return data


LineFormSet = forms.formset_factory(LineForm, extra=LINE_ROWS)


@permission_required("inventory.view_inboundshipment", raise_exception=True)
def inbound_list(request):
    filters = InboundFilter(request.GET)
    can_add = request.user.has_perm("inventory.add_inboundshipment")
    return table_response(
        request, spec=INBOUND, queryset=inbound_shipments(**filters.values()), template="web/pages/list.html",
        context={"title": _("Inbound shipments"), "filter_form": filters,
                 "create_url": reverse("inbound-create") if can_add else None,
                 "create_label": _("New inbound shipment"),
                 "empty_text": _("No inbound shipments match these filters.")},
    )


@permission_required("inventory.add_inboundshipment", raise_exception=True)
def inbound_create(request):
    form = InboundForm(request.POST or None)
    lines = LineFormSet(request.POST or None, prefix="lines")
    line_errors: list[str] = []
    if request.method == "POST":
        if form.is_valid() and lines.is_valid():
            chosen = [(row["sku"].strip(), row["quantity"]) for row in lines.cleaned_data if row.get("sku")]
            if not chosen:
                line_errors.append(_("Add at least one line."))
            else:
                data = form.cleaned_data
                try:
                    shipment = transfers.create(data["from_warehouse"], data["to_warehouse"], data["mode"], chosen,
                                                reference=data["reference"], carrier=data["carrier"],
                                                tracking=data["tracking"], eta=data["eta"], user=request.user)
                except (ValidationError, ValueError) as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Draft %(reference)s created; nothing moves until it is shipped.")
                                     % {"reference": shipment.reference})
                    return redirect("inbound-detail", pk=shipment.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(request, "web/pages/inbound_form.html", {
        "title": _("New inbound shipment"), "form": form, "lines": lines, "line_errors": line_errors})


SUMMARY_FIELDS = ["reference", "status", "from_warehouse", "to_warehouse", "mode", "carrier", "tracking", "eta",
                  "created_by", "created_at", "shipped_at", "received_at", "closed_at"]


@permission_required("inventory.view_inboundshipment", raise_exception=True)
def inbound_detail(request, pk: int):
    shipment = get_object_or_404(InboundShipment.objects.select_related("from_warehouse", "to_warehouse",
                                                                        "created_by"), pk=pk)
    lines = list(shipment.lines.select_related("product").order_by("product__sku"))
    can_change = request.user.has_perm(CHANGE_PERMISSION)
    status = shipment.status
    return render(request, "web/pages/inbound_detail.html", {
        "shipment": shipment, "fields": field_rows(shipment, SUMMARY_FIELDS), "lines": lines,
        "totals": {"shipped": sum(li.qty_shipped for li in lines), "received": sum(li.qty_received for li in lines),
                   "outstanding": sum(li.outstanding for li in lines)},
        "can_ship": can_change and status == InboundStatus.DRAFT,
        "can_transit": can_change and status == InboundStatus.SHIPPED,
        "can_receive": can_change and status in transfers.RECEIVABLE,
        "can_close": can_change and status in transfers.CLOSABLE,
        "has_discrepancies": any(li.discrepancy for li in lines),
    })


def _received_quantities(request, shipment: InboundShipment) -> list[tuple[str, int]]:
    """``qty-<line id>`` fields → ``[(sku, qty)]`` for the lines with a quantity above 0."""
    quantities = []
    for line in shipment.lines.select_related("product"):
        raw = request.POST.get(f"qty-{line.pk}", "").strip()
        if not raw:
            continue
        try:
            qty = int(raw)
        except ValueError:
            raise ValueError(_("%(value)s is not a whole number (%(sku)s).") % {"value": raw,
                                                                              "sku": line.product.sku}) from None
        if qty < 0:
            raise ValueError(_("Enter 0 or more for %(sku)s.") % {"sku": line.product.sku})
        if qty:
            quantities.append((line.product.sku, qty))
    if not quantities:
        raise ValueError(_("Enter the quantity received for at least one line."))
    return quantities


@require_POST
@permission_required(CHANGE_PERMISSION, raise_exception=True)
def inbound_action(request, pk: int, action: str):
    """One life-cycle step; a refusal is shown above the shipment and changes nothing."""
    if action not in ACTIONS:
        raise Http404
    shipment = get_object_or_404(InboundShipment, pk=pk)
    ref = shipment.reference
    try:
        if action == "ship":
            transfers.ship(shipment, user=request.user)
            messages.success(request, _("%(reference)s shipped: the units are now inbound at the destination.")
                             % {"reference": ref})
        elif action == "in-transit":
            transfers.mark_in_transit(shipment, user=request.user)
            messages.success(request, _("%(reference)s is in transit.") % {"reference": ref})
        elif action == "receive":
            received = _received_quantities(request, shipment)
            shipment = transfers.receive(shipment, received, user=request.user)
            messages.success(request, _("Received %(units)s unit(s) on %(reference)s: %(status)s.") % {
                "units": sum(qty for _sku, qty in received), "reference": ref,
                "status": shipment.get_status_display()})
        else:
            found = transfers.close(shipment, note=request.POST.get("note", ""), user=request.user)
            if found:
                messages.warning(request, _("%(reference)s closed; written off as not received: %(lines)s.") % {
                    "reference": ref, "lines": ", ".join(f"{d.sku} −{d.missing}" for d in found)})
            else:
                messages.success(request, _("%(reference)s closed: everything arrived.") % {"reference": ref})
    except ValueError as exc:  # InsufficientStock is a ValueError too
        messages.error(request, str(exc))
    return redirect("inbound-detail", pk=pk)
