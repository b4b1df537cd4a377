"""The source relations metrics aggregate over, as SQL over the operational database attached in DuckDB.

A :class:`Source` builds one relation with the dimension columns of :data:`.definitions.DIMENSIONS` it supports
(``day`` always; ``month`` is added by :func:`filtered`) and its own measure columns, restricted to the request's
date range. :data:`SOURCES` maps each source id (:attr:`.definitions.Aggregate.source`) to its class; a module
that adds metrics over a relation of its own registers the class with :func:`register_source`.

A :class:`MartSource` is also copied to the analytics mart (:mod:`.mart`) with its rollups (:class:`Rollup`): the same
rows grouped per day (and per customer), which requests with only order-level dimensions read instead.

Helpers for writing sources: :func:`d6` (exact decimal cast of a stored amount), :func:`local_day` (company-local
day of a stored instant), :func:`used_params` (the named parameters a statement uses), :func:`quote_ident`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from chuhai.orders.models import SALE_STATUSES

from . import engine
from .definitions import DIMENSIONS, LINE_LEVEL_DIMENSIONS, ORDERS, PROFIT


def used_params(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The named parameters ``sql`` uses (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def sqlite_rows(table: str, columns: Mapping[str, str], where: str) -> str:
    """A relation of ``columns`` ({column: DuckDB type}) of SQLite table ``table`` restricted by ``where``, run
    *inside SQLite* (``sqlite_query``), so SQLite's indexes serve it: the attached-table scan pushes no filter
    down and reads every row (a month of a 10-million-line history: 9–30 s through the scan, 2–3 s this way).
    ``sqlite_query`` returns text; each column is cast back through the type the attached scan gives (REAL as
    DOUBLE first, so an amount becomes the same decimal as through the scan). ``where`` must hold only values
    we formatted (ids, ISO dates), never user input."""
    wanted = ", ".join(quote_ident(c) for c in columns)
    inner = f"SELECT {wanted} FROM {quote_ident(table)} WHERE {where}".replace("'", "''")
    casts = ", ".join(f"CAST({quote_ident(c)} AS {t}) AS {quote_ident(c)}" for c, t in columns.items())
    return f"(SELECT {casts} FROM sqlite_query('{engine.ALIAS}', '{inner}'))"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def d6(expr: str) -> str:
    return f"CAST({expr} AS DECIMAL(18,6))"


@lru_cache(maxsize=32)
def fixed_offset_seconds(tz_name: str) -> int | None:
    """The zone's UTC offset in seconds when it has been the same since 2000 (and is for the next years, as far
    as the tz database knows: Asia/Shanghai, Asia/Singapore…), else None (a zone with summer time)."""
    tz = ZoneInfo(tz_name)
    offsets = {dt.datetime(year, month, 1, tzinfo=tz).utcoffset() for year in range(2000, 2041) for month in (1, 7)}
    return int(offsets.pop().total_seconds()) if len(offsets) == 1 else None


def local_day(column: str, sqlite: bool, tz_name: str) -> str:
    """SQL for the local calendar day of a stored instant: ``column`` is naive UTC on SQLite, timestamptz on
    PostgreSQL. Nothing depends on the DuckDB session's time zone.

    A zone without summer time is a fixed shift of the UTC wall time (3× faster than ICU's per-row
    ``timezone()``, and exact for it); other zones go through ICU (built into DuckDB)."""
    offset = fixed_offset_seconds(tz_name)
    if offset is not None:
        utc_wall = column if sqlite else f"timezone('UTC', {column})"
        return f"CAST({utc_wall} + INTERVAL {offset} SECOND AS DATE)"
    instant = f"timezone('UTC', {column})" if sqlite else column
    return f"CAST(timezone($tz, {instant}) AS DATE)"


class Source:
    """One relation in DuckDB with the dimension columns of :data:`DIMENSIONS` and its own measure columns."""

    name: str
    money_columns: tuple[str, ...]
    #: The dimension ids the caller groups or filters by (``None``: any). A relation may fill the others with
    #: NULL instead of joining the tables they come from (:meth:`MartSource.named`).
    dimensions: set[str] | None = None

    def __init__(self, base: str, tz: str, date_from: dt.date | None, date_to: dt.date | None):
        self.base, self.tz, self.date_from, self.date_to = base, tz, date_from, date_to
        self.params: dict[str, Any] = {"base": base, "tz": tz}

    def wants(self, *dimension_ids: str) -> bool:
        """Whether the caller may use any of ``dimension_ids``."""
        return self.dimensions is None or any(d in self.dimensions for d in dimension_ids)

    def relation(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Rollup:
    """A rollup the mart keeps of a source: its stored rows (those where ``where`` holds) grouped by ``keys``
    (stored columns: the day, order-level dimensions' columns, the base currency…), each of ``sums`` summed under
    its own name, each ``counts`` output column counting the rows where its condition holds and each ``mins``
    output column the minimum of a stored column.

    A request whose dimensions and filters are all in :data:`ROLLUP_DIMENSIONS` reads from a rollup instead of
    the rows: the additive aggregates (:attr:`.definitions.Aggregate.rollup_sql`) from :data:`DAILY`, the
    per-customer ones from :data:`CUSTOMER_DAYS`."""

    keys: tuple[str, ...]
    sums: tuple[str, ...]
    counts: tuple[tuple[str, str], ...] = ()
    mins: tuple[tuple[str, str], ...] = ()
    where: str = ""

    def select(self, stored: str) -> str:
        """SQL grouping ``stored`` (a relation with the stored columns) into the rollup's rows."""
        keys = ", ".join(f"s.{quote_ident(k)}" for k in self.keys)
        measures = [*(f"SUM(s.{quote_ident(c)}) AS {quote_ident(c)}" for c in self.sums),
                    *(f"COUNT(*) FILTER (WHERE {cond}) AS {quote_ident(name)}" for name, cond in self.counts),
                    *(f"MIN(s.{quote_ident(column)}) AS {quote_ident(name)}" for name, column in self.mins)]
        where = f" WHERE {self.where}" if self.where else ""
        return f"SELECT {', '.join([keys, *measures])} FROM {stored} s{where} GROUP BY {keys}"

    def measures(self) -> tuple[str, ...]:
        return (*self.sums, *(n for n, _c in self.counts), *(n for n, _c in self.mins))


#: Rollup kinds: per day and order-level dimension; per day, order-level dimension and customer.
DAILY, CUSTOMER_DAYS = "daily", "customer_days"
#: Not a stored rollup: the rows grouped, in the query, by the stored columns a line-level request needs (product,
#: account…, see :meth:`MartSource.grouped_rollup`), so that the product and account joins run on the groups —
#: tens of thousands — instead of on every line (a top 20 of 20,000 SKUs over 5 million lines: 0.29 s instead
#: of 0.40–0.54 s, DuckDB alone). Only line-additive aggregates (sums, :func:`.definitions.summed`) read it.
GROUPED = "grouped"
#: Per month (the mart's partition), account, marketplace, ship-to country, product and sale/credit: the sums of
#: the rows. A :data:`GROUPED` request over whole months groups it instead of the rows (a top 20 of 20,000 SKUs
#: over a year: 1.1 million rows instead of 5.4 million, 0.04 s instead of 0.16 s, DuckDB alone).
PRODUCT_MONTHS = "product_months"
#: The dimensions a rollup answers: the order-level columns it keeps (``month`` comes from the day, ``channel``
#: from the account).
ROLLUP_DIMENSIONS = frozenset({"day", "month", "account", "channel", "marketplace", "ship_country"})
#: Rollup keys that are dimension columns (the others are carried as columns of the rollup's rows).
_DIMENSION_KEYS = ("day", "account_id", "marketplace", "ship_country", "base_currency")


class MartSource(Source):
    """A source the analytics mart (:mod:`.mart`) keeps a copy of.

    :meth:`stored` is the SQL of the rows as the mart stores them, read from the operational database (ids, not
    names, for accounts and products: renaming one must not make the copy stale); :meth:`named` adds the dimension
    columns from the current accounts and products. :meth:`relation` reads the mart when it is on (brought up to
    date first), else the operational database directly — the same rows either way."""

    #: The stored columns the mart copies, in order (``month`` is added for partitioning).
    stored_columns: tuple[str, ...]
    #: The rollups the mart keeps besides the rows ({kind: Rollup}); :meth:`relation` reads the one named by
    #: :attr:`rollup_kind` (:func:`.query.run` and :mod:`chuhai.analytics.customers` set it).
    rollups: dict[str, Rollup] = {}
    rollup_kind: str | None = None
    #: For :data:`GROUPED`: the stored columns each dimension needs, the columns always kept (sale/credit) and
    #: the columns summed.
    grouped_keys: dict[str, tuple[str, ...]] = {}
    grouped_always: tuple[str, ...] = ()
    grouped_sums: tuple[str, ...] = ()
    #: The SQL of the ``sku`` column over the stored (or grouped) rows ``m`` and the products ``p``.
    sku_sql = "m.sku"
    #: :data:`GROUPED` keeps the day even when no dimension needs it (a conversion to another currency sums per
    #: day): :func:`.query.run` sets it.
    grouped_by_day = False

    def answers_from_rollup(self, kind: str = DAILY) -> bool:
        """Whether rollup ``kind`` can serve this request: for a stored rollup, the mart is on, the source has that
        rollup, and every dimension the request groups or filters by is in it; :data:`GROUPED` serves a
        line-level request (SKU, category) whose dimensions all have stored columns (mart on or off)."""
        from . import mart

        if self.dimensions is None:
            return False
        if kind == GROUPED:
            return (bool(self.dimensions & LINE_LEVEL_DIMENSIONS) and bool(self.grouped_keys)
                    and self.dimensions <= set(self.grouped_keys))
        return kind in self.rollups and self.dimensions <= ROLLUP_DIMENSIONS and mart.enabled()

    def grouped_rollup(self) -> Rollup:
        """:data:`GROUPED`'s grouping for this request: the stored columns of its dimensions (in stored order),
        the day when :attr:`grouped_by_day`, and :attr:`grouped_always`."""
        wanted = set(self.grouped_always)
        for dimension in self.dimensions or ():
            wanted.update(self.grouped_keys[dimension])
        if self.grouped_by_day:
            wanted.add("day")
        keys = tuple(c for c in self.stored_columns if c in wanted)
        return Rollup(keys=keys, sums=self.grouped_sums)

    def named_grouped(self, stored: str, rollup: Rollup) -> str:
        """The grouped rows (``stored``) with the dimension columns: those the grouping left out are NULL."""
        accounts, products = self.joins()

        def key(column: str, sql_type: str) -> str:
            return f"m.{quote_ident(column)}" if column in rollup.keys else f"CAST(NULL AS {sql_type}) AS {column}"

        others = [f"m.{quote_ident(c)}" for c in (*self.grouped_always, *rollup.measures())]
        return f"""
            SELECT {key("day", "DATE")}, {accounts[0]}, {key("marketplace", "VARCHAR")},
                   {key("ship_country", "VARCHAR")}, {products[0]}, {', '.join(others)}
            FROM {stored} m {accounts[1]} {products[1]}"""

    def stored(self, date_from: dt.date | None = None, date_to: dt.date | None = None,
               small_range: bool = False) -> tuple[str, dict]:
        """SQL and parameters of the stored rows of ``[date_from, date_to]``. ``small_range`` (the mart's month
        rebuild): the range is a small part of the history, read on SQLite through its indexes (:func:`sqlite_rows`);
        a large range reads faster through the attached scan (``sqlite_query`` returns text)."""
        raise NotImplementedError  # pragma: no cover - abstract

    def named(self, stored: str) -> str:
        raise NotImplementedError  # pragma: no cover - abstract

    def named_rollup(self, stored: str) -> str:
        """The rows of rollup :attr:`rollup_kind` (``stored``) with the dimension columns (no SKU or category:
        NULL) and its other keys and measures."""
        rollup = self.rollups[self.rollup_kind]
        accounts, _products = self.joins()
        columns = [f"m.{quote_ident(c)}" for c in (*(k for k in rollup.keys if k not in _DIMENSION_KEYS),
                                                   *rollup.measures())]
        return f"""
            SELECT m."day", {accounts[0]}, m.marketplace, m.ship_country,
                   CAST(NULL AS VARCHAR) AS sku, CAST(NULL AS VARCHAR) AS category, {', '.join(columns)}
            FROM {stored} m {accounts[1]}"""

    def joins(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """((account columns, join), (product columns, join)): the joins to the accounts and products only when
        a wanted dimension comes from them (a join costs a scan of the table on every query)."""
        t = engine.table
        if self.wants("account", "channel"):
            accounts = ("a.code AS account, a.platform AS channel",
                        f"JOIN {t('channels_channelaccount')} a ON a.id = m.account_id")
        else:
            accounts = ("CAST(NULL AS VARCHAR) AS account, CAST(NULL AS VARCHAR) AS channel", "")
        if self.wants("sku", "category"):
            products = (f"{self.sku_sql} AS sku, COALESCE(p.category, '') AS category",
                        f"LEFT JOIN {t('catalog_product')} p ON p.id = m.product_id")
        else:
            products = ("CAST(NULL AS VARCHAR) AS sku, CAST(NULL AS VARCHAR) AS category", "")
        return accounts, products

    def whole_months(self) -> bool:
        """Whether the request's date range is whole calendar months (an open end counts as whole)."""
        starts = self.date_from is None or self.date_from.day == 1
        ends = self.date_to is None or (self.date_to + dt.timedelta(days=1)).day == 1
        return starts and ends

    def grouped_from_months(self) -> bool:
        """Whether a :data:`GROUPED` request can group the mart's :data:`PRODUCT_MONTHS` rollup instead of the
        rows: whole months, no ``day`` dimension and no conversion (both need days)."""
        from . import mart

        return (PRODUCT_MONTHS in self.rollups and mart.enabled() and self.whole_months()
                and not self.grouped_by_day and "day" not in (self.dimensions or ()))

    def relation(self) -> str:
        from . import mart

        kind = self.rollup_kind
        if mart.enabled():
            months = kind == GROUPED and self.grouped_from_months()
            if months:
                stored = mart.rollup_relation(self, PRODUCT_MONTHS)
            else:
                stored = mart.rollup_relation(self, kind) if kind in self.rollups else mart.stored_relation(self)
            where = ["m.base_currency = $base"]
            if self.date_from is not None:
                self.params["month_from"] = self.date_from.strftime("%Y-%m")
                where.append("m.month >= $month_from")
                if not months:
                    self.params["day_from"] = self.date_from
                    where.append('m."day" >= $day_from')
            if self.date_to is not None:
                self.params["month_to"] = self.date_to.strftime("%Y-%m")
                where.append("m.month <= $month_to")
                if not months:
                    self.params["day_to"] = self.date_to
                    where.append('m."day" <= $day_to')
            # a month's rows stand on its first day (for the month dimension; no day dimension reads them)
            day = ", CAST(m.month || '-01' AS DATE) AS \"day\"" if months else ""
            rows = f"(SELECT *{day} FROM {stored} m WHERE {' AND '.join(where)})"
            if kind == GROUPED:
                rollup = self.grouped_rollup()
                return self.named_grouped(f"({rollup.select(rows)})", rollup)
            return self.named_rollup(rows) if kind else self.named(rows)
        sql, params = self.stored(self.date_from, self.date_to)
        self.params.update(params)
        rows = f"(SELECT * FROM ({sql}) m WHERE m.base_currency = $base)"
        if kind == GROUPED:
            rollup = self.grouped_rollup()
            return self.named_grouped(f"({rollup.select(rows)})", rollup)
        if kind:
            return self.named_rollup(f"({self.rollups[kind].select(rows)})")
        return self.named(rows)


class OrderLines(MartSource):
    name = ORDERS
    money_columns = ("goods", "charged")
    stored_columns = ("order_id", "customer_ref", "purchased_at", "day", "account_id", "marketplace",
                      "ship_country", "product_id", "channel_sku", "is_credit", "quantity", "goods", "charged",
                      "base_currency", "first_line")
    #: ``first_line``: the order's first counted line (lowest line number), for counting orders without a
    #: DISTINCT (:attr:`.definitions.Aggregate.order_level_sql`).
    has_first_line = True
    rollups = {
        # per day, account, marketplace, ship-to country and sale/credit: units, goods and charged summed, and
        # ``first_lines`` (the orders: each counted once, on its first line)
        DAILY: Rollup(keys=("day", "account_id", "marketplace", "ship_country", "is_credit", "base_currency"),
                      sums=("quantity", "goods", "charged"), counts=(("first_lines", "first_line"),)),
        # the same per buyer (guests left out), with the buyer's first purchase instant of the row: what the
        # customer metrics, RFM, cohorts and lifetime value need, about half the rows of the lines
        CUSTOMER_DAYS: Rollup(keys=("day", "account_id", "marketplace", "ship_country", "customer_ref",
                                    "is_credit", "base_currency"),
                              sums=("goods",), counts=(("first_lines", "first_line"),),
                              mins=(("first_at", "purchased_at"),), where="COALESCE(s.customer_ref, '') <> ''"),
        # the line sums per month (the partition) and product: SKU and category requests over whole months
        PRODUCT_MONTHS: Rollup(keys=("account_id", "marketplace", "ship_country", "product_id", "channel_sku",
                                     "is_credit", "base_currency"), sums=("quantity", "goods", "charged")),
    }
    grouped_keys = {"day": ("day",), "month": ("day",), "account": ("account_id",), "channel": ("account_id",),
                    "marketplace": ("marketplace",), "ship_country": ("ship_country",),
                    "sku": ("product_id", "channel_sku"), "category": ("product_id", "channel_sku")}
    grouped_always = ("is_credit",)
    grouped_sums = ("quantity", "goods", "charged")
    sku_sql = "COALESCE(p.sku, m.channel_sku)"

    def stored(self, date_from=None, date_to=None, small_range=False):
        """Order lines of sale documents (statuses in SALE_STATUSES, items not cancelled), money in the order's
        base currency at its stored rate; ``date_from``/``date_to`` are company-local days (inclusive)."""
        t = engine.table
        sqlite = engine.backend() == "sqlite"
        statuses = ", ".join(f"'{s.value}'" for s in SALE_STATUSES)
        fx = "CAST(o.fx_rate AS DECIMAL(18,12))"
        goods = f"({d6('l.gross_amount')} - {d6('l.discount')})"
        where = [f"o.status IN ({statuses})", "l.item_status <> 'cancelled'"]
        params: dict[str, Any] = {"tz": self.tz}
        tz = ZoneInfo(self.tz)
        # Compare the stored column with the local midnights in UTC (no per-row conversion in the filter).
        if date_from is not None:
            start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
            params["start"] = start.replace(tzinfo=None) if sqlite else start
            where.append("o.purchased_at >= $start")
        if date_to is not None:
            end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz).astimezone(dt.UTC)
            params["end"] = end.replace(tzinfo=None) if sqlite else end
            where.append("o.purchased_at < $end")
        lines = ["l2.item_status <> 'cancelled'"]
        line_table = order_table = None
        prefix = ""
        if date_from is not None or date_to is not None:
            # The orders of the range lie between two ids: the lines are read by their order id (an index) and
            # the orders by theirs, not all of them — so a month of a large history reads that month's rows.
            low, high = _order_id_bounds(start if date_from is not None else None,
                                         end if date_to is not None else None)
            params.update(id_low=low, id_high=high)
            where += ["l.order_id BETWEEN $id_low AND $id_high", "o.id BETWEEN $id_low AND $id_high"]
            lines.append("l2.order_id BETWEEN $id_low AND $id_high")
            if sqlite and small_range:  # PostgreSQL's scanner pushes the ranges down itself; SQLite's does not
                ids = f"BETWEEN {int(low)} AND {int(high)}"
                # read once (the first-line subquery reads the lines too)
                prefix = (f"WITH range_lines AS MATERIALIZED "
                          f"({sqlite_rows('orders_orderline', _LINE_COLUMNS, f'order_id {ids}')})")
                line_table = "range_lines"
                order_table = sqlite_rows("orders_order", _ORDER_COLUMNS, f"id {ids}")
        line_table = line_table or t("orders_orderline")
        order_table = order_table or t("orders_order")
        sql = f"""{prefix}
            SELECT o.id AS order_id, o.customer_ref AS customer_ref, o.purchased_at AS purchased_at,
                   {local_day('o.purchased_at', sqlite, self.tz)} AS "day",
                   o.account_id AS account_id, o.marketplace AS marketplace, o.ship_country AS ship_country,
                   l.product_id AS product_id, l.channel_sku AS channel_sku,
                   o.document_type = 'credit' AS is_credit, CAST(l.quantity AS BIGINT) AS quantity,
                   {goods} * {fx} AS goods,
                   ({goods} + {d6('l.shipping')}) * {fx} AS charged,
                   o.base_currency AS base_currency,
                   l.line_no = f.first_no AS first_line
            FROM {line_table} l
            JOIN {order_table} o ON o.id = l.order_id
            JOIN (SELECT l2.order_id, MIN(l2.line_no) AS first_no FROM {line_table} l2
                  WHERE {' AND '.join(lines)} GROUP BY l2.order_id) f ON f.order_id = l.order_id
            WHERE {' AND '.join(where)}"""
        return sql, params

    def named(self, stored: str) -> str:
        accounts, products = self.joins()
        return f"""
            SELECT m.order_id, m.customer_ref, m.purchased_at, m."day",
                   {accounts[0]}, m.marketplace, m.ship_country, {products[0]},
                   m.is_credit, m.quantity, m.goods, m.charged, m.first_line
            FROM {stored} m {accounts[1]} {products[1]}"""

    def first_orders(self) -> str:
        """``(customer_ref, first_at)``: each buyer's first sale order ever (any account, any base currency),
        for ``new_customers``."""
        from . import mart

        if mart.enabled():
            return (f"SELECT customer_ref, MIN(first_at) AS first_at FROM {mart.rollup_relation(self, CUSTOMER_DAYS)} "
                    "WHERE NOT is_credit GROUP BY customer_ref")
        sql, params = self.stored()
        self.params.update(params)
        return (f"SELECT customer_ref, MIN(purchased_at) AS first_at FROM ({sql}) s "
                "WHERE NOT is_credit AND customer_ref <> '' GROUP BY customer_ref")


#: The columns :meth:`OrderLines.stored` reads, typed as the attached SQLite scan types them.
_LINE_COLUMNS = {"order_id": "BIGINT", "line_no": "BIGINT", "item_status": "VARCHAR", "product_id": "BIGINT",
                 "channel_sku": "VARCHAR", "quantity": "BIGINT", "gross_amount": "DOUBLE", "discount": "DOUBLE",
                 "shipping": "DOUBLE"}
_ORDER_COLUMNS = {"id": "BIGINT", "customer_ref": "VARCHAR", "purchased_at": "TIMESTAMP", "account_id": "BIGINT",
                  "marketplace": "VARCHAR", "ship_country": "VARCHAR", "document_type": "VARCHAR",
                  "fx_rate": "DOUBLE", "base_currency": "VARCHAR", "status": "VARCHAR"}


def _order_id_bounds(start: dt.datetime | None, end: dt.datetime | None) -> tuple[int, int]:
    """(lowest, highest) id of the orders purchased in [start, end) — (0, -1) when there are none."""
    from django.db.models import Max, Min

    from chuhai.orders.models import Order

    orders = Order.objects.all()
    if start is not None:
        orders = orders.filter(purchased_at__gte=start)
    if end is not None:
        orders = orders.filter(purchased_at__lt=end)
    bounds = orders.aggregate(low=Min("id"), high=Max("id"))
    return (bounds["low"], bounds["high"]) if bounds["low"] is not None else (0, -1)


class ProfitRows(MartSource):
    name = PROFIT
    money_columns = ("revenue", "shipping_income", "promotions", "refunds", "cogs", "profit")
    stored_columns = ("day", "account_id", "marketplace", "ship_country", "sku", "product_id",
                      *money_columns, "base_currency")
    rollups = {DAILY: Rollup(keys=("day", "account_id", "marketplace", "ship_country", "base_currency"),
                             sums=money_columns),
               PRODUCT_MONTHS: Rollup(keys=("account_id", "marketplace", "ship_country", "sku", "product_id",
                                            "base_currency"), sums=money_columns)}
    grouped_keys = {"day": ("day",), "month": ("day",), "account": ("account_id",), "channel": ("account_id",),
                    "marketplace": ("marketplace",), "ship_country": ("ship_country",),
                    "sku": ("sku", "product_id"), "category": ("sku", "product_id")}
    grouped_sums = money_columns

    def stored(self, date_from=None, date_to=None, small_range=False):
        t = engine.table
        where, params = ["TRUE"], {}
        if date_from is not None:
            params["stored_from"] = date_from
            where.append("f.day >= $stored_from")
        if date_to is not None:
            params["stored_to"] = date_to
            where.append("f.day <= $stored_to")
        money = ",\n                   ".join(f"{d6('f.' + c)} AS {c}" for c in self.money_columns)
        facts = t("finance_profitfact")
        if small_range and engine.backend() == "sqlite" and (date_from is not None or date_to is not None):
            # through SQLite's index on the day (see sqlite_rows); the dates are ours, ISO formatted
            days = [f"day >= '{date_from.isoformat()}'"] if date_from is not None else []
            days += [f"day <= '{date_to.isoformat()}'"] if date_to is not None else []
            columns = {"day": "DATE", "account_id": "BIGINT", "marketplace": "VARCHAR", "ship_country": "VARCHAR",
                       "sku": "VARCHAR", "product_id": "BIGINT", "currency": "VARCHAR",
                       **dict.fromkeys(self.money_columns, "DOUBLE")}
            facts = sqlite_rows("finance_profitfact", columns, " AND ".join(days))
        sql = f"""
            SELECT CAST(f.day AS DATE) AS "day", f.account_id AS account_id, f.marketplace AS marketplace,
                   f.ship_country AS ship_country, f.sku AS sku, f.product_id AS product_id,
                   {money},
                   f.currency AS base_currency
            FROM {facts} f
            WHERE {' AND '.join(where)}"""
        return sql, params

    def named(self, stored: str) -> str:
        money = ", ".join(f"m.{c}" for c in self.money_columns)
        accounts, products = self.joins()
        return f"""
            SELECT m."day", {accounts[0]}, m.marketplace, m.ship_country, {products[0]}, {money}
            FROM {stored} m {accounts[1]} {products[1]}"""


SOURCES: dict[str, type[Source]] = {ORDERS: OrderLines, PROFIT: ProfitRows}


def filtered(source: Source, filters: dict[str, list[str]]) -> str:
    """``src``: the source with ``month`` added and the dimension filters applied."""
    where = []
    for i, (key, values) in enumerate(sorted(filters.items())):
        source.params[f"f{i}"] = values
        where.append(f"{quote_ident(DIMENSIONS[key].column)} IN (SELECT UNNEST(${'f' + str(i)}))")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return f"""SELECT *, strftime("day", '%Y-%m') AS "month" FROM ({source.relation()}) b {clause}"""


def register_source(cls: type[Source]) -> type[Source]:
    """Class decorator: make ``cls`` the relation of source ``cls.name``."""
    if cls.name in SOURCES and SOURCES[cls.name] is not cls:
        raise RuntimeError(f"source {cls.name} is registered twice")
    SOURCES[cls.name] = cls
    return cls
