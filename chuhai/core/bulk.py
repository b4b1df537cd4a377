"""Fast multi-row inserts and updates for imports of millions of rows.

Django's ``bulk_create`` spends most of its time preparing each field of each object (measured: 50,000 orders with
their lines took 21 s of a 32 s write, against about 3 s in the database). Importers that already hold validated,
typed values insert them with one ``executemany`` per batch instead. Values are adapted the way Django adapts them
(Decimal as text, aware datetimes through the backend's adapter), so rows read back exactly as ORM-written ones.

On SQLite, :class:`BackgroundInserts` goes further: the database's own work (B-tree and index inserts, constraint
checks: half of a million-order import) runs on a worker thread while the importer reads and prepares the next
batch. SQLite releases Python's lock while it works, but takes it again for every statement's parameters, so the
worker inserts hundreds of rows per statement: one hand-over per statement instead of one per row.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import chain

from django.db import connection
from django.utils import timezone


def adapt(value):
    if isinstance(value, dt.datetime):
        if connection.vendor == "sqlite" and value.tzinfo is not None:
            # What Django's SQLite adapter produces (naive UTC text), without its per-call checks: this runs
            # for millions of values in one import.
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _sqlite_datetime(value: dt.datetime) -> str:
    if value.tzinfo is dt.UTC:
        return value.isoformat(" ")[:-6]  # less its "+00:00"
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def datetime_adapter() -> Callable[[dt.datetime], object]:
    """The function that turns an aware datetime into what the backend stores, for rows passed to
    :func:`insert_rows` / :func:`update_rows` with ``adapted=True``: SQLite's naive UTC text (as Django writes it),
    PostgreSQL's driver takes aware datetimes as they are."""
    if connection.vendor == "sqlite":
        return _sqlite_datetime
    if connection.vendor == "postgresql":
        return _same
    return connection.ops.adapt_datetimefield_value


def _same(value):
    return value


def allocate_ids(model, count: int) -> Sequence[int]:
    """``count`` new primary keys for ``model``, so rows can be inserted with their ids and their children right
    after them, without reading ids back.

    PostgreSQL: drawn from the table's sequence (safe with concurrent writers). SQLite: the ids after both the
    largest id and the AUTOINCREMENT counter (ids of deleted rows are never reused); only valid inside a write
    transaction — the project's SQLite transactions are ``IMMEDIATE``, so no other writer can take them before the
    caller inserts them — and only until the next allocation, which must follow the insert."""
    if count <= 0:
        return range(0)
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, column, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"allocate_ids on {connection.vendor}")
        if not connection.in_atomic_block:
            raise RuntimeError("allocate_ids on SQLite needs the caller's write transaction")
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT max({qn(column)}) FROM {qn(table)}")
        largest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(largest, row[0] if row else 0) + 1
    return range(start, start + count)


class IdAllocator:
    """Primary keys for the rows one writer inserts into ``model`` during one transaction, a batch at a time.

    PostgreSQL: each batch from the sequence (:func:`allocate_ids`). SQLite: the first batch is read from the table
    (:func:`allocate_ids`), the next ones continue from it without a query — the transaction holds SQLite's write
    lock, so no other connection inserts rows meanwhile; nothing else in the caller's transaction may insert into
    ``model``. Ids taken and not used are gaps, as a sequence leaves them."""

    def __init__(self, model):
        self.model = model
        self.next: int | None = None

    def take(self, count: int) -> Sequence[int]:
        if count <= 0:
            return range(0)
        if connection.vendor != "sqlite":
            return allocate_ids(self.model, count)
        if self.next is None:
            ids = allocate_ids(self.model, count)
            self.next = ids.stop
            return ids
        start, self.next = self.next, self.next + count
        return range(start, self.next)


def _columns(model, fields: Sequence[str]) -> list[str]:
    opts = model._meta
    return [opts.get_field(name[:-3] if name.endswith("_id") and not _is_field(opts, name) else name).column
            for name in fields]


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence], batch_size: int = 5000,
                adapted: bool = False) -> int:
    """INSERT ``rows`` (tuples in the order of ``fields``; foreign keys as ``<name>_id``) into ``model``'s table.
    Datetimes are adapted here unless ``adapted`` says the rows already hold what :func:`datetime_adapter`
    returns; everything else must already be the column's Python type."""
    opts = model._meta
    columns = _columns(model, fields)
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    datetime_positions = [] if adapted else [i for i, name in enumerate(fields) if _is_datetime(opts, name)]
    if not datetime_positions:
        rows = rows if isinstance(rows, list) else list(rows)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[start:start + batch_size])
        return len(rows)
    total = 0
    batch: list[list] = []
    with connection.cursor() as cursor:
        last = {i: (None, None) for i in datetime_positions}  # the same object (an import's "now") adapts once
        for row in rows:
            row = list(row)
            for i in datetime_positions:
                value = row[i]
                if value is None:
                    continue
                seen, adapted_value = last[i]
                if value is not seen:
                    adapted_value = adapt(value)
                    last[i] = (value, adapted_value)
                row[i] = adapted_value
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                total += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
    return total


#: Rows per multi-row INSERT statement on the worker thread (fewer when the columns would exceed SQLite's limit on
#: parameters); measured: 1,000 is faster than ``executemany`` even without the thread, 200 slower.
ROWS_PER_STATEMENT = 1000


class BackgroundInserts:
    """Inserts batches of already adapted rows (see :func:`insert_rows`) while the caller goes on.

    SQLite: on one worker thread, through the caller's own connection and so inside its transaction, one batch at a
    time (:meth:`insert` waits for the previous one: memory stays bounded). The caller must call :meth:`wait` before
    it uses the database itself, and :meth:`close` (in a ``finally``) before its transaction ends; the worker's
    database errors are raised there, as Django's (an ``IntegrityError`` stays one). Other databases: the rows are
    inserted at once, by :func:`insert_rows`."""

    def __init__(self):
        self.threaded = connection.vendor == "sqlite"
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="chuhai-inserts") if self.threaded else None
        self._pending: Future | None = None

    def insert(self, jobs: Sequence[tuple[object, Sequence[str], list]]) -> None:
        """``jobs``: (model, fields, rows) inserted in this order."""
        jobs = [(model, fields, rows) for model, fields, rows in jobs if rows]
        if not self.threaded:
            for model, fields, rows in jobs:
                insert_rows(model, fields, rows, adapted=True)
            return
        self.wait()
        if not jobs:
            return
        connection.ensure_connection()
        qn = connection.ops.quote_name
        statements = [(f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in _columns(model, fields))})"
                       " VALUES ", len(fields), rows) for model, fields, rows in jobs]
        self._pending = self._pool.submit(_insert_statements, connection.connection, statements)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            with connection.wrap_database_errors:
                pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)


def _insert_statements(raw_connection, statements: list[tuple[str, int, list]]) -> None:
    """The worker: multi-row INSERTs on the raw SQLite connection (Django opens it usable from any thread)."""
    limit = raw_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    cursor = raw_connection.cursor()
    try:
        for prefix, width, rows in statements:
            per = max(1, min(ROWS_PER_STATEMENT, limit // width))
            row_sql = f"({', '.join(['?'] * width)})"
            full = prefix + ", ".join([row_sql] * per)
            for start in range(0, len(rows), per):
                chunk = rows[start:start + per]
                sql = full if len(chunk) == per else prefix + ", ".join([row_sql] * len(chunk))
                cursor.execute(sql, list(chain.from_iterable(chunk)))
    finally:
        cursor.close()


def update_rows(model, fields: Sequence[str], rows: Sequence[Sequence], batch_size: int = 5000) -> int:
    """UPDATE rows of ``model`` by primary key: each row is the values of ``fields`` (adapted as for
    :func:`insert_rows` with ``adapted=True``) followed by the primary key."""
    if not rows:
        return 0
    opts = model._meta
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(c)} = %s" for c in _columns(model, fields))
    sql = f"UPDATE {qn(opts.db_table)} SET {sets} WHERE {qn(opts.pk.column)} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start:start + batch_size])
    return len(rows)


def _is_field(opts, name: str) -> bool:
    try:
        opts.get_field(name)
        return True
    except Exception:
        return False


def _is_datetime(opts, name: str) -> bool:
    if name.endswith("_id") and not _is_field(opts, name):
        return False
    from django.db.models import DateTimeField

    return isinstance(opts.get_field(name), DateTimeField)


def now():
    return timezone.now()


@contextmanager
def sqlite_secondary_indexes_dropped(model, when: bool = True, keep: Sequence[str] = ()):
    """On SQLite, drop ``model``'s secondary indexes (those created by ``CREATE INDEX``: not the primary key's or
    a UNIQUE column's own) for the block and create them again after it, in the caller's transaction (SQLite's
    DDL is transactional: a rollback brings them back). Building an index once over a million rows is about a
    third of the cost of keeping it in order row by row (measured: 267,230 profit rows, 6 indexes: insert 4.8 s
    and delete 1.6 s with them, against 2.2 s + 0.3 s + 0.9 s to rebuild them). Elsewhere, or when ``when`` is
    false, a no-op: on PostgreSQL dropping an index locks the table against readers until the commit. ``keep``:
    names of indexes left in place (one whose key grows with the insert order costs little to keep)."""
    if not when or connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("drop indexes only inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL", [model._meta.db_table])
        indexes = [(name, sql) for name, sql in cursor.fetchall() if name not in keep]
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
