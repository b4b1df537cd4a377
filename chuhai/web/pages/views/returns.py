"""Customer returns: the list (filters, export, link to each order), a form for a parcel that came back, and the
return's page with its refund status and the restock decision.

The work is :mod:`chuhai.logistics.returns`'s; these views only parse and show. Reading needs
``logistics.view_customerreturn``, entering a return ``logistics.add_customerreturn`` and processing one
``logistics.change_customerreturn`` (operations and admin).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.channels.models import ChannelAccount
from chuhai.core.exports import DATETIME, MONEY, NUMBER, Column, TableSpec, money_text
from chuhai.inventory.ledger import MovementKind, StockMovement
from chuhai.inventory.models import Warehouse
from chuhai.logistics.models import CustomerReturn, RestockDecision, ReturnCondition
from chuhai.logistics.returns import (
    DECISIONS,
    AlreadyProcessed,
    fba_defaults,
    fba_warehouse,
    process_fba_returns,
    process_return,
    record_return,
    refund_info,
    refund_total_subquery,
)
from chuhai.orders.models import Order

from ..filters import ANY, DateInput, FilterForm, _search
from ..forms import add_service_errors
from ..queries import _day_start
from ..tables import table_response
from .common import field_rows

VIEW_PERM = "logistics.view_customerreturn"
ADD_PERM = "logistics.add_customerreturn"
PROCESS_PERM = "logistics.change_customerreturn"

# -- table ------------------------------------------------------------------------------------------------------

RETURNS = TableSpec("customer-returns", (
    Column("id", _lazy("Return"), lambda r: r.pk, url=lambda r: reverse("return-detail", args=[r.pk]),
           display=lambda r: f"#{r.pk}", code=True),
    Column("returned_at", _lazy("Returned at"), lambda r: r.returned_at, kind=DATETIME),
    Column("account", _lazy("Account"), lambda r: r.account.code, code=True),
    Column("order", _lazy("Order id"), lambda r: r.order_ref, code=True,
           url=lambda r: reverse("order-detail", args=[r.order_id]) if r.order_id else None),
    Column("sku", _lazy("SKU"), lambda r: r.sku, code=True),
    Column("quantity", _lazy("Quantity"), lambda r: r.quantity, kind=NUMBER),
    Column("reason", _lazy("Reason"), lambda r: r.reason),
    Column("disposition", _lazy("Disposition"), lambda r: r.disposition),
    Column("condition", _lazy("Condition"), lambda r: r.get_condition_display() if r.condition else ""),
    Column("restock", _lazy("Restock"), lambda r: r.get_restock_display() if r.restock else "",
           display=lambda r: r.get_restock_display()),
    Column("warehouse", _lazy("Restocked in"), lambda r: r.restock_warehouse.code if r.restock_warehouse else "",
           code=True),
    Column("processed_at", _lazy("Processed at"), lambda r: r.processed_at, kind=DATETIME),
    Column("order_status", _lazy("Order status"), lambda r: r.order.get_status_display() if r.order_id else ""),
    Column("refund", _lazy("Refund in settlements"), lambda r: r.settled_refund, kind=MONEY,
           currency=lambda r: r.settled_refund_currency),
    Column("refund_currency", _lazy("Refund currency"), lambda r: r.settled_refund_currency or ""),
))

# -- queries and filters ----------------------------------------------------------------------------------------

PENDING, PROCESSED = "pending", "processed"


def returns(q: str = "", account: ChannelAccount | None = None, processed: str = "", disposition: str = "",
            condition: str = "", reason: str = "", date_from: dt.date | None = None,
            date_to: dt.date | None = None) -> QuerySet[CustomerReturn]:
    qs = CustomerReturn.objects.select_related("account", "order", "restock_warehouse").annotate(
        settled_refund=refund_total_subquery(), settled_refund_currency=refund_total_subquery("currency"))
    if q:
        qs = qs.filter(Q(order_ref__icontains=q) | Q(sku__icontains=q) | Q(license_plate__iexact=q))
    if account is not None:
        qs = qs.filter(account=account)
    if processed == PENDING:
        qs = qs.filter(processed_at__isnull=True)
    elif processed == PROCESSED:
        qs = qs.filter(processed_at__isnull=False)
    if disposition:
        qs = qs.filter(disposition=disposition)
    if condition:
        qs = qs.filter(condition="" if condition == "-" else condition)
    if reason:
        qs = qs.filter(reason=reason)
    if date_from:
        qs = qs.filter(returned_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(returned_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs.order_by("-returned_at", "-id")


def _distinct(field_name: str) -> list[tuple[str, str]]:
    values = (CustomerReturn.objects.exclude(**{field_name: ""}).order_by(field_name)
              .values_list(field_name, flat=True).distinct()[:200])
    return [(v, v) for v in values]


class ReturnFilter(FilterForm):
    q = _search(_lazy("Order id, SKU or licence plate"))
    account = forms.ModelChoiceField(label=_lazy("Account"), required=False, to_field_name="code",
                                     queryset=ChannelAccount.objects.order_by("code"), empty_label=_lazy("All"))
    processed = forms.ChoiceField(label=_lazy("Processed"), required=False, choices=ANY + [
        (PENDING, _lazy("Not processed")), (PROCESSED, _lazy("Processed"))])
    disposition = forms.ChoiceField(label=_lazy("Disposition"), required=False)
    condition = forms.ChoiceField(label=_lazy("Condition"), required=False, choices=ANY + [
        ("-" if value == "" else value, label) for value, label in ReturnCondition.choices])
    reason = forms.ChoiceField(label=_lazy("Reason"), required=False)
    date_from = forms.DateField(label=_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disposition"].choices = ANY + _distinct("disposition")
        self.fields["reason"].choices = ANY + _distinct("reason")


# -- forms ------------------------------------------------------------------------------------------------------

class ReturnEntryForm(forms.Form):
    """A parcel back at one of our warehouses. The order is looked up here; the service checks the rest."""

    account = forms.ModelChoiceField(label=_lazy("Account"), to_field_name="code",
                                     queryset=ChannelAccount.objects.order_by("code"))
    order_id = forms.CharField(label=_lazy("Order id"), max_length=64)
    sku = forms.CharField(label=_lazy("SKU"), max_length=100,
                          help_text=_lazy("The channel SKU or our SKU, as on the order."))
    quantity = forms.IntegerField(label=_lazy("Quantity"), min_value=1, initial=1)
    reason = forms.CharField(label=_lazy("Reason"), max_length=80, required=False,
                             help_text=_lazy("e.g. damaged in transit, wrong size, not as described."))
    condition = forms.ChoiceField(label=_lazy("Condition"), choices=ReturnCondition.choices, required=False)
    returned_on = forms.DateField(label=_lazy("Return date"), required=False, widget=DateInput(),
                                  help_text=_lazy("Leave blank for today."))

    def clean(self):
        data = super().clean()
        account, order_id = data.get("account"), (data.get("order_id") or "").strip()
        if account is not None and order_id:
            data["order"] = Order.objects.filter(account=account, external_id=order_id).first()
            if data["order"] is None:
                self.add_error("order_id", _("Account %(account)s has no order %(order)s.") % {
                    "account": account.code, "order": order_id})
        return data

    def returned_at(self) -> dt.datetime:
        day = self.cleaned_data.get("returned_on")
        if day is None or day == timezone.localdate():
            return timezone.now()
        return _day_start(day)


class ProcessForm(forms.Form):
    restock = forms.ChoiceField(label=_lazy("What happens to the units"),
                                choices=[("", "—")] + [(d.value, d.label) for d in DECISIONS])
    warehouse = forms.ModelChoiceField(
        label=_lazy("Warehouse"), required=False, to_field_name="code",
        queryset=Warehouse.objects.filter(is_active=True).order_by("code"),
        help_text=_lazy("Where the units go back into (not needed when they are not restocked)."))
    condition = forms.ChoiceField(label=_lazy("Condition"), choices=ReturnCondition.choices, required=False)

    def clean(self):
        data = super().clean()
        if data.get("restock") in (RestockDecision.SELLABLE, RestockDecision.UNSELLABLE) and not data.get(
                "warehouse"):
            self.add_error("warehouse", _("Choose the warehouse the units go back into."))
        return data


# -- views ------------------------------------------------------------------------------------------------------

@permission_required(VIEW_PERM, raise_exception=True)
def return_list(request):
    filters = ReturnFilter(request.GET)
    can_process = request.user.has_perm(PROCESS_PERM)
    return table_response(
        request, spec=RETURNS, queryset=returns(**filters.values()), template="web/pages/returns.html",
        context={
            "title": _("Returns"),
            "filter_form": filters,
            "create_url": reverse("return-create") if request.user.has_perm(ADD_PERM) else None,
            "create_label": _("Record a return"),
            "fba_accounts": ChannelAccount.objects.filter(allocation_rule__fba_warehouse__isnull=False)
            .order_by("code") if can_process else [],
            "empty_text": _("No returns match these filters."),
        },
    )


@permission_required(ADD_PERM, raise_exception=True)
def return_create(request):
    form = ReturnEntryForm(request.POST or None, initial={"account": request.GET.get("account"),
                                                          "order_id": request.GET.get("order", "")})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = record_return(data["account"], data["order"], data["sku"], data["quantity"],
                                        reason=data["reason"], condition=data["condition"],
                                        returned_at=form.returned_at(), user=request.user)
            except (ValidationError, ValueError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Return #%(id)s recorded: now decide what happens to the units.") % {
                    "id": created.pk})
                return redirect("return-detail", pk=created.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(request, "web/pages/returns_form.html", {"form": form, "title": _("Record a return")})


DETAIL_FIELDS = ["account", "order_ref", "returned_at", "sku", "asin", "fnsku", "product_name", "quantity",
                 "fulfillment_center", "disposition", "reason", "status", "license_plate", "customer_comments",
                 "condition", "restock", "restock_warehouse", "processed_at", "processed_by"]


@permission_required(VIEW_PERM, raise_exception=True)
def return_detail(request, pk: int):
    """GET: the return, its refund and (while pending) the process form. POST: process it."""
    customer_return = get_object_or_404(
        CustomerReturn.objects.select_related("account", "order", "restock_warehouse", "processed_by"), pk=pk)
    can_process = request.user.has_perm(PROCESS_PERM)
    pending = customer_return.processed_at is None
    form = None
    if request.method == "POST":
        if not can_process:
            raise PermissionDenied
        form = ProcessForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                process_return(customer_return, data["restock"], warehouse=data["warehouse"],
                               condition=data["condition"], user=request.user)
            except AlreadyProcessed as exc:
                messages.error(request, str(exc))
                return redirect("return-detail", pk=pk)
            except (ValidationError, ValueError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Return #%(id)s processed.") % {"id": pk})
                return redirect("return-detail", pk=pk)
        messages.error(request, _("Please correct the errors below."))
    elif can_process and pending:
        defaults = fba_defaults(customer_return)
        form = ProcessForm(initial={
            "restock": defaults.restock or None,
            "warehouse": defaults.warehouse.code if defaults.warehouse else None,
            "condition": defaults.condition,
        })
    refund = refund_info(customer_return)
    movements = StockMovement.objects.filter(
        kind=MovementKind.CUSTOMER_RETURN, reference=customer_return.order_ref,
        reason__startswith=f"customer return #{customer_return.pk} ",
    ).select_related("product", "warehouse", "user").order_by("created_at", "id")
    return render(request, "web/pages/returns_detail.html", {
        "customer_return": customer_return,
        "fields": field_rows(customer_return, DETAIL_FIELDS, money={}),
        "refund": refund,
        "settlement_totals": [money_text(amount, ccy) for ccy, amount in sorted(refund.settlement_totals.items())],
        "return_refund": money_text(refund.return_amount, refund.return_currency),
        "form": form if (pending or request.method == "POST") else None,
        "movements": movements,
    })


@permission_required(PROCESS_PERM, raise_exception=True)
def return_process_fba(request):
    """POST: process the pending FBA returns of one account from Amazon's dispositions."""
    if request.method != "POST":
        return redirect("returns")
    account = ChannelAccount.objects.filter(code=request.POST.get("account", "")).first()
    if account is None:
        messages.error(request, _("Choose an account."))
        return redirect("returns")
    try:
        result = process_fba_returns(account, user=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("returns")
    messages.success(request, _("%(account)s: %(processed)s FBA return(s) processed in %(warehouse)s, %(skipped)s "
                                "left for a decision.") % {
        "account": account.code, "processed": len(result.processed), "skipped": len(result.skipped),
        "warehouse": fba_warehouse(account).code})
    return redirect(f"{reverse('returns')}?account={account.code}&processed={PENDING}")
