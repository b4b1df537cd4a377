"""Writing FBA inventory snapshots: one row per account × day × SKU × FNSKU, upserted.

The same report imported twice changes nothing ("unchanged"); a later download of the same day with other numbers
updates that day's rows; another day adds rows. :func:`upsert` is the set-based insert-or-update both this writer
and the ads writer use: one query per batch finds the stored rows, then one bulk insert and one bulk update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import models

from chuhai.inventory.models import FbaInventorySnapshot

from ..records import FbaInventoryRecord
from .base import WriteContext

BATCH = 1000
SNAPSHOT_KEY = ("snapshot_date", "sku", "fnsku")
SNAPSHOT_FIELDS = ("asin", "product_name", "condition", "fulfillable", "unsellable", "reserved", "warehouse_total",
                   "total", "inbound_working", "inbound_shipped", "inbound_receiving", "researching")


def batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def upsert(model: type[models.Model], records: Iterable, ctx: WriteContext, *, key: tuple[str, ...],
           fields: tuple[str, ...], stored: Callable[[list], models.QuerySet]) -> None:
    """Insert records whose ``key`` is new for the account, update those whose ``fields`` differ, count the rest as
    unchanged. ``stored(batch)`` returns the account's rows that may match the batch (a superset is fine). The
    database's unique constraint on account + key remains the guarantee; this only chooses insert or update."""
    stats = ctx.stats
    for batch in batches(records):
        stats.rows_read += len(batch)
        existing = {tuple(getattr(row, k) for k in key): row for row in stored(batch)}
        new: dict[tuple, models.Model] = {}
        changed: dict[int, models.Model] = {}
        for rec in batch:
            identity = tuple(getattr(rec, k) for k in key)
            row = existing.get(identity) or new.get(identity)
            if row is None:
                new[identity] = model(account=ctx.account, import_run=ctx.run,
                                      **{name: getattr(rec, name) for name in key + fields})
                stats.created += 1
                continue
            differs = [name for name in fields if getattr(row, name) != getattr(rec, name)]
            if not differs:
                stats.unchanged += 1
                continue
            for name in differs:
                setattr(row, name, getattr(rec, name))
            if row.pk is not None:
                row.import_run = ctx.run
                changed[row.pk] = row
            stats.updated += 1
        model.objects.bulk_create(new.values())
        if changed:
            model.objects.bulk_update(changed.values(), [*fields, "import_run"])


def write_snapshots(records: Iterable[FbaInventoryRecord], ctx: WriteContext) -> None:
    def stored(batch: list[FbaInventoryRecord]) -> models.QuerySet:
        return FbaInventorySnapshot.objects.filter(
            account=ctx.account, snapshot_date__in={r.snapshot_date for r in batch}, sku__in={r.sku for r in batch})

    upsert(FbaInventorySnapshot, records, ctx, key=SNAPSHOT_KEY, fields=SNAPSHOT_FIELDS, stored=stored)
