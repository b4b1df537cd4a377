"""Entering an order by hand (B2B, offline sale, replacement, sample): the form; the service reserves the stock."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.channels.models import ChannelAccount
from chuhai.core.countries import normalize_country
from chuhai.orders.manual import ManualLine, OrderExists, create_manual_order
from chuhai.orders.models import FulfilmentChannel

from ..forms import add_service_errors

LINE_ROWS = 6


class ManualOrderForm(forms.Form):
    account = forms.ModelChoiceField(label=_lazy("Channel account"), to_field_name="code", empty_label=None,
                                     queryset=ChannelAccount.objects.filter(is_active=True).order_by("code"))
    external_id = forms.CharField(label=_lazy("Order id"), max_length=64,
                                  help_text=_lazy("Your reference, e.g. the buyer's purchase order number."))
    ship_country = forms.CharField(label=_lazy("Ship-to country"), max_length=40,
                                   help_text=_lazy("ISO code, e.g. US, DE, GB."))
    fulfilment_channel = forms.ChoiceField(label=_lazy("Ships from"), choices=[
        (FulfilmentChannel.MERCHANT, _lazy("Our warehouse")), (FulfilmentChannel.THREE_PL, _lazy("Overseas 3PL"))])
    is_replacement = forms.BooleanField(label=_lazy("Replacement order"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, LINE_ROWS + 1):
            self.fields[f"sku_{i}"] = forms.CharField(label=_lazy("SKU"), max_length=100, required=False)
            self.fields[f"qty_{i}"] = forms.IntegerField(label=_lazy("Quantity"), min_value=1, required=False)

    def clean_ship_country(self):
        try:
            return normalize_country(self.cleaned_data["ship_country"])
        except (ValidationError, ValueError) as exc:
            raise ValidationError(str(getattr(exc, "message", exc))) from exc

    def line_rows(self):
        return [(self[f"sku_{i}"], self[f"qty_{i}"]) for i in range(1, LINE_ROWS + 1)]

    def lines(self) -> list[ManualLine]:
        lines = []
        for i in range(1, LINE_ROWS + 1):
            sku, qty = (self.cleaned_data.get(f"sku_{i}") or "").strip(), self.cleaned_data.get(f"qty_{i}")
            if sku and not qty:
                self.add_error(f"qty_{i}", _("How many?"))
            elif qty and not sku:
                self.add_error(f"sku_{i}", _("Which SKU?"))
            elif sku:
                lines.append(ManualLine(sku, qty))
        if not lines and not self.errors:
            self.add_error(None, _("Add at least one line."))
        return lines


@permission_required("orders.add_order", raise_exception=True)
def manual_order_create(request):
    form = ManualOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lines = form.lines()
        if not form.errors:
            data = form.cleaned_data
            try:
                order = create_manual_order(
                    data["account"], data["external_id"], data["ship_country"], lines,
                    fulfilment_channel=data["fulfilment_channel"], is_replacement=data["is_replacement"],
                    user=request.user)
            except (OrderExists, ValueError, ValidationError) as exc:  # incl. stock short: nothing was written
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Order %(id)s created and its stock reserved.") % {
                    "id": order.external_id})
                return redirect("order-detail", pk=order.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "web/pages/manual_order.html", {
        "form": form, "title": _("New order"), "cancel_url": reverse("orders")})
