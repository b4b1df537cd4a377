"""Importing one file: parse, write in one transaction, log the run.

All or nothing: the parser reports every problem it finds with line and column; if there is any, the transaction
is rolled back and the file is *rejected* with those errors. A dry run does all the work, reports what would
change, and rolls back. Every attempt leaves an :class:`~chuhai.channels.models.ImportRun` (who, when, file hash,
counts, errors) outside the file's transaction, so even a rejected upload is in the history.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from chuhai.channels.models import ChannelAccount, ImportRun, ImportStatus

from .errors import ErrorCollector, FileRejected, RowError
from .reading import load_payload
from .registry import get_source
from .sources import ParseContext
from .writers.base import WriteContext, WriteStats

log = logging.getLogger(__name__)

WRITERS = {
    "orders": "chuhai.channels.ingest.writers.orders:write_orders",
    "settlement": "chuhai.channels.ingest.writers.ledger:write_settlement",
    "transactions": "chuhai.channels.ingest.writers.ledger:write_transactions",
    "fba_inventory": "chuhai.channels.ingest.writers.fba:write_snapshots",
    "returns": "chuhai.channels.ingest.writers.returns:write_returns",
    "ads": "chuhai.channels.ingest.writers.ads:write_ad_rows",
}


class ImportRefused(ValueError):
    """The request itself is wrong (unknown source, wrong account for the source, mapping missing)."""


class _DryRunRollback(Exception):
    pass


@dataclass
class ImportResult:
    source: str
    file: str
    status: str
    kind: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    run_id: int | None = None
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.DRY_RUN)

    def as_dict(self) -> dict:
        """The ``--json`` / API shape (issue 3): order sources name their counts after orders."""
        data = {"source": self.source, "file": self.file, "status": self.status, "rows_read": self.rows_read}
        if self.kind == "orders":
            data.update(orders_created=self.created, orders_updated=self.updated, lines_created=self.lines_created)
        else:
            data.update(created=self.created, updated=self.updated)
        data.update(unchanged=self.unchanged, errors=[e.as_dict() for e in self.errors], summary=self.summary,
                    run_id=self.run_id, sha256=self.sha256)
        return data


def _writer(kind: str):
    module, func = WRITERS[kind].split(":")
    return getattr(import_module(module), func)


#: A file that adds this many rows changes table sizes enough that the query planner needs fresh statistics
#: (PostgreSQL without ANALYZE after loading Online Retail took >13 minutes for a join count).
ANALYZE_AFTER_ROWS = 50_000


def _refresh_planner_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA optimize" if connection.vendor == "sqlite" else "ANALYZE")


def _allocate(run: ImportRun, stats: WriteStats, user) -> None:
    """Stock follows the orders the file created or changed (reserve, release, ship), in the file's transaction:
    a rejected file moves no stock either. Settlement lines and returns reported before their orders arrived
    find them now."""
    from chuhai.finance.categorise import link_orders as link_ledger_lines
    from chuhai.finance.models import LedgerLine
    from chuhai.inventory.allocation import sync_orders
    from chuhai.logistics.models import CustomerReturn
    from chuhai.logistics.returns import link_orders
    from chuhai.orders.models import Order

    counts = sync_orders(Order.objects.filter(import_run=run), user=user)
    if counts:
        stats.summary["allocation"] = counts
    link_orders(CustomerReturn.objects.filter(account=run.account_id))
    linked = link_ledger_lines(LedgerLine.objects.filter(account=run.account_id, order__isnull=True))
    if linked:
        stats.summary["ledger_lines_linked"] = linked


def _sha256(path: Path) -> tuple[str, int]:
    """Digest and size, streamed: the file is held in memory once, by the parser, not twice."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def resolve_account(code: str | None) -> ChannelAccount | None:
    if not code:
        return None
    try:
        return ChannelAccount.objects.get(code=code)
    except ChannelAccount.DoesNotExist as exc:
        raise ImportRefused(f"no channel account {code!r} (see `chuhai accounts list`)") from exc


def import_file(source_name: str, path: str | Path, account: ChannelAccount, *, user=None, dry_run: bool = False,
                mapping: dict | None = None, display_name: str | None = None, options: dict | None = None
                ) -> ImportResult:
    try:
        source = get_source(source_name)
    except (ValueError, ImportError) as exc:
        raise ImportRefused(str(exc)) from exc
    if account is None:
        raise ImportRefused("choose the channel account the file belongs to (--account CODE)")
    if source.platforms and account.platform not in source.platforms:
        raise ImportRefused(f"{source_name} reports come from {', '.join(source.platforms)}, but account "
                            f"{account.code} is on {account.platform}")
    if source.needs_mapping and not mapping:
        raise ImportRefused(f"{source_name} needs a mapping file (--mapping FILE.yaml)")

    path = Path(path)
    file_name = display_name or path.name
    sha, size = _sha256(path)
    run = ImportRun.objects.create(source=source_name, account=account, file_name=file_name[:255], file_sha256=sha,
                                   file_size=size, user=user if getattr(user, "pk", None) else None,
                                   status=ImportStatus.FAILED)
    result = ImportResult(source=source_name, file=file_name, status=ImportStatus.FAILED, kind=source.kind,
                          run_id=run.pk, sha256=sha)
    stats = WriteStats()
    errors = ErrorCollector(file_name)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of short-lived records and no reference cycles: collection passes only cost time
    try:
        payload = load_payload(path, file_name)
        ctx = ParseContext(account=account, file_name=file_name, mapping=mapping, options=options or {})
        with transaction.atomic():
            records = source.parse(payload, ctx, errors)
            _writer(source.kind)(records, WriteContext(account, run, errors, stats, dry_run))
            errors.raise_if_any()
            if source.kind == "orders":
                _allocate(run, stats, user)
            if dry_run:
                raise _DryRunRollback
        result.status = ImportStatus.SUCCEEDED
    except _DryRunRollback:
        result.status = ImportStatus.DRY_RUN
    except FileRejected as exc:
        result.status = ImportStatus.REJECTED
        result.errors = exc.errors
    except IntegrityError as exc:
        result.status = ImportStatus.REJECTED
        result.errors = [RowError(None, None, None, "the file conflicts with data written at the same time "
                                                    f"(another import?); nothing was changed: {exc}")]
    except Exception as exc:
        log.exception("import of %s failed", file_name)
        result.errors = [RowError(None, None, None, f"internal error: {exc.__class__.__name__}: {exc}")]
    finally:
        if gc_was_enabled:
            gc.enable()
    if result.status == ImportStatus.SUCCEEDED and stats.created + stats.lines_created >= ANALYZE_AFTER_ROWS:
        _refresh_planner_statistics()
    if result.status in (ImportStatus.SUCCEEDED, ImportStatus.DRY_RUN):
        result.rows_read, result.created, result.updated = stats.rows_read, stats.created, stats.updated
        result.unchanged, result.lines_created, result.summary = stats.unchanged, stats.lines_created, stats.summary
    else:
        result.rows_read = stats.rows_read
    ImportRun.objects.filter(pk=run.pk).update(
        status=result.status, finished_at=timezone.now(), rows_read=result.rows_read, created=result.created,
        updated=result.updated, unchanged=result.unchanged,
        summary={**result.summary, "lines_created": result.lines_created, "dry_run": dry_run},
        errors=[e.as_dict() for e in result.errors],
    )
    return result
