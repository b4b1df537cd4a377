"""Writing customer returns: one row per returned unit, unique per account × order × SKU × LPN × return time.

New returns are inserted with ``bulk_create(ignore_conflicts=True)`` so the database constraint, not this code,
decides what is a duplicate (a concurrent import of the same file cannot double a return). Returns already stored
are looked up per batch by the batch's order ids: identical ones are "unchanged"; ones whose later report says
something new (status ``Reimbursed`` after ``Unit returned to inventory``, another disposition) are updated.
Created is measured as the rows that really appeared, so a conflicting row is never counted as created.
"""

from __future__ import annotations

from collections.abc import Iterable

from chuhai.logistics.models import CustomerReturn

from ..records import ReturnRecord
from .base import WriteContext
from .fba import batches

RETURN_KEY = ("order_ref", "sku", "license_plate", "returned_at")
RETURN_FIELDS = ("quantity", "asin", "fnsku", "product_name", "fulfillment_center", "disposition", "reason",
                 "status", "customer_comments")


def write_returns(records: Iterable[ReturnRecord], ctx: WriteContext) -> None:
    stats = ctx.stats
    for batch in batches(records):
        stats.rows_read += len(batch)
        in_scope = CustomerReturn.objects.filter(account=ctx.account, order_ref__in={r.order_ref for r in batch})
        existing = {tuple(getattr(row, k) for k in RETURN_KEY): row for row in in_scope}
        new: list[CustomerReturn] = []
        changed: dict[int, CustomerReturn] = {}
        for rec in batch:
            row = existing.get(tuple(getattr(rec, k) for k in RETURN_KEY))
            if row is None:
                new.append(CustomerReturn(account=ctx.account, import_run=ctx.run,
                                          **{name: getattr(rec, name) for name in RETURN_KEY + RETURN_FIELDS}))
                continue
            differs = [name for name in RETURN_FIELDS if getattr(row, name) != getattr(rec, name)]
            if not differs:
                stats.unchanged += 1
                continue
            for name in differs:
                setattr(row, name, getattr(rec, name))
            row.import_run = ctx.run
            changed[row.pk] = row
            stats.updated += 1
        if new:
            CustomerReturn.objects.bulk_create(new, ignore_conflicts=True)
            created = in_scope.all().count() - len(existing)  # .all(): a fresh count, not the cached rows
            stats.created += created
            stats.unchanged += len(new) - created
        if changed:
            CustomerReturn.objects.bulk_update(changed.values(), [*RETURN_FIELDS, "import_run"])
    from chuhai.logistics.returns import link_orders  # returns ↔ orders (issue 4)

    link_orders(CustomerReturn.objects.filter(account=ctx.account, order__isnull=True))
