"""Writing order records: create new orders, update changed ones, leave identical ones alone.

Idempotency: each order stores a digest of the fields it was imported from (``source_hash``); the same record again
is "unchanged" and touches nothing. A record older than what is stored (an earlier ``last-updated`` date) never
overwrites a newer one. The database's unique (account, external id) is the guarantee against duplicates — the
lookup here only decides between insert and update, and a concurrent import of the same orders fails the file
instead of doubling it.

Work is set-based per batch of orders (one query to find existing orders, bulk inserts), so a million-line file
streams through in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.utils import timezone

from chuhai.catalog.models import Listing, Product, UnmappedSku
from chuhai.core.bulk import insert_rows
from chuhai.core.models import CompanySettings
from chuhai.finance.fx import FxConverter, FxRateMissing
from chuhai.orders.models import DocumentType, FulfilmentChannel, ItemStatus, Order, OrderLine, OrderStatus

from ..records import OrderRecord
from .base import WriteContext, chunks, digest

BATCH_ORDERS = 2000
STATUSES = frozenset(OrderStatus.values)
CHANNELS = frozenset(FulfilmentChannel.values)
DOCUMENTS = frozenset(DocumentType.values)
ITEM_STATUSES = frozenset(ItemStatus.values)
RATE_QUANT = Decimal("1e-12")
PRICE_QUANT = Decimal("1e-6")
ZERO = Decimal(0)

LINE_FIELDS = (
    "order_id", "line_no", "external_line_id", "product_id", "channel_sku", "product_name", "item_status",
    "quantity", "unit_price", "gross_amount", "item_tax", "shipping", "shipping_tax", "discount",
)
ORDER_FIELDS = (
    "marketplace", "purchased_at", "status", "fulfilment_channel", "document_type", "tax_model", "is_replacement",
    "is_business", "promotion_ids", "customer_ref", "ship_country", "ship_region", "ship_city", "ship_postal",
    "currency", "items_total", "shipping_total", "tax_total", "discount_total", "order_total", "base_currency",
    "fx_rate", "source_updated_at", "source_hash", "import_run",
)


#: The values of an order dict in ORDER_FIELDS order, less import_run (inserted as its id).
ORDER_VALUES = itemgetter(*ORDER_FIELDS[:-1])


def record_digest(rec: OrderRecord) -> str:
    lines = tuple(
        (ln.channel_sku, ln.quantity, ln.gross_amount, ln.unit_price, ln.item_tax, ln.shipping, ln.shipping_tax,
         ln.discount, ln.external_line_id, ln.product_name, ln.item_status)
        for ln in rec.lines
    )
    return digest(
        rec.external_id, rec.purchased_at.isoformat(), rec.status, rec.currency, rec.fulfilment_channel,
        rec.marketplace, rec.ship_country, rec.ship_region, rec.ship_city, rec.ship_postal, rec.customer_ref,
        rec.source_updated_at.isoformat() if rec.source_updated_at else "", rec.document_type, rec.tax_model,
        rec.prices_include_tax, rec.is_replacement, rec.is_business, rec.promotion_ids, rec.order_total,
        rec.extra_shipping, rec.extra_discount, rec.extra_tax, lines,
    )


def merge_into(target: OrderRecord, extra: OrderRecord) -> None:
    """Rows of one order that arrive apart (a "by last update" report) join the first record of that order."""
    target.lines.extend(extra.lines)


class OrderWriter:
    def __init__(self, ctx: WriteContext):
        self.ctx = ctx
        self.account = ctx.account
        company = CompanySettings.load()
        self.base_currency = company.base_currency
        self.zone = ZoneInfo(company.time_zone)
        self.fx = FxConverter()
        self.sku_map = dict(Listing.objects.filter(account=self.account).values_list("channel_sku", "product_id"))
        self.product_by_sku = dict(Product.objects.values_list("sku", "id"))
        self.written: dict[str, tuple[int, int]] = {}  # external id → (order pk, last line no) in this run
        self.unmapped: dict[str, str] = {}
        self.rates: dict[tuple, Decimal] = {}

    # -- checks ------------------------------------------------------------------------------------------------
    def _valid(self, rec: OrderRecord) -> bool:
        errors, ok = self.ctx.errors, True

        def bad(column, value, message):
            nonlocal ok
            errors.add(rec.line, column, value, message)
            ok = False

        if rec.status not in STATUSES:
            bad("status", rec.status, "unknown order status")
        if rec.fulfilment_channel not in CHANNELS:
            bad("fulfilment", rec.fulfilment_channel, "unknown fulfilment channel")
        if rec.document_type not in DOCUMENTS:
            bad("document", rec.document_type, "unknown document type")
        if not rec.external_id or len(rec.external_id) > 64:
            bad("order id", rec.external_id, "order id missing or longer than 64 characters")
        if rec.purchased_at.tzinfo is None:
            bad("purchase date", rec.purchased_at, "time without a time zone")
        for ln in rec.lines:
            if ln.quantity == 0 and ln.item_status != ItemStatus.CANCELLED:
                bad("quantity", 0, f"quantity 0 on SKU {ln.channel_sku} (only a cancelled item may have none)")
            elif ln.quantity < 0 and rec.document_type != DocumentType.CREDIT:
                bad("quantity", ln.quantity, "negative quantity on an order (only credit documents reverse items)")
            if ln.item_status not in ITEM_STATUSES:
                bad("item status", ln.item_status, "unknown item status")
            for name in ("item_tax", "shipping", "shipping_tax", "discount"):
                if getattr(ln, name) < 0 and rec.document_type != DocumentType.CREDIT:
                    bad(name.replace("_", " "), getattr(ln, name), "must not be negative")
        return ok

    # -- building ----------------------------------------------------------------------------------------------
    def _totals(self, rec: OrderRecord) -> dict:
        items, shipping, tax, discount = ZERO, rec.extra_shipping, rec.extra_tax, rec.extra_discount
        for ln in rec.lines:  # one pass: this runs for every order of a million-line file
            items += ln.gross_amount
            shipping += ln.shipping
            tax += ln.item_tax + ln.shipping_tax
            discount += ln.discount
        total = rec.order_total
        if total is None:
            total = items + shipping - discount + (ZERO if rec.prices_include_tax else tax)
        return {"items_total": items, "shipping_total": shipping, "tax_total": tax, "discount_total": discount,
                "order_total": total}

    def _rate(self, rec: OrderRecord) -> Decimal | None:
        day = rec.purchased_at.astimezone(self.zone).date()
        key = (rec.currency, day)
        if key in self.rates:
            return self.rates[key]
        try:
            rate = self.rates[key] = self.fx.rate(rec.currency, self.base_currency, day).quantize(RATE_QUANT)
            return rate
        except FxRateMissing as exc:
            self.ctx.errors.add(rec.line, "currency", rec.currency, str(exc))
        except Exception as exc:  # unknown currency code
            self.ctx.errors.add(rec.line, "currency", rec.currency, str(exc))
        return None

    def _order_values(self, rec: OrderRecord, rate: Decimal, source_hash: str) -> dict:
        totals = self._totals(rec)
        if rec.document_type != DocumentType.CREDIT and any(v < 0 for v in totals.values()):
            negative = next(k for k, v in totals.items() if v < 0)
            self.ctx.errors.add(rec.line, negative.replace("_", " "), totals[negative], "order total is negative")
        return {
            "marketplace": rec.marketplace or self.account.marketplace, "purchased_at": rec.purchased_at,
            "status": rec.status, "fulfilment_channel": rec.fulfilment_channel, "document_type": rec.document_type,
            "tax_model": rec.tax_model, "is_replacement": rec.is_replacement, "is_business": rec.is_business,
            "promotion_ids": rec.promotion_ids[:500], "customer_ref": rec.customer_ref[:128],
            "ship_country": rec.ship_country, "ship_region": rec.ship_region[:100], "ship_city": rec.ship_city[:100],
            "ship_postal": rec.ship_postal[:20], "currency": rec.currency, **totals,
            "base_currency": self.base_currency, "fx_rate": rate, "source_updated_at": rec.source_updated_at,
            "source_hash": source_hash, "import_run": self.ctx.run,
        }

    def _lines(self, order_id: int, rec: OrderRecord, first_no: int = 1) -> list[tuple]:
        """Line rows in :data:`LINE_FIELDS` order."""
        built = []
        for offset, ln in enumerate(rec.lines):
            product_id = self.sku_map.get(ln.channel_sku) or self.product_by_sku.get(ln.channel_sku)
            if product_id is None:
                self.unmapped.setdefault(ln.channel_sku, ln.product_name)
            unit = ln.unit_price
            if unit is None:
                unit = (ln.gross_amount / ln.quantity).quantize(PRICE_QUANT) if ln.quantity else ln.gross_amount
            built.append((
                order_id, first_no + offset, ln.external_line_id[:64], product_id, ln.channel_sku[:100],
                ln.product_name[:500], ln.item_status, ln.quantity, unit, ln.gross_amount, ln.item_tax, ln.shipping,
                ln.shipping_tax, ln.discount,
            ))
        return built

    # -- writing -----------------------------------------------------------------------------------------------
    def flush(self, batch: list[OrderRecord]) -> None:
        merged: dict[str, OrderRecord] = {}
        for rec in batch:
            if rec.external_id in merged:
                merge_into(merged[rec.external_id], rec)
            else:
                merged[rec.external_id] = rec
        stats = self.ctx.stats
        late = [rec for ext, rec in merged.items() if ext in self.written]
        fresh = {ext: rec for ext, rec in merged.items() if ext not in self.written}
        existing = {}
        for ids in chunks(list(fresh), 500):
            # order_by(): the model's default ordering would make SQLite walk the (account, date) index instead
            # of the unique (account, external id) one — quadratic on a large import.
            for ext, pk, source_hash, updated in Order.objects.filter(
                account=self.account, external_id__in=ids
            ).order_by().values_list("external_id", "pk", "source_hash", "source_updated_at"):
                existing[ext] = (pk, source_hash, updated)

        new_orders, new_records, updates, update_records = [], [], [], []
        for ext, rec in fresh.items():
            stats.rows_read += len(rec.lines)
            if not self._valid(rec):
                continue
            source_hash = record_digest(rec)
            if ext in existing:
                pk, old_hash, old_updated = existing[ext]
                if old_hash == source_hash or (
                    rec.source_updated_at and old_updated and rec.source_updated_at < old_updated
                ):
                    stats.unchanged += 1
                    self.written[ext] = (pk, -1)  # later rows of a skipped order are skipped too
                    continue
            rate = self._rate(rec)
            if rate is None:
                continue
            values = self._order_values(rec, rate, source_hash)
            if ext in existing:
                order = Order(pk=existing[ext][0], account=self.account, external_id=ext, **values)
                updates.append(order)
                update_records.append(rec)
            else:
                new_orders.append(values)
                new_records.append(rec)
        if self.ctx.errors:
            return  # the file will be rejected: stop writing, keep validating
        order_ids: list[int] = []
        if new_orders:
            now = timezone.now()
            run_id = self.ctx.run.pk if self.ctx.run is not None else None
            insert_rows(
                Order, ("account_id", "external_id", *ORDER_FIELDS[:-1], "import_run_id", "created_at", "updated_at"),
                ((self.account.pk, rec.external_id, *ORDER_VALUES(v), run_id, now, now)
                 for v, rec in zip(new_orders, new_records, strict=True)),
            )
            pks = {}
            for ids in chunks([rec.external_id for rec in new_records], 500):
                pks.update(Order.objects.filter(account=self.account, external_id__in=ids).order_by()
                           .values_list("external_id", "pk"))
            order_ids = [pks[rec.external_id] for rec in new_records]
            stats.created += len(new_orders)
        if updates:
            now = timezone.now()
            for order in updates:
                order.updated_at = now
            Order.objects.bulk_update(updates, [*ORDER_FIELDS, "updated_at"], batch_size=500)
            OrderLine.objects.filter(order_id__in=[o.pk for o in updates]).delete()
            stats.updated += len(updates)
        lines = []
        for pk, rec in zip(order_ids + [o.pk for o in updates], new_records + update_records, strict=True):
            lines.extend(self._lines(pk, rec))
            self.written[rec.external_id] = (pk, len(rec.lines))
        for rec in late:
            self._append(rec, lines)
        insert_rows(OrderLine, LINE_FIELDS, lines)
        stats.lines_created += len(lines)

    def _append(self, rec: OrderRecord, lines: list[tuple]) -> None:
        """More rows for an order this run already wrote: add its lines and its amounts."""
        pk, last_no = self.written[rec.external_id]
        self.ctx.stats.rows_read += len(rec.lines)
        if last_no < 0 or not self._valid(rec):
            return
        order = Order.objects.get(pk=pk)
        added = self._totals(rec)
        for name in ("items_total", "shipping_total", "tax_total", "discount_total"):
            setattr(order, name, getattr(order, name) + added[name])
        order.order_total += added["order_total"] if rec.order_total is None else ZERO
        order.source_hash = digest(order.source_hash, record_digest(rec))
        order.save(update_fields=["items_total", "shipping_total", "tax_total", "discount_total", "order_total",
                                  "source_hash", "updated_at"])
        lines.extend(self._lines(pk, rec, first_no=last_no + 1))
        self.written[rec.external_id] = (pk, last_no + len(rec.lines))

    def finish(self) -> None:
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
    batch: list[OrderRecord] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= BATCH_ORDERS:
            writer.flush(batch)
            batch = []
    writer.flush(batch)
    writer.finish()

