"""Allocation: which warehouse's stock each order holds, kept in step with the order's life.

An order arriving (imported, or entered by hand) reserves its units; a cancellation releases them; shipping turns
them into an outbound movement. :func:`sync_order` / :func:`sync_orders` compare what the order needs now with the
reservations it holds and post the difference, so running them again changes nothing.

Where stock comes from:
- merchant and 3PL orders: the account's :class:`~chuhai.inventory.channel_rules.AllocationRule` (an ordered list
  of warehouses, each maybe limited to some ship-to countries); the first warehouse that can ship the whole order
  wins, and only a rule with ``allow_split`` lets an order take units from several. An account with no rule may
  draw on every active non-FBA warehouse, those in the ship-to country first, domestic last for overseas buyers.
- FBA orders: the rule's FBA warehouse.
- dropship orders and credit documents: not stock-tracked.

Every balance change is a conditional UPDATE (``... WHERE on_hand - reserved >= q``) followed by its ledger rows in
the caller's transaction; the plan is made from balances read in the same transaction, and if another writer got
there first the UPDATE refuses, the order's changes are undone and it is planned again from fresh figures. The
CHECK constraints on the balance table are the backstop: no code path can oversell.

An order that arrives already shipped, that chuhai never saw open, was shipped outside chuhai: it takes its units
off the ledger only when it was bought after the warehouse's stock ledger began (older orders are history from
before stock was tracked, and must not drain today's stock).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.catalog.models import BundleComponent
from chuhai.core.bulk import insert_rows
from chuhai.orders.models import DocumentType, FulfilmentChannel, ItemStatus, OrderStatus

from .channel_rules import AllocationRule
from .ledger import MovementKind, StockBalance, StockMovement, StockState
from .models import Warehouse, WarehouseType
from .reservations import AllocationStatus, OrderAllocation, Reservation, ReservationStatus
from .stock import InsufficientStock

OPEN_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED})
SHIPPED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED,
                              OrderStatus.REFUNDED})
STOCKED_TYPES = (WarehouseType.DOMESTIC, WarehouseType.OVERSEAS_3PL)
BATCH = 500
MOVEMENT_FIELDS = ("product_id", "warehouse_id", "kind", "state", "quantity", "reason", "reference", "user_id",
                   "created_at", "group")
RESERVATION_FIELDS = ("order_line_id", "product_id", "warehouse_id", "quantity", "status", "created_at",
                      "updated_at")

# -- where an account may take stock from -----------------------------------------------------------------------


def _rule(account) -> AllocationRule | None:
    try:
        return account.allocation_rule
    except AllocationRule.DoesNotExist:
        return None


def _default_warehouses(ship_country: str | None) -> list[Warehouse]:
    warehouses = list(Warehouse.objects.filter(is_active=True, type__in=STOCKED_TYPES).order_by("code"))
    if not ship_country:
        return sorted(warehouses, key=lambda w: (w.type == WarehouseType.DOMESTIC, w.code))

    def rank(w: Warehouse) -> tuple:
        if w.country == ship_country:
            return (0, w.code)
        return (2 if w.type == WarehouseType.DOMESTIC else 1, w.code)

    return sorted(warehouses, key=rank)


def candidate_warehouses(account, ship_country: str | None) -> list[Warehouse]:
    """The warehouses a merchant-fulfilled order of ``account`` to ``ship_country`` may ship from, in order."""
    rule = _rule(account)
    if rule is None:
        return _default_warehouses(ship_country)
    return [step.warehouse for step in rule.steps.select_related("warehouse").order_by("position")
            if step.warehouse.is_active and step.serves(ship_country)]


def eligible_warehouses(account) -> list[Warehouse]:
    """Every warehouse whose stock the channel may sell (any ship-to country): what the channel is shown."""
    rule = _rule(account)
    if rule is None:
        return _default_warehouses(None)
    return [step.warehouse for step in rule.steps.select_related("warehouse").order_by("position")
            if step.warehouse.is_active]


def fba_warehouse(account) -> Warehouse | None:
    rule = _rule(account)
    return rule.fba_warehouse if rule is not None else None


# -- the balance primitives (raw SQL: the import path runs them for every line) --------------------------------

_BALANCE = StockBalance._meta.db_table


def _execute(sql: str, params: tuple) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=_BALANCE), params)
        return cursor.rowcount


def _reserve(product_id: int, warehouse_id: int, qty: int) -> bool:
    return _execute("UPDATE {table} SET reserved = reserved + %s "
                    "WHERE product_id = %s AND warehouse_id = %s AND on_hand - reserved >= %s",
                    (qty, product_id, warehouse_id, qty)) == 1


def _unreserve(product_id: int, warehouse_id: int, qty: int) -> bool:
    return _execute("UPDATE {table} SET reserved = reserved - %s "
                    "WHERE product_id = %s AND warehouse_id = %s AND reserved >= %s",
                    (qty, product_id, warehouse_id, qty)) == 1


def _ship_reserved(product_id: int, warehouse_id: int, qty: int) -> bool:
    return _execute("UPDATE {table} SET reserved = reserved - %s, on_hand = on_hand - %s "
                    "WHERE product_id = %s AND warehouse_id = %s AND reserved >= %s AND on_hand >= %s",
                    (qty, qty, product_id, warehouse_id, qty, qty)) == 1


def _ship_free(product_id: int, warehouse_id: int, qty: int) -> bool:
    return _execute("UPDATE {table} SET on_hand = on_hand - %s "
                    "WHERE product_id = %s AND warehouse_id = %s AND on_hand - reserved >= %s",
                    (qty, product_id, warehouse_id, qty)) == 1


def _available(product_ids: Iterable[int], warehouse_ids: Iterable[int] | None = None) -> dict[tuple[int, int], int]:
    """``{(product, warehouse): on hand − reserved}`` for the products (in the warehouses, default all), one raw
    query per 500 products: the import path asks for every batch of orders."""
    product_ids = sorted(set(product_ids))
    found: dict[tuple[int, int], int] = {}
    where_wh = ""
    wh_params: list[int] = []
    if warehouse_ids is not None:
        wh_params = sorted(set(warehouse_ids))
        if not wh_params:
            return found
        where_wh = f" AND warehouse_id IN ({', '.join(['%s'] * len(wh_params))})"
    with connection.cursor() as cursor:
        for start in range(0, len(product_ids), 500):
            chunk = product_ids[start:start + 500]
            cursor.execute(f"SELECT product_id, warehouse_id, on_hand - reserved FROM {_BALANCE} "
                           f"WHERE product_id IN ({', '.join(['%s'] * len(chunk))}){where_wh}", [*chunk, *wh_params])
            for product_id, warehouse_id, free in cursor.fetchall():
                found[(product_id, warehouse_id)] = free
    return found


# -- the work of one sync: ledger rows and reservations collected, written in bulk ------------------------------


@dataclass
class _Journal:
    """What a sync writes besides balance updates, flushed in bulk: the import path allocates thousands of orders."""

    user: object = None
    movements: list[StockMovement] = field(default_factory=list)
    new_reservations: list[Reservation] = field(default_factory=list)
    status_changes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    allocations: dict[int, tuple[str, str]] = field(default_factory=dict)
    now: object = field(default_factory=timezone.now)

    def move(self, product_id, warehouse_id, kind, deltas: dict[str, int], reference: str, reason: str = "") -> None:
        group = uuid.uuid4()
        for state, qty in deltas.items():
            self.movements.append(StockMovement(
                product_id=product_id, warehouse_id=warehouse_id, kind=kind, state=state, quantity=qty,
                reference=reference[:200], reason=reason[:500], group=group, created_at=self.now))

    def flush(self) -> None:
        if self.movements:
            user_id = self.user.pk if self.user is not None else None
            as_uuid = (lambda g: g.hex) if connection.vendor == "sqlite" else (lambda g: g)
            insert_rows(StockMovement, MOVEMENT_FIELDS, (
                (m.product_id, m.warehouse_id, m.kind, m.state, m.quantity, m.reason, m.reference, user_id,
                 m.created_at, as_uuid(m.group)) for m in self.movements))
        if self.new_reservations:
            insert_rows(Reservation, RESERVATION_FIELDS, (
                (r.order_line_id, r.product_id, r.warehouse_id, r.quantity, r.status, self.now, self.now)
                for r in self.new_reservations))
        for status, ids in self.status_changes.items():
            for start in range(0, len(ids), 500):
                Reservation.objects.filter(pk__in=ids[start:start + 500]).update(status=status, updated_at=self.now)
        if self.allocations:
            OrderAllocation.objects.bulk_create(
                [OrderAllocation(order_id=pk, status=status, message=message[:500])
                 for pk, (status, message) in self.allocations.items()],
                update_conflicts=True, unique_fields=["order"], update_fields=["status", "message", "updated_at"],
                batch_size=1000)
        self.movements, self.new_reservations = [], []
        self.status_changes, self.allocations = defaultdict(list), {}


def reference_of(order) -> str:
    return f"order:{order.account.code}:{order.external_id}"


class _Components:
    """Bundle → components (nested bundles expanded), cached for a sync."""

    def __init__(self):
        self.bundles: dict[int, list[tuple[int, int]]] | None = None

    def _load(self) -> None:
        direct: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for bundle_id, component_id, qty in BundleComponent.objects.values_list("bundle_id", "component_id",
                                                                                "quantity"):
            direct[bundle_id].append((component_id, qty))
        self.bundles = direct

    def of(self, product_id: int) -> list[tuple[int, int]]:
        if self.bundles is None:
            self._load()
        totals: dict[int, int] = defaultdict(int)

        def expand(pid: int, mult: int, path: tuple) -> None:
            if pid in path:
                raise ValueError(_("bundle %(id)s contains itself") % {"id": pid})
            parts = self.bundles.get(pid)
            if not parts:
                totals[pid] += mult
                return
            for component_id, qty in parts:
                expand(component_id, mult * qty, (*path, pid))

        expand(product_id, 1, ())
        return sorted(totals.items())


# -- planning ---------------------------------------------------------------------------------------------------


def _plan(needs: list[tuple[int, int, int]], warehouse_ids: list[int], avail: dict, allow_split: bool
          ) -> list[tuple[int, int, int, int]] | None:
    """``needs`` = [(line_id, product_id, qty)] → [(line_id, product_id, warehouse_id, qty)], or None when the
    stock cannot cover them: one warehouse for everything, or (split allowed) each unit from the first
    warehouse in order that has it."""
    total: dict[int, int] = defaultdict(int)
    for _line, product_id, qty in needs:
        total[product_id] += qty
    for warehouse_id in warehouse_ids:
        if all(avail.get((product_id, warehouse_id), 0) >= qty for product_id, qty in total.items()):
            return [(line, product_id, warehouse_id, qty) for line, product_id, qty in needs]
    if not allow_split:
        return None
    left = {key: avail.get(key, 0) for key in ((p, w) for p in total for w in warehouse_ids)}
    plan = []
    for line, product_id, qty in needs:
        for warehouse_id in warehouse_ids:
            take = min(qty, left[(product_id, warehouse_id)])
            if take > 0:
                plan.append((line, product_id, warehouse_id, take))
                left[(product_id, warehouse_id)] -= take
                qty -= take
            if not qty:
                break
        if qty:
            return None
    return plan


def _describe_short(needs, warehouses: list[Warehouse], avail: dict, skus: dict[int, str]) -> str:
    total: dict[int, int] = defaultdict(int)
    for _line, product_id, qty in needs:
        total[product_id] += qty
    parts = []
    for product_id, qty in sorted(total.items(), key=lambda item: skus.get(item[0], "")):
        have = ", ".join(_("%(warehouse)s %(count)s") % {"warehouse": w.code, "count": avail.get((product_id, w.pk), 0)}
                         for w in warehouses) or _("no warehouse")
        parts.append(_("%(sku)s: %(needed)s needed (%(have)s available)") % {
            "sku": skus.get(product_id, product_id), "needed": qty, "have": have})
    return _("not enough stock — %(details)s") % {"details": "; ".join(parts)}


# -- syncing orders -------------------------------------------------------------------------------------------------


class _Syncer:
    """Syncs a batch of orders of any accounts, with rules, bundle expansions and warehouse starts cached."""

    def __init__(self, user=None):
        self.journal = _Journal(user=user if getattr(user, "pk", None) else None)
        self.components = _Components()
        self.rules: dict[int, AllocationRule | None] = {}
        self.candidates: dict[tuple[int, str], list[Warehouse]] = {}
        self.ledger_start: dict[int, object] | None = None
        self.skus: dict[int, str] = {}
        self._short_message = ""
        #: (product, warehouse) → units free, as of our own last write; refreshed whenever an UPDATE refuses.
        self.free: dict[tuple[int, int], int] = {}
        self.free_known: set[int] = set()
        self.counts: dict[str, int] = defaultdict(int)

    # cached lookups
    def prefetch(self, product_ids: Iterable[int], refresh: bool = False) -> None:
        """Load what is free of these products in every warehouse (one query per 500 products)."""
        wanted = set(product_ids) if refresh else set(product_ids) - self.free_known
        if not wanted:
            return
        for key in [k for k in self.free if k[0] in wanted]:
            del self.free[key]
        self.free.update(_available(wanted))
        self.free_known |= wanted

    def prefetch_lines(self, batch) -> None:
        ids = set()
        for _order, lines, _held in batch:
            for line in lines:
                if line.product_id is not None:
                    ids.update(p for p, _q in self.components.of(line.product_id))
        self.prefetch(ids)

    def rule(self, account) -> AllocationRule | None:
        if account.pk not in self.rules:
            self.rules[account.pk] = (AllocationRule.objects.select_related("fba_warehouse")
                                      .filter(account=account).first())
        return self.rules[account.pk]

    def warehouses_for(self, order) -> list[Warehouse]:
        if order.fulfilment_channel == FulfilmentChannel.FBA:
            rule = self.rule(order.account)
            return [rule.fba_warehouse] if rule and rule.fba_warehouse else []
        key = (order.account_id, order.ship_country or "")
        if key not in self.candidates:
            self.candidates[key] = candidate_warehouses(order.account, order.ship_country or None)
        return self.candidates[key]

    def tracked_since(self, warehouse_id: int):
        if self.ledger_start is None:
            self.ledger_start = dict(StockMovement.objects.order_by().values("warehouse_id").annotate(
                first=Min("created_at")).values_list("warehouse_id", "first"))
        return self.ledger_start.get(warehouse_id)

    # one order
    def sync(self, order, lines: list, reservations: list[Reservation]) -> str:
        """Post what ``order`` needs now; return its allocation status (also journaled)."""
        if order.document_type == DocumentType.CREDIT or order.fulfilment_channel == FulfilmentChannel.DROPSHIP:
            return self._set(order, AllocationStatus.NOT_TRACKED, "not stock-tracked (credit note or dropship)")
        held: dict[int, list[Reservation]] = defaultdict(list)
        for r in reservations:
            held[r.order_line_id].append(r)
        reference = reference_of(order)
        order_cancelled = order.status == OrderStatus.CANCELLED
        order_shipped = order.status in SHIPPED_STATUSES
        to_reserve: list = []
        to_ship_free: list = []
        unmapped = False
        for line in lines:
            rows = held.get(line.pk, [])
            active = [r for r in rows if r.status == ReservationStatus.RESERVED]
            cancelled = order_cancelled or line.item_status == ItemStatus.CANCELLED or line.quantity <= 0
            shipped = not cancelled and (order_shipped or line.item_status == ItemStatus.SHIPPED)
            if cancelled:
                for r in active:
                    self._release(r, reference, _("order cancelled"))
            elif shipped:
                for r in active:
                    self._ship(r, reference)
                if not rows:
                    to_ship_free.append(line)
            elif not rows:
                if line.product_id is None:
                    unmapped = True
                else:
                    to_reserve.append(line)
        warehouses = self.warehouses_for(order)
        status, message = None, ""
        if to_reserve:
            if not warehouses:
                status, message = AllocationStatus.NO_WAREHOUSE, self._no_warehouse_message(order)
            elif not self._reserve_lines(order, to_reserve, warehouses, reference):
                status, message = AllocationStatus.SHORT, self._short_message
        if to_ship_free:
            shipped_free = self._ship_untracked(order, to_ship_free, warehouses, reference)
            if not shipped_free and not held and status is None and not unmapped:
                return AllocationStatus.NOT_TRACKED  # history from before stock was tracked: no row to keep
        if status is None and unmapped:
            status, message = AllocationStatus.UNMAPPED, _("a line's channel SKU is not mapped to a product")
        if status is None:
            if order_cancelled or all(line.item_status == ItemStatus.CANCELLED for line in lines):
                status = AllocationStatus.RELEASED
            elif order_shipped or all(line.item_status != ItemStatus.OPEN for line in lines):
                status = AllocationStatus.SHIPPED
            else:
                status = AllocationStatus.ALLOCATED
        return self._set(order, status, message)

    def _set(self, order, status: str, message: str = "") -> str:
        self.journal.allocations[order.pk] = (status, message)
        self.counts[status] += 1
        return status

    @staticmethod
    def _no_warehouse_message(order) -> str:
        if order.fulfilment_channel == FulfilmentChannel.FBA:
            return _("set the FBA warehouse of %(account)s on its allocation rule") % {"account": order.account.code}
        return _("no active warehouse serves ship-to country %(country)s for %(account)s") % {
            "country": order.ship_country or "?", "account": order.account.code}

    def _release(self, r: Reservation, reference: str, reason: str) -> None:
        if not _unreserve(r.product_id, r.warehouse_id, r.quantity):
            raise InsufficientStock(_("reservation %(id)s is not held by the balance; run `chuhai stock rebuild`")
                                    % {"id": r.pk})
        self.journal.move(r.product_id, r.warehouse_id, MovementKind.RELEASE, {StockState.RESERVED: -r.quantity},
                          reference, reason)
        key = (r.product_id, r.warehouse_id)
        if key in self.free:
            self.free[key] += r.quantity
        self.journal.status_changes[ReservationStatus.RELEASED].append(r.pk)
        r.status = ReservationStatus.RELEASED

    def _ship(self, r: Reservation, reference: str) -> None:
        if not _ship_reserved(r.product_id, r.warehouse_id, r.quantity):
            raise InsufficientStock(_("reservation %(id)s is not held by the balance; run `chuhai stock rebuild`")
                                    % {"id": r.pk})
        self.journal.move(r.product_id, r.warehouse_id, MovementKind.SHIPMENT,
                          {StockState.RESERVED: -r.quantity, StockState.ON_HAND: -r.quantity}, reference)
        self.journal.status_changes[ReservationStatus.SHIPPED].append(r.pk)
        r.status = ReservationStatus.SHIPPED

    def _needs(self, lines) -> list[tuple[int, int, int]]:
        needs = []
        for line in lines:
            for product_id, per_unit in self.components.of(line.product_id):
                needs.append((line.pk, product_id, per_unit * line.quantity))
        return needs

    def _reserve_lines(self, order, lines, warehouses: list[Warehouse], reference: str) -> bool:
        needs = self._needs(lines)
        warehouse_ids = [w.pk for w in warehouses]
        rule = self.rule(order.account)
        allow_split = bool(rule and rule.allow_split and order.fulfilment_channel != FulfilmentChannel.FBA)
        products = {p for _l, p, _q in needs}
        fresh = False
        for attempt in range(3):
            if attempt:
                self.prefetch(products, refresh=True)
                fresh = True
            else:
                fresh = not products <= self.free_known
                self.prefetch(products)
            plan = _plan(needs, warehouse_ids, self.free, allow_split)
            if plan is None and not fresh:  # the cache may be behind a release by someone else: look again
                self.prefetch(products, refresh=True)
                fresh = True
                plan = _plan(needs, warehouse_ids, self.free, allow_split)
            if plan is None:
                self._short_message = _describe_short(needs, warehouses, self.free, self._skus(needs))
                return False
            applied = []
            for _line, product_id, warehouse_id, qty in plan:
                if not _reserve(product_id, warehouse_id, qty):
                    break  # someone else took it since we read: undo ours and plan again from fresh figures
                applied.append((product_id, warehouse_id, qty))
            else:
                merged: dict[tuple[int, int, int], int] = defaultdict(int)
                for line_id, product_id, warehouse_id, qty in plan:
                    merged[(line_id, product_id, warehouse_id)] += qty
                    self.free[(product_id, warehouse_id)] -= qty
                for (line_id, product_id, warehouse_id), qty in merged.items():
                    self.journal.new_reservations.append(Reservation(
                        order_line_id=line_id, product_id=product_id, warehouse_id=warehouse_id, quantity=qty))
                    self.journal.move(product_id, warehouse_id, MovementKind.RESERVE, {StockState.RESERVED: qty},
                                      reference)
                return True
            for product_id, warehouse_id, qty in applied:
                _unreserve(product_id, warehouse_id, qty)
        self._short_message = _("stock kept changing while allocating; try again")
        return False

    def _ship_untracked(self, order, lines, warehouses: list[Warehouse], reference: str) -> bool:
        """Lines shipped outside chuhai: take their units off the first warehouse that has them, if the order was
        bought after that warehouse's ledger began. Returns whether anything was taken."""
        candidates = [w for w in warehouses
                      if (start := self.tracked_since(w.pk)) is not None and order.purchased_at >= start]
        if not candidates or any(line.product_id is None for line in lines):
            return False
        needs = self._needs(lines)
        self.prefetch({p for _l, p, _q in needs})
        plan = _plan(needs, [w.pk for w in candidates], self.free, allow_split=True)
        if plan is None:
            return False
        merged: dict[tuple[int, int, int], int] = defaultdict(int)
        for line_id, product_id, warehouse_id, qty in plan:
            if not _ship_free(product_id, warehouse_id, qty):
                raise InsufficientStock(_("stock changed while shipping order %(order)s; try again") % {
                    "order": order.external_id})
            merged[(line_id, product_id, warehouse_id)] += qty
            self.free[(product_id, warehouse_id)] -= qty
            self.journal.move(product_id, warehouse_id, MovementKind.SHIPMENT, {StockState.ON_HAND: -qty},
                              reference, _("shipped outside chuhai"))
        for (line_id, product_id, warehouse_id), qty in merged.items():
            self.journal.new_reservations.append(Reservation(
                order_line_id=line_id, product_id=product_id, warehouse_id=warehouse_id, quantity=qty,
                status=ReservationStatus.SHIPPED))
        return True

    def _skus(self, needs) -> dict[int, str]:
        from chuhai.catalog.models import Product

        missing = {p for _l, p, _q in needs if p not in self.skus}
        if missing:
            self.skus.update(Product.objects.filter(pk__in=missing).values_list("pk", "sku"))
        return self.skus


def _batches(orders) -> Iterable[list]:
    """Orders in batches with their lines and reservations, two queries per batch."""
    from chuhai.orders.models import Order, OrderLine

    if isinstance(orders, list):
        ids = [o if isinstance(o, int) else o.pk for o in orders]
    else:
        ids = list(orders.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        batch = list(Order.objects.filter(pk__in=chunk).select_related("account").order_by("pk"))
        lines: dict[int, list] = defaultdict(list)
        for line in OrderLine.objects.filter(order_id__in=chunk).order_by("order_id", "line_no"):
            lines[line.order_id].append(line)
        held: dict[int, list] = defaultdict(list)
        for r in Reservation.objects.filter(order_line__order_id__in=chunk).select_related("order_line"):
            held[r.order_line.order_id].append(r)
        yield [(order, lines[order.pk], held[order.pk]) for order in batch]


def needing_sync(orders) -> list[int]:
    """Ids of the orders of a queryset that may have stock to move: open ones, ones holding reservations, and
    shipped ones bought after the stock ledger began. Three plain queries rather than one with an EXISTS per
    order: PostgreSQL, without statistics on half a million freshly imported rows, planned that one for minutes."""
    ids = set(orders.filter(status__in=OPEN_STATUSES).order_by().values_list("pk", flat=True))
    if Reservation.objects.exists():
        ids.update(Reservation.objects.filter(order_line__order__in=orders.order_by().values("pk"))
                   .order_by().values_list("order_line__order_id", flat=True))
    ledger_start = StockMovement.objects.aggregate(first=Min("created_at"))["first"]
    if ledger_start is not None:
        ids.update(orders.filter(status__in=SHIPPED_STATUSES, purchased_at__gte=ledger_start).order_by()
                   .values_list("pk", flat=True))
    return sorted(ids)


def sync_orders(orders, user=None) -> dict[str, int]:
    """Allocate, release or ship stock for many orders (a queryset or a list), e.g. every order an import created
    or updated. Runs in the caller's transaction if there is one. Returns counts per allocation status."""
    if not isinstance(orders, list):
        orders = needing_sync(orders)
    syncer = _Syncer(user)
    with transaction.atomic():
        for batch in _batches(orders):
            syncer.prefetch_lines(batch)
            for order, lines, reservations in batch:
                syncer.sync(order, lines, reservations)
            syncer.journal.flush()
    return dict(syncer.counts)


def sync_order(order, user=None) -> OrderAllocation:
    """Bring one order's reservations in line with its status and items; returns its allocation."""
    sync_orders([order], user=user)
    return OrderAllocation.objects.get(order=order)


def allocate_waiting(user=None) -> dict[str, int]:
    """Try again for orders that were waiting for stock, a mapping or a warehouse (after a receipt, a mapping, a
    new rule). Oldest orders first, so stock goes to whoever ordered first."""
    from chuhai.orders.models import Order

    waiting = Order.objects.filter(allocation__status__in=[
        AllocationStatus.SHORT, AllocationStatus.UNMAPPED, AllocationStatus.NO_WAREHOUSE]).order_by("purchased_at")
    ids = list(waiting.values_list("pk", flat=True))
    syncer = _Syncer(user)
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            chunk = set(ids[start:start + BATCH])
            for batch in _batches(Order.objects.filter(pk__in=chunk)):
                syncer.prefetch_lines(batch)
                for order, lines, reservations in sorted(batch, key=lambda item: item[0].purchased_at):
                    syncer.sync(order, lines, reservations)
                syncer.journal.flush()
    return dict(syncer.counts)


def _line_status(status: str) -> str:
    """An order line's status as a message names it: the code in English, a word in other languages."""
    names = {ItemStatus.SHIPPED: _("shipped"),
             ItemStatus.CANCELLED: _("cancelled"),
             ItemStatus.OPEN: _("open")}
    return names.get(status, status)


def ship_lines(order, lines=None, user=None) -> list[StockMovement]:
    """``lines`` (default: every open line) leave the warehouse: reserved units become shipment movements.
    A line that holds no reservation is reserved first (by the account's rule) and then shipped; when no
    warehouse can cover it, :class:`InsufficientStock` says which SKU is short and nothing is written."""
    from chuhai.orders.models import OrderLine

    lines = list(lines) if lines is not None else list(order.lines.filter(item_status=ItemStatus.OPEN))
    if not lines:
        raise ValueError(_("order %(order)s has no open line to ship") % {"order": order.external_id})
    for line in lines:
        if line.item_status != ItemStatus.OPEN or line.quantity <= 0:
            raise ValueError(_("line %(line)s of order %(order)s is %(status)s, not open") % {
                "line": line.line_no, "order": order.external_id, "status": _line_status(line.item_status)})
        if line.product_id is None:
            raise ValueError(_("line %(line)s of order %(order)s: channel SKU %(channel_sku)s is not mapped to a "
                               "product") % {"line": line.line_no, "order": order.external_id,
                                            "channel_sku": line.channel_sku})
    syncer = _Syncer(user)
    reference = reference_of(order)
    with transaction.atomic():
        ids = [line.pk for line in lines]
        held = list(Reservation.objects.filter(order_line_id__in=ids, status=ReservationStatus.RESERVED))
        covered = {r.order_line_id for r in held}
        missing = [line for line in lines if line.pk not in covered]
        if missing:
            warehouses = syncer.warehouses_for(order)
            if not warehouses:
                raise InsufficientStock(syncer._no_warehouse_message(order))
            if not syncer._reserve_lines(order, missing, warehouses, reference):
                raise InsufficientStock(_("order %(order)s: %(message)s") % {
                    "order": order.external_id, "message": syncer._short_message})
            syncer.journal.flush()
            held = list(Reservation.objects.filter(order_line_id__in=ids, status=ReservationStatus.RESERVED))
        for r in held:
            syncer._ship(r, reference)
        movements = list(syncer.journal.movements)
        syncer.journal.flush()
        OrderLine.objects.filter(pk__in=ids).update(item_status=ItemStatus.SHIPPED)
        still_open = order.lines.filter(item_status=ItemStatus.OPEN).exists()
        OrderAllocation.objects.update_or_create(order=order, defaults={
            "status": AllocationStatus.ALLOCATED if still_open else AllocationStatus.SHIPPED, "message": ""})
    return movements


def release_order(order, reason: str = "", user=None) -> int:
    """Give back everything ``order`` holds (cancelled, or moved to another fulfilment); returns units released."""
    syncer = _Syncer(user)
    reference = reference_of(order)
    with transaction.atomic():
        held = list(Reservation.objects.filter(order_line__order=order, status=ReservationStatus.RESERVED))
        for r in held:
            syncer._release(r, reference, reason or _("released"))
        syncer._set(order, AllocationStatus.RELEASED, reason)
        syncer.journal.flush()
    return sum(r.quantity for r in held)
