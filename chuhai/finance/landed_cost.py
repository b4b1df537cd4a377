"""Landed cost: first-leg freight, duty, customs and clearance fees, packaging put onto an inbound shipment's units.

A :class:`~chuhai.finance.cost_layers.LandedCharge` belongs to one inbound shipment and is spread over its lines by
its ``basis``: weight (``weight_g`` × units), volume (L × W × H × units), value (purchase cost × units, in the base
currency) or quantity (units). Each line's share is kept to six decimals and the last line takes the rounding
remainder, so the amounts allocated add up to the charge exactly. :func:`chuhai.finance.cogs.rebuild_costs` adds
the per-unit result to the cost layers the shipment creates at its destination.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from chuhai.core.models import CompanySettings
from chuhai.core.money import normalize_currency
from chuhai.inventory.inbound import InboundShipment

from .cost_layers import AllocationBasis, ChargeKind, LandedCharge
from .fx import FxConverter, FxRateMissing

PLACES = Decimal("0.000001")
ZERO = Decimal(0)


def q6(value: Decimal) -> Decimal:
    """Six decimals, half up: the precision of every stored unit cost."""
    return Decimal(value).quantize(PLACES, rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` over ``weights`` proportionally, each share rounded to six decimals; the last share takes
    the remainder so the shares add up to ``amount`` exactly. All weights zero (no weights, volumes or costs
    recorded) → equal weights."""
    if not weights:
        return []
    total = sum(weights, ZERO)
    if total <= 0:
        weights, total = [Decimal(1)] * len(weights), Decimal(len(weights))
    shares = [q6(amount * w / total) for w in weights[:-1]]
    shares.append(amount - sum(shares, ZERO))
    return shares


@dataclass(frozen=True)
class ProductFacts:
    """What allocation needs of a product (plain values, so the replay can cache them without ORM objects)."""

    weight_g: int | None
    volume_mm3: int | None
    cost: Decimal | None
    currency: str


def product_facts(product) -> ProductFacts:
    volume = None
    if product.length_mm and product.width_mm and product.height_mm:
        volume = product.length_mm * product.width_mm * product.height_mm
    return ProductFacts(product.weight_g, volume, product.purchase_cost, product.cost_currency or "")


def basis_weight(basis: str, facts: ProductFacts, qty: int, converter: FxConverter, base: str,
                 day: dt.date) -> Decimal:
    """The line's weight in the split of a charge allocated by ``basis`` (missing data counts as 0)."""
    if basis == AllocationBasis.WEIGHT:
        return Decimal((facts.weight_g or 0) * qty)
    if basis == AllocationBasis.VOLUME:
        return Decimal((facts.volume_mm3 or 0) * qty)
    if basis == AllocationBasis.VALUE:
        if facts.cost is None or not facts.currency:
            return ZERO
        try:
            return converter.convert(facts.cost, facts.currency, base, day) * qty
        except FxRateMissing:
            return ZERO
    return Decimal(qty)


def charge_base_amount(charge: LandedCharge, converter: FxConverter, base: str) -> Decimal:
    """The charge in the base currency at its ``incurred_on`` rate (the stored figure when no rate is known)."""
    try:
        return converter.convert(charge.amount, charge.currency, base, charge.incurred_on)
    except FxRateMissing:
        if charge.base_amount is not None:
            return charge.base_amount
        raise


@dataclass
class PreviewLine:
    product_id: int
    sku: str
    qty: int
    share: Decimal = ZERO  # of the shipment's whole landed cost, 0..1
    allocated: Decimal = ZERO  # base currency, all charges
    per_unit: Decimal = ZERO  # base currency, six decimals
    by_charge: dict[int, Decimal] = field(default_factory=dict)


def allocate_lines(lines: list[tuple[int, str, int, ProductFacts]], charges: list[tuple[int, str, Decimal, dt.date]],
                   converter: FxConverter, base: str) -> list[PreviewLine]:
    """Pure allocation: ``lines`` (product id, SKU, units, facts) in a fixed order, ``charges`` (id, basis, amount
    in base currency, date). Returns one :class:`PreviewLine` per line."""
    out = [PreviewLine(pid, sku, qty) for pid, sku, qty, _facts in lines]
    for charge_id, basis, amount, day in charges:
        weights = [basis_weight(basis, facts, qty, converter, base, day) for _p, _s, qty, facts in lines]
        for line, share in zip(out, allocate(amount, weights), strict=True):
            line.by_charge[charge_id] = share
            line.allocated += share
    total = sum((line.allocated for line in out), ZERO)
    for line in out:
        line.share = (line.allocated / total) if total else ZERO
        line.per_unit = q6(line.allocated / line.qty) if line.qty else ZERO
    return out


def _shipment(shipment: InboundShipment | str) -> InboundShipment:
    if isinstance(shipment, InboundShipment):
        return shipment
    found = InboundShipment.objects.filter(reference=shipment).first()
    if found is None:
        raise ValueError(_("unknown inbound shipment %(reference)s") % {"reference": repr(shipment)})
    return found


def allocation_preview(shipment: InboundShipment | str, converter: FxConverter | None = None) -> list[PreviewLine]:
    """How the shipment's landed charges spread over its lines: share, amount and landed cost per unit."""
    shipment = _shipment(shipment)
    converter = converter or FxConverter()
    base = CompanySettings.load().base_currency
    lines = [(line.product_id, line.product.sku, line.qty_shipped, product_facts(line.product))
             for line in shipment.lines.select_related("product").order_by("product__sku", "id")]
    charges = []
    for charge in shipment.landed_charges.order_by("incurred_on", "id"):
        try:
            amount = charge_base_amount(charge, converter, base)
        except FxRateMissing:
            amount = ZERO
        charges.append((charge.pk, charge.basis, amount, charge.incurred_on))
    return allocate_lines(lines, charges, converter, base)


def add_charge(shipment: InboundShipment | str, kind: str, amount: Decimal, currency: str, incurred_on: dt.date,
               basis: str = AllocationBasis.WEIGHT, note: str = "", user=None) -> LandedCharge:
    """Record a landed cost of a shipment (converted to the base currency at ``incurred_on``'s rate; a missing
    rate raises :class:`~chuhai.finance.fx.FxRateMissing` naming what to add)."""
    shipment = _shipment(shipment)
    if kind not in ChargeKind.values:
        raise ValueError(_("unknown charge %(kind)s; choose one of %(choices)s") % {
            "kind": repr(kind), "choices": ", ".join(ChargeKind.values)})
    if basis not in AllocationBasis.values:
        raise ValueError(_("unknown allocation basis %(basis)s; choose one of %(choices)s") % {
            "basis": repr(basis), "choices": ", ".join(AllocationBasis.values)})
    if isinstance(amount, float):
        raise TypeError("amounts are Decimal, never float")
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValueError(_("a landed charge cannot be negative"))
    currency = normalize_currency(currency)
    base = CompanySettings.load().base_currency
    base_amount = q6(FxConverter().convert(amount, currency, base, incurred_on))
    charge = LandedCharge(shipment=shipment, kind=kind, amount=amount, currency=currency, incurred_on=incurred_on,
                          basis=basis, base_amount=base_amount, note=(note or "").strip()[:300],
                          created_by=user if getattr(user, "pk", None) else None)
    if getattr(user, "pk", None):
        charge._history_user = user
    charge.full_clean()
    with transaction.atomic():
        charge.save()
    return charge


def delete_charge(charge: LandedCharge | int, user=None) -> None:
    """Remove a charge (history keeps it). The cost layers change at the next ``rebuild_costs``."""
    if not isinstance(charge, LandedCharge):
        charge = LandedCharge.objects.get(pk=charge)
    if getattr(user, "pk", None):
        charge._history_user = user
    charge.delete()
