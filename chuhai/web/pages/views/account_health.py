"""Account health: Amazon's four figures per account against Amazon's targets, the orders behind each breach,
the shipping KPIs (with transit days by carrier and route), and a form to record a buyer's defect.

Every figure, window and verdict is :mod:`chuhai.analytics.fulfilment`'s; defects are recorded through
:func:`chuhai.orders.defects.record_defect`. This module only lays them out: badges, tables, one chart.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import format_decimal
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.analytics import fulfilment
from chuhai.core.exports import DATETIME, Column, TableSpec, babel_locale
from chuhai.core.roles import ANALYTICS_ACCESS
from chuhai.orders.defects import find_order, record_defect
from chuhai.orders.models import DefectKind

from ..filters import DateInput
from ..forms import add_service_errors
from ..tables import build_table, table_response
from .common import form_page

DEFECT_PERM = "orders.add_orderdefect"
#: Rows of each breach table shown on the account page; the full list is one click (and one export) away.
PREVIEW_ROWS = 10
#: Windows offered for the shipping KPIs, in days.
SHIPPING_PERIODS = (7, 30, 90)
BADGE = {fulfilment.PASS: "badge-ok", fulfilment.BREACH: "badge-bad", fulfilment.NO_DATA: "badge-muted",
         fulfilment.NO_TARGET: "badge-muted"}

# -- tables of the rows behind each figure ----------------------------------------------------------------------


def _when(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _order_url(order) -> str:
    return reverse("order-detail", args=[order.pk])


def _order_columns() -> tuple[Column, ...]:
    return (
        Column("purchased_at", _lazy("Purchased at"), lambda o: o.purchased_at, kind=DATETIME),
        Column("order", _lazy("Order id"), lambda o: o.external_id, url=_order_url, code=True),
        Column("status", _lazy("Status"), lambda o: o.get_status_display()),
        Column("fulfilment", _lazy("Fulfilment"), lambda o: o.get_fulfilment_channel_display()),
        Column("ship_country", _lazy("Ship-to country"), lambda o: o.ship_country),
    )


def _shipment_columns() -> tuple[Column, ...]:
    return (
        Column("order", _lazy("Order id"), lambda s: s.order.external_id, url=lambda s: _order_url(s.order),
               code=True),
        Column("shipped_at", _lazy("Shipped at"), lambda s: s.shipped_at, kind=DATETIME),
        Column("carrier", _lazy("Carrier"), lambda s: s.carrier.name),
        Column("tracking_number", _lazy("Tracking number"), lambda s: s.tracking_number, code=True),
        Column("status", _lazy("Tracking status"), lambda s: s.get_status_display()),
    )


BREACH_TABLES: dict[str, TableSpec] = {
    "order_defect_rate": TableSpec("order-defects", (
        *_order_columns(),
        Column("defects", _lazy("Defects"), lambda o: ", ".join(str(d.get_kind_display()) for d in o.defects.all())),
    )),
    "cancel_rate": TableSpec("cancelled-before-shipping", _order_columns()),
    "late_shipment_rate": TableSpec("late-shipments", (
        *_order_columns(),
        Column("ship_by", _lazy("Ship by"), lambda o: o.ship_by_at, kind=DATETIME),
        Column("first_shipped_at", _lazy("First shipped at"), lambda o: o.first_shipped_at, kind=DATETIME,
               display=lambda o: _when(o.first_shipped_at) if o.first_shipped_at else _("Not shipped")),
    )),
    "valid_tracking_rate": TableSpec("invalid-tracking", _shipment_columns()),
    "on_time_delivery_rate": TableSpec("late-deliveries", (
        *_shipment_columns(),
        Column("promise_at", _lazy("Promised by"), lambda s: s.promise_at, kind=DATETIME),
        Column("delivered_at", _lazy("Delivered at"), lambda s: s.delivered_at, kind=DATETIME),
    )),
}

BREACH_TITLES = {
    "order_defect_rate": _lazy("Orders with a defect"),
    "cancel_rate": _lazy("Orders cancelled before shipping"),
    "late_shipment_rate": _lazy("Orders shipped late or still unshipped past their ship-by date"),
    "valid_tracking_rate": _lazy("Shipments without valid tracking"),
    "on_time_delivery_rate": _lazy("Shipments delivered after the promise"),
}


# -- presentation of figures ------------------------------------------------------------------------------------

def percent_text(value: Decimal | None) -> str:
    """``1.25 %`` in the reader's locale; an em dash when there was nothing to count."""
    if value is None:
        return "—"
    return f"{format_decimal(value.quantize(Decimal('0.01')), format='#,##0.00', locale=babel_locale())} %"


def target_text(kpi: fulfilment.KpiDefinition) -> str:
    if kpi.target is None:
        return "—"
    return f"{'<' if kpi.direction == fulfilment.BELOW else '>'} {percent_text(kpi.target)}"


STATUS_LABELS = {
    fulfilment.PASS: _lazy("Within target"),
    fulfilment.BREACH: _lazy("Breach"),
    fulfilment.NO_DATA: _lazy("No data"),
    fulfilment.NO_TARGET: _lazy("No target"),
}


def figure(result: fulfilment.KpiResult) -> dict:
    """What a page shows of one result."""
    return {
        "id": result.kpi.id,
        "kpi": result.kpi,
        "result": result,
        "value": percent_text(result.value),
        "target": target_text(result.kpi),
        "status": result.status,
        "status_label": STATUS_LABELS[result.status],
        "badge": BADGE[result.status],
        "start": timezone.localtime(result.start),
        "end": timezone.localtime(result.end),
        "window_days": round(result.days),
    }


def transit_chart(rows: list[fulfilment.TransitRow]) -> dict:
    """Horizontal bars: median and 90th-percentile transit days per carrier and route (most shipments on top)."""
    rows = list(reversed(rows))  # ECharts draws the first category at the bottom
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0, "right": 0},
        "grid": {"left": 8, "right": 40, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("days")},
        "yAxis": {"type": "category", "data": [f"{r.carrier_name} {r.route}" for r in rows]},
        "series": [
            {"id": "transit-median", "name": _("Median"), "type": "bar",
             "data": [float(r.median_days) for r in rows], "label": {"show": True, "position": "right"}},
            {"id": "transit-p90", "name": _("90th percentile"), "type": "bar",
             "data": [float(r.p90_days) for r in rows], "label": {"show": True, "position": "right"}},
        ],
    }


def _amazon_account(code: str):
    return get_object_or_404(fulfilment.amazon_accounts(), code=code)


def _shipping_days(request) -> int:
    try:
        days = int(request.GET.get("days", fulfilment.DEFAULT_SHIPPING_DAYS))
    except ValueError:
        return fulfilment.DEFAULT_SHIPPING_DAYS
    return days if days in SHIPPING_PERIODS else fulfilment.DEFAULT_SHIPPING_DAYS


# -- views ------------------------------------------------------------------------------------------------------

@permission_required(ANALYTICS_ACCESS, raise_exception=True)
def account_health_list(request):
    now = timezone.now()
    accounts = [{"account": a, "figures": [figure(r) for r in fulfilment.account_health(a, end=now)]}
                for a in fulfilment.amazon_accounts()]
    return render(request, "web/pages/account_health.html", {
        "accounts": accounts,
        "kpis": [fulfilment.KPIS[k] for k in fulfilment.ACCOUNT_HEALTH_KPIS],
        "can_record_defect": request.user.has_perm(DEFECT_PERM),
    })


@permission_required(ANALYTICS_ACCESS, raise_exception=True)
def account_health_detail(request, code: str):
    account = _amazon_account(code)
    now = timezone.now()
    can_see_orders = request.user.has_perm("orders.view_order")
    figures = []
    for result in fulfilment.account_health(account, end=now):
        item = figure(result)
        if result.behind_breach and can_see_orders:
            rows = fulfilment.breach_rows(result.kpi.id, account=account, start=result.start, end=result.end)
            page = Paginator(rows, PREVIEW_ROWS).get_page(1)
            item["table"] = build_table(BREACH_TABLES[result.kpi.id], page, exportable=False)
            item["title"] = BREACH_TITLES[result.kpi.id]
            item["rows_url"] = reverse("account-health-rows", args=[account.code, result.kpi.id])
        figures.append(item)
    days = _shipping_days(request)
    shipping = fulfilment.shipping_kpis(account=account, days=days, end=now)
    shipping_figures = []
    for result in shipping["results"]:
        item = figure(result)
        if result.behind_breach and can_see_orders:
            item["rows_url"] = reverse("account-health-rows", args=[account.code, result.kpi.id]) + f"?days={days}"
        shipping_figures.append(item)
    return render(request, "web/pages/account_health_detail.html", {
        "account": account,
        "figures": figures,
        "shipping": shipping,
        "shipping_figures": shipping_figures,
        "transit_kpi": fulfilment.TRANSIT_DAYS,
        "transit_chart": transit_chart(shipping["transit"]) if shipping["transit"] else None,
        "days": days,
        "periods": SHIPPING_PERIODS,
        "can_record_defect": request.user.has_perm(DEFECT_PERM),
    })


@permission_required(ANALYTICS_ACCESS, raise_exception=True)
@permission_required("orders.view_order", raise_exception=True)
def account_health_rows(request, code: str, kpi: str):
    """Every row behind one figure (its Amazon window, or ``?days=`` for a shipping KPI), with CSV/XLSX export."""
    account = _amazon_account(code)
    if kpi not in fulfilment.KPIS:
        raise Http404(kpi)
    days = None
    if kpi in fulfilment.SHIPPING_KPIS and "days" in request.GET:
        days = _shipping_days(request)
    result = fulfilment.compute(kpi, account=account, days=days)
    rows = fulfilment.breach_rows(kpi, account=account, start=result.start, end=result.end)
    return table_response(
        request, spec=BREACH_TABLES[kpi], queryset=rows, template="web/pages/account_health_rows.html",
        context={"title": f"{account.code}: {BREACH_TITLES[kpi]}", "account": account, "figure": figure(result),
                 "empty_text": _("No rows count against this figure.")},
    )


class DefectForm(forms.Form):
    """Parses what the person typed; :func:`record_defect` decides whether the defect can be recorded."""

    account = forms.ModelChoiceField(label=_lazy("Channel account"), to_field_name="code", queryset=None,
                                     empty_label=None)
    order = forms.CharField(label=_lazy("Order id"), max_length=64,
                            help_text=_lazy("The channel's order id, e.g. 111-1234567-1234567."))
    kind = forms.ChoiceField(label=_lazy("Defect"), choices=DefectKind.choices)
    opened_on = forms.DateField(label=_lazy("Opened on"), widget=DateInput(),
                                help_text=_lazy("When the buyer left the feedback or opened the claim."))
    note = forms.CharField(label=_lazy("Note"), max_length=500, required=False, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = fulfilment.amazon_accounts()


def _opened_at(day: dt.date, order) -> dt.datetime:
    """A date typed in the form as a time: the start of that day, or the purchase itself on the purchase day."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    purchased = order.purchased_at
    return purchased if start < purchased and timezone.localtime(purchased).date() == day else start


@permission_required(DEFECT_PERM, raise_exception=True)
def defect_create(request):
    """GET: the form (``?account=&order=`` prefill it). POST: record the defect, then back to the account."""
    if request.method == "POST":
        form = DefectForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = find_order(data["account"].code, data["order"])
                defect, created = record_defect(order, data["kind"], opened_at=_opened_at(data["opened_on"], order),
                                                note=data["note"], user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                values = {"kind": defect.get_kind_display(), "order": order.external_id}
                if created:
                    messages.success(request, _("%(kind)s recorded against order %(order)s.") % values)
                else:
                    messages.warning(request, _("Order %(order)s already has a %(kind)s: nothing changed.") % values)
                return redirect("account-health-detail", code=order.account.code)
    else:
        form = DefectForm(initial={"account": request.GET.get("account"), "order": request.GET.get("order", ""),
                                   "opened_on": timezone.localdate()})
    return form_page(request, form, _("Record an order defect"), reverse("account-health"))
