"""Shipments and tracking: ``GET /shipments``, ``GET /shipments/{id}`` (with its tracking events), ``POST /shipments``
(ship an order) and ``POST /tracking/imports`` (a 17TRACK or AfterShip export).

``POST /shipments`` goes through :func:`chuhai.logistics.shipping.create_shipment`: the shipment, the stock leaving
the warehouse and the order's status in one transaction. When the order's state or its stock refuses (cancelled
order, line already shipped, no stock reserved, tracking number already used) the answer is 409 with the reason and
nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from chuhai.logistics.models import Shipment, TrackingStatus
from chuhai.logistics.shipping import ShipmentRefused, UnknownCarrier, create_shipment
from chuhai.logistics.tracking_import import import_tracking_upload
from chuhai.orders.models import Order

from .auth import needs
from .errors import get_or_404
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut, Page, PageParams, paginate

router = Router(tags=["logistics"])


class ShipmentLineOut(Schema):
    line_no: int
    sku: str | None
    channel_sku: str
    quantity: int


class TrackingEventOut(Schema):
    occurred_at: dt.datetime
    status: TrackingStatus
    raw_status: str
    description: str
    location: str
    source: str


class ShipmentOut(Schema):
    id: int
    account: str
    order: str = Field(description="The order id on its channel account.")
    carrier: str = Field(description="Carrier code.")
    service: str
    tracking_number: str
    tracking_url: str
    warehouse: str | None
    shipped_at: dt.datetime
    status: TrackingStatus
    status_at: dt.datetime | None
    delivered_at: dt.datetime | None
    lines: list[ShipmentLineOut]


class ShipmentDetailOut(ShipmentOut):
    events: list[TrackingEventOut]


def shipment_out(shipment: Shipment, events: bool = False) -> dict:
    data = {
        "id": shipment.pk, "account": shipment.order.account.code, "order": shipment.order.external_id,
        "carrier": shipment.carrier.code, "service": shipment.service, "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url, "warehouse": shipment.warehouse.code if shipment.warehouse_id else None,
        "shipped_at": shipment.shipped_at, "status": shipment.status, "status_at": shipment.status_at,
        "delivered_at": shipment.delivered_at,
        "lines": [{"line_no": line.order_line.line_no,
                   "sku": line.order_line.product.sku if line.order_line.product_id else None,
                   "channel_sku": line.order_line.channel_sku, "quantity": line.quantity}
                  for line in shipment.lines.all()],
    }
    if events:
        data["events"] = list(shipment.events.order_by("occurred_at", "id"))
    return data


def _queryset():
    return Shipment.objects.select_related("order__account", "carrier", "warehouse").prefetch_related(
        "lines__order_line__product")


class ShipmentFilters(Schema):
    carrier: str | None = Field(None, description="Carrier code.")
    status: TrackingStatus | None = None
    account: str | None = Field(None, description="Channel account code.")
    order: str | None = Field(None, description="Order id on its channel.")
    tracking_number: str | None = None
    shipped_from: dt.date | None = Field(None, description="Shipped on or after this day (UTC).")
    shipped_to: dt.date | None = Field(None, description="Shipped on or before this day (UTC).")


@router.get("/shipments", response={200: Page[ShipmentOut], **AUTH_ERRORS}, auth=needs("logistics.view_shipment"))
def list_shipments(request, filters: Query[ShipmentFilters], page: Query[PageParams]):
    """Shipments, newest first. Requires ``logistics.view_shipment``."""
    qs = _queryset()
    if filters.carrier:
        qs = qs.filter(carrier__code=filters.carrier)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.account:
        qs = qs.filter(order__account__code=filters.account)
    if filters.order:
        qs = qs.filter(order__external_id=filters.order)
    if filters.tracking_number:
        qs = qs.filter(tracking_number=filters.tracking_number)
    if filters.shipped_from:
        qs = qs.filter(shipped_at__gte=dt.datetime.combine(filters.shipped_from, dt.time.min, tzinfo=dt.UTC))
    if filters.shipped_to:
        end = dt.datetime.combine(filters.shipped_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        qs = qs.filter(shipped_at__lt=end)
    return paginate(qs.order_by("-shipped_at", "-id"), page, convert=shipment_out)


@router.get("/shipments/{shipment_id}", response={200: ShipmentDetailOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs("logistics.view_shipment"))
def get_shipment(request, shipment_id: int):
    """One shipment with its tracking events, oldest first. Requires ``logistics.view_shipment``."""
    shipment = get_or_404(_queryset(), f"No shipment {shipment_id}.", pk=shipment_id)
    return shipment_out(shipment, events=True)


class ShipmentIn(Schema):
    account: str = Field(..., min_length=1, max_length=40, examples=["SHOP-US"])
    order: str = Field(..., min_length=1, max_length=64, description="The order id on that account.",
                       examples=["1001"])
    carrier: str = Field(..., min_length=1, max_length=40, description="Carrier code.", examples=["yunexpress"])
    tracking_number: str = Field(..., min_length=1, max_length=100, examples=["YT2412345678901234"])
    service: str = Field("", max_length=100)
    lines: list[int] | None = Field(None, description="Line numbers to ship; default: every open line.",
                                    examples=[[1, 2]])
    shipped_at: dt.datetime | None = Field(None, description="Default: now. With a time zone.")


@router.post("/shipments", response={201: ShipmentDetailOut, **WRITE_ERRORS, 404: ErrorOut},
             auth=needs("logistics.add_shipment"))
def add_shipment(request, payload: ShipmentIn):
    """Ship an order (all its open lines, or the given line numbers). Requires ``logistics.add_shipment``.
    201 with the shipment; 409 (nothing written) when the order's state or stock refuses; 422 for an unknown
    carrier or line number."""
    order = get_or_404(Order.objects.select_related("account"),
                       f"No order {payload.order!r} on account {payload.account!r}.",
                       account__code=payload.account, external_id=payload.order)
    lines = None
    if payload.lines is not None:
        by_no = dict(order.lines.filter(line_no__in=payload.lines).values_list("line_no", "pk"))
        missing = [n for n in payload.lines if n not in by_no]
        if missing:
            raise HttpError(422, f"lines: order {payload.order} has no line {', '.join(map(str, missing))}")
        lines = [by_no[n] for n in payload.lines]
    try:
        shipment = create_shipment(order, payload.carrier, payload.tracking_number, service=payload.service,
                                   lines=lines, shipped_at=payload.shipped_at, user=request.user)
    except UnknownCarrier as exc:
        raise HttpError(422, f"carrier: {exc}") from exc
    except ShipmentRefused as exc:
        raise HttpError(409, str(exc)) from exc
    except ValueError as exc:  # the stock refused (InsufficientStock, no reservation)
        raise HttpError(409, str(exc)) from exc
    return Status(201, shipment_out(_queryset().get(pk=shipment.pk), events=True))


class RowErrorOut(Schema):
    line: int | None
    column: str | None
    value: str | None
    message: str


class TrackingImportOut(Schema):
    file: str
    format: str
    status: Literal["imported", "rejected"]
    rows_read: int
    events_created: int
    events_unchanged: int
    shipments_updated: int
    unknown_tracking_numbers: list[str] = Field(description="Numbers in the file that are not chuhai shipments "
                                                            "(skipped, not an error).")
    errors: list[RowErrorOut]


class TrackingImportIn(Schema):
    format: Literal["auto", "17track", "aftership"] = "auto"


@router.post("/tracking/imports", response={201: TrackingImportOut, 422: TrackingImportOut | ErrorOut,
                                            **AUTH_ERRORS},
             auth=needs("logistics.add_trackingevent"))
def import_tracking(request, payload: Form[TrackingImportIn], file: File[UploadedFile]):
    """Import tracking events from a 17TRACK or AfterShip export (multipart ``file``). Requires
    ``logistics.add_trackingevent``. 201 when imported; 422 with the located errors when the file was rejected
    (nothing written)."""
    result = import_tracking_upload(file, payload.format)
    return Status(201 if result.ok else 422, result.as_dict())

