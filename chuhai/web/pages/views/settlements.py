"""Settlements (finance): every payout with its reconciliation status, one settlement in detail, the orders shipped
but not settled after N days, and the FBA reimbursements due with their evidence.

All pages need ``finance.access_finance``; the figures are :mod:`chuhai.finance.reconciliation`'s and the tables
:mod:`chuhai.finance.reconciliation_tables`' (the same the CLI and the exports use).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.core.exports import EXPORTERS, money_text
from chuhai.finance import reconciliation as rec
from chuhai.finance import reconciliation_tables as tables
from chuhai.finance.categorise import category_label
from chuhai.finance.finance_settings import FinanceSettings
from chuhai.finance.models import Settlement

from ..filters import ANY, DateInput, FilterForm, _account_field
from ..tables import PAGE_SIZE, build_table, export_response, table_response, wants_fragment

VIEW_PERM = "finance.access_finance"
STATES = [(s, label) for s, label in rec.SettlementState.LABELS.items()]


class SettlementFilter(FilterForm):
    account = _account_field()
    date_from = forms.DateField(label=_lazy("Period ends from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_lazy("to"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_lazy("Status"), required=False, choices=ANY + STATES)


class UnsettledFilter(FilterForm):
    account = _account_field()
    days = forms.IntegerField(label=_lazy("Not settled after (days)"), required=False, min_value=0,
                              widget=forms.NumberInput(attrs={"size": 4}))
    as_of = forms.DateField(label=_lazy("As of"), required=False, widget=DateInput())


class AccountFilter(FilterForm):
    account = _account_field()


def _tabs(active: str) -> list[dict]:
    from django.urls import reverse

    return [{"key": key, "label": label, "url": reverse(name), "active": key == active} for key, label, name in (
        ("list", _("Settlements"), "settlements"),
        ("unsettled", _("Not settled"), "settlements-unsettled"),
        ("reimbursements", _("Reimbursements due"), "settlements-reimbursements"),
    )]


def _totals(checks) -> list[dict]:
    """Expected, paid and difference per currency over the listed settlements."""
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for c in checks:
        sums[c.currency]["expected"] += c.expected
        if c.paid is not None:
            sums[c.currency]["paid"] += c.paid
            sums[c.currency]["difference"] += c.difference
    return [{"currency": ccy, **{k: money_text(v.get(k, Decimal(0)), ccy) for k in ("expected", "paid", "difference")},
             "clean": v.get("difference", Decimal(0)) == 0} for ccy, v in sorted(sums.items())]


@permission_required(VIEW_PERM, raise_exception=True)
def settlement_list(request):
    filters = SettlementFilter(request.GET)
    values = filters.values()
    checks = rec.settlements(values.get("date_from"), values.get("date_to"), values.get("account"),
                             values.get("status"))
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(tables.SETTLEMENTS, checks, fmt)
    page = Paginator(checks, PAGE_SIZE).get_page(request.GET.get("page"))
    table = build_table(tables.SETTLEMENTS, page)
    rows = [{"cells": cells, "badge": rec.SettlementState.BADGES.get(check.status, "badge-muted"),
             "status": check.status} for cells, check in zip(table.rows, page.object_list, strict=True)]
    context = {"title": _("Settlements"), "filter_form": filters, "table": table, "rows": rows,
               "totals": _totals(checks), "tabs": _tabs("list"),
               "counts": {label: sum(1 for c in checks if c.status == s) for s, label in STATES}}
    template = "web/pages/_settlements_table.html" if wants_fragment(request) else "web/pages/settlements.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@permission_required(VIEW_PERM, raise_exception=True)
def settlement_detail(request, pk: int):
    settlement = get_object_or_404(Settlement.objects.select_related("account", "import_run"), pk=pk)
    check = rec.settlement_status(settlement)
    categories = [{"category": c, "label": category_label(c), "amount": money_text(a, check.currency),
                   "exact": a} for c, a in check.by_category.items()]
    lines = rec.unmatched_lines(settlement).select_related("account")
    return table_response(request, spec=tables.UNMATCHED_LINES, queryset=lines,
                          template="web/pages/settlement_detail.html", context={
                              "title": _("Settlement %(id)s") % {"id": settlement.settlement_id},
                              "check": check, "settlement": settlement, "categories": categories,
                              "badge": rec.SettlementState.BADGES.get(check.status, "badge-muted"),
                              "expected": money_text(check.expected, check.currency),
                              "paid": money_text(check.paid, check.currency) if check.paid is not None else None,
                              "difference": (money_text(check.difference, check.currency)
                                             if check.difference is not None else None),
                              "receipts": [{"r": r, "amount": money_text(r.amount, r.currency),
                                            "fee": money_text(r.fee, r.currency)} for r in check.receipts],
                              "empty_text": _("Every line is matched: each order is in chuhai and every line "
                                              "type is mapped."),
                              "tabs": _tabs("list")})


@permission_required(VIEW_PERM, raise_exception=True)
def unsettled_list(request):
    filters = UnsettledFilter(request.GET)
    values = filters.values()
    default_days = FinanceSettings.load().unsettled_after_days
    days = values.get("days", default_days)
    rows = rec.unsettled_orders(values.get("as_of"), days, values.get("account"))
    return table_response(request, spec=tables.UNSETTLED_ORDERS, queryset=rows,
                          template="web/pages/settlements_unsettled.html", context={
                              "title": _("Orders not settled"), "filter_form": filters, "days": days,
                              "empty_text": _("Every shipped order older than that is in a settlement."),
                              "tabs": _tabs("unsettled")})


@permission_required(VIEW_PERM, raise_exception=True)
def reimbursements_list(request):
    filters = AccountFilter(request.GET)
    rows = rec.reimbursements_due(filters.values().get("account"))
    return table_response(request, spec=tables.REIMBURSEMENTS, queryset=rows,
                          template="web/pages/settlements_reimbursements.html", context={
                              "title": _("FBA reimbursements due"), "filter_form": filters,
                              "empty_text": _("No lost or damaged FBA units are waiting for a reimbursement."),
                              "tabs": _tabs("reimbursements")})
