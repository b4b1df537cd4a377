"""Inbound shipments between our warehouses: ``GET /inbound``, ``GET /inbound/{ref}``, ``POST /inbound`` (a draft)
and the life-cycle steps ``POST /inbound/{ref}/ship|in-transit|receive|close``.

The services (:mod:`chuhai.inventory.transfers`) move the stock; here a step the shipment's status does not
allow, shipping more than the source has, or receiving more than is outstanding is a 409 (nothing written); an
unknown SKU or warehouse is a 422.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from chuhai.inventory import transfers
from chuhai.inventory.inbound import InboundShipment, InboundStatus, TransportMode
from chuhai.inventory.models import Warehouse
from chuhai.inventory.stock import InsufficientStock

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut, Page, PageParams, paginate

router = Router(tags=["inventory"])

#: Beginnings of the transfer services' messages for a step the shipment's state refuses (→ 409, not 422).


class LineOut(Schema):
    sku: str
    shipped: int
    received: int
    outstanding: int
    discrepancy: str


class InboundOut(Schema):
    reference: str
    from_warehouse: str
    to_warehouse: str
    mode: TransportMode
    status: InboundStatus
    carrier: str
    tracking: str
    eta: dt.date | None
    created_at: dt.datetime
    shipped_at: dt.datetime | None
    received_at: dt.datetime | None
    closed_at: dt.datetime | None
    lines: list[LineOut]


class DiscrepancyOut(Schema):
    sku: str
    shipped: int
    received: int
    missing: int


class ClosedOut(InboundOut):
    discrepancies: list[DiscrepancyOut]


class LineIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64, examples=["CAB-USB-C-1M"])
    quantity: int = Field(..., gt=0, strict=True, examples=[200])


class InboundIn(Schema):
    from_warehouse: str = Field(..., examples=["SZ-MAIN"])
    to_warehouse: str = Field(..., examples=["US-3PL"])
    mode: TransportMode
    lines: list[LineIn] = Field(..., min_length=1)
    reference: str = Field("", max_length=60, description="Default: IB-00001, IB-00002, ...")
    carrier: str = Field("", max_length=100)
    tracking: str = Field("", max_length=200, description="Tracking or bill-of-lading number.")
    eta: dt.date | None = None


class ReceiveIn(Schema):
    lines: list[LineIn] = Field(..., min_length=1, description="Units that arrived now, per SKU.")


class CloseIn(Schema):
    note: str = Field("", max_length=400, description="Why units are missing (kept with each discrepancy).")


class InboundFilters(Schema):
    status: InboundStatus | None = None
    warehouse: str | None = Field(None, description="Source or destination warehouse code.")


def shipment_out(shipment: InboundShipment) -> dict:
    return {
        "reference": shipment.reference, "from_warehouse": shipment.from_warehouse.code,
        "to_warehouse": shipment.to_warehouse.code, "mode": shipment.mode, "status": shipment.status,
        "carrier": shipment.carrier, "tracking": shipment.tracking, "eta": shipment.eta,
        "created_at": shipment.created_at, "shipped_at": shipment.shipped_at,
        "received_at": shipment.received_at, "closed_at": shipment.closed_at,
        "lines": [{"sku": line.product.sku, "shipped": line.qty_shipped, "received": line.qty_received,
                   "outstanding": line.outstanding, "discrepancy": line.discrepancy}
                  for line in shipment.lines.all()],
    }


def _shipment(reference: str) -> InboundShipment:
    return get_or_404(transfers.shipments(), f"No inbound shipment {reference!r}.", reference=reference)


def _reloaded(reference: str) -> dict:
    return shipment_out(_shipment(reference))


@contextmanager
def life_cycle_errors():
    """A step the shipment's state (or the stock) refuses is a 409; other bad input a 422."""
    try:
        with service_errors("An inbound shipment with this reference already exists."):
            yield
    except HttpError as exc:
        cause = exc.__cause__
        if isinstance(cause, InsufficientStock | transfers.TransitionRefused):
            raise HttpError(409, str(cause)) from cause
        raise


@router.get("/inbound", response={200: Page[InboundOut], **AUTH_ERRORS},
            auth=needs("inventory.view_inboundshipment"))
def list_inbound(request, filters: Query[InboundFilters], page: Query[PageParams]):
    """Inbound shipments, newest first. Requires ``inventory.view_inboundshipment``."""
    qs = transfers.shipments(filters.status)
    if filters.warehouse:
        qs = qs.filter(Q(from_warehouse__code=filters.warehouse) | Q(to_warehouse__code=filters.warehouse))
    return paginate(qs, page, convert=shipment_out)


@router.get("/inbound/{reference}", response={200: InboundOut, **AUTH_ERRORS, 404: ErrorOut},
            auth=needs("inventory.view_inboundshipment"))
def get_inbound(request, reference: str):
    """One inbound shipment with its lines. Requires ``inventory.view_inboundshipment``."""
    return _reloaded(reference)


def _warehouse(code: str, field: str) -> Warehouse:
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise HttpError(422, f"{field}: no warehouse with code {code!r}")
    return warehouse


@router.post("/inbound", response={201: InboundOut, **WRITE_ERRORS}, auth=needs("inventory.add_inboundshipment"))
def create_inbound(request, payload: InboundIn):
    """A draft shipment (nothing moves until it is shipped). Requires ``inventory.add_inboundshipment``;
    an existing reference is a 409."""
    source = _warehouse(payload.from_warehouse, "from_warehouse")
    destination = _warehouse(payload.to_warehouse, "to_warehouse")
    with service_errors(f"Inbound shipment {payload.reference!r} already exists."):
        try:
            shipment = transfers.create(source, destination, payload.mode.value,
                                        [(line.sku, line.quantity) for line in payload.lines],
                                        reference=payload.reference, carrier=payload.carrier,
                                        tracking=payload.tracking, eta=payload.eta, user=request.user)
        except transfers.InboundExists as exc:
            raise HttpError(409, str(exc)) from exc
    return Status(201, _reloaded(shipment.reference))


@router.post("/inbound/{reference}/ship", response={200: InboundOut, **WRITE_ERRORS, 404: ErrorOut},
             auth=needs("inventory.change_inboundshipment"))
def ship_inbound(request, reference: str):
    """The goods leave the source: its on-hand stock drops and the destination shows them inbound. 409 (nothing
    written) unless the shipment is a draft and the source has the units available.
    Requires ``inventory.change_inboundshipment``."""
    _shipment(reference)
    with life_cycle_errors():
        transfers.ship(reference, user=request.user)
    return _reloaded(reference)


@router.post("/inbound/{reference}/in-transit", response={200: InboundOut, **WRITE_ERRORS, 404: ErrorOut},
             auth=needs("inventory.change_inboundshipment"))
def inbound_in_transit(request, reference: str):
    """The carrier has it. 409 unless the shipment is shipped. Requires ``inventory.change_inboundshipment``."""
    _shipment(reference)
    with life_cycle_errors():
        transfers.mark_in_transit(reference, user=request.user)
    return _reloaded(reference)


@router.post("/inbound/{reference}/receive", response={200: InboundOut, **WRITE_ERRORS, 404: ErrorOut},
             auth=needs("inventory.change_inboundshipment"))
def receive_inbound(request, reference: str, payload: ReceiveIn):
    """Units arrived (partial receipts are fine): inbound → on hand at the destination. 409 when the shipment
    cannot receive or a line would exceed what is outstanding; 422 for a SKU not on the shipment.
    Requires ``inventory.change_inboundshipment``."""
    _shipment(reference)
    with life_cycle_errors():
        transfers.receive(reference, [(line.sku, line.quantity) for line in payload.lines], user=request.user)
    return _reloaded(reference)


@router.post("/inbound/{reference}/close", response={200: ClosedOut, **WRITE_ERRORS, 404: ErrorOut},
             auth=needs("inventory.change_inboundshipment"))
def close_inbound(request, reference: str, payload: CloseIn | None = None):
    """Nothing more will arrive: what is still inbound is written off with a logged adjustment and returned as
    discrepancies. 409 for a draft or closed shipment. Requires ``inventory.change_inboundshipment``."""
    _shipment(reference)
    with life_cycle_errors():
        found = transfers.close(reference, note=payload.note if payload else "", user=request.user)
    return {**_reloaded(reference), "discrepancies": [
        {"sku": d.sku, "shipped": d.shipped, "received": d.received, "missing": d.missing} for d in found]}
