"""Allocation rules: every channel account with its rule, and a form to edit one (the ordered warehouses with their
ship-to countries, split shipments, the FBA warehouse and what the channel is shown).

Saving goes through :func:`chuhai.inventory.rule_services.save_rule`, which checks everything and replaces the
rule in one transaction; the form only parses what was typed.
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

from chuhai.channels.models import ChannelAccount
from chuhai.core.exports import BOOL, NUMBER, Column, TableSpec
from chuhai.inventory import rule_services
from chuhai.inventory.channel_rules import AllocationRule
from chuhai.inventory.models import Warehouse, WarehouseType

from ..tables import table_response

CHANGE_PERMISSION = "inventory.change_allocationrule"
#: Empty step rows offered below the existing ones.
EXTRA_STEPS = 3


def _steps_text(row: dict) -> str:
    if row["is_default"]:
        return _("Default: every active domestic and 3PL warehouse")
    if not row["steps"]:
        return _("None (no merchant-fulfilled stock)")
    return " → ".join(
        f"{s['position']}. {s['warehouse']}" + (f" ({' '.join(s['countries'])})" if s["countries"] else "")
        for s in row["steps"])


RULES = TableSpec("allocation-rules", (
    Column("account", _lazy("Account"), lambda r: r["account"],
           url=lambda r: reverse("allocation-rule-edit", args=[r["account"]]), code=True),
    Column("platform", _lazy("Platform"), lambda r: r["platform"]),
    Column("warehouses", _lazy("Warehouses in order"), _steps_text),
    Column("allow_split", _lazy("Split shipments"), lambda r: r["allow_split"], kind=BOOL),
    Column("fba_warehouse", _lazy("FBA warehouse"), lambda r: r["fba_warehouse"] or ""),
    Column("safety_buffer", _lazy("Safety buffer"), lambda r: r["safety_buffer"], kind=NUMBER),
    Column("ats_percent", _lazy("Share shown (%)"), lambda r: r["ats_percent"], kind=NUMBER),
    Column("ats_max", _lazy("Maximum shown"), lambda r: r["ats_max"], kind=NUMBER),
    Column("ats_min", _lazy("Zero below"), lambda r: r["ats_min"], kind=NUMBER),
))


def rule_rows() -> list[dict]:
    """One row per channel account: its rule described, or the default. Three queries in all."""
    rules = {r.account_id: r for r in AllocationRule.objects.select_related("fba_warehouse")
             .prefetch_related("steps__warehouse")}
    return [{**rule_services.describe(account, rules.get(account.pk), look_up=False),
             "platform": account.get_platform_display()}
            for account in ChannelAccount.objects.order_by("code")]


class RuleForm(forms.Form):
    allow_split = forms.BooleanField(label=_lazy("Allow split shipments"), required=False, help_text=_lazy(
        "Let one order take units from several warehouses when no single one can ship it all."))
    fba_warehouse = forms.ModelChoiceField(
        label=_lazy("FBA warehouse"), required=False, to_field_name="code", empty_label=_lazy("None"),
        queryset=Warehouse.objects.filter(type=WarehouseType.FBA).order_by("code"),
        help_text=_lazy("Where this account's Amazon-fulfilled orders take stock from."))
    safety_buffer = forms.IntegerField(label=_lazy("Safety buffer"), min_value=0, initial=0, help_text=_lazy(
        "Units per SKU held back from the channel."))
    ats_percent = forms.IntegerField(label=_lazy("Share shown (%)"), min_value=0, max_value=100, initial=100)
    ats_max = forms.IntegerField(label=_lazy("Maximum shown"), min_value=0, required=False, help_text=_lazy(
        "Empty: no cap."))
    ats_min = forms.IntegerField(label=_lazy("Zero below"), min_value=0, initial=0, help_text=_lazy(
        "Show 0 when fewer units than this are available."))


class StepForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_lazy("Warehouse"), required=False, to_field_name="code", empty_label="—",
        queryset=Warehouse.objects.exclude(type=WarehouseType.FBA).filter(is_active=True).order_by("code"))
    countries = forms.CharField(label=_lazy("Ship-to countries"), required=False, max_length=500,
                                widget=forms.TextInput(attrs={"placeholder": "US CA"}))


StepFormSet = forms.formset_factory(StepForm, extra=0)


def _initial(rule: AllocationRule | None) -> tuple[dict, list[dict]]:
    if rule is None:
        return {}, []
    return ({"allow_split": rule.allow_split, "fba_warehouse": rule.fba_warehouse, "safety_buffer":
             rule.safety_buffer, "ats_percent": rule.ats_percent, "ats_max": rule.ats_max, "ats_min": rule.ats_min},
            [{"warehouse": s.warehouse, "countries": s.countries} for s in rule.steps.all()])


@permission_required("inventory.view_allocationrule", raise_exception=True)
def rule_list(request):
    return table_response(request, spec=RULES, queryset=rule_rows(), template="web/pages/list.html",
                          context={"title": _("Allocation rules"),
                                   "empty_text": _("No channel accounts yet.")})


@permission_required("inventory.view_allocationrule", raise_exception=True)
def rule_edit(request, code: str):
    """GET: the rule (read-only without the change permission). POST: save it, or reset it to the default."""
    account = get_object_or_404(ChannelAccount, code=code)
    rule = rule_services.rule_of(account)
    can_change = request.user.has_perm(CHANGE_PERMISSION)
    step_errors: list[str] = []
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if request.POST.get("action") == "reset":
            rule_services.delete_rule(account, user=request.user)
            messages.success(request, _("%(account)s now uses the default rule.") % {"account": account.code})
            return redirect("allocation-rules")
        form = RuleForm(request.POST)
        steps = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and steps.is_valid():
            chosen = [(s["warehouse"], s.get("countries", "")) for s in steps.cleaned_data if s.get("warehouse")]
            try:
                rule_services.save_rule(account, chosen, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    if field == "steps":
                        step_errors.extend(errors)
                    else:
                        form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Allocation rule of %(account)s saved.") % {"account": account.code})
                return redirect("allocation-rules")
        messages.error(request, _("Please correct the errors below."))
    else:
        initial, step_rows = _initial(rule)
        form = RuleForm(initial=initial)
        steps = StepFormSet(initial=step_rows + ([{}] * EXTRA_STEPS if can_change else []), prefix="steps")
        if not can_change:  # read-only for those who may only look
            for each in (form, *steps):
                for field in each.fields.values():
                    field.disabled = True
    return render(request, "web/pages/allocation_rule_edit.html", {
        "title": _("Allocation rule of %(account)s") % {"account": account.code},
        "account": account, "rule": rule, "form": form, "steps": steps, "step_errors": step_errors,
        "can_change": can_change,
    })
