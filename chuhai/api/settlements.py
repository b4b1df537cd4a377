"""Settlement reconciliation and advertising: ``GET /settlements``, ``GET /settlements/{id}``,
``GET /settlements/unsettled-orders``, ``GET /reimbursements-due`` and ``GET /reports/ads``.

All need ``finance.access_finance``. Money is a string rounded once, here, to its currency's minor unit; ratios
(ACOS and TACOS in percent, ROAS a multiple) are strings with two decimals, ``null`` when undefined (no sales, no
spend). The figures are :mod:`chuhai.finance.reconciliation`'s and :mod:`chuhai.analytics.ads`' — the same as the
pages and ``chuhai report settlements|ads``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from chuhai.analytics.ads import GROUPINGS, ad_report
from chuhai.channels.models import ChannelAccount
from chuhai.finance import reconciliation as rec
from chuhai.finance.fx import FxRateMissing
from chuhai.finance.models import Settlement

from .auth import needs
from .errors import get_or_404
from .schemas import AUTH_ERRORS, ErrorOut, money, plain

router = Router(tags=["finance"])

VIEW_PERM = "finance.access_finance"
HUNDREDTH = Decimal("0.01")
MAX_ITEMS = 1000


def _money(amount, currency) -> str | None:
    return None if amount is None else money(amount, currency)


def _ratio(value) -> str | None:
    return None if value is None else str(value.quantize(HUNDREDTH))


def _account(code: str | None):
    if not code:
        return None
    return get_or_404(ChannelAccount.objects, f"No channel account {code!r}.", code=code)


class ReceiptOut(Schema):
    received_on: dt.date
    provider: str
    reference: str
    amount: str
    currency: str
    fee: str


class SettlementOut(Schema):
    id: int
    account: str
    settlement_id: str
    start_at: dt.datetime | None
    end_at: dt.datetime | None
    deposit_at: dt.datetime | None
    currency: str
    expected: str = Field(description="The sum of the settlement's own lines (our ledger).")
    paid: str | None = Field(description="The total the platform reported; null: not paid yet.")
    difference: str | None = Field(description="paid − expected; 0.00 for a consistent settlement.")
    lines: int
    unmatched_lines: int
    status: str = Field(description="reconciled | difference | not_paid | unmatched")
    received: list[ReceiptOut]


class CategoryOut(Schema):
    category: str
    amount: str


class LineOut(Schema):
    id: int
    posted_at: dt.datetime | None
    transaction_type: str
    order_ref: str
    sku: str
    amount_type: str
    amount_description: str
    amount: str
    currency: str
    category: str


class SettlementDetailOut(SettlementOut):
    by_category: list[CategoryOut]
    unmatched: list[LineOut] = Field(description=f"The unmatched lines (at most {MAX_ITEMS}).")


def _settlement(check) -> dict:
    s = check.settlement
    return {
        "id": s.pk, "account": s.account.code, "settlement_id": s.settlement_id, "start_at": s.start_at,
        "end_at": s.end_at, "deposit_at": s.deposit_at, "currency": check.currency,
        "expected": money(check.expected, check.currency), "paid": _money(check.paid, check.currency),
        "difference": _money(check.difference, check.currency), "lines": check.lines,
        "unmatched_lines": check.unmatched, "status": check.status,
        "received": [{"received_on": r.received_on, "provider": r.provider, "reference": r.reference,
                      "amount": plain(r.amount), "currency": r.currency, "fee": plain(r.fee)} for r in check.receipts],
    }


class SettlementFilters(Schema):
    account: str | None = Field(None, description="Channel account code.")
    date_from: dt.date | None = Field(None, description="Periods ending on or after this day.")
    date_to: dt.date | None = Field(None, description="Periods ending on or before this day.")
    status: str | None = Field(None, description="reconciled | difference | not_paid | unmatched")


@router.get("/settlements", response={200: list[SettlementOut], 404: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def list_settlements(request, filters: Query[SettlementFilters]):
    """Every settlement of the period with expected, paid, difference and status. Requires
    ``finance.access_finance``."""
    checks = rec.settlements(filters.date_from, filters.date_to, _account(filters.account), filters.status)
    return [_settlement(c) for c in checks]


class UnsettledOut(Schema):
    account: str
    external_id: str
    purchased_at: dt.datetime
    status: str
    fulfilment_channel: str
    order_total: str
    currency: str
    age_days: int


class UnsettledFilters(Schema):
    account: str | None = None
    as_of: dt.date | None = Field(None, description="Default: today.")
    days: int | None = Field(None, ge=0, description="Default: the finance setting (21).")


@router.get("/settlements/unsettled-orders", response={200: list[UnsettledOut], 404: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def unsettled_orders(request, filters: Query[UnsettledFilters]):
    """Orders shipped or delivered more than N days ago that no ledger line mentions, oldest first. Requires
    ``finance.access_finance``."""
    rows = rec.unsettled_orders(filters.as_of, filters.days, _account(filters.account))
    return [{"account": u.account_code, "external_id": u.external_id, "purchased_at": u.order.purchased_at,
             "status": u.order.status, "fulfilment_channel": u.order.fulfilment_channel,
             "order_total": money(u.order.order_total, u.order.currency), "currency": u.order.currency,
             "age_days": u.age_days} for u in rows]


@router.get("/settlements/{settlement_pk}", response={200: SettlementDetailOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def settlement_detail(request, settlement_pk: int):
    """One settlement: the list's figures plus its lines by category and its unmatched lines. Requires
    ``finance.access_finance``."""
    settlement = get_or_404(Settlement.objects.select_related("account", "import_run"),
                            f"No settlement {settlement_pk}.", pk=settlement_pk)
    check = rec.settlement_status(settlement)
    lines = rec.unmatched_lines(settlement)[:MAX_ITEMS]
    return {**_settlement(check),
            "by_category": [{"category": c, "amount": money(a, check.currency)} for c, a in check.by_category.items()],
            "unmatched": [{"id": ln.pk, "posted_at": ln.posted_at, "transaction_type": ln.transaction_type,
                           "order_ref": ln.order_ref, "sku": ln.sku, "amount_type": ln.amount_type,
                           "amount_description": ln.amount_description, "amount": plain(ln.amount),
                           "currency": ln.currency, "category": ln.category} for ln in lines]}


class ReimbursementOut(Schema):
    account: str
    sku: str
    channel_skus: list[str]
    kind: str = Field(description="lost | damaged")
    units_found: int
    units_reimbursed: int
    units_due: int
    unit_cost: str | None
    value: str | None = Field(description="units_due × unit cost, in cost_currency.")
    cost_currency: str
    snapshot_date: dt.date | None
    amazon: int | None = Field(description="Amazon's figure in that FBA report.")
    ledger: int | None = Field(description="Our ledger's figure then.")
    references: list[str] = Field(description="The reconciliation's reference on the correcting movements.")


@router.get("/reimbursements-due", response={200: list[ReimbursementOut], 404: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def reimbursements_due(request, account: str | None = None):
    """FBA units lost or damaged and not reimbursed yet, valued at cost, with the evidence. Requires
    ``finance.access_finance``."""
    return [{"account": r.account_code, "sku": r.sku, "channel_skus": list(r.channel_skus), "kind": r.kind,
             "units_found": r.units_found, "units_reimbursed": r.units_reimbursed, "units_due": r.units_due,
             "unit_cost": plain(r.unit_cost), "value": _money(r.value, r.cost_currency) if r.cost_currency else None,
             "cost_currency": r.cost_currency, "snapshot_date": r.snapshot_date, "amazon": r.amazon,
             "ledger": r.ledger, "references": r.references} for r in rec.reimbursements_due(_account(account))]


class AdRowOut(Schema):
    sku: str
    day: dt.date | None
    campaign: str
    account: str
    currency: str
    impressions: int
    clicks: int
    orders: int
    units: int
    spend: str
    sales: str = Field(description="Ad-attributed sales.")
    total_sales: str = Field(description="All sales of the SKU(s) on the same account and day(s).")
    acos: str | None = Field(description="Percent: spend ÷ attributed sales × 100.")
    tacos: str | None = Field(description="Percent: spend ÷ total sales × 100.")
    roas: str | None = Field(description="Attributed sales ÷ spend.")


class AdFilters(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    account: str | None = None
    by: str = Field("sku", description="sku | day | campaign | account")
    currency: str | None = Field(None, description="Default: the base currency.")


@router.get("/reports/ads", response={200: list[AdRowOut], 404: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def ads_report(request, filters: Query[AdFilters]):
    """Sponsored Products spend, attributed and total sales, ACOS, TACOS and ROAS, grouped. Requires
    ``finance.access_finance``."""
    if filters.by not in GROUPINGS:
        raise HttpError(422, f"by must be one of {', '.join(GROUPINGS)}")
    try:
        rows = ad_report(filters.date_from, filters.date_to, _account(filters.account), filters.by,
                         filters.currency)
    except FxRateMissing as exc:
        raise HttpError(422, str(exc)) from exc
    return [{"sku": r.sku, "day": r.day, "campaign": r.campaign, "account": r.account, "currency": r.currency,
             "impressions": r.impressions, "clicks": r.clicks, "orders": r.orders, "units": r.units,
             "spend": money(r.spend, r.currency), "sales": money(r.sales, r.currency),
             "total_sales": money(r.total_sales, r.currency), "acos": _ratio(r.acos), "tacos": _ratio(r.tacos),
             "roas": _ratio(r.roas)} for r in rows]
