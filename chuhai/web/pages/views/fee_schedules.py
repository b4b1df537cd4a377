"""Fee schedules (finance): the dated, sourced platform fees that estimate unsettled orders' fees.

The list filters by platform, marketplace, fee kind and the day a row is valid on, and exports to CSV / Excel;
finance adds and edits rows (history kept by django-simple-history, shown under the form); the "estimate for an
order" box shows what :func:`chuhai.finance.estimates.explain_order_fees` makes of one order. The services
(:mod:`chuhai.finance.estimates`, :func:`chuhai.finance.fee_schedule_data.save_fee_schedule`) do the work.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.channels.models import ChannelAccount, Platform
from chuhai.core.countries import normalize_country
from chuhai.core.exports import DATE, NUMBER, Column, TableSpec, money_text
from chuhai.finance.estimates import explain_order_fees, valid_schedules
from chuhai.finance.fee_schedule_data import FIELDS, save_fee_schedule
from chuhai.finance.fees import FeeCategory, FeeSchedule, FeeScheduleKind
from chuhai.orders.models import Order

from ..filters import ANY, DateInput, FilterForm, _search
from ..forms import add_service_errors
from ..history import change_history
from ..tables import table_response

VIEW_PERM = "finance.access_finance"
ADD_PERM = "finance.add_feeschedule"
CHANGE_PERM = "finance.change_feeschedule"

SPEC = TableSpec("fee-schedules", (
    Column("platform", _lazy("Platform"), lambda s: s.platform,
           display=lambda s: Platform(s.platform).label if s.platform in Platform.values else s.platform,
           url=lambda s: reverse("fee-schedule-edit", args=[s.pk])),
    Column("marketplace", _lazy("Marketplace"), lambda s: s.marketplace, display=lambda s: s.marketplace or "*"),
    Column("kind", _lazy("Fee"), lambda s: s.kind, display=lambda s: s.get_kind_display()),
    Column("category", _lazy("Product category"), lambda s: s.category, display=lambda s: s.category or "*"),
    Column("size_tier", _lazy("Size tier"), lambda s: s.size_tier),
    Column("weight_from_g", _lazy("From weight (g)"), lambda s: s.weight_from_g, kind=NUMBER),
    Column("weight_to_g", _lazy("To weight (g)"), lambda s: s.weight_to_g, kind=NUMBER),
    Column("percent", _lazy("Percent"), lambda s: s.percent, kind=NUMBER),
    Column("amount", _lazy("Amount"), lambda s: s.amount, kind=NUMBER),
    Column("minimum", _lazy("Minimum"), lambda s: s.minimum, kind=NUMBER),
    Column("currency", _lazy("Currency"), lambda s: s.currency, code=True),
    Column("valid_from", _lazy("Valid from"), lambda s: s.valid_from, kind=DATE),
    Column("valid_to", _lazy("Valid to"), lambda s: s.valid_to, kind=DATE),
    Column("source", _lazy("Source"), lambda s: s.source),
))


class FeeScheduleFilter(FilterForm):
    q = _search(_lazy("Category, tier or source"))
    platform = forms.ChoiceField(label=_lazy("Platform"), required=False, choices=ANY + list(Platform.choices))
    marketplace = forms.CharField(label=_lazy("Marketplace"), required=False, max_length=2,
                                  widget=forms.TextInput(attrs={"size": 3, "placeholder": "US"}))
    kind = forms.ChoiceField(label=_lazy("Fee"), required=False, choices=ANY + list(FeeScheduleKind.choices))
    valid_on = forms.DateField(label=_lazy("Valid on"), required=False, widget=DateInput())

    def clean_marketplace(self):
        value = self.cleaned_data["marketplace"]
        return normalize_country(value) if value else ""


def filtered_schedules(q: str = "", platform: str = "", marketplace: str = "", kind: str = "", valid_on=None):
    qs = valid_schedules(valid_on, platform=platform, kind=kind)
    if marketplace:
        qs = qs.filter(marketplace=marketplace)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(category__icontains=q) | Q(size_tier__icontains=q) | Q(source__icontains=q))
    return qs.order_by("platform", "marketplace", "kind", "category", "size_tier", "weight_from_g", "-valid_from")


class EstimateForm(forms.Form):
    order = forms.CharField(label=_lazy("Order id"), max_length=64)
    account = forms.ModelChoiceField(label=_lazy("Account"), required=False, to_field_name="code",
                                     queryset=ChannelAccount.objects.order_by("code"), empty_label=_lazy("Any"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        orders = Order.objects.filter(external_id=data["order"].strip()).select_related("account")
        if data.get("account"):
            orders = orders.filter(account=data["account"])
        found = list(orders[:5])
        if not found:
            raise ValidationError(_("No order %(order)s.") % {"order": data["order"]})
        if len(found) > 1:
            raise ValidationError(_("Order %(order)s exists on several accounts (%(accounts)s): choose one.") % {
                "order": data["order"], "accounts": ", ".join(o.account.code for o in found)})
        data["found"] = found[0]
        return data


def _estimate_box(request):
    """The estimate box's form and result (None until an order id is given)."""
    if "order" not in request.GET:
        return EstimateForm(), None
    form = EstimateForm(request.GET)
    if not form.is_valid():
        return form, None
    order = form.cleaned_data["found"]
    estimate = explain_order_fees(order)
    categories = dict(FeeCategory.choices)
    return form, {
        "order": order,
        "settled": estimate.settled,
        "fees": [{"line_no": f.line_no, "category": categories.get(f.category, f.category),
                  "amount": money_text(f.amount, f.currency), "exact": f.amount, "basis": f.basis,
                  "schedule_url": reverse("fee-schedule-edit", args=[f.schedule_id])} for f in estimate.fees],
        "skipped": [{"line_no": s.line_no, "category": categories.get(s.category, s.category), "reason": s.reason}
                    for s in estimate.skipped],
        "total": money_text(estimate.total, estimate.currency),
    }


@permission_required(VIEW_PERM, raise_exception=True)
def fee_schedule_list(request):
    filters = FeeScheduleFilter(request.GET)
    estimate_form, estimate = _estimate_box(request)
    can_add = request.user.has_perm(ADD_PERM)
    return table_response(
        request, spec=SPEC, queryset=filtered_schedules(**filters.values()), template="web/pages/fee_schedules.html",
        context={
            "title": _("Fee schedules"),
            "filter_form": filters,
            "create_url": reverse("fee-schedule-create") if can_add else None,
            "create_label": _("New fee schedule"),
            "estimate_form": estimate_form,
            "estimate": estimate,
        },
    )


class FeeScheduleForm(forms.ModelForm):
    class Meta:
        model = FeeSchedule
        fields = FIELDS
        widgets = {"valid_from": DateInput(), "valid_to": DateInput(),
                   "source": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"] = forms.ChoiceField(label=_lazy("Platform"), choices=Platform.choices)

    def _post_clean(self):
        pass  # the service validates the whole row (codes, rate for the fee kind, band, period)


def _save(request, form, schedule):
    if not form.is_valid():
        return None
    changes = {name: form.cleaned_data.get(name) for name in FIELDS}
    try:
        return save_fee_schedule(schedule, changes, user=request.user)
    except (ValidationError, ValueError) as exc:
        add_service_errors(form, exc)
        return None


def _form_page(request, form, title, schedule=None, can_edit=True):
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "web/pages/fee_schedule_form.html", {
        "form": form, "title": title, "cancel_url": reverse("fee-schedules"), "schedule": schedule,
        "can_edit": can_edit, "history": change_history(schedule) if schedule else None,
    })


@permission_required(ADD_PERM, raise_exception=True)
def fee_schedule_create(request):
    form = FeeScheduleForm(request.POST or None)
    if request.method == "POST":
        schedule = _save(request, form, None)
        if schedule is not None:
            messages.success(request, _("Fee schedule added."))
            return redirect("fee-schedule-edit", pk=schedule.pk)
    return _form_page(request, form, _("New fee schedule"))


@permission_required(VIEW_PERM, raise_exception=True)
def fee_schedule_edit(request, pk: int):
    schedule = get_object_or_404(FeeSchedule, pk=pk)
    can_edit = request.user.has_perm(CHANGE_PERM)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = FeeScheduleForm(request.POST, instance=schedule)
        saved = _save(request, form, schedule)
        if saved is not None:
            messages.success(request, _("Fee schedule saved."))
            return redirect("fee-schedule-edit", pk=saved.pk)
        schedule.refresh_from_db()
    else:
        form = FeeScheduleForm(instance=schedule)
    return _form_page(request, form, _("Fee schedule"), schedule=schedule, can_edit=can_edit)
