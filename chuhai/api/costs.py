"""Costs: ``GET /costs/inventory-value`` and ``GET/POST /inbound/{reference}/landed-charges``.

Finance data: reading needs ``finance.access_finance``, adding a landed charge ``finance.add_landedcharge``.
Amounts are decimal strings in the base currency (``currency``); ``value`` is rounded to the currency's minor
unit, unit costs keep their six decimals. A charge is converted at its date's rate (a missing rate is a 422 naming
what to add); cost layers take it at the next ``chuhai costs rebuild``.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from chuhai.core.models import CompanySettings
from chuhai.finance.cogs import inventory_value
from chuhai.finance.cost_layers import AllocationBasis, ChargeKind
from chuhai.finance.landed_cost import add_charge, allocation_preview
from chuhai.inventory.inbound import InboundShipment
from chuhai.inventory.models import Warehouse

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, CurrencyCode, DecimalText, ErrorOut, money, plain

router = Router(tags=["finance"])

VIEW_PERM = "finance.access_finance"


class ValueRowOut(Schema):
    sku: str
    warehouse: str
    units: int
    unit_cost: str = Field(description="Average cost per unit left, base currency, six decimals.")
    value: str
    currency: str


class ValueOut(Schema):
    currency: str
    total: str
    items: list[ValueRowOut]


class ValueFilters(Schema):
    warehouse: str | None = Field(None, description="Warehouse code.")


@router.get("/costs/inventory-value", response={200: ValueOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def get_inventory_value(request, filters: Query[ValueFilters]):
    """Units, unit cost and value left in the cost layers per product × warehouse (as of the last cost rebuild).
    Requires ``finance.access_finance``."""
    warehouse = None
    if filters.warehouse:
        warehouse = get_or_404(Warehouse.objects, f"No warehouse {filters.warehouse!r}.", code=filters.warehouse)
    rows = inventory_value(warehouse=warehouse)
    base = CompanySettings.load().base_currency
    total = sum((r.value for r in rows), 0)
    return {"currency": base, "total": money(total, base),
            "items": [{"sku": r.sku, "warehouse": r.warehouse, "units": r.units, "unit_cost": plain(r.unit_cost),
                       "value": money(r.value, r.currency), "currency": r.currency} for r in rows]}


class ChargeOut(Schema):
    id: int
    kind: ChargeKind
    amount: str
    currency: str
    incurred_on: dt.date
    basis: AllocationBasis
    base_amount: str | None
    note: str

    @staticmethod
    def resolve_amount(obj) -> str:
        return plain(obj.amount)

    @staticmethod
    def resolve_base_amount(obj) -> str | None:
        return plain(obj.base_amount)


class AllocationOut(Schema):
    sku: str
    units: int
    share: str = Field(description="Share of the shipment's landed cost, 0..1.")
    allocated: str = Field(description="Base currency, six decimals; the lines add up to the charges exactly.")
    per_unit: str


class LandedOut(Schema):
    shipment: str
    currency: str
    charges: list[ChargeOut]
    allocation: list[AllocationOut]


class ChargeIn(Schema):
    kind: ChargeKind
    amount: DecimalText
    currency: CurrencyCode
    incurred_on: dt.date
    basis: AllocationBasis = AllocationBasis.WEIGHT
    note: str = Field("", max_length=300)


def _shipment(reference: str) -> InboundShipment:
    return get_or_404(InboundShipment.objects, f"No inbound shipment {reference!r}.", reference=reference)


@router.get("/inbound/{reference}/landed-charges", response={200: LandedOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def list_landed_charges(request, reference: str):
    """An inbound shipment's landed charges and how they spread over its lines. Requires
    ``finance.access_finance``."""
    shipment = _shipment(reference)
    return {
        "shipment": shipment.reference,
        "currency": CompanySettings.load().base_currency,
        "charges": list(shipment.landed_charges.order_by("incurred_on", "id")),
        "allocation": [{"sku": p.sku, "units": p.qty, "share": plain(round(p.share, 6)),
                        "allocated": plain(p.allocated), "per_unit": plain(p.per_unit)}
                       for p in allocation_preview(shipment)],
    }


@router.post("/inbound/{reference}/landed-charges", response={201: ChargeOut, 404: ErrorOut, **WRITE_ERRORS},
             auth=needs("finance.add_landedcharge"))
def add_landed_charge(request, reference: str, payload: ChargeIn):
    """Add a landed charge (freight, duty, customs, packaging...) to an inbound shipment. Requires
    ``finance.add_landedcharge``."""
    shipment = _shipment(reference)
    with service_errors("This landed charge exists already."):
        charge = add_charge(shipment, payload.kind, payload.amount, payload.currency, payload.incurred_on,
                            payload.basis, payload.note, user=request.auth)
    return Status(201, charge)
