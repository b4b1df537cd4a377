"""Fee schedules and fee estimates: ``GET/POST /fee-schedules``, ``PATCH /fee-schedules/{id}``, and
``GET /orders/{account}/{external_id}/fee-estimate``.

Schedules are finance data: reading them needs ``finance.access_finance``, adding ``finance.add_feeschedule``,
changing ``finance.change_feeschedule`` (history kept). An estimate lists each fee with the schedule it used and
its arithmetic (``basis``); ``amount`` is rounded once, here, to the order currency's minor unit and ``exact`` is
the unrounded figure. ``settled`` is true once the platform reported the order's fees: the actuals replace these.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from chuhai.finance.estimates import explain_order_fees
from chuhai.finance.fee_schedule_data import save_fee_schedule
from chuhai.finance.fees import FeeSchedule, FeeScheduleKind
from chuhai.orders.models import Order

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import (
    AUTH_ERRORS,
    WRITE_ERRORS,
    CountryCode,
    CurrencyCode,
    DecimalText,
    ErrorOut,
    Page,
    PageParams,
    money,
    paginate,
    plain,
)

router = Router(tags=["finance"])

VIEW_PERM = "finance.access_finance"


class FeeScheduleOut(Schema):
    id: int
    platform: str
    marketplace: str = Field(description='"" = every marketplace.')
    kind: FeeScheduleKind
    category: str = Field(description='Our product category ("" = any).')
    size_tier: str
    weight_from_g: int | None
    weight_to_g: int | None
    percent: str | None = Field(description='Decimal string: "15" means 15 %.')
    amount: str | None
    minimum: str | None
    currency: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str

    @staticmethod
    def resolve_percent(obj: FeeSchedule) -> str | None:
        return plain(obj.percent)

    @staticmethod
    def resolve_amount(obj: FeeSchedule) -> str | None:
        return plain(obj.amount)

    @staticmethod
    def resolve_minimum(obj: FeeSchedule) -> str | None:
        return plain(obj.minimum)


class FeeScheduleFilters(Schema):
    platform: str | None = None
    marketplace: CountryCode | None = None
    kind: FeeScheduleKind | None = None
    valid_on: dt.date | None = Field(None, description="Only rows valid on this day.")


class FeeSchedulePatch(Schema):
    platform: str | None = Field(None, max_length=20, examples=["amazon"])
    marketplace: CountryCode | None = Field(None, description='Omit or "" for every marketplace.')
    kind: FeeScheduleKind | None = None
    category: str | None = Field(None, max_length=100)
    size_tier: str | None = Field(None, max_length=40)
    weight_from_g: int | None = Field(None, ge=0)
    weight_to_g: int | None = Field(None, ge=0)
    percent: DecimalText | None = None
    amount: DecimalText | None = None
    minimum: DecimalText | None = None
    currency: CurrencyCode | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str | None = Field(None, max_length=500)


class FeeScheduleIn(FeeSchedulePatch):
    platform: str = Field(..., max_length=20, examples=["amazon"])
    kind: FeeScheduleKind
    currency: CurrencyCode
    valid_from: dt.date
    source: str = Field(..., min_length=1, max_length=500, description="Where the figure comes from (URL, date).")
    marketplace: str = Field("", max_length=2, description='"" = every marketplace.')


@router.get("/fee-schedules", response={200: Page[FeeScheduleOut], **AUTH_ERRORS}, auth=needs(VIEW_PERM))
def list_fee_schedules(request, filters: Query[FeeScheduleFilters], page: Query[PageParams]):
    """Fee schedule rows, optionally of one platform, marketplace, fee kind or valid on a day. Requires
    ``finance.access_finance``."""
    qs = FeeSchedule.objects.order_by("platform", "marketplace", "kind", "category", "size_tier", "weight_from_g",
                                      "-valid_from", "id")
    if filters.platform:
        qs = qs.filter(platform=filters.platform)
    if filters.marketplace:
        qs = qs.filter(marketplace=filters.marketplace)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.valid_on:
        qs = qs.filter(valid_from__lte=filters.valid_on).exclude(valid_to__lt=filters.valid_on)
    return paginate(qs, page)


@router.post("/fee-schedules", response={201: FeeScheduleOut, **WRITE_ERRORS}, auth=needs("finance.add_feeschedule"))
def add_fee_schedule(request, payload: FeeScheduleIn):
    """Add a fee schedule row. Requires ``finance.add_feeschedule``; invalid rows are a 422 naming the field."""
    with service_errors("This fee schedule row exists already."):
        schedule = save_fee_schedule(None, payload.model_dump(exclude_unset=False), user=request.auth)
    return Status(201, schedule)


@router.patch("/fee-schedules/{schedule_id}", response={200: FeeScheduleOut, 404: ErrorOut, **WRITE_ERRORS},
              auth=needs("finance.change_feeschedule"))
def change_fee_schedule(request, schedule_id: int, payload: FeeSchedulePatch):
    """Change some fields of a fee schedule row (history kept). Requires ``finance.change_feeschedule``."""
    schedule = get_or_404(FeeSchedule.objects, f"No fee schedule {schedule_id}.", pk=schedule_id)
    with service_errors("This fee schedule row exists already."):
        save_fee_schedule(schedule, payload.model_dump(exclude_unset=True), user=request.auth)
    return schedule


class EstimatedFeeOut(Schema):
    line_no: int | None = Field(description="null for an order-level fee (payment, transaction).")
    category: str = Field(description="referral_fee, fulfilment_fee or transaction_fee.")
    amount: str = Field(description="Rounded to the currency's minor unit.")
    exact: str = Field(description="Unrounded.")
    currency: str
    schedule_id: int
    basis: str


class SkippedFeeOut(Schema):
    line_no: int | None
    category: str
    reason: str


class FeeEstimateOut(Schema):
    account: str
    external_id: str
    purchased_at: dt.datetime
    currency: str
    settled: bool = Field(description="The platform reported this order's fees: they replace the estimates.")
    total: str
    fees: list[EstimatedFeeOut]
    skipped: list[SkippedFeeOut]


@router.get("/orders/{account}/{external_id}/fee-estimate",
            response={200: FeeEstimateOut, 404: ErrorOut, **AUTH_ERRORS}, auth=needs(VIEW_PERM))
def order_fee_estimate(request, account: str, external_id: str):
    """The estimated fees of one order from the schedules valid at its purchase date. Requires
    ``finance.access_finance``."""
    order = get_or_404(Order.objects.select_related("account").prefetch_related("lines__product"),
                       f"No order {external_id!r} on account {account!r}.",
                       account__code=account, external_id=external_id)
    estimate = explain_order_fees(order)
    return {
        "account": order.account.code, "external_id": order.external_id, "purchased_at": order.purchased_at,
        "currency": estimate.currency, "settled": estimate.settled, "total": money(estimate.total, order.currency),
        "fees": [{"line_no": f.line_no, "category": str(f.category), "amount": money(f.amount, f.currency),
                  "exact": plain(f.amount), "currency": f.currency, "schedule_id": f.schedule_id, "basis": f.basis}
                 for f in estimate.fees],
        "skipped": [{"line_no": s.line_no, "category": str(s.category), "reason": s.reason}
                    for s in estimate.skipped],
    }
