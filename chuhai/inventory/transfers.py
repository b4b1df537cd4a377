"""Inbound shipment services: create, ship, mark in transit, receive (partially), close.

Each step is one transaction that moves the shipment's status and posts the ledger rows that explain the stock
change as ONE movement group, through the same conditional balance update as every other stock change
(:func:`chuhai.inventory.stock._conditional_update`), so shipping can never take the source below what is
available and receiving can never take more off ``inbound`` than is there. The shipment row is locked
(``select_for_update``; SQLite's IMMEDIATE transactions serialise writers) so two clicks cannot receive twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.catalog.models import Product

from . import stock
from .inbound import InboundLine, InboundShipment, InboundStatus, TransportMode
from .ledger import MovementKind, StockState
from .stock import Posting

RECEIVABLE = (InboundStatus.SHIPPED, InboundStatus.IN_TRANSIT, InboundStatus.PARTIALLY_RECEIVED)
CLOSABLE = (*RECEIVABLE, InboundStatus.RECEIVED)


class InboundExists(ValueError):
    """An inbound shipment with that reference already exists."""


class TransitionRefused(ValueError):
    """The shipment's state refuses the step (shipping a received shipment, receiving more than is outstanding)."""


@dataclass(frozen=True)
class Discrepancy:
    """A line that did not arrive in full, as found when the shipment was closed."""

    sku: str
    shipped: int
    received: int
    missing: int


def _quantities(lines: Mapping[str, int] | Iterable[tuple[str, int]]) -> dict[str, int]:
    """``{sku: qty}`` or ``[(sku, qty), ...]`` → ``{sku: total qty}``, every quantity a positive whole number."""
    items = lines.items() if isinstance(lines, Mapping) else lines
    totals: dict[str, int] = {}
    for sku, qty in items:
        stock.positive_quantity(qty)
        totals[sku] = totals.get(sku, 0) + qty
    if not totals:
        raise ValueError(_("a shipment needs at least one line"))
    return totals


def _products(skus: Iterable[str]) -> dict[str, Product]:
    skus = list(skus)
    found = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    missing = [sku for sku in skus if sku not in found]
    if missing:
        raise ValueError(_("unknown SKU %(skus)s") % {"skus": ", ".join(repr(s) for s in missing)})
    bundles = [sku for sku, p in found.items() if p.is_bundle]
    if bundles:
        raise ValueError(_("%(skus)s is a bundle: ship its component SKUs") % {"skus": ", ".join(bundles)})
    return found


def _next_reference() -> str:
    last = InboundShipment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"IB-{last + 1:05d}"


def _locked(shipment: InboundShipment | str) -> InboundShipment:
    """The shipment re-read under a row lock, so its status is current for the rest of the transaction."""
    reference = shipment if isinstance(shipment, str) else shipment.reference
    found = (InboundShipment.objects.select_for_update().select_related("from_warehouse", "to_warehouse")
             .filter(reference=reference).first())
    if found is None:
        raise ValueError(_("unknown inbound shipment %(reference)s") % {"reference": repr(reference)})
    return found


def _require(shipment: InboundShipment, allowed: tuple[str, ...], action: str) -> None:
    """``action``: ship, mark in transit, receive or close (each refusal is its own sentence for translators)."""
    if shipment.status not in allowed:
        messages = {
            "ship": _("cannot ship %(reference)s: it is %(status)s"),
            "mark in transit": _("cannot mark in transit %(reference)s: it is %(status)s"),
            "receive": _("cannot receive %(reference)s: it is %(status)s"),
            "close": _("cannot close %(reference)s: it is %(status)s"),
        }
        raise TransitionRefused(messages[action] % {"reference": shipment.reference,
                                             "status": shipment.get_status_display()})


def create(from_warehouse, to_warehouse, mode: str, lines, *, reference: str = "", carrier: str = "",
           tracking: str = "", eta=None, user=None) -> InboundShipment:
    """A draft shipment: nothing moves until it is shipped. ``lines`` is ``{sku: qty}`` (repeated SKUs add up)."""
    if from_warehouse.pk == to_warehouse.pk:
        raise ValueError(_("the source and destination warehouse must differ"))
    if mode not in TransportMode.values:
        raise ValueError(_("unknown mode %(mode)s; choose one of %(choices)s") % {
            "mode": repr(mode), "choices": ", ".join(TransportMode.values)})
    quantities = _quantities(lines)
    products = _products(quantities)
    for attempt in range(5):
        try:
            with transaction.atomic():
                shipment = InboundShipment.objects.create(
                    reference=reference.strip() or _next_reference(), from_warehouse=from_warehouse,
                    to_warehouse=to_warehouse, mode=mode, carrier=carrier, tracking=tracking, eta=eta,
                    created_by=user)
                for sku, qty in quantities.items():
                    InboundLine.objects.create(shipment=shipment, product=products[sku], qty_shipped=qty)
                return shipment
        except IntegrityError:
            if reference.strip():
                raise InboundExists(_("inbound shipment %(reference)s already exists") % {
                    "reference": repr(reference.strip())}) from None
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def ship(shipment: InboundShipment | str, user=None) -> InboundShipment:
    """The goods leave: −on_hand at the source (refused unless that many are available, nothing written then) and
    +inbound at the destination, as transfer_out / transfer_in rows of one movement group."""
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, (InboundStatus.DRAFT,), "ship")
        postings: list[Posting] = []
        for line in shipment.lines.select_related("product"):
            postings += [
                Posting(line.product, shipment.from_warehouse, MovementKind.TRANSFER_OUT, StockState.ON_HAND,
                        -line.qty_shipped),
                Posting(line.product, shipment.to_warehouse, MovementKind.TRANSFER_IN, StockState.INBOUND,
                        line.qty_shipped),
            ]
        reason = _("inbound %(reference)s shipped to %(warehouse)s") % {
            "reference": shipment.reference, "warehouse": shipment.to_warehouse.code}
        stock.post_group(postings, reason=reason, reference=shipment.reference, user=user)
        shipment.status = InboundStatus.SHIPPED
        shipment.shipped_at = timezone.now()
        shipment.save(update_fields=["status", "shipped_at", "updated_at"])
    return shipment


def mark_in_transit(shipment: InboundShipment | str, user=None) -> InboundShipment:
    """The carrier has it (e.g. the vessel sailed). Status only: the units are already inbound."""
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, (InboundStatus.SHIPPED,), "mark in transit")
        shipment.status = InboundStatus.IN_TRANSIT
        shipment.save(update_fields=["status", "updated_at"])
    return shipment


def receive(shipment: InboundShipment | str, lines, user=None) -> InboundShipment:
    """Units arrive at the destination: inbound → on_hand, one movement group. Partial receipts are fine; taking
    in more than is still outstanding on a line (or a SKU not on the shipment) is refused with nothing written."""
    quantities = _quantities(lines)
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, RECEIVABLE, "receive")
        by_sku = {line.product.sku: line for line in shipment.lines.select_related("product")}
        unknown = [sku for sku in quantities if sku not in by_sku]
        if unknown:
            raise ValueError(_("%(skus)s is not on inbound shipment %(reference)s") % {
                "skus": ", ".join(unknown), "reference": shipment.reference})
        postings: list[Posting] = []
        for sku, qty in quantities.items():
            line = by_sku[sku]
            if qty > line.outstanding:
                raise TransitionRefused(_("over-receipt refused: %(qty)s of %(sku)s received but only %(outstanding)s of "
                                   "%(shipped)s shipped on %(reference)s are outstanding") % {
                    "qty": qty, "sku": sku, "outstanding": line.outstanding, "shipped": line.qty_shipped,
                    "reference": shipment.reference})
            postings += [
                Posting(line.product, shipment.to_warehouse, MovementKind.RECEIPT, StockState.INBOUND, -qty),
                Posting(line.product, shipment.to_warehouse, MovementKind.RECEIPT, StockState.ON_HAND, qty),
            ]
            line.qty_received += qty
            line.save(update_fields=["qty_received"])
        reason = _("inbound %(reference)s received from %(warehouse)s") % {
            "reference": shipment.reference, "warehouse": shipment.from_warehouse.code}
        stock.post_group(postings, reason=reason, reference=shipment.reference, user=user)
        complete = all(line.outstanding == 0 for line in by_sku.values())
        shipment.status = InboundStatus.RECEIVED if complete else InboundStatus.PARTIALLY_RECEIVED
        shipment.received_at = timezone.now()
        shipment.save(update_fields=["status", "received_at", "updated_at"])
    return shipment


def close(shipment: InboundShipment | str, note: str = "", user=None) -> list[Discrepancy]:
    """Nothing more will arrive: what is still inbound is written off with a logged adjustment (one movement
    group), each short line keeps a discrepancy note, and the discrepancies are returned."""
    with transaction.atomic():
        shipment = _locked(shipment)
        _require(shipment, CLOSABLE, "close")
        found: list[Discrepancy] = []
        postings: list[Posting] = []
        for line in shipment.lines.select_related("product"):
            missing = line.outstanding
            if not missing:
                continue
            found.append(Discrepancy(line.product.sku, line.qty_shipped, line.qty_received, missing))
            postings.append(Posting(line.product, shipment.to_warehouse, MovementKind.ADJUSTMENT, StockState.INBOUND,
                                    -missing))
            text = _("%(missing)s of %(shipped)s not received; written off at close") % {
                "missing": missing, "shipped": line.qty_shipped}
            line.discrepancy = f"{text}: {note.strip()}"[:500] if note.strip() else text
            line.save(update_fields=["discrepancy"])
        if postings:
            summary = ", ".join(f"{d.sku} −{d.missing}" for d in found)
            reason = _("inbound %(reference)s closed short: %(summary)s") % {
                "reference": shipment.reference, "summary": summary}
            if note.strip():
                reason += f" ({note.strip()})"
            stock.post_group(postings, reason=reason[:500], reference=shipment.reference, user=user)
        shipment.status = InboundStatus.CLOSED
        shipment.closed_at = timezone.now()
        shipment.save(update_fields=["status", "closed_at", "updated_at"])
    return found


def shipments(status: str | None = None):
    """Inbound shipments, newest first, with warehouses and lines loaded."""
    rows = InboundShipment.objects.select_related("from_warehouse", "to_warehouse").prefetch_related(
        "lines__product")
    return rows.filter(status=status) if status else rows
