"""Writing order records: create new orders, update changed ones, leave identical ones alone.

Idempotency: each order stores a digest of the values it was imported as (``source_hash``); the same record again
is "unchanged" and touches nothing. A record older than what is stored (an earlier ``last-updated`` date) never
overwrites a newer one. The database's unique (account, external id) is the guarantee against duplicates — the
lookup here only decides between insert and update, and a concurrent import of the same orders fails the file
instead of doubling it.

Work is set-based per batch of orders, so a million-line file streams through in bounded memory:
- one indexed query per 500 orders fetches (external id, id, digest) of those already stored — none at all on an
  account's first import — and an equal digest is "unchanged" without anything else being compared or fetched;
- each record is turned into the rows it is stored as in one pass over its lines (checks, totals, line rows), and
  the digest is taken of exactly those values;
- ids of new orders are allocated up front (:func:`chuhai.core.bulk.allocate_ids`), so orders and their lines go in
  with plain ``executemany`` inserts and nothing is read back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from chuhai.catalog.models import Listing, Product, UnmappedSku
from chuhai.core.bulk import BackgroundInserts, IdAllocator, datetime_adapter, update_rows
from chuhai.core.models import CompanySettings
from chuhai.finance.fx import FxConverter, FxRateMissing
from chuhai.orders.models import DocumentType, FulfilmentChannel, ItemStatus, Order, OrderLine, OrderStatus

from ..records import OrderRecord
from .base import WriteContext, chunks

BATCH_ORDERS = 2000
LOOKUP_CHUNK = 900  # ids per lookup query (SQLite takes at most 999 parameters)
STATUSES = frozenset(OrderStatus.values)
CHANNELS = frozenset(FulfilmentChannel.values)
DOCUMENTS = frozenset(DocumentType.values)
ITEM_STATUSES = frozenset(ItemStatus.values)
CANCELLED = ItemStatus.CANCELLED.value
CREDIT = DocumentType.CREDIT.value
RATE_QUANT = Decimal("1e-12")
PRICE_QUANT = Decimal("1e-6")
ZERO = Decimal(0)

#: The columns of an order row as the writer builds it: ORDER_FIELDS are what the record says (its fingerprint,
#: when it has no source text, is taken of these and of its lines), the rest is stamped by the writer.
ORDER_FIELDS = (
    "external_id", "marketplace", "purchased_at", "status", "fulfilment_channel", "document_type", "tax_model",
    "is_replacement", "is_business", "promotion_ids", "customer_ref", "ship_country", "ship_region", "ship_city",
    "ship_postal", "currency", "items_total", "shipping_total", "tax_total", "discount_total", "order_total",
    "source_updated_at",
)
ORDER_COLUMNS = ("id", "account_id", *ORDER_FIELDS, "base_currency", "fx_rate", "source_hash", "import_run_id",
                 "created_at", "updated_at")
#: Positions in an order row.
_FIELDS = slice(2, 2 + len(ORDER_FIELDS))
_RATE, _HASH = ORDER_COLUMNS.index("fx_rate"), ORDER_COLUMNS.index("source_hash")
_TOTALS = ORDER_COLUMNS.index("items_total")
TOTAL_NAMES = ORDER_COLUMNS[_TOTALS:_TOTALS + 5]
#: An update writes every column but the first three (id, account, external id) and created_at, by id.
UPDATE_COLUMNS = (*ORDER_COLUMNS[3:-2], "updated_at")
#: The columns of a line row; the fingerprint covers all but the order id and the product (a mapping is linked by
#: the mapping service, not by re-importing).
LINE_COLUMNS = (
    "order_id", "line_no", "external_line_id", "channel_sku", "product_name", "item_status", "quantity",
    "unit_price", "gross_amount", "item_tax", "shipping", "shipping_tax", "discount", "product_id",
)

#: Part of every fingerprint taken from a record's ``source_key``: change it when what the writer stores for the
#: same record changes (then a re-import updates the orders instead of calling them unchanged).
WRITER_VERSION = "orders-1"


def source_digest(source_key: str) -> str:
    """The fingerprint of a record that carries its source text (:attr:`OrderRecord.source_key`)."""
    return hashlib.blake2b(f"{WRITER_VERSION}\x1d{source_key}".encode(), digest_size=16).hexdigest()


def row_digest(order: list, lines: list[tuple]) -> str:
    """The fingerprint of a record without source text: a 32-hex digest of the values it is stored as (its row's
    ORDER_FIELDS, and its lines less order id and product). ``str`` of each value: Decimal keeps its exponent
    (``19.9`` ≠ ``19.90``), and it is several times cheaper than ``repr`` of nested tuples on a million orders."""
    parts = ["\x1f".join(map(str, order[_FIELDS]))]
    parts.extend("\x1f".join(map(str, ln[1:-1])) for ln in lines)
    return hashlib.blake2b("\x1e".join(parts).encode(), digest_size=16).hexdigest()


def combined_digest(first: str, more: str) -> str:
    """The digest of an order whose rows arrived as more than one record (see :meth:`OrderWriter._append`)."""
    return hashlib.blake2b(f"{first}+{more}".encode(), digest_size=16).hexdigest()


class OrderWriter:
    def __init__(self, ctx: WriteContext):
        self.ctx = ctx
        self.account = ctx.account
        self.marketplace = self.account.marketplace
        company = CompanySettings.load()
        self.base_currency = company.base_currency
        self.zone = ZoneInfo(company.time_zone)
        self.fx = FxConverter()
        self.run_id = ctx.run.pk if ctx.run is not None else None
        self.adapt_datetime = datetime_adapter()
        self.ids = IdAllocator(Order)
        # SQLite inserts one batch on a worker thread while the next is read and built: every other use of the
        # database here waits for it first (self.inserts.wait()).
        self.inserts = BackgroundInserts()
        self.sku_map = dict(Listing.objects.filter(account=self.account).values_list("channel_sku", "product_id"))
        for sku, pk in Product.objects.values_list("sku", "id"):
            if self.sku_map.get(sku) is None:  # the account's listing first, else a product with that SKU
                self.sku_map[sku] = pk
        # An account's first import has nothing to compare with: no lookups at all. (A concurrent import of the same
        # orders still fails on the unique key instead of doubling them.)
        self.has_orders = Order.objects.filter(account=self.account).exists()
        # external id → (order id << 32 | its last line number) for every order this run created or updated, 0 for
        # those it left unchanged: later rows of the same order (files that do not group an order's rows) join it
        # or are skipped with it. Not kept for records that are their order's only one (OrderRecord.whole).
        self.written: dict[str, int] = {}
        self.unmapped: dict[str, str] = {}
        self.rates: dict[tuple, Decimal] = {}

    # -- building ----------------------------------------------------------------------------------------------
    def _build(self, rec: OrderRecord, pk: int, now, first_no: int = 1, more: bool = False
               ) -> tuple[list, list[tuple]] | None:
        """The order's row (ORDER_COLUMNS, rate and fingerprint still to fill in) and its line rows (LINE_COLUMNS),
        values as the database takes them — or None after reporting why the record is invalid. One pass over the
        lines: this runs for every order of a million-line file. ``more``: further rows of an order already
        written (their amounts are added to it, so they are not a whole order's)."""
        errors = self.ctx.errors
        ok = True
        line_no = rec.line
        document = rec.document_type
        credit = document == CREDIT
        if rec.status not in STATUSES:
            errors.add(line_no, "status", rec.status, "unknown order status")
            ok = False
        if rec.fulfilment_channel not in CHANNELS:
            errors.add(line_no, "fulfilment", rec.fulfilment_channel, "unknown fulfilment channel")
            ok = False
        if document not in DOCUMENTS:
            errors.add(line_no, "document", document, "unknown document type")
            ok = False
        external_id = rec.external_id
        if not external_id or len(external_id) > 64:
            errors.add(line_no, "order id", external_id, "order id missing or longer than 64 characters")
            ok = False
        purchased_at = rec.purchased_at
        if purchased_at.tzinfo is None:
            errors.add(line_no, "purchase date", purchased_at, "time without a time zone")
            ok = False
        items, shipping, tax, discount = ZERO, rec.extra_shipping, rec.extra_tax, rec.extra_discount
        sku_map = self.sku_map
        rows = []
        no = first_no
        for ln in rec.lines:
            qty, status, gross = ln.quantity, ln.item_status, ln.gross_amount
            item_tax, ship, ship_tax, disc = ln.item_tax, ln.shipping, ln.shipping_tax, ln.discount
            if qty <= 0 or not credit and (item_tax < 0 or ship < 0 or ship_tax < 0 or disc < 0) \
                    or status not in ITEM_STATUSES:
                ok = self._line_errors(rec, ln) and ok
            items += gross
            shipping += ship
            tax += item_tax + ship_tax
            discount += disc
            sku = ln.channel_sku
            unit = ln.unit_price
            if unit is None:  # the line amount over the quantity (one unit: the amount itself, the same number)
                unit = gross if qty == 1 else (gross / qty).quantize(PRICE_QUANT) if qty else gross
            rows.append((pk, no, ln.external_line_id[:64], sku[:100], ln.product_name[:500], status, qty, unit,
                         gross, item_tax, ship, ship_tax, disc, sku_map.get(sku)))
            no += 1
        if not ok:
            return None
        total = rec.order_total
        if total is None:
            total = items + shipping - discount + (ZERO if rec.prices_include_tax else tax)
        if not credit and not more and (items < 0 or shipping < 0 or tax < 0 or discount < 0 or total < 0):
            totals = dict(zip(TOTAL_NAMES, (items, shipping, tax, discount, total), strict=True))
            negative = next(k for k, v in totals.items() if v < 0)
            errors.add(line_no, negative.replace("_", " "), totals[negative], "order total is negative")
        adapt, updated = self.adapt_datetime, rec.source_updated_at
        order = [
            pk, self.account.pk, external_id, rec.marketplace or self.marketplace, adapt(purchased_at), rec.status,
            rec.fulfilment_channel, document, rec.tax_model, rec.is_replacement, rec.is_business,
            rec.promotion_ids[:500], rec.customer_ref[:128], rec.ship_country, rec.ship_region[:100],
            rec.ship_city[:100], rec.ship_postal[:20], rec.currency, items, shipping, tax, discount, total,
            None if updated is None else adapt(updated), self.base_currency, None, "", self.run_id, now, now,
        ]
        return order, rows

    def _line_errors(self, rec: OrderRecord, ln) -> bool:
        """The located errors of a line that failed the quick check in :meth:`_build` (False if there are any)."""
        errors, ok = self.ctx.errors, True
        credit = rec.document_type == CREDIT
        if ln.quantity == 0 and ln.item_status != CANCELLED:
            errors.add(rec.line, "quantity", 0,
                       f"quantity 0 on SKU {ln.channel_sku} (only a cancelled item may have none)")
            ok = False
        elif ln.quantity < 0 and not credit:
            errors.add(rec.line, "quantity", ln.quantity,
                       "negative quantity on an order (only credit documents reverse items)")
            ok = False
        if ln.item_status not in ITEM_STATUSES:
            errors.add(rec.line, "item status", ln.item_status, "unknown item status")
            ok = False
        for name in ("item_tax", "shipping", "shipping_tax", "discount"):
            if getattr(ln, name) < 0 and not credit:
                errors.add(rec.line, name.replace("_", " "), getattr(ln, name), "must not be negative")
                ok = False
        return ok

    def _rate(self, rec: OrderRecord) -> Decimal | None:
        key = (rec.currency, rec.purchased_at.astimezone(self.zone).date())
        rate = self.rates.get(key)
        if rate is not None:
            return rate
        self.inserts.wait()
        try:
            rate = self.rates[key] = self.fx.rate(rec.currency, self.base_currency, key[1]).quantize(RATE_QUANT)
            return rate
        except FxRateMissing as exc:
            self.ctx.errors.add(rec.line, "currency", rec.currency, str(exc))
        except Exception as exc:  # unknown currency code
            self.ctx.errors.add(rec.line, "currency", rec.currency, str(exc))
        return None

    def _existing(self, external_ids: list[str]) -> dict[str, tuple[int, str]]:
        """external id → (order id, fingerprint) of the orders of this batch already stored: one query on the
        unique (account, external id) index per LOOKUP_CHUNK ids."""
        found = {}
        self.inserts.wait()
        qn = connection.ops.quote_name
        table = qn(Order._meta.db_table)
        with connection.cursor() as cursor:
            for ids in chunks(external_ids, LOOKUP_CHUNK):
                cursor.execute(
                    f"SELECT {qn('external_id')}, {qn('id')}, {qn('source_hash')} FROM {table} "
                    f"WHERE {qn('account_id')} = %s AND {qn('external_id')} IN ({', '.join(['%s'] * len(ids))})",
                    [self.account.pk, *ids])
                for ext, pk, source_hash in cursor.fetchall():
                    found[ext] = (pk, source_hash)
        return found

    # -- writing -----------------------------------------------------------------------------------------------
    def flush(self, batch: list[OrderRecord]) -> None:
        merged: dict[str, OrderRecord] = {}
        for rec in batch:
            first = merged.get(rec.external_id)
            if first is not None:
                # Rows of one order that arrive apart (a "by last update" report) join the first record of it.
                first.lines.extend(rec.lines)
                first.source_key = f"{first.source_key}\x1e{rec.source_key}" if first.source_key and \
                    rec.source_key else ""
            else:
                merged[rec.external_id] = rec
        stats, written = self.ctx.stats, self.written
        late = [rec for ext, rec in merged.items() if ext in written]
        existing = self._existing([ext for ext in merged if ext not in written]) if self.has_orders else {}
        if self.ids.next is None:
            self.inserts.wait()  # the first ids are read from the table
        new_ids = iter(self.ids.take(len(merged) - len(late) - len(existing)))

        now = self.adapt_datetime(timezone.now())
        build, rate_of = self._build, self._rate
        new_orders, changed, line_rows = [], [], []
        for ext, rec in merged.items():
            if ext in written:
                continue
            stats.rows_read += len(rec.lines)
            stored = existing.get(ext)
            source_hash = source_digest(rec.source_key) if rec.source_key else None
            if stored is not None and stored[1] == source_hash:  # the fast path of a re-import: nothing rebuilt
                stats.unchanged += 1
                if not rec.whole:
                    written[ext] = 0  # later rows of a skipped order are skipped too
                continue
            built = build(rec, next(new_ids) if stored is None else stored[0], now)
            if built is None:
                continue
            order, rows = built
            if source_hash is None:
                source_hash = row_digest(order, rows)
                if stored is not None and stored[1] == source_hash:
                    stats.unchanged += 1
                    if not rec.whole:
                        written[ext] = 0
                    continue
            order[_HASH] = source_hash
            if stored is not None:
                changed.append((rec, order, rows))
                continue
            rate = rate_of(rec)
            if rate is None:
                continue
            order[_RATE] = rate
            new_orders.append(order)
            line_rows.extend(rows)
            if not rec.whole:
                written[ext] = order[0] << 32 | len(rows)
        if changed:
            changed = self._newer_only(changed)
            for _rec, order, _rows in changed:
                order[_RATE] = rate_of(_rec)
            changed = [item for item in changed if item[1][_RATE] is not None]
        if self.ctx.errors:
            return  # the file will be rejected: stop writing, keep validating

        if changed or late:
            self.inserts.wait()
        if changed:
            update_rows(Order, UPDATE_COLUMNS, [(*order[3:-2], order[-1], order[0]) for _rec, order, _rows in changed])
            line_rows.extend(self._replace_lines(changed))
            for rec, order, rows in changed:
                if not rec.whole:
                    written[rec.external_id] = order[0] << 32 | len(rows)
            stats.updated += len(changed)
        for rec in late:
            self._append(rec, line_rows, now)
        unmapped = self.unmapped
        for row in line_rows:
            if row[-1] is None:
                unmapped.setdefault(row[3], row[4])
        self.inserts.insert([(Order, ORDER_COLUMNS, new_orders), (OrderLine, LINE_COLUMNS, line_rows)])
        stats.created += len(new_orders)
        stats.lines_created += len(line_rows)

    def _replace_lines(self, changed: list[tuple]) -> list[tuple]:
        """Bring the stored lines of changed orders in line with the new rows, IN PLACE: a line keeps its id (and
        so its stock reservations and shipment lines) while its status or amounts change. Lines are matched by
        number; extra stored lines are deleted. Returns the rows that are new lines, to insert."""
        stored: dict[tuple[int, int], int] = {}
        order_ids = [order[0] for _rec, order, _rows in changed]
        for start in range(0, len(order_ids), 500):
            for order_id, line_no, pk in OrderLine.objects.filter(
                    order_id__in=order_ids[start:start + 500]).order_by().values_list("order_id", "line_no", "pk"):
                stored[(order_id, line_no)] = pk
        updates, inserts, kept = [], [], set()
        for _rec, _order, rows in changed:
            for row in rows:
                pk = stored.get((row[0], row[1]))
                if pk is None:
                    inserts.append(row)
                else:
                    updates.append((*row[2:], pk))
                    kept.add(pk)
        gone = [pk for pk in stored.values() if pk not in kept]
        if gone:
            OrderLine.objects.filter(pk__in=gone).delete()
        update_rows(OrderLine, LINE_COLUMNS[2:], updates)
        return inserts

    def _newer_only(self, changed: list[tuple]) -> list[tuple]:
        """Of the stored orders whose fingerprint differs, those this record may overwrite: never one stored from a
        report newer than this one."""
        stored_updated = {}
        self.inserts.wait()
        for pks in chunks([order[0] for _rec, order, _rows in changed], LOOKUP_CHUNK):
            stored_updated.update(Order.objects.filter(pk__in=pks).values_list("pk", "source_updated_at"))
        kept = []
        for item in changed:
            rec, old = item[0], stored_updated.get(item[1][0])
            if rec.source_updated_at and old and rec.source_updated_at < old:
                self.ctx.stats.unchanged += 1
                if not rec.whole:
                    self.written[rec.external_id] = 0
            else:
                kept.append(item)
        return kept

    def _append(self, rec: OrderRecord, line_rows: list[tuple], now) -> None:
        """More rows for an order this run already wrote: add its lines and its amounts."""
        written = self.written[rec.external_id]
        self.ctx.stats.rows_read += len(rec.lines)
        if not written:
            return  # the order was left unchanged (or older than what is stored): so are its later rows
        pk, last_no = written >> 32, written & 0xFFFFFFFF
        built = self._build(rec, pk, now, first_no=last_no + 1, more=True)
        if built is None:
            return
        added, rows = built
        order = Order.objects.get(pk=pk)
        for i, name in enumerate(TOTAL_NAMES[:4], start=_TOTALS):
            setattr(order, name, getattr(order, name) + added[i])
        order.order_total += added[_TOTALS + 4] if rec.order_total is None else ZERO
        more_hash = source_digest(rec.source_key) if rec.source_key else row_digest(added, rows)
        order.source_hash = combined_digest(order.source_hash, more_hash)
        order.save(update_fields=[*TOTAL_NAMES, "source_hash", "updated_at"])
        line_rows.extend(rows)
        self.written[rec.external_id] = pk << 32 | (last_no + len(rows))

    def finish(self) -> None:
        self.inserts.wait()
        if self.ctx.errors or not self.unmapped:
            return
        now = timezone.now()
        UnmappedSku.objects.bulk_create(
            [UnmappedSku(account=self.account, channel_sku=sku[:100], product_name=(name or "")[:500])
             for sku, name in self.unmapped.items()],
            ignore_conflicts=True, batch_size=500,
        )
        for skus in chunks(list(self.unmapped), 500):
            # Seen unmapped again (say its listing was deleted): the task is open again.
            UnmappedSku.objects.filter(account=self.account, channel_sku__in=skus).update(
                last_seen_at=now, resolved_at=None, product=None)
        self.ctx.stats.summary["unmapped_skus"] = len(self.unmapped)


def write_orders(records: Iterable[OrderRecord], ctx: WriteContext) -> None:
    writer = OrderWriter(ctx)
    try:
        batch: list[OrderRecord] = []
        for rec in records:
            batch.append(rec)
            if len(batch) >= BATCH_ORDERS:
                writer.flush(batch)
                batch = []
        writer.flush(batch)
        writer.finish()
    finally:
        writer.inserts.close()  # before the file's transaction ends, whichever way it ends
