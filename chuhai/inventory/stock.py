"""Stock services: the only way balances change, always together with the ledger rows that explain them.

Every change is ONE conditional UPDATE of the cached balance (``... WHERE on_hand - reserved >= q``) followed by
the ledger rows, in one transaction. Never read-then-write: two requests for the last unit cannot both see it
free, because the database re-checks the condition while it holds the row (PostgreSQL) or the write lock
(SQLite, IMMEDIATE transactions). The CHECK constraints on :class:`StockBalance` are the backstop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from chuhai.catalog.models import Product

from .ledger import MovementKind, StockBalance, StockMovement, StockState
from .models import Warehouse

STATES = tuple(StockState.values)  # on_hand, reserved, inbound, unsellable
#: States an adjustment may touch; reservations move only through reserve/release/ship.
ADJUSTABLE_STATES = (StockState.ON_HAND, StockState.INBOUND, StockState.UNSELLABLE)


class InsufficientStock(ValueError):
    """The movement would take a state below zero or leave fewer units on hand than are reserved."""


def state_name(state: str) -> str:
    """A stock state as error messages name it: the code in English (``on_hand``), a word in other languages."""
    names = {
        StockState.ON_HAND: _("on_hand"),
        StockState.RESERVED: _("reserved"),
        StockState.INBOUND: _("inbound"),
        StockState.UNSELLABLE: _("unsellable"),
    }
    return names.get(state, state)


def positive_quantity(qty: int) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
        raise ValueError(_("quantity must be a whole number greater than 0, not %(value)s") % {"value": repr(qty)})
    return qty


def _conditional_update(product, warehouse, deltas: dict[str, int]) -> int:
    """Apply ``deltas`` to the balance in one UPDATE whose WHERE guarantees every constraint still holds afterwards.
    Returns the number of rows changed (0 = refused, nothing written)."""
    conditions = [Q(**{f"{state}__gte": -delta}) for state, delta in deltas.items() if delta < 0]
    d_on_hand = deltas.get(StockState.ON_HAND, 0)
    d_reserved = deltas.get(StockState.RESERVED, 0)
    if d_reserved > d_on_hand:  # the change eats into availability: reserved may never exceed on hand
        conditions.append(Q(on_hand__gte=F("reserved") + (d_reserved - d_on_hand)))
    updates = {state: F(state) + delta for state, delta in deltas.items() if delta}
    return StockBalance.objects.filter(*conditions, product=product, warehouse=warehouse).update(**updates)


def _record(product, warehouse, kind: str, deltas: dict[str, int], *, reason: str = "", reference: str = "",
            user=None) -> list[StockMovement]:
    """Change the balance, then write the ledger rows (one per state, one shared group). Caller holds the
    transaction. Raises :class:`InsufficientStock` (and writes nothing) when the balance refuses the change."""
    deltas = {state: delta for state, delta in deltas.items() if delta}
    if any(delta > 0 for delta in deltas.values()):
        StockBalance.objects.get_or_create(product=product, warehouse=warehouse)
    if not _conditional_update(product, warehouse, deltas):
        balance = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
        have = (_("%(on_hand)s on hand, %(reserved)s reserved, %(inbound)s inbound, %(unsellable)s unsellable") % {
            "on_hand": balance.on_hand, "reserved": balance.reserved, "inbound": balance.inbound,
            "unsellable": balance.unsellable} if balance else _("no stock"))
        change = ", ".join(_("%(delta)s %(state)s") % {"delta": f"{delta:+d}", "state": state_name(state)}
                           for state, delta in deltas.items())
        raise InsufficientStock(_("not enough stock of %(sku)s in %(warehouse)s for %(change)s (%(have)s)") % {
            "sku": product.sku, "warehouse": warehouse.code, "change": change, "have": have})
    group = uuid.uuid4()
    rows = [
        StockMovement(product=product, warehouse=warehouse, kind=kind, state=state, quantity=delta, reason=reason,
                      reference=reference, user=user, group=group)
        for state, delta in deltas.items()
    ]
    return StockMovement.objects.bulk_create(rows)


def adjust(product, warehouse, qty: int, reason: str, user=None, state: str = StockState.ON_HAND,
           kind: str = MovementKind.ADJUSTMENT, reference: str = "") -> list[StockMovement]:
    """A correction by a person (or a stock count, an FBA correction): ±qty of one state, with a reason.
    A decrease of on-hand stock may not dip into reserved units."""
    if isinstance(qty, bool) or not isinstance(qty, int) or qty == 0:
        raise ValueError(_("adjustment quantity must be a non-zero whole number, not %(value)s") % {
            "value": repr(qty)})
    if state not in ADJUSTABLE_STATES:
        raise ValueError(_("cannot adjust %(state)s stock; choose one of %(choices)s") % {
            "state": repr(state), "choices": ", ".join(ADJUSTABLE_STATES)})
    if kind not in MovementKind.values or kind in (MovementKind.RESERVE, MovementKind.RELEASE):
        raise ValueError(_("%(kind)s is not an adjustment kind") % {"kind": repr(kind)})
    if not reason or not reason.strip():
        raise ValueError(_("an adjustment needs a reason"))
    with transaction.atomic():
        return _record(product, warehouse, kind, {state: qty}, reason=reason.strip(), reference=reference, user=user)


def receive(product, warehouse, qty: int, reference: str = "", reason: str = "", user=None,
            from_inbound: bool = False) -> list[StockMovement]:
    """Goods arrive and become sellable. ``from_inbound`` also takes them off the in-transit state."""
    qty = positive_quantity(qty)
    deltas = {StockState.ON_HAND: qty}
    if from_inbound:
        deltas[StockState.INBOUND] = -qty
    with transaction.atomic():
        return _record(product, warehouse, MovementKind.RECEIPT, deltas, reason=reason, reference=reference,
                       user=user)


def reserve(product, warehouse, qty: int, reference: str, user=None) -> bool:
    """Promise ``qty`` available units to ``reference`` (an order). False, with nothing written, when fewer than
    ``qty`` are available. One conditional UPDATE: safe under any concurrency."""
    qty = positive_quantity(qty)
    with transaction.atomic():
        changed = StockBalance.objects.filter(
            product=product, warehouse=warehouse, on_hand__gte=F("reserved") + qty,
        ).update(reserved=F("reserved") + qty)
        if not changed:
            return False
        StockMovement.objects.create(product=product, warehouse=warehouse, kind=MovementKind.RESERVE,
                                     state=StockState.RESERVED, quantity=qty, reference=reference, user=user)
    return True


def release(product, warehouse, qty: int, reference: str, reason: str = "", user=None) -> list[StockMovement]:
    """Give back a reservation (order cancelled or moved elsewhere)."""
    qty = positive_quantity(qty)
    with transaction.atomic():
        return _record(product, warehouse, MovementKind.RELEASE, {StockState.RESERVED: -qty}, reason=reason,
                       reference=reference, user=user)


def ship(product, warehouse, qty: int, reference: str, user=None) -> list[StockMovement]:
    """Reserved units leave the warehouse: −reserved and −on_hand, two rows of one movement group."""
    qty = positive_quantity(qty)
    with transaction.atomic():
        return _record(product, warehouse, MovementKind.SHIPMENT,
                       {StockState.RESERVED: -qty, StockState.ON_HAND: -qty}, reference=reference, user=user)


def balances(product=None):
    """Cached balances, per product × warehouse, ordered by SKU then warehouse code."""
    rows = StockBalance.objects.select_related("product", "warehouse").order_by("product__sku", "warehouse__code")
    return rows.filter(product=product) if product is not None else rows


def components(product) -> list[tuple[object, int]]:
    """What selling one ``product`` consumes: itself, or for a bundle its components (nested bundles expanded,
    quantities multiplied, same component merged), as ``[(product, quantity), ...]`` ordered by SKU."""
    totals: dict[int, list] = {}

    def expand(item, multiplier: int, path: tuple[int, ...]) -> None:
        if item.pk in path:
            raise ValueError(_("bundle %(sku)s contains itself") % {"sku": item.sku})
        if not item.is_bundle:
            entry = totals.setdefault(item.pk, [item, 0])
            entry[1] += multiplier
            return
        lines = list(item.components.select_related("component"))
        if not lines:
            raise ValueError(_("bundle %(sku)s has no components") % {"sku": item.sku})
        for line in lines:
            expand(line.component, multiplier * line.quantity, (*path, item.pk))

    expand(product, 1, ())
    return sorted(((p, q) for p, q in totals.values()), key=lambda pair: pair[0].sku)


@dataclass(frozen=True)
class Drift:
    """A cached balance that disagreed with its ledger (and has been set to the ledger's value)."""

    sku: str
    warehouse: str
    state: str
    cached: int
    ledger: int


def _ledger_sums() -> dict[tuple[int, int], dict[str, int]]:
    sums: dict[tuple[int, int], dict[str, int]] = {}
    for row in StockMovement.objects.order_by().values("product_id", "warehouse_id", "state").annotate(
            total=Sum("quantity")):
        sums.setdefault((row["product_id"], row["warehouse_id"]), {})[row["state"]] = row["total"] or 0
    return sums


def rebuild_balances() -> list[Drift]:
    """Recompute every balance from the ledger, fix the ones that differ and report them. Writers are locked out
    meanwhile (PostgreSQL: a table lock; SQLite: the IMMEDIATE transaction's write lock) so in-flight movements
    are never mistaken for drift."""
    found: list[tuple[int, int, str, int, int]] = []
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{StockBalance._meta.db_table}" IN EXCLUSIVE MODE')
        sums = _ledger_sums()
        cached = {(b.product_id, b.warehouse_id): b for b in StockBalance.objects.order_by()}
        changed: list[StockBalance] = []
        new: list[StockBalance] = []
        for key in sums.keys() | cached.keys():
            ledger = sums.get(key, {})
            balance = cached.get(key)
            if balance is None:
                if not any(ledger.values()):
                    continue
                balance = StockBalance(product_id=key[0], warehouse_id=key[1])
                new.append(balance)
            dirty = False
            for state in STATES:
                want = ledger.get(state, 0)
                have = getattr(balance, state)
                if have != want:
                    found.append((key[0], key[1], state, have, want))
                    setattr(balance, state, want)
                    dirty = True
            if dirty and balance.pk:
                changed.append(balance)
        if changed:
            StockBalance.objects.bulk_update(changed, list(STATES), batch_size=1000)
        if new:
            StockBalance.objects.bulk_create(new, batch_size=1000)
    skus = dict(Product.objects.filter(pk__in={f[0] for f in found}).values_list("pk", "sku"))
    codes = dict(Warehouse.objects.filter(pk__in={f[1] for f in found}).values_list("pk", "code"))
    drifts = [Drift(skus[p], codes[w], state, have, want) for p, w, state, have, want in found]
    return sorted(drifts, key=lambda d: (d.sku, d.warehouse, STATES.index(d.state)))


@dataclass(frozen=True)
class Posting:
    """One ledger row to write: ``quantity`` (signed) of ``state`` for a product in a warehouse."""

    product: Product
    warehouse: object
    kind: str
    state: str
    quantity: int


def post_group(postings: list[Posting], *, reason: str, reference: str, user=None) -> list[StockMovement]:
    """Apply postings that may span warehouses (a transfer) to the balances — one conditional UPDATE per product ×
    warehouse — and write them as one movement group. The caller holds the transaction; :class:`InsufficientStock`
    means the caller must roll back."""
    deltas: dict[tuple[int, int], tuple[Product, object, dict[str, int]]] = {}
    for p in postings:
        entry = deltas.setdefault((p.product.pk, p.warehouse.pk), (p.product, p.warehouse, {}))
        entry[2][p.state] = entry[2].get(p.state, 0) + p.quantity
    for product, warehouse, change in deltas.values():
        if any(delta > 0 for delta in change.values()):
            StockBalance.objects.get_or_create(product=product, warehouse=warehouse)
        if not _conditional_update(product, warehouse, change):
            balance = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
            needed = -sum(delta for delta in change.values() if delta < 0)
            if balance is None:
                have = _("no stock")
            elif change.get(StockState.ON_HAND, 0) < 0:
                have = _("%(count)s available") % {"count": balance.available}
            else:
                have = _("%(count)s inbound") % {"count": balance.inbound}
            raise InsufficientStock(_("not enough stock of %(sku)s in %(warehouse)s: %(needed)s needed, %(have)s") % {
                "sku": product.sku, "warehouse": warehouse.code, "needed": needed, "have": have})
    group = uuid.uuid4()
    rows = [StockMovement(product=p.product, warehouse=p.warehouse, kind=p.kind, state=p.state, quantity=p.quantity,
                          reason=reason, reference=reference, user=user, group=group) for p in postings]
    return StockMovement.objects.bulk_create(rows)
