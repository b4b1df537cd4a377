"""Channel stock: what each listing should show (available-to-sell) and what changed since the last push, with the
Amazon / Shopify upload files of one account (downloading one records it as pushed).

The numbers come from :mod:`chuhai.inventory.ats`; this module only filters, lays out and hands out files.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from chuhai.channels.models import ChannelAccount
from chuhai.core.exports import BOOL, DATETIME, NUMBER, Column, TableSpec
from chuhai.inventory import ats

from ..filters import YES_NO, FilterForm, _search
from ..tables import table_response

PUSH_PERMISSION = "inventory.add_listingstockpush"


def _changed_display(row: ats.ListingAts) -> str:
    if row.fulfilled_by_amazon:
        return _("Amazon-fulfilled")
    return _("Yes") if row.changed else ""


ATS = TableSpec("channel-stock", (
    Column("account", _lazy("Account"), lambda r: r.account_code, code=True),
    Column("channel_sku", _lazy("Channel SKU"), lambda r: r.channel_sku, code=True),
    Column("sku", _lazy("SKU"), lambda r: r.sku, url=lambda r: reverse("stock-detail", args=[r.sku]), code=True),
    Column("name", _lazy("Name"), lambda r: r.listing.product.display_name(get_language())),
    Column("status", _lazy("Listing status"), lambda r: r.listing.get_status_display()),
    Column("available", _lazy("Available"), lambda r: r.available, kind=NUMBER),
    Column("quantity", _lazy("Show on channel"), lambda r: r.quantity, kind=NUMBER),
    Column("last_pushed", _lazy("Last pushed"), lambda r: r.last_pushed, kind=NUMBER),
    Column("pushed_at", _lazy("Pushed at"), lambda r: r.pushed_at, kind=DATETIME),
    Column("changed", _lazy("Changed"), lambda r: r.changed, kind=BOOL, display=_changed_display),
))


class AtsFilter(FilterForm):
    q = _search(_lazy("SKU or channel SKU"))
    account = forms.ModelChoiceField(label=_lazy("Account"), required=False, to_field_name="code",
                                     queryset=ChannelAccount.objects.order_by("code"), empty_label=_lazy("All"),
                                     widget=forms.Select(attrs={"data-autosubmit": ""}))
    changed = forms.ChoiceField(label=_lazy("Changed since last push"), required=False, choices=YES_NO,
                                widget=forms.Select(attrs={"data-autosubmit": ""}))


def _rows(account=None, q: str = "", changed: str = "") -> list[ats.ListingAts]:
    rows = ats.compute(account, q)
    if changed == "yes":
        rows = [row for row in rows if row.changed]
    elif changed == "no":
        rows = [row for row in rows if not row.changed]
    return rows


@permission_required("inventory.view_stockbalance", raise_exception=True)
def ats_page(request):
    filters = AtsFilter(request.GET)
    values = filters.values()
    account = values.get("account")
    can_push = request.user.has_perm(PUSH_PERMISSION)
    export_format = account.platform if account is not None and account.platform in ats.EXPORT_FORMATS else None
    return table_response(
        request, spec=ATS, queryset=_rows(**values), template="web/pages/ats.html",
        context={
            "title": _("Channel stock"), "filter_form": filters,
            "export_account": account if can_push and export_format else None,
            "export_format": export_format,
            "changed_only": values.get("changed") == "yes",
            "empty_text": _("No listings match these filters."),
        },
    )


@require_POST
@permission_required(PUSH_PERMISSION, raise_exception=True)
def ats_export(request):
    """Download one account's upload file; its quantities are remembered as pushed."""
    account = ChannelAccount.objects.filter(code=request.POST.get("account", "")).first()
    back = reverse("ats") + ("?" + urlencode({"account": account.code}) if account else "")
    if account is None:
        messages.error(request, _("Choose a channel account."))
        return redirect(back)
    try:
        file = ats.export(account, request.POST.get("format", ""), changed_only=request.POST.get("changed") == "1",
                          location=request.POST.get("location", ""), user=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
