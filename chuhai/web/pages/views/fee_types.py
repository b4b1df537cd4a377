"""Fee types (finance): the ledger line types no mapping covers — line count and total per currency, with a form
on each to map it onto a category — and finance's own mappings, which win over chuhai's defaults.

Seeing the page needs ``finance.access_finance``; mapping needs ``finance.add_feetypemapping``, removing a mapping
``finance.delete_feetypemapping``. Both re-categorise the lines concerned at once
(:func:`chuhai.finance.categorise.save_mapping`). ``?export=csv|xlsx`` exports the unmapped types,
``&table=mappings`` the mappings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from chuhai.core.exports import DATETIME, EXPORTERS, MONEY, NUMBER, Column, TableSpec
from chuhai.finance.categorise import (
    category_label,
    delete_mapping,
    known_platforms,
    save_mapping,
    unmapped_types,
)
from chuhai.finance.fees import FeeCategory, FeeTypeMapping

from ..tables import PAGE_SIZE, build_table, export_response, wants_fragment

ACCESS_PERM = "finance.access_finance"
MAP_PERM = "finance.add_feetypemapping"
DELETE_PERM = "finance.delete_feetypemapping"
TABLE_TEMPLATE = "web/pages/_fee_types_table.html"


@dataclass(frozen=True)
class UnmappedRow:
    """One unmapped type in one currency (a type seen in two currencies is two rows, each with its total)."""

    platform: str
    transaction_type: str
    amount_type: str
    amount_description: str
    currency: str
    lines: int
    total: object
    last_posted_at: object


def unmapped_rows(platform: str | None = None) -> list[UnmappedRow]:
    return [UnmappedRow(t.platform, t.transaction_type, t.amount_type, t.amount_description, currency,
                        t.lines_by_currency[currency], total, t.last_posted_at)
            for t in unmapped_types(platform) for currency, total in sorted(t.totals.items())]


def _any(value: str) -> str:
    return value or "*"


UNMAPPED_FEE_TYPES = TableSpec("unmapped-fee-types", (
    Column("platform", _lazy("Platform"), lambda r: r.platform, code=True),
    Column("transaction_type", _lazy("Transaction type"), lambda r: r.transaction_type, code=True),
    Column("amount_type", _lazy("Amount type"), lambda r: r.amount_type, code=True),
    Column("amount_description", _lazy("Description"), lambda r: r.amount_description, code=True),
    Column("lines", _lazy("Lines"), lambda r: r.lines, kind=NUMBER),
    Column("total", _lazy("Total"), lambda r: r.total, kind=MONEY, currency=lambda r: r.currency),
    Column("currency", _lazy("Currency"), lambda r: r.currency),
    Column("last_posted_at", _lazy("Last posted"), lambda r: r.last_posted_at, kind=DATETIME),
))

FEE_TYPE_MAPPINGS = TableSpec("fee-type-mappings", (
    Column("platform", _lazy("Platform"), lambda m: m.platform, code=True),
    Column("transaction_type", _lazy("Transaction type"), lambda m: m.transaction_type, code=True,
           display=lambda m: _any(m.transaction_type)),
    Column("amount_type", _lazy("Amount type"), lambda m: m.amount_type, code=True,
           display=lambda m: _any(m.amount_type)),
    Column("amount_description", _lazy("Description"), lambda m: m.amount_description, code=True,
           display=lambda m: _any(m.amount_description)),
    Column("category", _lazy("Category"), lambda m: m.category, display=lambda m: category_label(m.category)),
    Column("note", _lazy("Note"), lambda m: m.note),
    Column("created_by", _lazy("Created by"), lambda m: m.created_by.username if m.created_by else ""),
    Column("updated_at", _lazy("Updated"), lambda m: m.updated_at, kind=DATETIME),
))


def category_choices() -> list[tuple[str, str]]:
    return [(value, label) for value, label in FeeCategory.choices if value != FeeCategory.UNKNOWN]


class MappingForm(forms.Form):
    """What the person chose; :func:`save_mapping` decides whether it is a valid mapping."""

    platform = forms.ChoiceField(label=_lazy("Platform"))
    transaction_type = forms.CharField(label=_lazy("Transaction type"), required=False, max_length=100,
                                       help_text=_lazy("Empty: any."))
    amount_type = forms.CharField(label=_lazy("Amount type"), required=False, max_length=100,
                                  help_text=_lazy("Empty: any."))
    amount_description = forms.CharField(label=_lazy("Description"), required=False, max_length=255,
                                         help_text=_lazy("Empty: any."))
    category = forms.ChoiceField(label=_lazy("Category"))
    note = forms.CharField(label=_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [(p, p) for p in known_platforms()]
        self.fields["category"].choices = category_choices()


def _mappings():
    return FeeTypeMapping.objects.select_related("created_by").order_by(
        "platform", "transaction_type", "amount_type", "amount_description", "id")


@permission_required(ACCESS_PERM, raise_exception=True)
def fee_types_page(request):
    platform = request.GET.get("platform") or None
    if platform not in known_platforms():
        platform = None
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        if request.GET.get("table") == "mappings":
            return export_response(FEE_TYPE_MAPPINGS, _mappings(), fmt)
        return export_response(UNMAPPED_FEE_TYPES, unmapped_rows(platform), fmt)
    page = Paginator(unmapped_rows(platform), PAGE_SIZE).get_page(request.GET.get("page"))
    table = build_table(UNMAPPED_FEE_TYPES, page)
    can_map = request.user.has_perm(MAP_PERM)
    mappings = list(_mappings())
    mapping_table = build_table(FEE_TYPE_MAPPINGS, Paginator(mappings, max(len(mappings), 1)).get_page(1))
    context = {
        "title": _("Fee types"),
        "table": table,
        "rows": list(zip(page.object_list, table.rows, strict=True)),
        "platforms": known_platforms(),
        "platform": platform,
        "categories": category_choices(),
        "can_map": can_map,
        "can_delete": request.user.has_perm(DELETE_PERM),
        "form": MappingForm() if can_map else None,
        "mapping_headers": mapping_table.headers,
        "mapping_rows": list(zip(mappings, mapping_table.rows, strict=True)),
        "empty_text": _("Every ledger line type is mapped to a category."),
    }
    response = render(request, TABLE_TEMPLATE if wants_fragment(request) else "web/pages/fee_types.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _back(request):
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("fee-types")


@permission_required(ACCESS_PERM, raise_exception=True)
def fee_type_map(request):
    if request.method != "POST":
        return redirect("fee-types")
    if not request.user.has_perm(MAP_PERM):
        raise PermissionDenied
    form = MappingForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
                             for f, e in form.errors.items())
        messages.error(request, _("The mapping was not saved: %(problems)s") % {"problems": problems})
        return _back(request)
    data = form.cleaned_data
    try:
        mapping, changed = save_mapping(data["platform"], data["transaction_type"], data["amount_type"],
                                        data["amount_description"], data["category"], user=request.user,
                                        note=data["note"])
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ngettext(
            "%(type)s now counts as “%(category)s”; %(n)s ledger line was re-categorised.",
            "%(type)s now counts as “%(category)s”; %(n)s ledger lines were re-categorised.",
            changed,
        ) % {"type": " / ".join([mapping.platform, _any(mapping.transaction_type), _any(mapping.amount_type),
                                 _any(mapping.amount_description)]),
             "category": category_label(mapping.category), "n": changed})
    return _back(request)


@permission_required(ACCESS_PERM, raise_exception=True)
def fee_type_mapping_delete(request, pk: int):
    if request.method != "POST":
        return redirect("fee-types")
    if not request.user.has_perm(DELETE_PERM):
        raise PermissionDenied
    mapping = get_object_or_404(FeeTypeMapping, pk=pk)
    changed = delete_mapping(mapping, user=request.user)
    messages.success(request, ngettext(
        "Mapping removed; %(n)s ledger line went back to chuhai's default.",
        "Mapping removed; %(n)s ledger lines went back to chuhai's default.", changed) % {"n": changed})
    return _back(request)
