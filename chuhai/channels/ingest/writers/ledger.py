"""Writing settlement and transaction reports: raw fee-ledger lines, stored exactly and only once.

Idempotency: a line's ``fingerprint`` is a digest of (account, source, settlement id, the source row's identifying
cells, and how many identical rows came before it in the file). Re-importing a file, or a second Date Range report
that overlaps the first, produces the same fingerprints, and the database's unique (account, fingerprint) keeps
each line once; rows that look alike but are really two (two identical fee rows of one order) differ by occurrence.

A settlement is the payout's frame: its summary row's total is what its lines must sum to. ``lines_total`` is the
sum of the lines the settlement report itself brought; lines from a transaction report of the same settlement are
linked to it for navigation but not added (they describe the same money a second time). A settlement imported
again with different content (another total, other lines) is an error naming it: the stored lines would no
longer be what the platform reported, and choosing one of the two silently would hide it.

Each new line gets its fee category as it is built (:class:`chuhai.finance.categorise.Categoriser`: finance's
mappings, then the platform's defaults, each line type decided once per file); after the file, the lines it
wrote are linked to their orders in one UPDATE, and the number of lines of a type nobody mapped is reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from chuhai.core.bulk import insert_rows
from chuhai.finance.base_amounts import convert_lines
from chuhai.finance.categorise import Categoriser, detail_of, link_orders
from chuhai.finance.fees import FeeCategory
from chuhai.finance.models import LedgerLine, Settlement

from ..records import LedgerRecord, SettlementRecord
from .base import WriteContext, chunks, digest

ZERO = Decimal(0)
MAX_AMOUNT = Decimal(10) ** 14  # LedgerLine.amount: 20 digits, 6 after the point
BATCH = 2000


def plain(amount: Decimal | None) -> str | None:
    """``Decimal("2.500000")`` → ``"2.5"``; ``0E-12`` → ``"0"`` (for the run's JSON summary)."""
    if amount is None:
        return None
    return f"{amount.quantize(Decimal('1e-6')).normalize():f}"


def _source(ctx: WriteContext, default: str) -> str:
    return getattr(ctx.run, "source", None) or default


class Fingerprints:
    """Numbers identical rows by occurrence within one file, so each gets its own stable fingerprint."""

    def __init__(self, account_id: int, source: str):
        self.account_id = account_id
        self.source = source
        self.seen: dict[str, int] = defaultdict(int)

    def __call__(self, rec: LedgerRecord) -> str:
        row = digest(rec.settlement_ref, rec.raw_key)
        occurrence = self.seen[row]
        self.seen[row] += 1
        return digest(self.account_id, self.source, rec.settlement_ref, rec.raw_key, occurrence)


def _valid(rec: LedgerRecord, ctx: WriteContext) -> bool:
    if abs(rec.amount) >= MAX_AMOUNT:
        ctx.errors.add(rec.line, rec.amount_type or "amount", rec.amount, "amount too large")
        return False
    if rec.posted_at is not None and rec.posted_at.tzinfo is None:
        ctx.errors.add(rec.line, "posted", rec.posted_at, "time without a time zone")
        return False
    return True


#: The columns an import writes, in the order of the tuples :func:`_line` builds (the rest stay NULL until finance
#: fills them: order, base amount).
LINE_FIELDS = ("account_id", "settlement_id", "settlement_ref", "source", "fingerprint", "transaction_type",
               "order_ref", "sku", "quantity", "amount_type", "amount_description", "amount", "currency", "posted_at",
               "marketplace", "fulfilment", "description", "category", "import_run_id")
FINGERPRINT = LINE_FIELDS.index("fingerprint")


def _line(rec: LedgerRecord, fingerprint: str, ctx: WriteContext, source: str, settlement_id: int | None,
          categorise: Categoriser) -> tuple:
    """One ledger line as a row of :data:`LINE_FIELDS` (plain tuples: building 200,000 model objects and letting
    ``bulk_create`` prepare every field took most of a settlement import)."""
    transaction_type, order_ref, amount_type = rec.transaction_type[:100], rec.order_ref[:64], rec.amount_type[:100]
    amount_description, description = rec.amount_description[:255], rec.description[:500]
    category = categorise(ctx.account.platform, transaction_type, amount_type,
                          detail_of(amount_description, order_ref, description))
    return (ctx.account.pk, settlement_id, rec.settlement_ref[:64], source, fingerprint, transaction_type, order_ref,
            rec.sku[:100], rec.quantity, amount_type, amount_description, rec.amount, rec.currency, rec.posted_at,
            rec.marketplace[:64], rec.fulfilment[:20], description, category, getattr(ctx.run, "pk", None))


def _finish(ctx: WriteContext) -> None:
    """Link the lines this file wrote to their orders; report how many are of a type nobody mapped."""
    if ctx.errors or getattr(ctx.run, "pk", None) is None:
        return
    written = LedgerLine.objects.filter(import_run=ctx.run)
    linked = link_orders(written)
    if linked:
        ctx.stats.summary["lines_linked_to_orders"] = linked
    unknown = written.filter(category=FeeCategory.UNKNOWN).count()
    if unknown:
        ctx.stats.summary["lines_of_unmapped_types"] = unknown
    convert_lines(written, summary=ctx.stats.summary)


def _store(lines: list[tuple], ctx: WriteContext) -> tuple[int, int]:
    """Insert the lines not stored yet; returns (created, already there). A line written by another import at the
    same moment makes the INSERT fail on the unique fingerprint, and the runner rejects the file whole."""
    created = unchanged = 0
    for batch in chunks(lines, 500):
        stored = set(LedgerLine.objects.filter(
            account=ctx.account, fingerprint__in=[ln[FINGERPRINT] for ln in batch]
        ).values_list("fingerprint", flat=True))
        new = [ln for ln in batch if ln[FINGERPRINT] not in stored]
        if new:
            insert_rows(LedgerLine, LINE_FIELDS, new)
        created += len(new)
        unchanged += len(batch) - len(new)
    return created, unchanged


# -- settlements ----------------------------------------------------------------------------------------------------
def write_settlement(records: Iterable[SettlementRecord | LedgerRecord], ctx: WriteContext) -> None:
    source = _source(ctx, "amazon-settlement")
    summaries: dict[str, SettlementRecord] = {}
    lines: dict[str, list[LedgerRecord]] = defaultdict(list)
    rows: set[int] = set()
    for rec in records:
        if isinstance(rec, SettlementRecord):
            if rec.settlement_id in summaries:
                ctx.errors.add(rec.line, "settlement-id", rec.settlement_id, "a second summary for this settlement")
            summaries[rec.settlement_id] = rec
            rows.add(rec.line)
        else:
            lines[rec.settlement_ref].append(rec)
            rows.add(rec.line)
    ctx.stats.rows_read += len(rows)
    for settlement_id, recs in lines.items():
        if settlement_id not in summaries:
            ctx.errors.add(recs[0].line, "settlement-id", settlement_id, "lines of a settlement without its summary row")
    if ctx.errors:
        return
    reports = []
    categorise = Categoriser()
    for settlement_id, summary in summaries.items():
        report = _write_one(summary, lines.get(settlement_id, []), ctx, source, categorise)
        if report:
            reports.append(report)
    if reports:
        ctx.stats.summary["settlements"] = reports
        ctx.stats.summary["settlement_difference"] = plain(sum((Decimal(r["difference"]) for r in reports), ZERO))
    _finish(ctx)


def _same_summary(stored: Settlement, summary: SettlementRecord) -> bool:
    def same(a, b):
        return a is None or b is None or a == b

    return (stored.currency == summary.currency and same(stored.total_amount, summary.total_amount)
            and same(stored.start_at, summary.start_at) and same(stored.end_at, summary.end_at)
            and same(stored.deposit_at, summary.deposit_at))


def _write_one(summary: SettlementRecord, recs: list[LedgerRecord], ctx: WriteContext, source: str,
               categorise: Categoriser) -> dict | None:
    fingerprint = Fingerprints(ctx.account.pk, source)
    prints = [fingerprint(rec) for rec in recs]
    if not all([_valid(rec, ctx) for rec in recs]):
        return None
    settlement = Settlement.objects.filter(account=ctx.account, settlement_id=summary.settlement_id).first()
    if settlement is not None:
        stored = set(settlement.lines.filter(source=source).values_list("fingerprint", flat=True))
        if not _same_summary(settlement, summary) or (stored and stored != set(prints)):
            ctx.errors.add(summary.line, "settlement-id", summary.settlement_id,
                           f"settlement {summary.settlement_id} was already imported with different content (total "
                           f"{settlement.total_amount} {settlement.currency}, {len(stored)} lines); this file has "
                           f"total {summary.total_amount} {summary.currency} and {len(recs)} lines")
            return None
        ctx.stats.unchanged += 1
    else:
        settlement = Settlement.objects.create(
            account=ctx.account, settlement_id=summary.settlement_id[:64], start_at=summary.start_at,
            end_at=summary.end_at, deposit_at=summary.deposit_at, total_amount=summary.total_amount,
            currency=summary.currency, import_run=ctx.run,
        )
        ctx.stats.created += 1
    created, unchanged = _store(
        [_line(rec, fp, ctx, source, settlement.pk, categorise) for rec, fp in zip(recs, prints, strict=True)], ctx)
    ctx.stats.lines_created += created
    ctx.stats.summary["lines_unchanged"] = ctx.stats.summary.get("lines_unchanged", 0) + unchanged
    # lines of a transaction report imported before this settlement: link them now
    LedgerLine.objects.filter(account=ctx.account, settlement_ref=settlement.settlement_id,
                              settlement__isnull=True).update(settlement=settlement)
    # summed here, exactly: SQLite's SUM over decimals goes through floats
    total = sum(settlement.lines.filter(source=source).values_list("amount", flat=True).iterator(), ZERO)
    if settlement.lines_total != total:
        settlement.lines_total = total
        settlement.save(update_fields=["lines_total"])
    difference = settlement.difference
    return {"settlement_id": settlement.settlement_id, "currency": settlement.currency,
            "total_amount": plain(settlement.total_amount), "lines_total": plain(total),
            "difference": plain(difference if difference is not None else ZERO)}


# -- transactions ---------------------------------------------------------------------------------------------------
def write_transactions(records: Iterable[LedgerRecord], ctx: WriteContext) -> None:
    source = _source(ctx, "amazon-transactions")
    fingerprint = Fingerprints(ctx.account.pk, source)
    categorise = Categoriser()
    settlements: dict[str, int | None] = {}
    batch: list[tuple[LedgerRecord, str]] = []
    last_line = None

    def flush():
        refs = {rec.settlement_ref for rec, _ in batch if rec.settlement_ref and rec.settlement_ref not in settlements}
        if refs:
            found = dict(Settlement.objects.filter(account=ctx.account, settlement_id__in=refs)
                         .values_list("settlement_id", "pk"))
            settlements.update({ref: found.get(ref) for ref in refs})
        if ctx.errors:
            return  # the file will be rejected: keep validating, stop writing
        created, unchanged = _store([_line(rec, fp, ctx, source, settlements.get(rec.settlement_ref), categorise)
                                     for rec, fp in batch], ctx)
        ctx.stats.created += created
        ctx.stats.lines_created += created
        ctx.stats.unchanged += unchanged

    for rec in records:
        if rec.line != last_line:  # the lines of one row arrive together
            ctx.stats.rows_read += 1
            last_line = rec.line
        fp = fingerprint(rec)
        if _valid(rec, ctx):
            batch.append((rec, fp))
        if len(batch) >= BATCH:
            flush()
            batch = []
    flush()
    _finish(ctx)
