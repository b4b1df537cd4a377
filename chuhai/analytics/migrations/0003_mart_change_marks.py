"""Change marks for the analytics mart (chuhai.analytics.metric_layer.mart).

Triggers on the tables the mart copies (orders, order lines, profit rows) record which UTC days changed in
``analytics_martdirty`` (source, day, version): an insert, update or delete upserts its day and bumps the version, so
the mart can rebuild exactly the months that changed and know whether a day changed again while it was rebuilding.
A TRUNCATE (PostgreSQL) marks everything (source ``*``).

The table is not a Django model on purpose: ``flush`` (tests, ``chuhai reset``) must not empty it behind the mart's
back — the deletes it makes are marked like any others.

SQLite has only row triggers (one upsert per row, ~1-2 µs); PostgreSQL uses statement triggers with transition
tables (one upsert per distinct day per statement, and at most one version bump per day per transaction).
"""

from django.db import migrations

TABLE = "analytics_martdirty"

SQLITE_UPSERT = "ON CONFLICT(source, day) DO UPDATE SET version = version + 1"

SQLITE = [
    f"""CREATE TABLE {TABLE} (source varchar(16) NOT NULL, day date NOT NULL,
        version integer NOT NULL DEFAULT 1, PRIMARY KEY (source, day))""",
    # orders: the purchase day (UTC) before and after
    f"""CREATE TRIGGER analytics_mart_order_ins AFTER INSERT ON orders_order BEGIN
        INSERT INTO {TABLE}(source, day) VALUES ('orders', date(NEW.purchased_at)) {SQLITE_UPSERT}; END""",
    f"""CREATE TRIGGER analytics_mart_order_upd AFTER UPDATE ON orders_order BEGIN
        INSERT INTO {TABLE}(source, day) VALUES ('orders', date(OLD.purchased_at)) {SQLITE_UPSERT};
        INSERT INTO {TABLE}(source, day) SELECT 'orders', date(NEW.purchased_at)
            WHERE date(NEW.purchased_at) <> date(OLD.purchased_at) {SQLITE_UPSERT}; END""",
    f"""CREATE TRIGGER analytics_mart_order_del AFTER DELETE ON orders_order BEGIN
        INSERT INTO {TABLE}(source, day) VALUES ('orders', date(OLD.purchased_at)) {SQLITE_UPSERT}; END""",
    # order lines: their order's purchase day
    f"""CREATE TRIGGER analytics_mart_line_ins AFTER INSERT ON orders_orderline BEGIN
        INSERT INTO {TABLE}(source, day) SELECT 'orders', date(purchased_at) FROM orders_order
            WHERE id = NEW.order_id {SQLITE_UPSERT}; END""",
    f"""CREATE TRIGGER analytics_mart_line_upd AFTER UPDATE ON orders_orderline BEGIN
        INSERT INTO {TABLE}(source, day) SELECT 'orders', date(purchased_at) FROM orders_order
            WHERE id IN (OLD.order_id, NEW.order_id) {SQLITE_UPSERT}; END""",
    f"""CREATE TRIGGER analytics_mart_line_del AFTER DELETE ON orders_orderline BEGIN
        INSERT INTO {TABLE}(source, day) SELECT 'orders', date(purchased_at) FROM orders_order
            WHERE id = OLD.order_id {SQLITE_UPSERT}; END""",
    # profit rows: their day
    f"""CREATE TRIGGER analytics_mart_profit_ins AFTER INSERT ON finance_profitfact BEGIN
        INSERT INTO {TABLE}(source, day) VALUES ('profit', NEW.day) {SQLITE_UPSERT}; END""",
    f"""CREATE TRIGGER analytics_mart_profit_upd AFTER UPDATE ON finance_profitfact BEGIN
        INSERT INTO {TABLE}(source, day) VALUES ('profit', OLD.day) {SQLITE_UPSERT};
        INSERT INTO {TABLE}(source, day) SELECT 'profit', NEW.day WHERE NEW.day <> OLD.day {SQLITE_UPSERT}; END""",
    f"""CREATE TRIGGER analytics_mart_profit_del AFTER DELETE ON finance_profitfact BEGIN
        INSERT INTO {TABLE}(source, day) VALUES ('profit', OLD.day) {SQLITE_UPSERT}; END""",
]

SQLITE_DROP = [f"DROP TABLE IF EXISTS {TABLE}"] + [
    f"DROP TRIGGER IF EXISTS analytics_mart_{name}"
    for name in ("order_ins", "order_upd", "order_del", "line_ins", "line_upd", "line_del", "profit_ins",
                 "profit_upd", "profit_del")
]

#: One bump per day and transaction: an import of 500,000 lines inserted row by row (psycopg's executemany) fires
#: the statement trigger per row, and updating one row again and again in one transaction grows its chain of
#: dead versions (each update slower than the last). A change committed after a refresh read the marks still
#: moves the version once, which is all the mart needs.
PG_UPSERT = (f"ON CONFLICT (source, day) DO UPDATE SET version = {TABLE}.version + 1, xact = txid_current() "
             f"WHERE {TABLE}.xact IS DISTINCT FROM txid_current()")

#: (table, function body per transition table: SQL selecting DISTINCT (source, day) FROM the rows named ``rows``)
PG_DAYS = {
    "orders_order": "SELECT DISTINCT 'orders', (r.purchased_at AT TIME ZONE 'UTC')::date FROM {rows} r",
    "orders_orderline": ("SELECT DISTINCT 'orders', (o.purchased_at AT TIME ZONE 'UTC')::date FROM {rows} r "
                         "JOIN orders_order o ON o.id = r.order_id"),
    "finance_profitfact": "SELECT DISTINCT 'profit', r.day FROM {rows} r",
}


def _pg_statements() -> list[str]:
    out = [
        f"""CREATE TABLE {TABLE} (source varchar(16) NOT NULL, day date NOT NULL,
            version bigint NOT NULL DEFAULT 1, xact bigint, PRIMARY KEY (source, day))""",
        f"""CREATE FUNCTION analytics_mart_mark_all() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO {TABLE}(source, day) VALUES ('*', DATE '1970-01-01') {PG_UPSERT};
              RETURN NULL;
            END $$""",
    ]
    for table, days in PG_DAYS.items():
        for event, kinds in (("INSERT", ("new_rows",)), ("DELETE", ("old_rows",)),
                             ("UPDATE", ("old_rows", "new_rows"))):
            fn = f"analytics_mart_{table}_{event.lower()}"
            body = "\n".join(
                f"INSERT INTO {TABLE}(source, day) {days.format(rows=rows)} {PG_UPSERT};" for rows in kinds
            )
            referencing = " ".join(
                f"{'NEW' if rows == 'new_rows' else 'OLD'} TABLE AS {rows}" for rows in kinds
            )
            out.append(f"""CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  {body}
                  RETURN NULL;
                END $$""")
            out.append(f"""CREATE TRIGGER {fn} AFTER {event} ON {table} REFERENCING {referencing}
                FOR EACH STATEMENT EXECUTE FUNCTION {fn}()""")
        out.append(f"""CREATE TRIGGER analytics_mart_{table}_truncate AFTER TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION analytics_mart_mark_all()""")
    return out


def _pg_drop() -> list[str]:
    out = []
    for table in PG_DAYS:
        for event in ("insert", "delete", "update"):
            out.append(f"DROP TRIGGER IF EXISTS analytics_mart_{table}_{event} ON {table}")
            out.append(f"DROP FUNCTION IF EXISTS analytics_mart_{table}_{event}()")
        out.append(f"DROP TRIGGER IF EXISTS analytics_mart_{table}_truncate ON {table}")
    out += ["DROP FUNCTION IF EXISTS analytics_mart_mark_all()", f"DROP TABLE IF EXISTS {TABLE}"]
    return out


def _run(statements):
    def apply(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            for sql in statements(schema_editor.connection.vendor):
                cursor.execute(sql)
    return apply


def _forward(vendor):
    return SQLITE if vendor == "sqlite" else _pg_statements()


def _backward(vendor):
    return SQLITE_DROP if vendor == "sqlite" else _pg_drop()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_adperformance"),
        ("orders", "0003_order_account_label"),
        ("finance", "0005_profit_fact_fewer_indexes"),
    ]

    operations = [migrations.RunPython(_run(_forward), _run(_backward))]
