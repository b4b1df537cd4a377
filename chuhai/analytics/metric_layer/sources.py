"""The source relations metrics aggregate over, as SQL over the operational database attached in DuckDB.

A :class:`Source` builds one relation with the dimension columns of :data:`.definitions.DIMENSIONS` it supports
(``day`` always; ``month`` is added by :func:`filtered`) and its own measure columns, restricted to the request's
date range. :data:`SOURCES` maps each source id (:attr:`.definitions.Aggregate.source`) to its class; a module
that adds metrics over a relation of its own registers the class with :func:`register_source`.

Helpers for writing sources: :func:`d6` (exact decimal cast of a stored amount), :func:`local_day` (company-local
day of a stored instant), :func:`used_params` (the named parameters a statement uses), :func:`quote_ident`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from chuhai.orders.models import SALE_STATUSES

from . import engine
from .definitions import DIMENSIONS, ORDERS, PROFIT


def used_params(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The named parameters ``sql`` uses (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


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

    def __init__(self, base: str, tz: str, date_from: dt.date | None, date_to: dt.date | None):
        self.base, self.tz, self.date_from, self.date_to = base, tz, date_from, date_to
        self.params: dict[str, Any] = {"base": base, "tz": tz}

    def relation(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class OrderLines(Source):
    name = ORDERS
    money_columns = ("goods", "charged")

    def relation(self) -> str:
        t = engine.table
        sqlite = engine.backend() == "sqlite"
        statuses = ", ".join(f"'{s.value}'" for s in SALE_STATUSES)
        fx = "CAST(o.fx_rate AS DECIMAL(18,12))"
        goods = f"({d6('l.gross_amount')} - {d6('l.discount')})"
        where = [f"o.status IN ({statuses})", "l.item_status <> 'cancelled'", "o.base_currency = $base"]
        tz = ZoneInfo(self.tz)
        # Compare the stored column with the local midnights in UTC (no per-row conversion in the filter).
        if self.date_from is not None:
            start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
            self.params["start"] = start.replace(tzinfo=None) if sqlite else start
            where.append("o.purchased_at >= $start")
        if self.date_to is not None:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz).astimezone(dt.UTC)
            self.params["end"] = end.replace(tzinfo=None) if sqlite else end
            where.append("o.purchased_at < $end")
        return f"""
            SELECT o.id AS order_id, o.customer_ref AS customer_ref, o.purchased_at AS purchased_at,
                   {local_day('o.purchased_at', sqlite, self.tz)} AS "day",
                   a.code AS account, a.platform AS channel, o.marketplace AS marketplace,
                   o.ship_country AS ship_country, COALESCE(p.sku, l.channel_sku) AS sku,
                   COALESCE(p.category, '') AS category,
                   o.document_type = 'credit' AS is_credit, CAST(l.quantity AS BIGINT) AS quantity,
                   {goods} * {fx} AS goods,
                   ({goods} + {d6('l.shipping')}) * {fx} AS charged
            FROM {t('orders_orderline')} l
            JOIN {t('orders_order')} o ON o.id = l.order_id
            JOIN {t('channels_channelaccount')} a ON a.id = o.account_id
            LEFT JOIN {t('catalog_product')} p ON p.id = l.product_id
            WHERE {' AND '.join(where)}"""


class ProfitRows(Source):
    name = PROFIT
    money_columns = ("revenue", "shipping_income", "promotions", "refunds", "cogs", "profit")

    def relation(self) -> str:
        t = engine.table
        where = ["f.currency = $base"]
        if self.date_from is not None:
            self.params["day_from"] = self.date_from
            where.append("f.day >= $day_from")
        if self.date_to is not None:
            self.params["day_to"] = self.date_to
            where.append("f.day <= $day_to")
        money = ",\n                   ".join(f"{d6('f.' + c)} AS {c}" for c in self.money_columns)
        return f"""
            SELECT CAST(f.day AS DATE) AS "day", a.code AS account, a.platform AS channel,
                   f.marketplace AS marketplace, f.ship_country AS ship_country, f.sku AS sku,
                   COALESCE(p.category, '') AS category,
                   {money}
            FROM {t('finance_profitfact')} f
            JOIN {t('channels_channelaccount')} a ON a.id = f.account_id
            LEFT JOIN {t('catalog_product')} p ON p.id = f.product_id
            WHERE {' AND '.join(where)}"""


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
