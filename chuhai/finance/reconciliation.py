"""Settlement reconciliation: for each payout, what our ledger expects against what the platform paid.

- :func:`settlement_status` — one settlement in detail: *expected* is the exact sum of the lines its own report
  brought (lines of a transaction report linked to it describe the same money a second time and are left out),
  *paid* is the total the platform reported (the deposit), their *difference*, the lines by fee category, the
  *unmatched* lines (a line naming an order chuhai does not have, or a line of a type nobody mapped) and the
  money actually *received* (:class:`~chuhai.finance.payouts.PayoutReceipt`). Its status is one of
  :class:`SettlementState`: reconciled, difference, not paid yet (no total reported) or unmatched lines.
- :func:`settlements` — every settlement of a period with the same status, in three queries (no N+1).
- :func:`unsettled_orders` — orders shipped (or delivered) more than N days ago that no ledger line mentions.
- :func:`reimbursements_due` — FBA units the latest FBA reconciliation finds lost or damaged, plus those already
  written off by its corrections, minus the units Amazon already reimbursed (ledger lines of category
  reimbursement for the SKU), valued at the product's cost, with the evidence.

Sums are exact (``Decimal`` in Python: SQLite's SUM goes through floats); rounding happens at the edge.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fees import FeeCategory
from .models import LedgerLine, Settlement

ZERO = Decimal(0)
#: The source whose lines make a settlement's total when the import run that made it is gone.
DEFAULT_SOURCE = "amazon-settlement"


class SettlementState:
    RECONCILED = "reconciled"
    DIFFERENCE = "difference"
    NOT_PAID = "not_paid"
    UNMATCHED = "unmatched"

    LABELS = {
        RECONCILED: _("Reconciled"),
        DIFFERENCE: _("Difference"),
        NOT_PAID: _("Not paid yet"),
        UNMATCHED: _("Unmatched lines"),
    }
    #: Badge class of each state on the pages.
    BADGES = {RECONCILED: "badge-ok", DIFFERENCE: "badge-bad", NOT_PAID: "badge-warn", UNMATCHED: "badge-warn"}

    @classmethod
    def label(cls, state: str) -> str:
        return str(cls.LABELS.get(state, state))


def state_of(paid: Decimal | None, expected: Decimal, unmatched: int) -> str:
    """The order of the checks is the order of importance: no total, a money difference, then loose lines."""
    if paid is None:
        return SettlementState.NOT_PAID
    if paid - expected != 0:
        return SettlementState.DIFFERENCE
    if unmatched:
        return SettlementState.UNMATCHED
    return SettlementState.RECONCILED


def _own_source(settlement: Settlement) -> str:
    run = settlement.import_run
    return getattr(run, "source", None) or DEFAULT_SOURCE


#: A line chuhai cannot place: an order it does not have, or a type nobody mapped.
UNMATCHED = (Q(order__isnull=True) & ~Q(order_ref="")) | Q(category=FeeCategory.UNKNOWN)


def own_lines(settlement: Settlement) -> QuerySet[LedgerLine]:
    """The lines the settlement's own report brought."""
    return settlement.lines.filter(source=_own_source(settlement))


def unmatched_lines(settlement: Settlement) -> QuerySet[LedgerLine]:
    return own_lines(settlement).filter(UNMATCHED).order_by("posted_at", "id")


@dataclass
class Receipt:
    received_on: dt.date
    provider: str
    reference: str
    amount: Decimal
    currency: str
    fee: Decimal
    fx_gain: Decimal | None


@dataclass
class SettlementCheck:
    settlement: Settlement
    expected: Decimal
    paid: Decimal | None
    currency: str
    lines: int
    unmatched: int
    by_category: dict[str, Decimal] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)
    #: With a report currency: expected, paid and difference in it, at the deposit (else period end) date's rate.
    report_currency: str = ""
    converted: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def difference(self) -> Decimal | None:
        return None if self.paid is None else self.paid - self.expected

    @property
    def status(self) -> str:
        return state_of(self.paid, self.expected, self.unmatched)

    @property
    def status_label(self) -> str:
        return SettlementState.label(self.status)

    @property
    def received(self) -> dict[str, Decimal]:
        """Money received per currency (amount as credited, before nothing: the provider's fee is separate)."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for r in self.receipts:
            totals[r.currency] += r.amount
        return dict(totals)

    # flat accessors for tables
    @property
    def account_code(self) -> str:
        return self.settlement.account.code

    @property
    def settlement_id(self) -> str:
        return self.settlement.settlement_id

    @property
    def pk(self) -> int:
        return self.settlement.pk


def _receipts(settlement: Settlement) -> list[Receipt]:
    return [Receipt(r.received_on, r.provider, r.reference, r.amount, r.currency, r.fee, r.fx_gain)
            for r in settlement.receipts.all()]


def settlement_status(settlement: Settlement) -> SettlementCheck:
    """One settlement, checked line by line (exact sums in Python)."""
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    expected = ZERO
    count = 0
    for category, amount in own_lines(settlement).values_list("category", "amount").iterator(chunk_size=5000):
        by_category[category or FeeCategory.UNKNOWN.value] += amount
        expected += amount
        count += 1
    return SettlementCheck(
        settlement=settlement, expected=expected, paid=settlement.total_amount, currency=settlement.currency,
        lines=count, unmatched=unmatched_lines(settlement).count(),
        by_category=dict(sorted(by_category.items(), key=lambda kv: kv[0])), receipts=_receipts(settlement))


def settlements_queryset(date_from: dt.date | None = None, date_to: dt.date | None = None, account=None,
                         status: str | None = None) -> QuerySet[Settlement]:
    """Settlements whose period ends (or, without an end, whose deposit falls) within the dates, newest first,
    annotated with ``n_lines`` and ``n_unmatched`` of their own report's lines."""
    qs = Settlement.objects.select_related("account", "import_run")
    if date_from or date_to:
        qs = qs.annotate(_day=Coalesce("end_at", "deposit_at"))
    if date_from:
        qs = qs.filter(_day__date__gte=date_from)
    if date_to:
        qs = qs.filter(_day__date__lte=date_to)
    if account is not None:
        qs = qs.filter(account=account)
    own = Q(lines__source=Coalesce("import_run__source", Value(DEFAULT_SOURCE)))
    unmatched = own & ((Q(lines__order__isnull=True) & ~Q(lines__order_ref=""))
                       | Q(lines__category=FeeCategory.UNKNOWN))
    qs = qs.annotate(n_lines=Count("lines", filter=own), n_unmatched=Count("lines", filter=unmatched))
    if status == SettlementState.NOT_PAID:
        qs = qs.filter(total_amount__isnull=True)
    elif status:
        qs = qs.filter(total_amount__isnull=False)
    return qs.order_by(Coalesce("end_at", "deposit_at").desc(nulls_last=True), "-id")


def settlements(date_from: dt.date | None = None, date_to: dt.date | None = None, account=None,
                status: str | None = None, currency: str | None = None) -> list[SettlementCheck]:
    """Every settlement of the period with its status. ``expected`` is the settlement's stored ``lines_total``
    (summed exactly at import); three queries whatever the number of settlements. With ``currency``, each check
    also carries its figures converted at the rate of its deposit date (else its period end, else today);
    :class:`chuhai.finance.fx.FxRateMissing` when a rate is missing."""
    qs = settlements_queryset(date_from, date_to, account, status).prefetch_related("receipts")
    checks = [SettlementCheck(settlement=s, expected=s.lines_total, paid=s.total_amount, currency=s.currency,
                              lines=s.n_lines, unmatched=s.n_unmatched, receipts=_receipts(s)) for s in qs]
    if status:
        checks = [c for c in checks if c.status == status]
    if currency:
        _convert(checks, currency.upper())
    return checks


def _convert(checks: list[SettlementCheck], currency: str) -> None:
    from .fx import FxConverter

    fx = FxConverter()
    today = timezone.localdate()
    for check in checks:
        s = check.settlement
        when = s.deposit_at or s.end_at
        day = timezone.localtime(when).date() if when else today
        check.report_currency = currency
        check.converted = {
            name: None if value is None else fx.convert(value, check.currency, currency, day)
            for name, value in (("expected", check.expected), ("paid", check.paid),
                                ("difference", check.difference))}


# -- orders not settled ---------------------------------------------------------------------------------------

#: Orders whose goods left: they should be paid within the platform's settlement cycle.
SHIPPED_STATUSES = ("shipped", "partially_shipped", "delivered")


@dataclass
class UnsettledOrder:
    order: object
    age_days: int

    @property
    def account_code(self) -> str:
        return self.order.account.code

    @property
    def external_id(self) -> str:
        return self.order.external_id


def unsettled_orders(as_of: dt.date | None = None, days: int | None = None, account=None) -> list[UnsettledOrder]:
    """Orders shipped (or delivered) and bought more than ``days`` days before ``as_of`` (default: the finance
    setting ``unsettled_after_days``) that no ledger line mentions — neither linked to it nor naming its order id
    on its account. Oldest first, with the age in days."""
    from chuhai.orders.models import DocumentType, Order

    from .finance_settings import FinanceSettings

    as_of = as_of or timezone.localdate()
    if days is None:
        days = FinanceSettings.load().unsettled_after_days
    cutoff = dt.datetime.combine(as_of - dt.timedelta(days=days), dt.time.min,
                                 tzinfo=timezone.get_current_timezone())
    mentioned = LedgerLine.objects.filter(Q(order=OuterRef("pk"))
                                          | Q(account=OuterRef("account"), order_ref=OuterRef("external_id")))
    qs = (Order.objects.filter(status__in=SHIPPED_STATUSES, document_type=DocumentType.ORDER,
                               purchased_at__lt=cutoff)
          .filter(~Exists(mentioned)).select_related("account").order_by("purchased_at", "id"))
    if account is not None:
        qs = qs.filter(account=account)
    return [UnsettledOrder(o, (as_of - timezone.localtime(o.purchased_at).date()).days) for o in qs]


# -- FBA reimbursements due -----------------------------------------------------------------------------------

@dataclass
class ReimbursementDue:
    account: object
    sku: str
    kind: str  # lost | damaged
    product: object
    units_found: int
    units_reimbursed: int
    snapshot_date: dt.date | None
    amazon: int | None
    ledger: int | None
    channel_skus: tuple[str, ...]
    references: list[str]
    reimbursed_amount: dict[str, Decimal] = field(default_factory=dict)

    @property
    def units_due(self) -> int:
        return max(self.units_found - self.units_reimbursed, 0)

    @property
    def unit_cost(self) -> Decimal | None:
        return getattr(self.product, "purchase_cost", None)

    @property
    def cost_currency(self) -> str:
        return getattr(self.product, "cost_currency", "") or ""

    @property
    def value(self) -> Decimal | None:
        return None if self.unit_cost is None else self.unit_cost * self.units_due

    @property
    def account_code(self) -> str:
        return self.account.code

    @property
    def kind_label(self) -> str:
        from chuhai.inventory.fba_reconciliation import DifferenceKind

        return str(DifferenceKind.SHORT_LABELS.get(self.kind, self.kind))

    @property
    def evidence(self) -> str:
        parts = []
        if self.snapshot_date:
            parts.append(f"FBA report {self.snapshot_date.isoformat()}: Amazon {self.amazon}, ledger {self.ledger}")
        if self.references:
            parts.append("movements " + ", ".join(self.references))
        return "; ".join(parts)


def _reimbursed_units(account, skus: set[str]) -> tuple[dict[str, int], dict[str, dict[str, Decimal]]]:
    """Units (and money) Amazon reimbursed per SKU: reimbursement lines with a SKU; a negative line (a
    REVERSAL_REIMBURSEMENT: the unit turned up, the money is taken back) takes its units back."""
    units: dict[str, int] = defaultdict(int)
    money: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = (LedgerLine.objects.filter(account=account, category=FeeCategory.REIMBURSEMENT, sku__in=skus)
            .values_list("sku", "quantity", "amount", "currency"))
    for sku, quantity, amount, currency in rows:
        sign = -1 if amount < 0 else 1
        units[sku] += sign * abs(quantity or 0)
        money[sku][currency] += amount
    return units, money


def reimbursements_due(account=None) -> list[ReimbursementDue]:
    """Lost and damaged FBA units still to be reimbursed, per account × product × kind (see module docstring).

    Units found = the latest reconciliation's open difference (lost: ledger sellable above Amazon's; damaged:
    Amazon's unsellable above the ledger's) + the units its corrections already wrote off (``fba_correction``
    movements with the account's ``fba-recon:`` reference: on-hand removed = lost, unsellable added = damaged).
    Units reimbursed count against lost first, then damaged. Rows with nothing due are left out."""
    from chuhai.inventory.fba_reconciliation import (
        DifferenceKind,
        NoFbaWarehouse,
        NoSnapshot,
        fba_accounts,
        fba_warehouse,
        reconcile,
        reference,
    )
    from chuhai.inventory.ledger import MovementKind, StockMovement, StockState

    accounts = [account] if account is not None else list(fba_accounts())
    result: list[ReimbursementDue] = []
    for acc in accounts:
        try:
            warehouse = fba_warehouse(acc)
        except NoFbaWarehouse:
            continue
        found: dict[tuple[int, str], ReimbursementDue] = {}
        try:
            recon = reconcile(acc)
        except NoSnapshot:
            recon = None
        if recon is not None:
            for diff in recon.differences:
                if diff.product is None or diff.kind not in (DifferenceKind.LOST, DifferenceKind.DAMAGED):
                    continue
                units = diff.ledger - diff.amazon if diff.kind == DifferenceKind.LOST else diff.amazon - diff.ledger
                found[(diff.product.pk, diff.kind)] = ReimbursementDue(
                    account=acc, sku=diff.product.sku, kind=diff.kind, product=diff.product, units_found=units,
                    units_reimbursed=0, snapshot_date=recon.snapshot_date, amazon=diff.amazon, ledger=diff.ledger,
                    channel_skus=diff.channel_skus, references=[recon.reference])
        prefix = reference(acc, dt.date.min).rsplit(":", 1)[0] + ":"
        corrections = (StockMovement.objects.filter(warehouse=warehouse, kind=MovementKind.FBA_CORRECTION,
                                                    reference__startswith=prefix)
                       .filter(Q(state=StockState.ON_HAND, quantity__lt=0)
                               | Q(state=StockState.UNSELLABLE, quantity__gt=0))
                       .select_related("product").order_by("created_at", "id"))
        for move in corrections:
            kind = DifferenceKind.LOST if move.state == StockState.ON_HAND else DifferenceKind.DAMAGED
            key = (move.product_id, kind)
            row = found.get(key)
            if row is None:
                row = found[key] = ReimbursementDue(
                    account=acc, sku=move.product.sku, kind=kind, product=move.product, units_found=0,
                    units_reimbursed=0, snapshot_date=None, amazon=None, ledger=None, channel_skus=(),
                    references=[])
            row.units_found += abs(move.quantity)
            if move.reference not in row.references:
                row.references.append(move.reference)
        if not found:
            continue
        listing_skus = _channel_skus(acc, {pk for pk, _kind in found})
        for (pk, _kind), row in found.items():
            row.channel_skus = tuple(sorted(set(row.channel_skus) | listing_skus.get(pk, set()) | {row.sku}))
        all_skus = {s for row in found.values() for s in row.channel_skus}
        units, money = _reimbursed_units(acc, all_skus)
        by_product: dict[int, list[ReimbursementDue]] = defaultdict(list)
        for (pk, _kind), row in sorted(found.items(), key=lambda kv: (kv[1].sku, kv[1].kind != DifferenceKind.LOST)):
            by_product[pk].append(row)
        for rows in by_product.values():
            skus = rows[0].channel_skus
            left = sum(units.get(s, 0) for s in skus)
            paid: dict[str, Decimal] = defaultdict(Decimal)
            for s in skus:
                for currency, amount in money.get(s, {}).items():
                    paid[currency] += amount
            for row in rows:  # lost first
                take = max(min(left, row.units_found), 0)
                row.units_reimbursed = take
                row.reimbursed_amount = dict(paid)
                left -= take
            result.extend(r for r in rows if r.units_due > 0)
    return sorted(result, key=lambda r: (r.account.code, r.sku, r.kind))


def _channel_skus(account, product_ids: set[int]) -> dict[int, set[str]]:
    from chuhai.catalog.models import Listing

    skus: dict[int, set[str]] = defaultdict(set)
    for pk, sku in Listing.objects.filter(account=account, product_id__in=product_ids).values_list(
            "product_id", "channel_sku"):
        skus[pk].add(sku)
    return skus
