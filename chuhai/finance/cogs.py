"""Cost of goods sold: cost layers and costs of sale replayed from the stock ledger.

What a unit cost is purchase cost plus landed cost (:mod:`chuhai.finance.landed_cost`), in the base currency at the
rate of the day it was incurred. :func:`rebuild_costs` replays the stock ledger in ``(created_at, id)`` order and
rebuilds every :class:`~chuhai.finance.cost_layers.CostLayer` it owns and every
:class:`~chuhai.finance.cost_layers.CostOfSale`, in one transaction, so running it twice changes nothing:

* a **receipt** of new stock takes the cost recorded for it with :func:`record_receipt_cost` (matched by movement
  group, else by reference, product and warehouse; those layers are kept, never deleted), else the product's
  purchase cost converted at the receipt date (no cost at all: unit cost 0, counted as a receipt without cost);
* stock that appears without a receipt (an adjustment or count adding units) becomes an OPENING layer when it is
  the first stock of that product in that warehouse, else an ADJUSTMENT layer, at the product's standard cost;
* a **transfer** (inbound shipment) takes layers out of the source warehouse and creates TRANSFER layers in the
  destination at the same unit cost (``source_layer`` set) plus the shipment's landed charges per unit. The units
  count in the destination's layers from the moment they ship (they are ours while at sea) but only become
  sellable there when the ledger receives them from ``inbound``; what is written off at close leaves the layers;
* a **shipment** to a customer consumes layers FIFO (oldest first) in its warehouse, or at the moving average per
  warehouse (``FinanceSettings.costing_method``), and writes a CostOfSale for the order line (found from the
  movement's ``order:<account>:<external id>`` reference and the product; a bundle's components cost onto the
  bundle's line). Units beyond the layers cost the standard cost with ``layer=None``: an **estimate**;
* a **customer return** restocked to ``on_hand`` becomes a RETURN layer at the unit cost its sale took (never
  today's cost; the order's earliest unreturned units of that product first) with a negative CostOfSale (``is_return``). Returns booked as *unsellable* do not go back to stock
  value: their cost stays in COGS (they are a loss, not inventory);
* other decreases of on-hand stock (write-offs, lost, counts) consume layers without a CostOfSale; their value is
  reported as written off.

Moving average keeps, per product × warehouse, the running units and value; every open layer carries the current
average as its ``unit_cost`` (its purchase and landed fields keep the batch's own figures), so the layers' value
always equals units × average.

Replay-made receipt layers are told apart from explicitly recorded ones by pointing ``source_layer`` at themselves
(the model has no field for it). The ledger is streamed in chunks; layers and costs are written in bulk as the
replay goes; in memory stay the open layers and one small entry per sold portion (to cost returns).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from chuhai.catalog.models import BundleComponent, Product
from chuhai.core.models import CompanySettings
from chuhai.core.money import normalize_currency
from chuhai.inventory.inbound import InboundLine
from chuhai.inventory.ledger import MovementKind, StockMovement, StockState
from chuhai.orders.models import OrderLine

from .cost_layers import CostLayer, CostOfSale, LandedCharge, LayerSource
from .finance_settings import CostingMethod, FinanceSettings
from .fx import FxConverter, FxRateMissing
from .landed_cost import ProductFacts, allocate_lines, charge_base_amount, q6

ZERO = Decimal(0)
ONE = Decimal(1)
CHUNK = 5000
#: Movements between writes: layers made and used up in between are written once, with no update.
FLUSH_EVERY = 25000
ORDER_PREFIX = "order:"
OWNED_SOURCES = (LayerSource.TRANSFER, LayerSource.RETURN, LayerSource.OPENING, LayerSource.ADJUSTMENT)


# -- explicit costs ----------------------------------------------------------------------------------------------

def _aware(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time()))


def record_receipt_cost(product, warehouse, quantity: int, unit_cost: Decimal, currency: str, received_at,
                        reference: str = "", movement_group: uuid.UUID | None = None) -> CostLayer:
    """Record what ``quantity`` units received in ``warehouse`` cost (purchase price per unit in ``currency``).

    The layer keeps the purchase figures as given and carries the base-currency unit cost at the received date's
    rate. :func:`rebuild_costs` keeps it and pairs it with the receipt movement of the same ``movement_group``
    (or the same ``reference``, product and warehouse)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValueError("quantity must be a whole number greater than 0")
    if isinstance(unit_cost, float):
        raise TypeError("amounts are Decimal, never float")
    unit_cost = Decimal(unit_cost)
    if not unit_cost.is_finite() or unit_cost < 0:
        raise ValueError("a unit cost cannot be negative")
    currency = normalize_currency(currency)
    received_at = _aware(received_at)
    base = CompanySettings.load().base_currency
    rate = FxConverter().rate(currency, base, timezone.localdate(received_at))
    return CostLayer.objects.create(
        product=product, warehouse=warehouse, source=LayerSource.RECEIPT, reference=reference or "",
        received_at=received_at, quantity=quantity, remaining=quantity, purchase_unit_cost=unit_cost,
        purchase_currency=currency, purchase_fx_rate=rate, landed_unit_cost=ZERO, unit_cost=q6(unit_cost * rate),
        movement_group=movement_group)


# -- the replay --------------------------------------------------------------------------------------------------

@dataclass
class RebuildSummary:
    method: str = CostingMethod.FIFO
    skipped: bool = False
    movements: int = 0
    layers_created: int = 0
    explicit_layers_used: int = 0
    explicit_layers_unmatched: int = 0
    cost_of_sale_rows: int = 0
    receipts_without_cost: int = 0
    estimated_units: int = 0
    shipments_without_order_line: int = 0
    returns_without_sale: int = 0
    written_off_value: Decimal = ZERO
    unassigned_shipped_value: Decimal = ZERO
    missing_rates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["method"] = str(self.method)
        return data


@dataclass(frozen=True)
class ValueRow:
    product_id: int
    sku: str
    name: str
    warehouse_id: int
    warehouse: str
    units: int
    value: Decimal
    unit_cost: Decimal
    currency: str


class _Layer:
    __slots__ = ("id", "product_id", "warehouse_id", "source", "reference", "received_at", "quantity", "remaining",
                 "transit", "purchase_unit_cost", "purchase_currency", "purchase_fx_rate", "landed_unit_cost",
                 "unit_cost", "source_layer", "movement_group", "replay_receipt")

    def __init__(self, **kw):
        self.id = None
        self.transit = 0
        self.source_layer = None
        self.replay_receipt = False
        self.movement_group = None
        for key, value in kw.items():
            setattr(self, key, value)

    def model(self) -> CostLayer:
        return CostLayer(
            product_id=self.product_id, warehouse_id=self.warehouse_id, source=self.source,
            reference=(self.reference or "")[:200], received_at=self.received_at, quantity=self.quantity,
            remaining=self.remaining, purchase_unit_cost=self.purchase_unit_cost,
            purchase_currency=self.purchase_currency, purchase_fx_rate=self.purchase_fx_rate,
            landed_unit_cost=self.landed_unit_cost, unit_cost=self.unit_cost,
            source_layer_id=self.source_layer.id if self.source_layer is not None else None,
            movement_group=self.movement_group)


@dataclass
class _StdCost:
    unit: Decimal  # base currency per unit, six decimals
    purchase: Decimal
    currency: str
    rate: Decimal
    known: bool


def _split_reference(reference: str) -> tuple[str, str] | None:
    """``order:<account>:<external id>`` → (account code, external id)."""
    if not reference.startswith(ORDER_PREFIX):
        return None
    rest = reference[len(ORDER_PREFIX):]
    code, sep, external = rest.partition(":")
    return (code, external) if sep else None


def _external_id(reference: str) -> str:
    """The order's external id in a shipment reference (``order:ACC:ID``) or a return's order reference (``ID``)."""
    split = _split_reference(reference)
    return split[1] if split else reference


def _bundle_parents() -> dict[int, list[tuple[int, int]]]:
    """component id → [(bundle id, units of the component per bundle)], nested bundles expanded."""
    direct: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for bundle_id, component_id, qty in BundleComponent.objects.values_list("bundle_id", "component_id", "quantity"):
        direct[bundle_id].append((component_id, qty))

    def leaves(bundle_id: int, mult: int, path: tuple[int, ...], out: dict[int, int]) -> None:
        for component_id, qty in direct.get(bundle_id, []):
            if component_id in path:
                continue
            if component_id in direct:
                leaves(component_id, mult * qty, (*path, component_id), out)
            else:
                out[component_id] = out.get(component_id, 0) + mult * qty

    parents: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for bundle_id in direct:
        found: dict[int, int] = {}
        leaves(bundle_id, 1, (bundle_id,), found)
        for component_id, per in found.items():
            parents[component_id].append((bundle_id, per))
    return parents


class _Replay:
    def __init__(self, progress: Callable[[int], None] | None = None):
        self.progress = progress
        self.fx = FxConverter()
        self.base = CompanySettings.load().base_currency
        self.method = FinanceSettings.load().costing_method
        self.average = self.method == CostingMethod.MOVING_AVERAGE
        self.summary = RebuildSummary(method=self.method)
        self.products: dict[int, tuple[Decimal | None, str, ProductFacts]] = {}
        for pid, cost, currency, weight, length, width, height in Product.objects.values_list(
                "id", "purchase_cost", "cost_currency", "weight_g", "length_mm", "width_mm", "height_mm"):
            volume = length * width * height if length and width and height else None
            self.products[pid] = (cost, currency or "", ProductFacts(weight, volume, cost, currency or ""))
        self.bundle_parents = _bundle_parents()
        self.std_cache: dict[tuple[int, dt.date], _StdCost] = {}
        self.queues: dict[tuple[int, int], list[_Layer]] = defaultdict(list)
        self.avg: dict[tuple[int, int], list] = defaultdict(lambda: [0, ZERO])  # units, value
        self.seen: set[tuple[int, int]] = set()
        self.transfers: dict[tuple[uuid.UUID, int], list[tuple[_Layer | None, int, Decimal]]] = defaultdict(list)
        self.released: dict[tuple[uuid.UUID, int, int], int] = defaultdict(int)
        self.sold: dict[tuple[str, int], list[list]] = defaultdict(list)
        self.order_lines: dict[str, list[list] | None] = {}
        self.pending: list[_Layer] = []
        self.dirty: dict[int, _Layer] = {}
        self.costs: dict[tuple, list] = {}
        self.unflushed = 0
        self._load_explicit()
        self._load_landed()

    # -- setup --------------------------------------------------------------------------------------------------
    def _load_explicit(self) -> None:
        self.by_group: dict[uuid.UUID, list[_Layer]] = defaultdict(list)
        self.by_reference: dict[tuple[str, int, int], list[_Layer]] = defaultdict(list)
        self.explicit: list[_Layer] = []
        rows = (CostLayer.objects.filter(source=LayerSource.RECEIPT).exclude(source_layer_id=F("id"))
                .order_by("received_at", "id"))
        for row in rows.iterator(chunk_size=CHUNK):
            layer = _Layer(id=row.id, product_id=row.product_id, warehouse_id=row.warehouse_id, source=row.source,
                           reference=row.reference, received_at=row.received_at, quantity=row.quantity,
                           remaining=row.quantity, purchase_unit_cost=row.purchase_unit_cost,
                           purchase_currency=row.purchase_currency, purchase_fx_rate=row.purchase_fx_rate,
                           landed_unit_cost=row.landed_unit_cost,
                           unit_cost=q6(row.purchase_unit_cost * row.purchase_fx_rate + row.landed_unit_cost),
                           movement_group=row.movement_group)
            self.explicit.append(layer)
            if row.movement_group:
                self.by_group[row.movement_group].append(layer)
            if row.reference:
                self.by_reference[(row.reference, row.product_id, row.warehouse_id)].append(layer)
        self.matched: set[int] = set()

    def _load_landed(self) -> None:
        """Per inbound shipment reference: {product id: landed cost per unit (base currency)}."""
        self.landed: dict[str, dict[int, Decimal]] = {}
        charges: dict[int, list] = defaultdict(list)
        references: dict[int, str] = {}
        for charge in LandedCharge.objects.select_related("shipment").order_by("incurred_on", "id"):
            try:
                amount = charge_base_amount(charge, self.fx, self.base)
            except FxRateMissing as exc:
                self._missing(str(exc))
                amount = ZERO
            charges[charge.shipment_id].append((charge.pk, charge.basis, amount, charge.incurred_on))
            references[charge.shipment_id] = charge.shipment.reference
        lines: dict[int, list] = defaultdict(list)
        for line in InboundLine.objects.filter(shipment_id__in=charges).order_by("product__sku", "id").values_list(
                "shipment_id", "product_id", "product__sku", "qty_shipped"):
            shipment_id, pid, sku, qty = line
            lines[shipment_id].append((pid, sku, qty, self.products[pid][2]))
        for shipment_id, shipment_charges in charges.items():
            preview = allocate_lines(lines.get(shipment_id, []), shipment_charges, self.fx, self.base)
            self.landed[references[shipment_id]] = {p.product_id: p.per_unit for p in preview}

    def _missing(self, message: str) -> None:
        if message not in self.summary.missing_rates and len(self.summary.missing_rates) < 50:
            self.summary.missing_rates.append(message)

    def std(self, product_id: int, day: dt.date) -> _StdCost:
        key = (product_id, day)
        found = self.std_cache.get(key)
        if found is None:
            cost, currency, _facts = self.products.get(product_id, (None, "", None))
            found = _StdCost(ZERO, ZERO, self.base, ONE, False)
            if cost is not None and currency:
                try:
                    rate = self.fx.rate(currency, self.base, day)
                    found = _StdCost(q6(cost * rate), cost, currency, rate, True)
                except FxRateMissing as exc:
                    self._missing(str(exc))
            self.std_cache[key] = found
        return found

    # -- layers -------------------------------------------------------------------------------------------------
    def _touch(self, layer: _Layer) -> None:
        if layer.id is not None:
            self.dirty[layer.id] = layer

    def _add(self, layer: _Layer, *, new: bool = True) -> _Layer:
        key = (layer.product_id, layer.warehouse_id)
        self.seen.add(key)
        self.queues[key].append(layer)
        if new:
            self.pending.append(layer)
            self.summary.layers_created += 1
        if self.average:
            state = self.avg[key]
            state[0] += layer.remaining
            state[1] += layer.remaining * layer.unit_cost
            self._reprice(key)
        return layer

    def _reprice(self, key) -> None:
        """Moving average: every open layer of the product × warehouse carries the running average."""
        units, value = self.avg[key]
        if units <= 0:
            return
        average = q6(value / units)
        for layer in self.queues[key]:
            if layer.remaining and layer.unit_cost != average:
                layer.unit_cost = average
                self._touch(layer)

    def _new_layer(self, product_id, warehouse_id, source, qty, at, reference, group, std: _StdCost | None = None,
                   unit_cost: Decimal | None = None, landed: Decimal = ZERO, source_layer: _Layer | None = None,
                   purchase: tuple[Decimal, str, Decimal] | None = None) -> _Layer:
        if purchase is None:
            purchase = (std.purchase, std.currency, std.rate) if std else (ZERO, self.base, ONE)
        if unit_cost is None:
            unit_cost = std.unit if std else ZERO
        return _Layer(product_id=product_id, warehouse_id=warehouse_id, source=source, reference=reference,
                      received_at=at, quantity=qty, remaining=qty, purchase_unit_cost=purchase[0],
                      purchase_currency=purchase[1], purchase_fx_rate=purchase[2], landed_unit_cost=landed,
                      unit_cost=q6(unit_cost + landed), source_layer=source_layer, movement_group=group)

    def _take(self, key, qty: int, transit: bool = False) -> tuple[list[tuple[_Layer, int, Decimal]], int]:
        """Consume ``qty`` units (on-hand units, or in-transit ones) oldest first. Returns the portions
        (layer, units, unit cost) and the units no layer covered."""
        queue = self.queues.get(key, [])
        portions = []
        average = None
        if self.average:
            units, value = self.avg[key]
            average = q6(value / units) if units > 0 else ZERO
        left = qty
        for layer in queue:
            if not left:
                break
            free = layer.transit if transit else layer.remaining - layer.transit
            if free <= 0:
                continue
            n = min(free, left)
            layer.remaining -= n
            if transit:
                layer.transit -= n
            left -= n
            self._touch(layer)
            portions.append((layer, n, average if average is not None else layer.unit_cost))
        if portions:
            self.queues[key] = [layer for layer in queue if layer.remaining > 0]
            if self.average:
                state = self.avg[key]
                taken = sum(n for _l, n, _c in portions)
                state[0] -= taken
                state[1] = ZERO if state[0] <= 0 else state[1] - taken * average
        return portions, left

    # -- costs of sale ------------------------------------------------------------------------------------------
    def _cost(self, line_id: int, product_id: int, layer: _Layer | None, qty: int, unit_cost: Decimal, at,
              group, is_return: bool = False) -> None:
        key = (line_id, id(layer) if layer is not None else None, is_return, group)
        entry = self.costs.get(key)
        if entry is None:
            self.costs[key] = [line_id, product_id, layer, qty, unit_cost, qty * unit_cost, at, group, is_return]
        else:
            entry[3] += qty
            entry[5] += qty * unit_cost
            entry[4] = q6(entry[5] / entry[3])

    def _lines_of(self, reference: str) -> list[list] | None:
        """[line id, product id, capacity per product id] of the order a shipment reference names."""
        return self.order_lines.get(reference)

    def _preload_orders(self, references: Iterable[str]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for reference in references:
            if reference in self.order_lines:
                continue
            split = _split_reference(reference)
            if split:
                wanted[split[0]].add(split[1])
            self.order_lines[reference] = None
        for code, externals in wanted.items():
            rows = (OrderLine.objects.filter(order__account__code=code, order__external_id__in=externals)
                    .order_by("order_id", "line_no", "id")
                    .values_list("order__external_id", "id", "product_id", "quantity"))
            for external, line_id, product_id, quantity in rows:
                reference = f"{ORDER_PREFIX}{code}:{external}"
                lines = self.order_lines.get(reference) or []
                lines.append([line_id, product_id, abs(quantity or 0), {}])
                self.order_lines[reference] = lines

    def _line_for(self, reference: str, product_id: int, qty: int) -> list[tuple[int, int]]:
        """Split ``qty`` shipped units of ``product_id`` over the order's matching lines: [(line id, units)]."""
        lines = self._lines_of(reference)
        if not lines:
            return []
        parents = {b: per for b, per in self.bundle_parents.get(product_id, [])}
        candidates = []
        for line in lines:
            if line[1] == product_id:
                candidates.append((line, 1))
        if not candidates:
            candidates = [(line, parents[line[1]]) for line in lines if line[1] in parents]
        if not candidates:
            return []
        out: dict[int, int] = defaultdict(int)
        left = qty
        for line, per in candidates:
            used = line[3].get(product_id, 0)
            room = max(line[2] * per - used, 0)
            n = min(room, left)
            if n:
                line[3][product_id] = used + n
                out[line[0]] += n
                left -= n
            if not left:
                break
        if left:
            line = candidates[-1][0]
            line[3][product_id] = line[3].get(product_id, 0) + left
            out[line[0]] += left
        return list(out.items())

    # -- events -------------------------------------------------------------------------------------------------
    def group(self, rows: list[tuple]) -> None:
        # negatives first: what leaves (transfer out, inbound released) is known before what arrives
        for row in sorted(rows, key=lambda r: r[4] > 0):
            self.row(*row)

    def row(self, _id, product_id, warehouse_id, kind, quantity, state, reference, group, at) -> None:
        key = (product_id, warehouse_id)
        day = timezone.localdate(at)
        if state == StockState.INBOUND:
            if kind == MovementKind.TRANSFER_IN and quantity > 0:
                self._transfer_in(key, quantity, reference, group, at, day)
            elif kind == MovementKind.RECEIPT and quantity < 0:
                released, _left = self._take_release(key, -quantity)
                self.released[(group, product_id, warehouse_id)] += released
            elif quantity < 0:  # written off while in transit (inbound closed short)
                portions, _left = self._take(key, -quantity, transit=True)
                self.summary.written_off_value += sum((n * c for _l, n, c in portions), ZERO)
            return
        if state != StockState.ON_HAND:
            return  # reserved is a promise, unsellable carries no value
        if quantity > 0:
            if kind == MovementKind.RECEIPT:
                self._receipt(key, quantity, reference, group, at, day)
            elif kind == MovementKind.CUSTOMER_RETURN:
                self._return(key, quantity, reference, group, at, day)
            else:
                source = LayerSource.ADJUSTMENT if key in self.seen else LayerSource.OPENING
                std = self.std(product_id, day)
                self._add(self._new_layer(product_id, warehouse_id, source, quantity, at, reference, group, std))
            return
        qty = -quantity
        if kind == MovementKind.SHIPMENT:
            self._shipment(key, qty, reference, group, at, day)
        elif kind == MovementKind.TRANSFER_OUT:
            portions, left = self._take(key, qty)
            pool = self.transfers[(group, product_id)]
            pool.extend(portions)
            if left:
                pool.append((None, left, self.std(product_id, day).unit))
        else:
            portions, _left = self._take(key, qty)
            self.summary.written_off_value += sum((n * c for _l, n, c in portions), ZERO)

    def _take_release(self, key, qty: int) -> tuple[int, int]:
        """Units arriving from inbound: their layers' in-transit part becomes on hand (FIFO)."""
        left = qty
        for layer in self.queues.get(key, []):
            if not left:
                break
            n = min(layer.transit, left)
            if n:
                layer.transit -= n
                left -= n
        return qty - left, left

    def _receipt(self, key, qty: int, reference: str, group, at, day) -> None:
        product_id, warehouse_id = key
        new = qty - self.released.pop((group, product_id, warehouse_id), 0)
        if new <= 0:
            return
        candidates = [layer for layer in self.by_group.get(group, ()) if
                      layer.product_id == product_id and layer.warehouse_id == warehouse_id]
        if reference:
            candidates += self.by_reference.get((reference, product_id, warehouse_id), [])
        for layer in candidates:
            if not new:
                break
            if layer.id in self.matched:
                continue
            self.matched.add(layer.id)
            layer.remaining = min(layer.quantity, new)
            new -= layer.remaining
            self.summary.explicit_layers_used += 1
            self._touch(layer)
            self._add(layer, new=False)
        if new > 0:
            std = self.std(product_id, day)
            if not std.known:
                self.summary.receipts_without_cost += 1
            layer = self._new_layer(product_id, warehouse_id, LayerSource.RECEIPT, new, at, reference, group, std)
            layer.replay_receipt = True
            self._add(layer)

    def _transfer_in(self, key, qty: int, reference: str, group, at, day) -> None:
        product_id, warehouse_id = key
        landed = self.landed.get(reference, {}).get(product_id, ZERO)
        pool = self.transfers.get((group, product_id), [])
        left = qty
        while left and pool:
            source, n, unit_cost = pool[0]
            take = min(n, left)
            if take == n:
                pool.pop(0)
            else:
                pool[0] = (source, n - take, unit_cost)
            left -= take
            if source is not None:
                purchase = (source.purchase_unit_cost, source.purchase_currency, source.purchase_fx_rate)
                layer = self._new_layer(product_id, warehouse_id, LayerSource.TRANSFER, take, at, reference, group,
                                        unit_cost=unit_cost, landed=landed, source_layer=source, purchase=purchase)
                layer.landed_unit_cost = q6(source.landed_unit_cost + landed) if not self.average else landed
            else:
                std = self.std(product_id, day)
                layer = self._new_layer(product_id, warehouse_id, LayerSource.TRANSFER, take, at, reference, group,
                                        std=std, unit_cost=unit_cost, landed=landed)
            layer.transit = take
            self._add(layer)
        if left:
            std = self.std(product_id, day)
            layer = self._new_layer(product_id, warehouse_id, LayerSource.TRANSFER, left, at, reference, group,
                                    std=std, landed=landed)
            layer.transit = left
            self._add(layer)
        if not pool:
            self.transfers.pop((group, product_id), None)

    def _shipment(self, key, qty: int, reference: str, group, at, day) -> None:
        product_id, _warehouse_id = key
        portions, left = self._take(key, qty)
        if left:
            portions.append((None, left, self.std(product_id, day).unit))
            self.summary.estimated_units += left
        lines = self._line_for(reference, product_id, qty)
        if not lines:
            self.summary.shipments_without_order_line += 1
            self.summary.unassigned_shipped_value += sum((n * c for _l, n, c in portions), ZERO)
            return
        external = _external_id(reference)
        # walk the portions (oldest layer first) across the lines in order
        queue = [list(p) for p in portions]
        for line_id, units in lines:
            while units and queue:
                layer, n, unit_cost = queue[0]
                take = min(n, units)
                self._cost(line_id, product_id, layer, take, unit_cost, at, group)
                self.sold[(external, product_id)].append([line_id, layer, unit_cost, take])
                units -= take
                queue[0][1] -= take
                if not queue[0][1]:
                    queue.pop(0)

    def _return(self, key, qty: int, reference: str, group, at, day) -> None:
        product_id, warehouse_id = key
        entries = self.sold.get((_external_id(reference), product_id), [])
        left = qty
        for entry in entries:
            if not left:
                break
            line_id, source, unit_cost, available = entry
            n = min(available, left)
            if not n:
                continue
            entry[3] -= n
            left -= n
            if source is not None:
                purchase = (source.purchase_unit_cost, source.purchase_currency, source.purchase_fx_rate)
                layer = self._new_layer(product_id, warehouse_id, LayerSource.RETURN, n, at, reference, group,
                                        unit_cost=unit_cost, source_layer=source, purchase=purchase)
            else:
                layer = self._new_layer(product_id, warehouse_id, LayerSource.RETURN, n, at, reference, group,
                                        std=self.std(product_id, day), unit_cost=unit_cost)
            self._add(layer)
            self._cost(line_id, product_id, layer, -n, unit_cost, at, group, is_return=True)
        if left:
            self.summary.returns_without_sale += 1
            self._add(self._new_layer(product_id, warehouse_id, LayerSource.RETURN, left, at, reference, group,
                                      std=self.std(product_id, day)))

    # -- writing ------------------------------------------------------------------------------------------------
    def flush(self) -> None:
        pending, self.pending = self.pending, []
        while pending:
            ready = [layer for layer in pending if layer.source_layer is None or layer.source_layer.id is not None]
            if not ready:  # cannot happen (a source is always older), but never loop forever
                ready = pending
            ready_ids = {id(layer) for layer in ready}
            pending = [layer for layer in pending if id(layer) not in ready_ids]
            for start in range(0, len(ready), 1000):
                batch = ready[start:start + 1000]
                made = CostLayer.objects.bulk_create([layer.model() for layer in batch])
                for layer, row in zip(batch, made, strict=True):
                    layer.id = row.pk
                marked = [layer.id for layer in batch if layer.replay_receipt]
                if marked:
                    CostLayer.objects.filter(pk__in=marked).update(source_layer_id=F("id"))
        if self.dirty:
            _execute_many(CostLayer, "UPDATE {table} SET {remaining} = %s, {unit_cost} = %s WHERE {id} = %s",
                          ("remaining", "unit_cost", "id"),
                          [(layer.remaining, layer.unit_cost, layer.id) for layer in self.dirty.values()])
            self.dirty = {}
        if self.costs:
            rows = [(line_id, product_id, layer.id if layer is not None else None, qty, q6(unit_cost), q6(amount),
                     is_return, at, group)
                    for line_id, product_id, layer, qty, unit_cost, amount, at, group, is_return in self.costs.values()
                    if qty]
            names = ("order_line_id", "product_id", "layer_id", "quantity", "unit_cost", "amount", "is_return", "at",
                     "movement_group")
            columns = ", ".join("{" + n + "}" for n in names)
            marks = ", ".join(["%s"] * len(names))
            _execute_many(CostOfSale, f"INSERT INTO {{table}} ({columns}) VALUES ({marks})", names, rows)
            self.summary.cost_of_sale_rows += len(rows)
            self.costs = {}

    def run(self) -> RebuildSummary:
        rows = (StockMovement.objects.order_by("created_at", "id")
                .exclude(state=StockState.RESERVED)
                .values_list("id", "product_id", "warehouse_id", "kind", "quantity", "state", "reference", "group",
                             "created_at"))
        chunk: list[tuple] = []
        for row in rows.iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) >= CHUNK:
                chunk = self._chunk(chunk, final=False)
        self._chunk(chunk, final=True)
        self.summary.explicit_layers_unmatched = sum(1 for layer in self.explicit if layer.id not in self.matched)
        return self.summary

    def _chunk(self, chunk: list[tuple], final: bool) -> list[tuple]:
        """Process whole movement groups of ``chunk``; the last group waits for the next chunk unless ``final``."""
        carry: list[tuple] = []
        if not final and chunk:
            last = chunk[-1][7]
            while chunk and chunk[-1][7] == last:
                carry.insert(0, chunk.pop())
            if not chunk:  # one huge group: process it anyway
                chunk, carry = carry, []
        self._preload_orders({r[6] for r in chunk if r[3] == MovementKind.SHIPMENT})
        current, rows = None, []
        for row in chunk:
            if row[7] != current and rows:
                self.group(rows)
                rows = []
            current = row[7]
            rows.append(row)
        if rows:
            self.group(rows)
        self.summary.movements += len(chunk)
        self.unflushed += len(chunk)
        if final or self.unflushed >= FLUSH_EVERY:
            self.flush()
            self.unflushed = 0
        if len(self.order_lines) > 50 * CHUNK:
            self.order_lines.clear()
        if self.progress:
            self.progress(len(chunk))
        return carry


def _execute_many(model, template: str, names: tuple[str, ...], rows: list[tuple], batch: int = 2000) -> None:
    """One prepared statement for many rows (far cheaper than the ORM's bulk paths for plain rows). ``template``
    names the table and columns as ``{table}`` and ``{field name}``; values are prepared by the model's fields."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name.removesuffix("_id") if name.endswith("_id") and name != "id" else name)
              for name in names]
    sql = template.format(table=quote(model._meta.db_table), **{n: quote(f.column) for n, f in zip(names, fields,
                                                                                                 strict=True)})
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, [tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True))
                                     for row in rows[start:start + batch]])


def _changed_since(since) -> bool:
    since = _aware(since)
    return (StockMovement.objects.filter(created_at__gte=since).exists()
            or LandedCharge.objects.filter(created_at__gte=since).exists()
            or CostLayer.objects.filter(created_at__gte=since, source=LayerSource.RECEIPT)
            .exclude(source_layer_id=F("id")).exists())


def rebuild_costs(since=None, progress: Callable[[int], None] | None = None) -> RebuildSummary:
    """Replay the stock ledger into cost layers and costs of sale (see the module docstring). Idempotent.

    ``since`` (date or datetime) makes a scheduled run cheap: when no movement, landed charge or recorded receipt
    cost is newer, nothing is done (``summary.skipped``). A run is always a full replay, because what is left of
    a layer depends on its whole history. ``progress(n)`` is called with the movements processed per chunk."""
    if since is not None and not _changed_since(since):
        return RebuildSummary(method=FinanceSettings.load().costing_method, skipped=True)
    with transaction.atomic():
        # Foreign keys are checked at commit (deferred), so one DELETE may remove layers that point at each other.
        # Explicitly recorded receipt layers never point at an owned one and are kept.
        for queryset in (CostOfSale.objects.all(), CostLayer.objects.filter(
                Q(source__in=OWNED_SOURCES) | Q(source=LayerSource.RECEIPT, source_layer_id=F("id")))):
            queryset._raw_delete(queryset.db)
        CostLayer.objects.filter(source=LayerSource.RECEIPT).update(remaining=F("quantity"))
        replay = _Replay(progress)
        summary = replay.run()
    return summary


def inventory_value(warehouse=None, product=None) -> list[ValueRow]:
    """What is left in the cost layers per product × warehouse: units, value and average unit cost (base
    currency), by SKU then warehouse code. Summed in Python so no database turns the money into floats."""
    qs = CostLayer.objects.filter(remaining__gt=0)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if product is not None:
        qs = qs.filter(product=product)
    base = CompanySettings.load().base_currency
    totals: dict[tuple[int, int], list] = {}
    for pid, wid, sku, name, code, remaining, unit_cost in qs.order_by().values_list(
            "product_id", "warehouse_id", "product__sku", "product__name_en", "warehouse__code", "remaining",
            "unit_cost").iterator(chunk_size=CHUNK):
        entry = totals.setdefault((pid, wid), [sku, name, code, 0, ZERO])
        entry[3] += remaining
        entry[4] += remaining * unit_cost
    rows = [ValueRow(pid, sku, name or sku, wid, code, units, q6(value), q6(value / units) if units else ZERO, base)
            for (pid, wid), (sku, name, code, units, value) in totals.items()]
    return sorted(rows, key=lambda r: (r.sku, r.warehouse))


def line_costs(order_line_ids: Iterable[int]) -> dict[int, tuple[Decimal, bool]]:
    """COGS per order line in the base currency (sales minus returns) and whether any of it is an estimate
    (units that no cost layer covered, costed at the standard cost). Lines without costs are absent."""
    ids = list(order_line_ids)
    out: dict[int, tuple[Decimal, bool]] = {}
    for start in range(0, len(ids), 1000):
        for line_id, amount, layer_id in CostOfSale.objects.filter(
                order_line_id__in=ids[start:start + 1000]).values_list("order_line_id", "amount", "layer_id"):
            total, estimated = out.get(line_id, (ZERO, False))
            out[line_id] = (total + amount, estimated or layer_id is None)
    return out
