"""Account health and shipping KPIs: ``GET /account-health``, ``GET /account-health/{code}``,
``GET /shipping-kpis`` and ``POST /order-defects``.

Every figure comes from :mod:`chuhai.analytics.fulfilment` (its definitions are sent with it); this module only
shapes them. A rate is a decimal string with two places (``"1.25"`` per cent) or ``null`` when there was nothing
to count. Reading needs ``analytics.view_dashboard``; recording a defect ``orders.add_orderdefect``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from chuhai.analytics import fulfilment
from chuhai.channels.models import ChannelAccount
from chuhai.core.roles import ANALYTICS_ACCESS
from chuhai.orders.defects import find_order, record_defect
from chuhai.orders.models import DefectKind

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut

router = Router(tags=["analytics"])

DEFECT_PERM = "orders.add_orderdefect"
#: Most breach order ids one answer lists (``breach_count`` always says how many there are).
MAX_BREACH_IDS = 1000
HUNDREDTH = Decimal("0.01")


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(HUNDREDTH))


class KpiOut(Schema):
    id: str
    name: str
    definition: str
    unit: str
    value: str | None = Field(description="Per cent, two decimals; null when there was nothing to count.")
    numerator: int
    denominator: int
    target: str | None = Field(description="Amazon's target, per cent (null: none).")
    direction: Literal["below", "above"] | None = Field(description="The figure must stay below or above it.")
    status: Literal["pass", "breach", "no_data", "no_target"]
    start: dt.datetime
    end: dt.datetime
    breach_count: int = Field(description="Rows pulling the figure the wrong way (orders or shipments).")
    source: str
    source_url: str


class OrderRef(Schema):
    id: int
    external_id: str


class KpiDetailOut(KpiOut):
    breach_orders: list[OrderRef] = Field(description=f"Orders behind the breach rows (at most {MAX_BREACH_IDS}).")


class AccountHealthOut(Schema):
    account: str
    name: str
    marketplace: str
    kpis: list[KpiOut]


class AccountHealthDetailOut(Schema):
    account: str
    name: str
    marketplace: str
    kpis: list[KpiDetailOut]


class TransitOut(Schema):
    carrier: str
    carrier_name: str
    origin: str = Field(description="Country of the warehouse shipped from (empty when unknown).")
    destination: str
    shipments: int
    median_days: str
    p90_days: str


class ShippingKpisOut(Schema):
    account: str | None
    start: dt.datetime
    end: dt.datetime
    kpis: list[KpiOut]
    transit: list[TransitOut]


class ShippingFilters(Schema):
    account: str | None = Field(None, description="Channel account code (default: every account).")
    from_date: dt.date | None = Field(None, alias="from", description="First day, in the company time zone.")
    to_date: dt.date | None = Field(None, alias="to", description="Last day (inclusive); default today.")


class DefectIn(Schema):
    account: str = Field(..., min_length=1, max_length=40, examples=["AMZ-US"])
    order: str = Field(..., min_length=1, max_length=64, description="The channel's order id.",
                       examples=["111-0000001-0000001"])
    kind: DefectKind
    opened_at: dt.datetime | None = Field(None, description="When the buyer raised it (default: now).")
    note: str = Field("", max_length=500)


class DefectOut(Schema):
    account: str
    order: str
    kind: DefectKind
    opened_at: dt.datetime
    note: str
    created: bool = Field(description="False when the order already had this defect (nothing changed).")


def kpi_out(result: fulfilment.KpiResult) -> dict:
    kpi = result.kpi
    return {
        "id": kpi.id, "name": str(kpi.name), "definition": str(kpi.definition), "unit": kpi.unit,
        "value": _percent(result.value), "numerator": result.numerator, "denominator": result.denominator,
        "target": None if kpi.target is None else str(kpi.target), "direction": kpi.direction,
        "status": result.status, "start": result.start, "end": result.end, "breach_count": result.behind_breach,
        "source": kpi.source, "source_url": kpi.source_url,
    }


def _account_out(account: ChannelAccount, kpis: list[dict]) -> dict:
    return {"account": account.code, "name": account.name, "marketplace": account.marketplace, "kpis": kpis}


@router.get("/account-health", response={200: list[AccountHealthOut], **AUTH_ERRORS}, auth=needs(ANALYTICS_ACCESS))
def list_account_health(request):
    """Amazon's four account-health figures (order defect rate, pre-fulfilment cancel rate, late shipment rate,
    valid tracking rate) for every Amazon account, each over Amazon's window up to now. Requires
    ``analytics.view_dashboard``."""
    now = timezone.now()
    return [_account_out(a, [kpi_out(r) for r in fulfilment.account_health(a, end=now)])
            for a in fulfilment.amazon_accounts()]


@router.get("/account-health/{code}", response={200: AccountHealthDetailOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs(ANALYTICS_ACCESS))
def account_health_detail(request, code: str):
    """One Amazon account's figures with the orders behind each breach. Requires ``analytics.view_dashboard``."""
    account = get_or_404(fulfilment.amazon_accounts(), f"No Amazon account with code {code!r}.", code=code)
    kpis = []
    for result in fulfilment.account_health(account):
        ids = fulfilment.breach_order_ids(result.kpi.id, account=account, start=result.start, end=result.end)
        kpis.append({**kpi_out(result), "breach_orders": [
            {"id": pk, "external_id": external_id} for pk, external_id in ids[:MAX_BREACH_IDS]]})
    return _account_out(account, kpis)


@router.get("/shipping-kpis", response={200: ShippingKpisOut, 404: ErrorOut, 422: ErrorOut, **AUTH_ERRORS},
            auth=needs(ANALYTICS_ACCESS))
def shipping_kpis(request, filters: Query[ShippingFilters]):
    """Late shipment, valid tracking and on-time delivery rates and transit days by carrier and route, over
    ``from`` … ``to`` (calendar days in the company time zone; default the last 30 days). Requires
    ``analytics.view_dashboard``."""
    account = None
    if filters.account:
        account = get_or_404(ChannelAccount.objects.all(), f"No channel account with code {filters.account!r}.",
                             code=filters.account)
    start = end = None
    if filters.from_date or filters.to_date:
        last = filters.to_date or fulfilment.company_today()
        first = filters.from_date or last - dt.timedelta(days=fulfilment.DEFAULT_SHIPPING_DAYS - 1)
        try:
            start, end = fulfilment.date_window(first, last)
        except ValueError as exc:
            raise HttpError(422, f"to: {exc}") from exc
    summary = fulfilment.shipping_kpis(account=account, start=start, end=end)
    return {
        "account": account.code if account else None, "start": summary["start"], "end": summary["end"],
        "kpis": [kpi_out(r) for r in summary["results"]],
        "transit": [{"carrier": t.carrier_code, "carrier_name": t.carrier_name, "origin": t.origin,
                     "destination": t.destination, "shipments": t.shipments, "median_days": str(t.median_days),
                     "p90_days": str(t.p90_days)} for t in summary["transit"]],
    }


@router.post("/order-defects", response={200: DefectOut, 201: DefectOut, **WRITE_ERRORS}, auth=needs(DEFECT_PERM))
def add_order_defect(request, payload: DefectIn):
    """Record negative feedback, an A-to-z claim or a chargeback against an order. Requires
    ``orders.add_orderdefect``. 201 when recorded; 200 with ``created: false`` when the order already had a
    defect of that kind (recording twice changes nothing); 422 for an unknown order or an impossible date."""
    with service_errors("This order already has a defect of that kind."):
        order = find_order(payload.account, payload.order)
        defect, created = record_defect(order, payload.kind.value, opened_at=payload.opened_at, note=payload.note,
                                        user=request.user)
    body = {"account": order.account.code, "order": order.external_id, "kind": defect.kind,
            "opened_at": defect.opened_at, "note": defect.note, "created": created}
    return Status(201 if created else 200, body)
