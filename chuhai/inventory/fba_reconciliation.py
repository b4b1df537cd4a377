"""FBA reconciliation: what Amazon's inventory report says it holds for an account, against what our stock ledger
says is in that account's FBA warehouse — every difference listed and classified, and the ledger corrected only
when a person asks for it (:func:`apply_corrections`), with their name, their reason and a reference on every
movement. Nothing here runs on import: a report with a glitch must never silently rewrite the ledger.

What is compared, per product (SKUs mapped through the account's listings, else our own SKU; a bundle SKU counts
as its components, as the ledger keeps bundles):

- **sellable**: Amazon's ``fulfillable + reserved`` against our ``on_hand``. Amazon's *reserved* units are still
  physically in its fulfilment centres — mostly customer orders being picked and packed, plus transfers between
  centres and units in processing — and are not in *fulfillable*. Our ``on_hand`` likewise still contains the units
  reserved for orders that have not shipped (our ``reserved`` is a part of ``on_hand``, not an addition), so we
  compare it as it is, minus nothing. Comparing ``fulfillable`` alone would report every order in progress as a
  lost unit, and "correcting" it would lose stock for real when the order ships.
- **unsellable**: Amazon's ``unsellable`` against our ``unsellable``.
- **inbound**: Amazon's ``inbound working + shipped + receiving`` against our ``inbound``. These differences are
  usually timing (a shipment plan created at Amazon but not yet shipped in chuhai, a receipt not yet recorded);
  they are listed as their own kind and never corrected unless explicitly chosen.

Each SKU is read from its latest snapshot on or before the reconciliation date (a SKU missing from the latest
report keeps its last known figures; its row says "as of" which day). Products the ledger holds in the FBA
warehouse that no report mentions count as zero at Amazon.

Classification (:class:`DifferenceKind`): ledger sellable above Amazon's → *lost*; Amazon's unsellable above the
ledger's → *damaged*; any other sellable/unsellable gap (Amazon holds units the ledger does not know of: found
units, returns not yet processed; or unsellable units removed or disposed of without a ledger record) →
*unaccounted*; inbound gaps → *inbound*; a report SKU that maps to none of our products → *unmapped* (map it,
then reconcile again).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chuhai.catalog.models import Listing, Product

from .ledger import MovementKind, StockBalance, StockMovement, StockState
from .models import FbaInventorySnapshot, Warehouse
from .stock import adjust, components, state_name

ON_HAND, UNSELLABLE, INBOUND = StockState.ON_HAND.value, StockState.UNSELLABLE.value, StockState.INBOUND.value
#: The ledger states compared, in display order.
STATES = (ON_HAND, UNSELLABLE, INBOUND)
#: Corrected when no state is named: inbound gaps are timing more often than loss.
DEFAULT_STATES = (ON_HAND, UNSELLABLE)


class DifferenceKind:
    LOST = "lost"
    DAMAGED = "damaged"
    UNACCOUNTED = "unaccounted"
    INBOUND = "inbound"
    UNMAPPED = "unmapped"

    LABELS = {
        LOST: _("Lost (ledger has more sellable units than Amazon)"),
        DAMAGED: _("Damaged (Amazon has more unsellable units)"),
        UNACCOUNTED: _("Unaccounted (Amazon holds sellable units the ledger lacks, or the ledger holds unsellable "
                       "units Amazon no longer reports)"),
        INBOUND: _("Inbound figures differ (usually a shipment not yet shipped or received in chuhai)"),
        UNMAPPED: _("The report SKU maps to none of our products: map it, then reconcile again"),
    }
    SHORT_LABELS = {
        LOST: _("Lost"),
        DAMAGED: _("Damaged"),
        UNACCOUNTED: _("Unaccounted"),
        INBOUND: _("Inbound"),
        UNMAPPED: _("Unmapped"),
    }


class NoFbaWarehouse(ValueError):
    """The account has no FBA warehouse in its allocation rule: there is no ledger to compare with."""


class NoSnapshot(ValueError):
    """No FBA inventory report has been imported for the account (on or before the date asked for)."""


class StaleReconciliation(ValueError):
    """The ledger or the report changed since the differences were shown; review them again before applying."""


@dataclass(frozen=True)
class Difference:
    """One gap between Amazon and the ledger for one product (or one unmapped report SKU) and one stock state.
    ``correction`` is what :func:`apply_corrections` would post (``amazon - ledger``)."""

    kind: str
    sku: str
    state: str
    amazon: int
    ledger: int
    channel_skus: tuple[str, ...] = ()
    as_of: dt.date | None = None
    product: Product | None = None
    #: For context: units Amazon is researching (lost or misplaced in a fulfilment centre, may still turn up).
    researching: int = 0

    @property
    def correction(self) -> int:
        return self.amazon - self.ledger

    @property
    def correctable(self) -> bool:
        return self.product is not None and self.kind != DifferenceKind.UNMAPPED

    @property
    def key(self) -> str:
        """Identifies the row in a confirm form: ``state|sku``."""
        return f"{self.state}|{self.sku}"

    @property
    def kind_label(self) -> str:
        return str(DifferenceKind.SHORT_LABELS[self.kind])

    @property
    def state_label(self) -> str:
        return str(StockState(self.state).label) if self.state in StockState.values else ""


@dataclass
class Reconciliation:
    account: object
    warehouse: Warehouse
    snapshot_date: dt.date
    differences: list[Difference] = field(default_factory=list)
    #: product × state comparisons that agreed.
    matched: int = 0

    @property
    def reference(self) -> str:
        return reference(self.account, self.snapshot_date)

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for diff in self.differences:
            totals[diff.kind] += 1
        return dict(totals)


def reference(account, snapshot_date: dt.date) -> str:
    """The reference every correction of one reconciliation carries: ``fba-recon:<account>:<date>``."""
    return f"fba-recon:{account.code}:{snapshot_date.isoformat()}"


def fba_warehouse(account) -> Warehouse:
    from .channel_rules import AllocationRule

    rule = AllocationRule.objects.filter(account=account).select_related("fba_warehouse").first()
    if rule is None or rule.fba_warehouse is None:
        raise NoFbaWarehouse(gettext("account %(account)s has no FBA warehouse: set one in its allocation rule")
                             % {"account": account.code})
    return rule.fba_warehouse


def fba_accounts():
    """Accounts whose allocation rule names an FBA warehouse, by code."""
    from chuhai.channels.models import ChannelAccount

    return ChannelAccount.objects.filter(allocation_rule__fba_warehouse__isnull=False).order_by("code")


def latest_snapshot_date(account) -> dt.date | None:
    return FbaInventorySnapshot.objects.filter(account=account).aggregate(d=Max("snapshot_date"))["d"]


def snapshot_dates(account, limit: int = 60) -> list[dt.date]:
    return list(FbaInventorySnapshot.objects.filter(account=account).order_by("-snapshot_date")
                .values_list("snapshot_date", flat=True).distinct()[:limit])


def _latest_rows(account, snapshot_date: dt.date) -> list[FbaInventorySnapshot]:
    """Each SKU's rows (one per FNSKU) from its latest snapshot on or before ``snapshot_date``."""
    scope = FbaInventorySnapshot.objects.filter(account=account, snapshot_date__lte=snapshot_date)
    latest = dict(scope.order_by().values("sku").annotate(d=Max("snapshot_date")).values_list("sku", "d"))
    rows = scope.filter(snapshot_date__in=set(latest.values())).order_by("sku", "fnsku")
    return [row for row in rows if latest.get(row.sku) == row.snapshot_date]


def _products_by_sku(account, skus: set[str]) -> dict[str, Product]:
    mapped = {li.channel_sku: li.product for li in
              Listing.objects.filter(account=account, channel_sku__in=skus).select_related("product")}
    rest = skus - mapped.keys()
    if rest:
        mapped.update({p.sku: p for p in Product.objects.filter(sku__in=rest)})
    return mapped


def _classify(state: str, amazon: int, ledger: int) -> str:
    if state == INBOUND:
        return DifferenceKind.INBOUND
    if state == ON_HAND and ledger > amazon:
        return DifferenceKind.LOST
    if state == UNSELLABLE and amazon > ledger:
        return DifferenceKind.DAMAGED
    return DifferenceKind.UNACCOUNTED


def reconcile(account, snapshot_date: dt.date | None = None) -> Reconciliation:
    """Compare the account's FBA report (latest, or as of ``snapshot_date``) with the ledger; see the module
    docstring for what is compared. Read-only."""
    warehouse = fba_warehouse(account)
    day = snapshot_date or latest_snapshot_date(account)
    if day is None:
        raise NoSnapshot(gettext("No FBA inventory report has been imported for account %(code)s.")
                         % {"code": account.code})
    rows = _latest_rows(account, day)
    if not rows:
        raise NoSnapshot(gettext("No FBA inventory report for account %(code)s on or before %(day)s.")
                         % {"code": account.code, "day": day.isoformat()})
    products = _products_by_sku(account, {row.sku for row in rows})

    amazon: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATES, 0))
    sources: dict[int, set[str]] = defaultdict(set)
    as_of: dict[int, dt.date] = {}
    researching: dict[int, int] = defaultdict(int)
    by_pk: dict[int, Product] = {}
    unmapped: dict[str, list[FbaInventorySnapshot]] = defaultdict(list)
    parts_cache: dict[int, list[tuple[Product, int]]] = {}
    for row in rows:
        product = products.get(row.sku)
        if product is None:
            unmapped[row.sku].append(row)
            continue
        if product.pk not in parts_cache:
            parts_cache[product.pk] = components(product)
        for part, per_unit in parts_cache[product.pk]:
            figures = amazon[part.pk]
            figures[ON_HAND] += (row.fulfillable + row.reserved) * per_unit
            figures[UNSELLABLE] += row.unsellable * per_unit
            figures[INBOUND] += (row.inbound_working + row.inbound_shipped
                                            + row.inbound_receiving) * per_unit
            researching[part.pk] += row.researching * per_unit
            sources[part.pk].add(row.sku)
            as_of[part.pk] = min(as_of.get(part.pk, row.snapshot_date), row.snapshot_date)
            by_pk[part.pk] = part

    balances = {b.product_id: b for b in StockBalance.objects.filter(warehouse=warehouse).select_related("product")}
    for balance in balances.values():
        by_pk.setdefault(balance.product_id, balance.product)

    result = Reconciliation(account, warehouse, day)
    for pk, product in sorted(by_pk.items(), key=lambda item: item[1].sku):
        balance = balances.get(pk)
        for state in STATES:
            at_amazon = amazon[pk][state] if pk in amazon else 0
            in_ledger = getattr(balance, state) if balance is not None else 0
            if at_amazon == in_ledger:
                result.matched += 1
                continue
            result.differences.append(Difference(
                kind=_classify(state, at_amazon, in_ledger), sku=product.sku, state=state, amazon=at_amazon,
                ledger=in_ledger, channel_skus=tuple(sorted(sources.get(pk, ()))), as_of=as_of.get(pk),
                product=product, researching=researching.get(pk, 0)))
    for sku, sku_rows in sorted(unmapped.items()):
        total = sum(r.fulfillable + r.reserved + r.unsellable + r.inbound_working + r.inbound_shipped
                    + r.inbound_receiving for r in sku_rows)
        result.differences.append(Difference(
            kind=DifferenceKind.UNMAPPED, sku=sku, state="", amazon=total, ledger=0, channel_skus=(sku,),
            as_of=sku_rows[0].snapshot_date, researching=sum(r.researching for r in sku_rows)))
    return result


@dataclass(frozen=True)
class Correction:
    sku: str
    state: str
    quantity: int
    kind: str
    movements: list[StockMovement]


def _lock_balances(warehouse: Warehouse) -> None:
    """Hold the FBA warehouse's balances still while we read them and correct them (PostgreSQL row locks; SQLite's
    IMMEDIATE transaction already holds the write lock), so a shipment landing in between cannot be undone by a
    correction computed a moment earlier."""
    if connection.vendor == "postgresql":
        list(StockBalance.objects.select_for_update().filter(warehouse=warehouse).values_list("pk", flat=True))


def apply_corrections(account, snapshot_date: dt.date, skus=None, user=None, reason: str = "", *,
                      states=DEFAULT_STATES, expected: dict[str, int] | None = None) -> list[Correction]:
    """Set the ledger to Amazon's figures for the chosen differences: one ``fba_correction`` movement each (via
    :func:`chuhai.inventory.stock.adjust`), with ``user``, ``reason`` and the reference
    ``fba-recon:<account>:<date>``, all in one transaction (all or nothing).

    Choose by ``skus`` (None: every SKU) and ``states`` (default on hand and unsellable; add ``inbound`` to correct
    inbound gaps too), or exactly by ``expected``: ``{difference.key: correction}`` as shown to the person — applied
    only if each of those corrections is still the same now (else :class:`StaleReconciliation`). Unmapped SKUs are
    never corrected. Returns what was posted (nothing when the ledger already agrees).
    """
    if not reason or not reason.strip():
        raise ValueError(gettext("say why the ledger is corrected (e.g. 'FBA report 2026-03-01 checked with Amazon')"))
    reason = reason.strip()
    states = tuple(states)
    unknown = [s for s in states if s not in STATES]
    if unknown:
        raise ValueError(gettext("cannot correct %(states)s; choose from %(choices)s") % {
            "states": ", ".join(unknown), "choices": ", ".join(STATES)})
    wanted_skus = None if skus is None else {s.strip() for s in skus}
    ref = reference(account, snapshot_date)
    corrections: list[Correction] = []
    with transaction.atomic():
        _lock_balances(fba_warehouse(account))
        current = reconcile(account, snapshot_date)
        by_key = {d.key: d for d in current.differences if d.correctable}
        if expected is not None:
            chosen = []
            for key, shown in expected.items():
                diff = by_key.get(key)
                if diff is None or diff.correction != shown:
                    state, _sep, sku = key.partition("|")
                    now = diff.correction if diff else 0
                    raise StaleReconciliation(
                        gettext("%(sku)s (%(state)s) changed since it was shown: the correction is now %(now)s, not "
                                "%(shown)s; review the differences again")
                        % {"sku": sku, "state": state_name(state), "now": f"{now:+d}", "shown": f"{shown:+d}"})
                chosen.append(diff)
        else:
            chosen = [d for d in by_key.values()
                      if d.state in states and (wanted_skus is None or d.sku in wanted_skus
                                                or wanted_skus & set(d.channel_skus))]
        for diff in chosen:
            # the short label, lower-cased, is the kind's code in English ("lost") and a word in other languages
            why = gettext("%(reason)s (%(kind)s: Amazon %(amazon)s, ledger %(ledger)s)") % {
                "reason": reason, "kind": str(DifferenceKind.SHORT_LABELS[diff.kind]).lower(),
                "amazon": diff.amazon, "ledger": diff.ledger}
            movements = adjust(diff.product, current.warehouse, diff.correction, why, user=user, state=diff.state,
                               kind=MovementKind.FBA_CORRECTION, reference=ref)
            corrections.append(Correction(diff.sku, diff.state, diff.correction, diff.kind, movements))
    return corrections
