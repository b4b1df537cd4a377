"""Shipments and tracking: the list (filters, export, a click to the carrier's tracking page), one shipment with its
events, and the upload of 17TRACK / AfterShip tracking exports.

Shipping an order happens on the order's page (:mod:`.orders`); every change goes through the services in
:mod:`chuhai.logistics.shipping` and :mod:`chuhai.logistics.tracking_import`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.channels.models import ChannelAccount
from chuhai.core.exports import DATETIME, NUMBER, Column, TableSpec
from chuhai.logistics.models import Carrier, Shipment, TrackingStatus
from chuhai.logistics.tracking_import import AFTERSHIP, AUTO, SEVENTEEN_TRACK, import_tracking_upload

from ..filters import ANY, DateInput, FilterForm, _account_field, _search
from ..tables import table_response
from .common import field_rows

# -- table ------------------------------------------------------------------------------------------------------

SHIPMENTS = TableSpec("shipments", (
    Column("id", _lazy("Shipment"), lambda s: s.pk, url=lambda s: reverse("shipment-detail", args=[s.pk]),
           code=True),
    Column("shipped_at", _lazy("Shipped"), lambda s: s.shipped_at, kind=DATETIME),
    Column("account", _lazy("Account"), lambda s: s.order.account.code, code=True),
    Column("order", _lazy("Order"), lambda s: s.order.external_id,
           url=lambda s: reverse("order-detail", args=[s.order_id]), code=True),
    Column("carrier", _lazy("Carrier"), lambda s: s.carrier.name),
    Column("service", _lazy("Service"), lambda s: s.service),
    Column("tracking_number", _lazy("Tracking number"), lambda s: s.tracking_number,
           url=lambda s: s.tracking_url or None, code=True),
    Column("warehouse", _lazy("Warehouse"), lambda s: s.warehouse.code if s.warehouse_id else "", code=True),
    Column("status", _lazy("Tracking status"), lambda s: s.status, display=lambda s: s.get_status_display()),
    Column("status_at", _lazy("Status since"), lambda s: s.status_at, kind=DATETIME),
    Column("delivered_at", _lazy("Delivered"), lambda s: s.delivered_at, kind=DATETIME),
    Column("units", _lazy("Units"), lambda s: s.units, kind=NUMBER),
))


# -- queries ----------------------------------------------------------------------------------------------------

def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def shipments(q: str = "", carrier: Carrier | None = None, status: str = "", account: ChannelAccount | None = None,
              date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet[Shipment]:
    """Shipments newest first, with order, account, carrier and warehouse in the same query."""
    from django.db.models import Sum

    qs = Shipment.objects.select_related("order__account", "carrier", "warehouse").annotate(
        units=Sum("lines__quantity"))
    if q:
        qs = qs.filter(Q(tracking_number__icontains=q) | Q(order__external_id__icontains=q))
    if carrier is not None:
        qs = qs.filter(carrier=carrier)
    if status:
        qs = qs.filter(status=status)
    if account is not None:
        qs = qs.filter(order__account=account)
    if date_from:
        qs = qs.filter(shipped_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(shipped_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return qs.order_by("-shipped_at", "-id")


# -- forms ------------------------------------------------------------------------------------------------------

def carrier_field(label, required: bool) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label, required=required, to_field_name="code",
                                  queryset=Carrier.objects.order_by("name"),
                                  empty_label=None if required else _lazy("All"))


class ShipmentFilter(FilterForm):
    q = _search(_lazy("Tracking number or order id"))
    carrier = carrier_field(_lazy("Carrier"), required=False)
    status = forms.ChoiceField(label=_lazy("Tracking status"), required=False,
                               choices=ANY + list(TrackingStatus.choices))
    account = _account_field()
    date_from = forms.DateField(label=_lazy("Shipped from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_lazy("Shipped to"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data


class TrackingUploadForm(forms.Form):
    file = forms.FileField(label=_lazy("Tracking export"), help_text=_lazy(
        "A CSV or Excel export from 17TRACK or AfterShip: one row per tracking event (or per parcel with its "
        "latest event)."))
    format = forms.ChoiceField(label=_lazy("Format"), initial=AUTO, choices=[
        (AUTO, _lazy("Recognise from the header")), (SEVENTEEN_TRACK, "17TRACK"), (AFTERSHIP, "AfterShip"),
    ])


# -- views ------------------------------------------------------------------------------------------------------

@permission_required("logistics.view_shipment", raise_exception=True)
def shipment_list(request):
    filters = ShipmentFilter(request.GET)
    can_import = request.user.has_perm("logistics.add_trackingevent")
    return table_response(
        request, spec=SHIPMENTS, queryset=shipments(**filters.values()), template="web/pages/list.html",
        context={"title": _("Shipments"), "filter_form": filters,
                 "create_url": reverse("tracking-import") if can_import else None,
                 "create_label": _("Import tracking file"),
                 "empty_text": _("No shipments match these filters.")},
    )


@permission_required("logistics.view_shipment", raise_exception=True)
def shipment_detail(request, pk: int):
    shipment = get_object_or_404(Shipment.objects.select_related("order__account", "carrier", "warehouse",
                                                                 "created_by"), pk=pk)
    lines = shipment.lines.select_related("order_line__product").order_by("order_line__line_no")
    return render(request, "web/pages/shipment_detail.html", {
        "shipment": shipment,
        "fields": field_rows(shipment, ["carrier", "service", "tracking_number", "warehouse", "shipped_at", "status",
                                        "status_at", "delivered_at", "created_by"]),
        "lines": lines,
        "events": shipment.events.order_by("-occurred_at", "-id"),
    })


@permission_required("logistics.add_trackingevent", raise_exception=True)
def tracking_import(request):
    """GET: the upload form. POST: import the file (all or nothing) and show what it did."""
    result = None
    if request.method == "POST":
        form = TrackingUploadForm(request.POST, request.FILES)
        if form.is_valid():
            result = import_tracking_upload(form.cleaned_data["file"], form.cleaned_data["format"])
            form = TrackingUploadForm(initial={"format": form.cleaned_data["format"]})
    else:
        form = TrackingUploadForm()
    return render(request, "web/pages/shipment_tracking_import.html", {
        "title": _("Import tracking events"), "form": form, "result": result,
    })
