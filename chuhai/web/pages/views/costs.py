"""Cost pages (finance): the inventory value left in the cost layers, and an inbound shipment's landed charges.

*Inventory value* (``/costs/``) lists units, unit cost and value per product × warehouse from
:func:`chuhai.finance.cogs.inventory_value` (as of the last ``chuhai costs rebuild``), with CSV/XLSX export and a
bar chart of value by warehouse. *Landed charges* (``/costs/landed/<reference>/``) lists one inbound shipment's
charges, adds and deletes them (:mod:`chuhai.finance.landed_cost`) and previews how they spread over its lines.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.core.exports import MONEY, NUMBER, Column, TableSpec
from chuhai.core.models import CompanySettings
from chuhai.core.money import normalize_currency, quantize
from chuhai.finance.cogs import inventory_value
from chuhai.finance.cost_layers import AllocationBasis, ChargeKind, LandedCharge
from chuhai.finance.fx import FxRateMissing
from chuhai.finance.landed_cost import add_charge, allocation_preview, delete_charge
from chuhai.inventory.inbound import InboundShipment
from chuhai.inventory.models import Warehouse

from ..filters import FilterForm, _search
from ..forms import add_service_errors
from ..tables import table_response

VIEW_PERM = "finance.access_finance"
ADD_PERM = "finance.add_landedcharge"
DELETE_PERM = "finance.delete_landedcharge"

VALUE = TableSpec("inventory-value", (
    Column("sku", _lazy("SKU"), lambda r: r.sku, code=True),
    Column("name", _lazy("Name"), lambda r: r.name),
    Column("warehouse", _lazy("Warehouse"), lambda r: r.warehouse, code=True),
    Column("units", _lazy("Units"), lambda r: r.units, kind=NUMBER),
    Column("unit_cost", _lazy("Unit cost"), lambda r: r.unit_cost, kind=NUMBER),
    Column("value", _lazy("Value"), lambda r: r.value, kind=MONEY, currency=lambda r: r.currency),
    Column("currency", _lazy("Currency"), lambda r: r.currency, code=True),
))


class ValueFilter(FilterForm):
    q = _search(_lazy("SKU or name"))
    warehouse = forms.ModelChoiceField(label=_lazy("Warehouse"), required=False, to_field_name="code",
                                       queryset=Warehouse.objects.order_by("code"), empty_label=_lazy("All"))


def value_chart(rows) -> dict:
    """ECharts bars: stock value per warehouse (base currency)."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        totals[row.warehouse] = totals.get(row.warehouse, Decimal(0)) + row.value
    codes = sorted(totals)
    return {
        "title": {"text": _("Inventory value by warehouse"), "left": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": codes},
        "yAxis": {"type": "value"},
        "series": [{"id": "value-by-warehouse", "name": _("Value"), "type": "bar",
                    "data": [float(totals[c]) for c in codes], "label": {"show": True, "position": "top"}}],
    }


@permission_required(VIEW_PERM, raise_exception=True)
def inventory_value_page(request):
    filters = ValueFilter(request.GET)
    values = filters.values()
    rows = inventory_value(warehouse=values.get("warehouse"))
    if values.get("q"):
        needle = values["q"].lower()
        rows = [r for r in rows if needle in r.sku.lower() or needle in (r.name or "").lower()]
    base = CompanySettings.load().base_currency
    total = sum((r.value for r in rows), Decimal(0))
    shipments = InboundShipment.objects.select_related("from_warehouse", "to_warehouse").order_by("-created_at")[:20]
    return table_response(request, spec=VALUE, queryset=rows, template="web/pages/costs.html", context={
        "title": _("Inventory value"),
        "filter_form": filters,
        "total": f"{quantize(total, base):,} {base}",
        "units": sum(r.units for r in rows),
        "chart": value_chart(rows) if rows else None,
        "shipments": shipments,
    })


class ChargeForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Charge"), choices=ChargeKind.choices)
    amount = forms.DecimalField(label=_lazy("Amount"), min_value=0, max_digits=20, decimal_places=6)
    currency = forms.CharField(label=_lazy("Currency"), max_length=3, initial="CNY",
                               widget=forms.TextInput(attrs={"size": 4}))
    incurred_on = forms.DateField(label=_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_lazy("The rate of this day converts it to the base currency."))
    basis = forms.ChoiceField(label=_lazy("Allocate"), choices=AllocationBasis.choices,
                              initial=AllocationBasis.WEIGHT)
    note = forms.CharField(label=_lazy("Note"), max_length=300, required=False)

    def clean_currency(self):
        try:
            return normalize_currency(self.cleaned_data["currency"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _shipment(reference: str) -> InboundShipment:
    return get_object_or_404(InboundShipment.objects.select_related("from_warehouse", "to_warehouse"),
                             reference=reference)


@permission_required(VIEW_PERM, raise_exception=True)
def landed_charges_page(request, reference: str):
    shipment = _shipment(reference)
    can_add = request.user.has_perm(ADD_PERM)
    form = ChargeForm(initial={"currency": CompanySettings.load().base_currency})
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        form = ChargeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                add_charge(shipment, data["kind"], data["amount"], data["currency"], data["incurred_on"],
                           data["basis"], data["note"], user=request.user)
            except (ValidationError, ValueError, FxRateMissing) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Landed charge added. Run `chuhai costs rebuild` to update the cost "
                                            "layers."))
                return redirect("costs-landed", reference=shipment.reference)
        messages.error(request, _("Please correct the errors below."))
    base = CompanySettings.load().base_currency
    charges = [{"pk": c.pk, "incurred_on": c.incurred_on, "kind": c.get_kind_display(), "amount": _plain(c.amount),
                "currency": c.currency, "base_amount": _plain(c.base_amount) if c.base_amount is not None else "—",
                "basis": c.get_basis_display(), "note": c.note}
               for c in shipment.landed_charges.order_by("incurred_on", "id")]
    preview = allocation_preview(shipment)
    return render(request, "web/pages/costs_landed.html", {
        "title": _("Landed charges of %(reference)s") % {"reference": shipment.reference},
        "shipment": shipment,
        "charges": charges,
        "preview": [{"sku": p.sku, "qty": p.qty, "share": f"{p.share * 100:.2f} %",
                     "allocated": f"{quantize(p.allocated, base):,}", "per_unit": p.per_unit} for p in preview],
        "total": f"{quantize(sum((p.allocated for p in preview), Decimal(0)), base):,} {base}",
        "base": base,
        "form": form if can_add else None,
        "can_delete": request.user.has_perm(DELETE_PERM),
    })


@permission_required(VIEW_PERM, raise_exception=True)
def landed_charge_delete(request, reference: str, pk: int):
    if request.method != "POST":
        return redirect("costs-landed", reference=reference)
    if not request.user.has_perm(DELETE_PERM):
        raise PermissionDenied
    charge = get_object_or_404(LandedCharge, pk=pk, shipment__reference=reference)
    delete_charge(charge, user=request.user)
    messages.success(request, _("Landed charge deleted."))
    return redirect(reverse("costs-landed", kwargs={"reference": reference}))
