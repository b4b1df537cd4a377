"""Metrics on another engine: the same definitions, run where the data is (PySpark, or any SQL engine sqlglot
writes for).

Three steps, each built from :mod:`.definitions` and :mod:`.sources` — nothing is defined twice:

1. :func:`export_source` writes a source relation's rows to Parquet, as DuckDB computes them for
   :func:`.query.run`: the date range and the dimension filters applied, ``month`` added, money already in the
   base currency as exact decimals (the ``DECIMAL`` types DuckDB gives the products: Spark reads them as
   ``DecimalType`` and sums them exactly).
2. :func:`aggregate_sql` gives the ``SELECT … GROUP BY`` of the aggregates the metrics need, from the same SQL
   text as :data:`.definitions.AGGREGATES`, transpiled from DuckDB's dialect with sqlglot (``spark`` by default).
3. :func:`finish` turns the aggregate rows the other engine returns into the rows :func:`.query.run` returns:
   each :attr:`.definitions.Metric.compute`, then rounding once (money to the currency's places, percentages to
   two, counts as ``int``), sorted by the dimensions.

**Portable**: the plain aggregates (sums, counts, ``FILTER`` clauses) of the ``orders`` and ``profit`` sources
(:data:`PORTABLE_SOURCES`, the ones a test runs on Spark), in the base currency.
**Not portable**: the per-customer aggregates (``customers``, ``new_customers``, ``repeat_customers``) — they run
over a second relation built in DuckDB with a look-up of each buyer's first order in the whole database —,
two-level aggregates and metrics that need the request's totals (several statements in :func:`.query.run`), and
reports in another currency (:func:`.query.run` joins per-day rates). :func:`aggregate_sql` refuses them with
:class:`NotPortable` (a :class:`.query.MetricError`) naming them. An aggregate's SQL that uses a DuckDB function
sqlglot cannot translate fails on the other engine, not here.

sqlglot is an optional dependency (``pip install 'chuhai[spark]'``, which also brings pyspark); DuckDB's own
dialect needs neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from chuhai.core.models import CompanySettings

from . import engine
from .definitions import AGGREGATES, DIMENSIONS, ORDERS, PROFIT, Aggregate

# query.run's last step, reused rather than copied: the zero for a missing aggregate, the rounding at the edge
# and the row order.
from .query import (
    MetricError,
    Result,
    check,
    filter_values,
    finish_value,
    group_sort_key,
    split_ids,
    zero_value,
)
from .sources import SOURCES, filtered, quote_ident, used_params

__all__ = ["NotPortable", "portable_aggregates", "export_source", "aggregate_sql", "finish"]


#: The sources whose metrics are checked on Spark against DuckDB (tests/analytics/test_spark_portable.py). The
#: other registered sources (advertising, service levels, stock) are refused until a test covers them: stock's
#: aggregates use DuckDB list functions, for one.
PORTABLE_SOURCES = (ORDERS, PROFIT)


class NotPortable(MetricError):
    """The metric needs something only the DuckDB layer computes (per-customer aggregates, currency conversion)."""


def portable_aggregates(metric_ids: str | Sequence[str], by: str | Sequence[str] = ()) -> tuple[str, list[Aggregate]]:
    """(source id, the aggregates ``metric_ids`` need, in order) — checked like :func:`.query.run` checks them.
    Raises :class:`NotPortable` for what only :func:`.query.run` computes (see the module doc) and
    :class:`MetricError` for metrics of two sources (export and aggregate each source on its own)."""
    metric_ids, dims = split_ids(metric_ids), split_ids(by)
    chosen = check(metric_ids, dims)
    sources = {m.source for m in chosen}
    if len(sources) > 1:
        raise MetricError(f"metrics {', '.join(metric_ids)} read several sources ({', '.join(sorted(sources))}); "
                          "run each source's metrics on their own")
    source = sources.pop()
    if source not in PORTABLE_SOURCES:
        raise NotPortable(f"metrics of source {source} are not checked on other engines; portable sources: "
                          f"{', '.join(PORTABLE_SOURCES)}")
    needs: list[Aggregate] = []
    for metric in chosen:
        needs.extend(AGGREGATES[n] for n in metric.needs if AGGREGATES[n] not in needs)
    per_customer = [a.id for a in needs if a.per_customer]
    if per_customer:
        raise NotPortable(f"{', '.join(per_customer)} are per-customer aggregates: they only run in the DuckDB "
                          "metric layer (chuhai report / query.run)")
    # Two-level aggregates (query.InnerAggregate: an outer aggregate over inner groups) and metrics that need the
    # request's totals (Metric.extra["totals"]) are computed by query.run in several statements: not portable.
    two_level = [a.id for a in needs if getattr(a, "inner", "")]
    with_totals = [m.id for m in chosen if m.extra.get("totals")]
    if two_level or with_totals:
        raise NotPortable(f"{', '.join([*two_level, *with_totals])} need several statements (inner aggregates or "
                          "request totals): they only run in the DuckDB metric layer")
    return source, needs


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_source(source_id: str, path: str | Path, date_from: dt.date | None = None, date_to: dt.date | None = None,
                  filters: Mapping[str, Any] | None = None) -> int:
    """Write source ``source_id``'s rows over ``[date_from, date_to]`` (company-local days, inclusive) with
    ``filters`` applied to the Parquet file ``path``, through DuckDB's ``COPY``; returns the number of rows.

    The file has the relation's columns plus ``month`` (``YYYY-MM``); money in the base currency. On SQLite the
    DuckDB cursor lives in the query server process: the path is made absolute so both processes mean the same
    file. The order-lines file carries ``customer_ref`` (buyer ids): treat it as the personal data it is."""
    if source_id not in SOURCES:
        raise MetricError(f"unknown source {source_id}; valid sources: {', '.join(SOURCES)}")
    if date_from and date_to and date_from > date_to:
        raise MetricError(f"the period starts ({date_from}) after it ends ({date_to})")
    bad = [f for f in (filters or {}) if f not in DIMENSIONS or not DIMENSIONS[f].filterable]
    if bad:
        raise MetricError(f"cannot filter by {', '.join(bad)}")
    company = CompanySettings.load()
    source = SOURCES[source_id](company.base_currency, company.time_zone, date_from, date_to)
    src_sql = filtered(source, filter_values(filters))
    target = Path(path).resolve()
    sql = f"COPY (SELECT * FROM ({src_sql}) s) TO {_literal(str(target))} (FORMAT parquet)"
    with engine.cursor() as cur:
        row = cur.execute(sql, used_params(sql, source.params)).fetchone()
    return int(row[0]) if row else 0


def aggregate_sql(metric_ids: str | Sequence[str], by: str | Sequence[str] = (), dialect: str = "spark",
                  table: str = "src") -> str:
    """``SELECT <by>, <aggregate> AS <id>, … FROM <table> GROUP BY <by>`` for the aggregates ``metric_ids`` need,
    in ``dialect`` (any sqlglot dialect; ``duckdb`` returns the definitions' SQL untouched). ``table`` holds the
    rows :func:`export_source` wrote. Raises :class:`NotPortable` as :func:`portable_aggregates` does."""
    _source, needs = portable_aggregates(metric_ids, by)
    dims = [quote_ident(DIMENSIONS[d].column) for d in split_ids(by)]
    select = ", ".join([*dims, *(f"{a.sql} AS {quote_ident(a.id)}" for a in needs)])
    group = f" GROUP BY {', '.join(dims)}" if dims else ""
    sql = f"SELECT {select} FROM {table}{group}"
    if dialect == "duckdb":
        return sql
    try:
        import sqlglot
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise MetricError("transpiling needs sqlglot: pip install 'chuhai[spark]'") from exc
    return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]


def _as_mapping(row) -> Mapping[str, Any]:
    return row if isinstance(row, Mapping) else row.asDict()  # a pyspark Row


def finish(metric_ids: str | Sequence[str], by: str | Sequence[str], rows: Iterable,
           currency: str | None = None) -> Result:
    """The :class:`.query.Result` that :func:`.query.run` would return for ``metric_ids`` by ``by`` in the base
    currency, from ``rows`` — the other engine's answer to :func:`aggregate_sql` (mappings or pyspark ``Row``s
    with the dimension and aggregate ids as keys). ``currency`` only sets the rounding places (default: the base
    currency, the one the export is in)."""
    metric_ids, dims = split_ids(metric_ids), split_ids(by)
    chosen = check(metric_ids, dims)
    target = currency or CompanySettings.load().base_currency
    groups: dict[tuple, Mapping[str, Any]] = {}
    for row in rows:
        row = _as_mapping(row)
        groups[tuple(row[d] for d in dims)] = row
    if not dims and not groups:
        groups[()] = {}
    out = []
    for key in sorted(groups, key=group_sort_key):
        values = groups[key]
        result: dict[str, Any] = dict(zip(dims, key, strict=True))
        for metric in chosen:
            inputs = {n: (values.get(n) if values.get(n) is not None else zero_value(n)) for n in metric.needs}
            result[metric.id] = finish_value(metric, metric.compute(inputs), target)
        out.append(result)
    return Result(currency=target, metrics=tuple(metric_ids), by=tuple(dims), rows=out)
