"""Customer returns: ``GET /returns``, ``POST /returns`` (a parcel back at one of our warehouses) and
``POST /returns/{id}/process`` (restock as sellable / unsellable, or not at all — once).

The services are :mod:`chuhai.logistics.returns`. Processing twice is a 409 and moves no stock; an FBA return may
omit ``restock`` and ``warehouse`` (Amazon's disposition and the account's FBA warehouse decide).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from chuhai.channels.models import ChannelAccount
from chuhai.inventory.models import Warehouse
from chuhai.logistics.models import CustomerReturn
from chuhai.logistics.returns import AlreadyProcessed, process_return, record_return, refund_info
from chuhai.orders.models import Order

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut, Page, PageParams, paginate

router = Router(tags=["logistics"])

Decision = Literal["sellable", "unsellable", "not_restocked"]
Condition = Literal["", "sellable", "damaged", "defective", "missing_parts"]


class RefundOut(Schema):
    order_status: str = Field(..., description="The order's status ('' when the order is not imported).")
    refunded: bool = Field(..., description="The order is refunded or a settlement shows a refund for it.")
    settlement_totals: dict[str, str] = Field(..., description="Net of the order's refund lines per currency.")


class ReturnOut(Schema):
    id: int
    account: str
    order_id: str
    order_linked: bool
    returned_at: dt.datetime
    sku: str
    quantity: int
    reason: str
    disposition: str
    status: str
    license_plate: str
    condition: str
    restock: str = Field(..., description="'' while not processed.")
    restock_warehouse: str | None
    processed_at: dt.datetime | None
    processed_by: str | None
    refund: RefundOut


def return_out(r: CustomerReturn) -> dict:
    refund = refund_info(r)
    return {
        "id": r.pk, "account": r.account.code, "order_id": r.order_ref, "order_linked": r.order_id is not None,
        "returned_at": r.returned_at, "sku": r.sku, "quantity": r.quantity, "reason": r.reason,
        "disposition": r.disposition, "status": r.status, "license_plate": r.license_plate,
        "condition": r.condition, "restock": r.restock,
        "restock_warehouse": r.restock_warehouse.code if r.restock_warehouse_id else None,
        "processed_at": r.processed_at, "processed_by": r.processed_by.username if r.processed_by_id else None,
        "refund": {"order_status": refund.order_status, "refunded": refund.refunded,
                   "settlement_totals": {ccy: str(total) for ccy, total in refund.settlement_totals.items()}},
    }


class ReturnFilters(Schema):
    account: str | None = Field(None, description="Account code.")
    pending: bool | None = Field(None, description="true: only returns not yet processed; false: only processed.")
    disposition: str | None = None
    condition: Condition | None = None
    reason: str | None = None
    order_id: str | None = None
    date_from: dt.date | None = Field(None, description="Returned on or after this day (server time zone).")
    date_to: dt.date | None = Field(None, description="Returned on or before this day (server time zone).")


class ReturnIn(Schema):
    account: str = Field(..., examples=["AMZ-US"])
    order_id: str = Field(..., min_length=1, max_length=64, examples=["111-0000001"])
    sku: str = Field(..., min_length=1, max_length=100)
    quantity: int = Field(1, ge=1, strict=True)
    reason: str = Field("", max_length=80)
    condition: Condition = ""
    returned_at: dt.datetime | None = Field(None, description="Default: now.")


class ProcessIn(Schema):
    restock: Decision | None = Field(None, description="Required unless an FBA disposition decides it.")
    warehouse: str | None = Field(None, description="Warehouse code; default for FBA returns: the account's "
                                                    "FBA warehouse.")
    condition: Condition | None = None


def _queryset():
    return CustomerReturn.objects.select_related("account", "order", "restock_warehouse", "processed_by")


@router.get("/returns", response={200: Page[ReturnOut], **AUTH_ERRORS}, auth=needs("logistics.view_customerreturn"))
def list_returns(request, filters: Query[ReturnFilters], page: Query[PageParams]):
    """Customer returns, newest first. Requires ``logistics.view_customerreturn``."""
    qs = _queryset().order_by("-returned_at", "-id")
    if filters.account:
        qs = qs.filter(account__code=filters.account)
    if filters.pending is not None:
        qs = qs.filter(processed_at__isnull=filters.pending)
    for name in ("disposition", "condition", "reason"):
        if getattr(filters, name) is not None:
            qs = qs.filter(**{name: getattr(filters, name)})
    if filters.order_id:
        qs = qs.filter(order_ref=filters.order_id)
    if filters.date_from:
        qs = qs.filter(returned_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(returned_at__date__lte=filters.date_to)
    return paginate(qs, page, convert=return_out)


@router.post("/returns", response={201: ReturnOut, **WRITE_ERRORS}, auth=needs("logistics.add_customerreturn"))
def add_return(request, payload: ReturnIn):
    """Record a return (one SKU of one order) pending its restock decision. Requires
    ``logistics.add_customerreturn``. 422 when the SKU is not on the order or more units come back than were
    sold."""
    account = ChannelAccount.objects.filter(code=payload.account).first()
    if account is None:
        raise HttpError(422, f"account: no channel account {payload.account!r}")
    order = Order.objects.filter(account=account, external_id=payload.order_id).first()
    if order is None:
        raise HttpError(422, f"order_id: account {account.code} has no order {payload.order_id!r}")
    with service_errors("This return was already recorded."):
        created = record_return(account, order, payload.sku, payload.quantity, reason=payload.reason,
                                condition=payload.condition, returned_at=payload.returned_at, user=request.user)
    return Status(201, return_out(_queryset().get(pk=created.pk)))


@router.post("/returns/{return_id}/process", response={200: ReturnOut, 404: ErrorOut, **WRITE_ERRORS},
             auth=needs("logistics.change_customerreturn"))
def process(request, return_id: int, payload: ProcessIn):
    """Restock the returned units as sellable (+on hand) or unsellable (+unsellable) in a warehouse, or not at
    all. Requires ``logistics.change_customerreturn``. 409 when it was processed before (nothing moves)."""
    customer_return = get_or_404(_queryset(), f"No return {return_id}.", pk=return_id)
    warehouse = None
    if payload.warehouse:
        warehouse = Warehouse.objects.filter(code=payload.warehouse).first()
        if warehouse is None:
            raise HttpError(422, f"warehouse: no warehouse with code {payload.warehouse!r}")
    with service_errors("This return was already processed."):
        try:
            process_return(customer_return, payload.restock, warehouse=warehouse, condition=payload.condition,
                           user=request.user)
        except AlreadyProcessed as exc:
            raise HttpError(409, str(exc)) from exc
    return return_out(_queryset().get(pk=return_id))
