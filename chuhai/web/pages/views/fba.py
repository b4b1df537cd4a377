"""FBA reconciliation page: per account, Amazon's latest inventory report against the ledger of its FBA warehouse,
every difference listed (with export), and a confirm form that applies the ticked corrections.

Reading needs ``inventory.view_fbainventorysnapshot``; applying needs ``inventory.add_stockmovement`` (the
permission every stock correction needs: operations and admin have it, viewers do not). The comparison and the
corrections are :mod:`chuhai.inventory.fba_reconciliation`'s; the form sends back the correction each ticked row
showed, so a ledger that moved in the meantime is refused rather than corrected blindly.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.core.exports import DATE, EXPORTERS, NUMBER, Column, TableSpec, display_text
from chuhai.inventory.fba_reconciliation import (
    DifferenceKind,
    StaleReconciliation,
    apply_corrections,
    fba_accounts,
    reconcile,
    snapshot_dates,
)
from chuhai.inventory.stock import InsufficientStock

from ..tables import Cell, css_class, export_response

VIEW_PERM = "inventory.view_fbainventorysnapshot"
APPLY_PERM = "inventory.add_stockmovement"

DIFFERENCES = TableSpec("fba-reconciliation", (
    Column("kind", _lazy("Difference"), lambda d: d.kind_label),
    Column("sku", _lazy("SKU"), lambda d: d.sku, code=True,
           url=lambda d: reverse("stock-detail", args=[d.sku]) if d.product is not None else None),
    Column("channel_skus", _lazy("Report SKUs"), lambda d: ", ".join(d.channel_skus), code=True),
    Column("state", _lazy("Stock state"), lambda d: d.state_label),
    Column("amazon", _lazy("Amazon"), lambda d: d.amazon, kind=NUMBER),
    Column("ledger", _lazy("Ledger"), lambda d: d.ledger, kind=NUMBER),
    Column("correction", _lazy("Correction"), lambda d: d.correction if d.correctable else None, kind=NUMBER,
           display=lambda d: f"{d.correction:+d}" if d.correctable else "—"),
    Column("researching", _lazy("Researching at Amazon"), lambda d: d.researching, kind=NUMBER),
    Column("as_of", _lazy("Report date"), lambda d: d.as_of, kind=DATE),
))


class ReconciliationChoice(forms.Form):
    account = forms.ModelChoiceField(label=_lazy("Account"), to_field_name="code", queryset=None,
                                     empty_label=None)
    date = forms.DateField(label=_lazy("Report date"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = fba_accounts()


def parse_selection(values: list[str]) -> dict[str, int]:
    """Ticked rows ``state|sku|correction`` → ``{"state|sku": correction}`` (the SKU may contain ``|``);
    malformed values are ignored."""
    expected = {}
    for value in values:
        key, sep, shown = value.rpartition("|")
        if not sep or "|" not in key:
            continue
        try:
            expected[key] = int(shown)
        except ValueError:
            continue
    return expected


@permission_required(VIEW_PERM, raise_exception=True)
def fba_reconciliation(request):
    can_apply = request.user.has_perm(APPLY_PERM)
    source = request.POST if request.method == "POST" else request.GET
    accounts = list(fba_accounts())
    choice = ReconciliationChoice(source or ({"account": accounts[0].code} if accounts else None))
    context = {"title": _("FBA reconciliation"), "accounts": accounts, "can_apply": can_apply,
               "kinds": [(DifferenceKind.SHORT_LABELS[k], DifferenceKind.LABELS[k]) for k in DifferenceKind.LABELS]}
    if not accounts or not choice.is_valid():
        return render(request, "web/pages/fba_reconciliation.html", {**context, "choice": choice})
    account, day = choice.cleaned_data["account"], choice.cleaned_data["date"]

    if request.method == "POST":
        if not can_apply:
            raise PermissionDenied
        expected = parse_selection(request.POST.getlist("row"))
        reason = request.POST.get("reason", "").strip()
        back = f"{reverse('fba-reconciliation')}?account={account.code}" + (f"&date={day.isoformat()}" if day else "")
        if not expected:
            messages.error(request, _("Tick the differences to correct."))
        elif not reason:
            messages.error(request, _("Say why the ledger is corrected."))
        elif day is None:
            messages.error(request, _("The report date is missing; reload the page."))
        else:
            try:
                done = apply_corrections(account, day, user=request.user, reason=reason, expected=expected)
            except (StaleReconciliation, InsufficientStock, ValueError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("%(count)s correction(s) posted to the ledger with reference "
                                            "%(reference)s.") % {
                    "count": len(done), "reference": f"fba-recon:{account.code}:{day.isoformat()}"})
        return redirect(back)

    try:
        result = reconcile(account, day)
    except ValueError as exc:
        return render(request, "web/pages/fba_reconciliation.html", {**context, "choice": choice,
                                                                        "account": account, "problem": str(exc)})
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(DIFFERENCES, result.differences, fmt)
    language = get_language()
    classes = [css_class(c) for c in DIFFERENCES.columns]
    rows = [{"diff": d, "key": f"{d.key}|{d.correction}",
             "cells": [Cell(display_text(c, d, language), c.url(d) if c.url else None, css)
                       for c, css in zip(DIFFERENCES.columns, classes, strict=True)]}
            for d in result.differences]
    return render(request, "web/pages/fba_reconciliation.html", {
        **context, "choice": choice, "account": account, "result": result, "rows": rows,
        "headers": [(str(c.header), "num" if c.numeric else "") for c in DIFFERENCES.columns],
        "dates": snapshot_dates(account), "counts": sorted(
            (str(DifferenceKind.SHORT_LABELS[k]), n) for k, n in result.counts().items()),
    })

