"""FBA reconciliation: ``GET /fba/reconciliation?account=CODE`` lists where Amazon's inventory report and the
ledger of the account's FBA warehouse disagree; ``POST /fba/reconciliation/apply`` posts the corrections a person
asked for (logged with the user, the reason and ``fba-recon:<account>:<date>``). Nothing is ever corrected by a
GET or by an import. What is compared and why: :mod:`chuhai.inventory.fba_reconciliation`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from chuhai.channels.models import ChannelAccount
from chuhai.inventory.fba_reconciliation import (
    DEFAULT_STATES,
    NoFbaWarehouse,
    NoSnapshot,
    StaleReconciliation,
    apply_corrections,
    reconcile,
    reference,
)
from chuhai.inventory.stock import InsufficientStock

from .auth import needs
from .errors import service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut

router = Router(tags=["inventory"])

State = Literal["on_hand", "unsellable", "inbound"]


class DifferenceOut(Schema):
    kind: Literal["lost", "damaged", "unaccounted", "inbound", "unmapped"]
    sku: str = Field(..., description="Our SKU (for 'unmapped': the report's SKU).")
    channel_skus: list[str] = Field(..., description="The report SKUs behind this product.")
    state: str = Field(..., description="on_hand (vs Amazon fulfillable + reserved), unsellable or inbound; '' for "
                                        "unmapped.")
    amazon: int
    ledger: int
    correction: int | None = Field(..., description="What applying would post (Amazon − ledger); null: not "
                                                    "correctable.")
    researching: int
    as_of: dt.date | None


class ReconciliationOut(Schema):
    account: str
    warehouse: str
    snapshot_date: dt.date
    reference: str
    matched: int = Field(..., description="Product × state figures that agree.")
    differences: list[DifferenceOut]


def difference_out(d) -> dict:
    return {"kind": d.kind, "sku": d.sku, "channel_skus": list(d.channel_skus), "state": d.state,
            "amazon": d.amazon, "ledger": d.ledger, "correction": d.correction if d.correctable else None,
            "researching": d.researching, "as_of": d.as_of}


class ReconcileParams(Schema):
    account: str = Field(..., description="Account code.")
    date: dt.date | None = Field(None, description="Report date (default: the latest imported).")


class ApplyIn(Schema):
    account: str
    snapshot_date: dt.date = Field(..., description="The report date that was reviewed.")
    reason: str = Field(..., min_length=1, max_length=300)
    skus: list[str] | None = Field(None, description="Our SKUs or report SKUs to correct (default: all).")
    states: list[State] = Field(list(DEFAULT_STATES), description="States to correct; inbound only when named.")
    expected: dict[str, int] | None = Field(
        None, description='Exactly these rows, as reviewed: {"state|sku": correction}. Refused (409) when any has '
                          'changed since.')


class CorrectionOut(Schema):
    sku: str
    state: str
    quantity: int
    kind: str


class ApplyOut(Schema):
    reference: str
    corrections: list[CorrectionOut]


def _account(code: str) -> ChannelAccount:
    account = ChannelAccount.objects.filter(code=code).first()
    if account is None:
        raise HttpError(422, f"account: no channel account {code!r}")
    return account


@router.get("/fba/reconciliation", response={200: ReconciliationOut, **AUTH_ERRORS, 422: ErrorOut},
            auth=needs("inventory.view_fbainventorysnapshot"))
def get_reconciliation(request, params: Query[ReconcileParams]):
    """Differences between the account's FBA report and its FBA warehouse in the ledger. Read-only. Requires
    ``inventory.view_fbainventorysnapshot``; 422 when the account has no FBA warehouse or no report."""
    account = _account(params.account)
    try:
        result = reconcile(account, params.date)
    except (NoFbaWarehouse, NoSnapshot) as exc:
        raise HttpError(422, str(exc)) from exc
    return {"account": account.code, "warehouse": result.warehouse.code, "snapshot_date": result.snapshot_date,
            "reference": result.reference, "matched": result.matched,
            "differences": [difference_out(d) for d in result.differences]}


@router.post("/fba/reconciliation/apply", response={201: ApplyOut, **WRITE_ERRORS},
             auth=needs("inventory.add_stockmovement"))
def apply(request, payload: ApplyIn):
    """Correct the ledger to Amazon's figures for the chosen differences, as ``fba_correction`` movements with
    your user, the reason and the reference ``fba-recon:<account>:<date>``. All or nothing. Requires
    ``inventory.add_stockmovement``; 409 when a reviewed row changed or the stock cannot go that low."""
    account = _account(payload.account)
    with service_errors("Conflicting correction."):
        try:
            done = apply_corrections(account, payload.snapshot_date, payload.skus, user=request.user,
                                     reason=payload.reason, states=payload.states, expected=payload.expected)
        except (StaleReconciliation, InsufficientStock) as exc:
            raise HttpError(409, str(exc)) from exc
    return Status(201, {"reference": reference(account, payload.snapshot_date),
                        "corrections": [{"sku": c.sku, "state": c.state, "quantity": c.quantity, "kind": c.kind}
                                        for c in done]})
