"""Stock: ``GET /stock`` (balances per SKU × warehouse) and ``POST /stock/adjustments`` (a signed correction).

An adjustment goes through :func:`chuhai.inventory.stock.adjust`: one conditional update of the balance plus its
ledger row, so two clients removing the last units at once cannot both succeed. A decrease that would take the
stock below zero, or below what is reserved for orders, is a 409 and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AfterValidator

from chuhai.catalog.models import Product
from chuhai.inventory.ledger import StockBalance, StockMovement
from chuhai.inventory.models import Warehouse
from chuhai.inventory.stock import InsufficientStock, adjust, balances

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut, Page, PageParams, paginate

router = Router(tags=["inventory"])


class BalanceOut(Schema):
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    available: int = Field(..., description="On hand minus reserved.")
    inbound: int
    unsellable: int


def balance_out(balance: StockBalance) -> dict:
    return {
        "sku": balance.product.sku, "warehouse": balance.warehouse.code, "on_hand": balance.on_hand,
        "reserved": balance.reserved, "available": balance.available, "inbound": balance.inbound,
        "unsellable": balance.unsellable,
    }


class StockFilters(Schema):
    sku: str | None = Field(None, description="Exact SKU.")
    warehouse: str | None = Field(None, description="Warehouse code.")


def _not_zero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be 0: send a positive number to add stock, a negative one to remove it")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("say why the stock changes")
    return value.strip()


class AdjustmentIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64, examples=["CAB-USB-C-1M"])
    warehouse: str = Field(..., min_length=1, max_length=40, examples=["SZ-MAIN"])
    quantity: Annotated[int, Field(strict=True, examples=[-3]), AfterValidator(_not_zero)]
    reason: Annotated[str, Field(max_length=500, examples=["damaged in the warehouse"]), AfterValidator(_not_blank)]
    state: Literal["on_hand", "inbound", "unsellable"] = Field("on_hand", description="The stock state to change.")
    reference: str = Field("", max_length=200, description="e.g. a stock-count sheet or ticket id.")


class AdjustmentOut(Schema):
    sku: str
    warehouse: str
    state: str
    quantity: int
    reason: str
    balance: BalanceOut


@router.get("/stock", response={200: Page[BalanceOut], **AUTH_ERRORS}, auth=needs("inventory.view_stockbalance"))
def list_stock(request, filters: Query[StockFilters], page: Query[PageParams]):
    """Balances per SKU × warehouse, by SKU then warehouse. Requires ``inventory.view_stockbalance``."""
    qs = balances()
    if filters.sku:
        qs = qs.filter(product__sku=filters.sku)
    if filters.warehouse:
        qs = qs.filter(warehouse__code=filters.warehouse)
    return paginate(qs, page, convert=balance_out)


class MovementOut(Schema):
    created_at: dt.datetime
    warehouse: str
    kind: str = Field(description="receipt, shipment, customer_return, adjustment, stock_count, transfer_out, "
                                  "transfer_in, fba_correction, reserve or release")
    state: str = Field(description="on_hand, reserved, inbound or unsellable")
    quantity: int = Field(description="Signed: positive adds to the state.")
    reason: str
    reference: str
    user: str | None
    group: str = Field(description="Rows written together for one event share it.")


class MovementFilters(Schema):
    warehouse: str | None = Field(None, description="Warehouse code.")
    kind: str | None = None


@router.get("/stock/{sku}/movements", response={200: Page[MovementOut], 404: ErrorOut, **AUTH_ERRORS},
            auth=needs("inventory.view_stockmovement"))
def list_movements(request, sku: str, filters: Query[MovementFilters], page: Query[PageParams]):
    """The ledger history of one SKU, newest first: who moved what, when, why. Requires
    ``inventory.view_stockmovement``."""
    product = get_or_404(Product.objects.all(), f"No product with SKU {sku!r}.", sku=sku)
    qs = StockMovement.objects.filter(product=product).select_related("warehouse", "user").order_by(
        "-created_at", "-id")
    if filters.warehouse:
        qs = qs.filter(warehouse__code=filters.warehouse)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(qs, page, convert=lambda m: {
        "created_at": m.created_at, "warehouse": m.warehouse.code, "kind": m.kind, "state": m.state,
        "quantity": m.quantity, "reason": m.reason, "reference": m.reference,
        "user": m.user.username if m.user_id else None, "group": str(m.group)})


def _lookup(model, field: str, message: str, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        raise HttpError(422, f"{field}: {message}") from None


@router.post("/stock/adjustments", response={201: AdjustmentOut, **WRITE_ERRORS},
             auth=needs("inventory.add_stockmovement"))
def add_adjustment(request, payload: AdjustmentIn):
    """Add or remove units of one SKU in one warehouse, with a reason. Requires ``inventory.add_stockmovement``.
    Answers 201 with the new balance; 409 (nothing written) when the stock cannot go that low."""
    product = _lookup(Product, "sku", f"no product with SKU {payload.sku!r}", sku=payload.sku)
    warehouse = _lookup(Warehouse, "warehouse", f"no warehouse with code {payload.warehouse!r}",
                        code=payload.warehouse)
    with service_errors("This adjustment conflicts with the stock."):
        try:
            adjust(product, warehouse, payload.quantity, payload.reason, user=request.user, state=payload.state,
                   reference=payload.reference)
        except InsufficientStock as exc:
            raise HttpError(409, str(exc)) from exc
    balance = balances(product).get(warehouse=warehouse)
    return Status(201, {"sku": product.sku, "warehouse": warehouse.code, "state": payload.state,
                        "quantity": payload.quantity, "reason": payload.reason, "balance": balance_out(balance)})
