"""Metric ids × dimensions × filters × date range × currency → SQL in DuckDB → rows.

:func:`run` is the one entry point pages, the CLI, the API and exports call. It checks the ids against
:mod:`.definitions` (an unknown id or a dimension a metric does not allow is a :class:`MetricError` listing the
valid ids), builds one relation per source (order lines, profit rows) over the operational database attached in
DuckDB (:mod:`.engine`), aggregates each source grouped by the dimensions (from the mart's rollups when the
dimensions allow, else the lines grouped by the columns the request needs before any join: :func:`_sources_for`), merges the groups and computes each metric from its aggregates. Money
leaves as ``Decimal`` rounded once, here, with :func:`chuhai.core.money.quantize`; counts as ``int``;
percentages as ``Decimal`` with two places (``None`` when the denominator is zero).

**Dates** are calendar days in the company's time zone (``CompanySettings.time_zone``): ``date_from`` and
``date_to`` are inclusive; an order belongs to the local day of its purchase (a fixed shift for a zone without
summer time, else ICU's ``timezone()``, built into DuckDB: :func:`_local_day`), a profit row to its ``day``.

No SQL here depends on the DuckDB session's time zone (Django sets the process's ``TZ`` to its ``TIME_ZONE``,
which new DuckDB cursors pick up): local days are computed from naive UTC wall times or with an explicit zone.

**Currency**: the base currency (``CompanySettings.base_currency``) unless ``currency`` names another; then each
row's base-currency amount is converted at the rate of its own day (:meth:`chuhai.finance.fx.FxConverter.rate`,
base → currency), through a small (day, rate) table joined in DuckDB. A missing rate raises
:class:`chuhai.finance.fx.FxRateMissing`, whose message names the currency and the day.

**Exactness**: SQLite keeps decimals as REAL; every stored amount is cast to ``DECIMAL(18,6)`` (its storage
precision) and rates to ``DECIMAL(18,12)`` before any arithmetic, so sums are exact decimals (``DECIMAL(38,18)``)
and round to the cent the way the Django ORM figures do. No per-row cast narrows a product (a ``DECIMAL(38,…)``
rescale costs ~3 µs a row); a conversion multiplies per-day sums instead (:func:`_aggregate`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from chuhai.core.money import minor_units, normalize_currency, quantize

from . import definitions, engine
from . import rates as fx_rates
from .definitions import (
    AGGREGATES,
    COUNT,
    DIMENSIONS,
    LINE_LEVEL_DIMENSIONS,
    METRICS,
    MONEY,
    PERCENT,
    Aggregate,
    Metric,
)
from .sources import (  # noqa: F401 (re-exported)
    CUSTOMER_DAYS,
    DAILY,
    GROUPED,
    SOURCES,
    Source,
    filtered,
    fixed_offset_seconds,
    quote_ident,
    used_params,
)

PERCENT_PLACES = Decimal("0.01")
RATE_PLACES = Decimal("1e-12")
ZERO = Decimal(0)

#: Filters whose values are country codes (compared upper-case).
_UPPER_FILTERS = {"marketplace", "ship_country"}


class MetricError(ValueError):
    """A request the metric layer cannot answer: the message says why and lists the valid ids."""


@dataclass
class Result:
    """Rows keyed by dimension and metric ids, in ``currency``. Values are rounded (see the module doc)."""

    currency: str
    metrics: tuple[str, ...]
    by: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict:
        """``{"currency": "GBP", "rows": [{"ship_country": "DE", "orders": 457, "net_sales": "12345.67"}]}``:
        money and percentages as strings, counts as integers, no value as null."""
        return {"currency": self.currency, "rows": [{k: _json_value(v) for k, v in row.items()} for row in self.rows]}

    def spec(self):
        """The table (dimension columns, then one column per metric) for the CLI, CSV and XLSX exports."""
        from chuhai.core.exports import MONEY as MONEY_KIND
        from chuhai.core.exports import NUMBER, TEXT, Column, TableSpec

        currency = self.currency
        columns = [Column(d, DIMENSIONS[d].name, _getter(d), TEXT, code=d in ("sku", "account")) for d in self.by]
        for m in self.metrics:
            metric = METRICS[m]
            if metric.unit == MONEY:
                columns.append(Column(m, metric.name, _getter(m), MONEY_KIND, currency=lambda _row: currency))
            else:
                columns.append(Column(m, metric.name, _getter(m), NUMBER))
        if any(METRICS[m].unit == MONEY for m in self.metrics):
            # CSV cells are plain numbers: the currency gets a column of its own, as in every other export.
            columns.append(Column("currency", _("Currency"), lambda _row: currency, TEXT))
        return TableSpec("metrics", tuple(columns))


def _getter(key: str):
    return lambda row: row.get(key)


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class InnerAggregate(Aggregate):
    """A two-level aggregate: ``sql`` is computed per (row's dimensions + the ``inner`` dimension), then ``outer``
    (an SQL aggregate function: ``MAX``, ``MIN``, ``SUM``, ``AVG``, ``COUNT``) aggregates those values to the row.

    E.g. ``InnerAggregate("top_channel_net_sales", ORDERS, "COALESCE(SUM(goods), 0)", money=True,
    inner="channel", outer="MAX")``: the net sales of the row's largest channel. Money is converted to the
    report currency per inner group (at each day's rate) before ``outer`` applies. When the row is grouped by the
    inner dimension itself, each row has one inner group. Register it with
    :func:`.definitions.register` (``aggregates=``)."""

    inner: str = ""
    outer: str = "MAX"

    def __post_init__(self):
        if self.inner not in DIMENSIONS:
            raise ValueError(f"aggregate {self.id}: unknown inner dimension {self.inner!r}")
        if self.outer.upper() not in ("MAX", "MIN", "SUM", "AVG", "COUNT"):
            raise ValueError(f"aggregate {self.id}: unknown outer aggregate {self.outer!r}")
        if self.per_customer:
            raise ValueError(f"aggregate {self.id}: an inner aggregate cannot be per customer")


#: ``Metric.extra`` key: aggregate ids whose *total* over the request (same period, filters and currency, no
#: grouping) the metric needs besides its row's aggregates. :func:`run` computes them once, over ``by=()``, and
#: passes each to ``compute`` as ``inputs["total:<id>"]`` (e.g. a row's share of the total net sales).
TOTALS = "totals"


def total_key(agg_id: str) -> str:
    """The ``compute`` input key of the request total of aggregate ``agg_id`` (see :data:`TOTALS`)."""
    return f"total:{agg_id}"


def _inner_query(src_sql: str, dims: list[str], agg: InnerAggregate, expr: str,
                 rates: tuple[list, list] | None) -> str:
    """SQL for one :class:`InnerAggregate`: ``expr`` (its SQL over this source) per (dims + inner), converted per
    day when ``rates`` are given (money only), then ``agg.outer`` over the inner groups of each row."""
    inner = quote_ident(DIMENSIONS[agg.inner].column)
    inner_dims = dims if inner in dims else [*dims, inner]
    outer = f"{agg.outer.upper()}(i.v)"
    select = ", ".join([*(f"i.{d}" for d in dims), f"{outer} AS {quote_ident(agg.id)}"])
    if rates is not None and agg.money:
        day_dims = inner_dims if '"day"' in inner_dims else [*inner_dims, '"day"']
        return f"""WITH src AS ({src_sql}),
            rates AS (SELECT UNNEST($rate_days) AS "day",
                             CAST(UNNEST($rate_values) AS DECIMAL(18,12)) AS rate),
            per_day AS (SELECT {', '.join(day_dims)}, {expr} AS v FROM src GROUP BY ALL),
            i AS (SELECT {', '.join(f'p.{d}' for d in inner_dims)}, SUM(CAST(p.v AS DECIMAL(38,12)) * r.rate) AS v
                  FROM per_day p JOIN rates r ON r."day" = p."day" GROUP BY ALL)
            SELECT {select} FROM i GROUP BY ALL"""
    return f"""WITH src AS ({src_sql}),
        i AS (SELECT {', '.join(inner_dims)}, {expr} AS v FROM src GROUP BY ALL)
        SELECT {select} FROM i GROUP BY ALL"""


# -- checking the request ---------------------------------------------------------------------------------------

def split_ids(value: str | Iterable[str] | None) -> list[str]:
    """``"orders,net_sales"`` or ``["orders", "net_sales"]`` → ``["orders", "net_sales"]`` (blanks dropped)."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else [p for item in value for p in str(item).split(",")]
    return [p.strip() for p in parts if p.strip()]


def _unknown(kind: str, bad: Sequence[str], valid: Iterable[str]) -> MetricError:
    names = ", ".join(bad)
    return MetricError(f"unknown {kind} {names}; valid {kind}s: {', '.join(valid)}")


def check(metrics: Sequence[str], by: Sequence[str] = (), filters: Mapping[str, Any] | None = None) -> list[Metric]:
    """The :class:`Metric` objects for ``metrics``, or a :class:`MetricError` naming what is wrong."""
    if not metrics:
        raise MetricError(f"name at least one metric; valid metrics: {', '.join(METRICS)}")
    bad = [m for m in metrics if m not in METRICS]
    if bad:
        raise _unknown("metric", bad, METRICS)
    if len(set(metrics)) != len(metrics):
        raise MetricError("a metric is named twice")
    bad = [d for d in by if d not in DIMENSIONS]
    if bad:
        raise _unknown("dimension", bad, DIMENSIONS)
    if len(set(by)) != len(by):
        raise MetricError("a dimension is named twice")
    bad = [f for f in (filters or {}) if f not in definitions.FILTERS]  # read now: modules register more
    if bad:
        raise _unknown("filter", bad, definitions.FILTERS)
    chosen = [METRICS[m] for m in metrics]
    for metric in chosen:
        for d in by:
            if d not in metric.dimensions:
                raise MetricError(f"metric {metric.id} cannot be grouped by {d}; its dimensions: "
                                  f"{', '.join(metric.dimensions)}")
        for f in filters or {}:
            if f not in metric.filters:
                raise MetricError(f"metric {metric.id} cannot be filtered by {f}; its filters: "
                                  f"{', '.join(metric.filters)}")
    return chosen


def required_permissions(metrics: Sequence[str]) -> set[str]:
    """The Django permissions a user needs to see ``metrics`` (unknown ids are ignored: :func:`check` reports)."""
    return {METRICS[m].permission for m in metrics if m in METRICS}


def filter_values(filters: Mapping[str, Any] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, raw in (filters or {}).items():
        values = split_ids(raw) if not isinstance(raw, str) else [v.strip() for v in raw.split(",")]
        values = [v for v in values if v != ""] or [""]
        if key in _UPPER_FILTERS:
            values = [v.upper() for v in values]
        out[key] = values
    return out


def _rates(cur, source: Source, src_sql: str, target: str, fx) -> tuple[list[dt.date], list[str]]:
    """(days, rates as text): base → target at each day the filtered source has rows on."""
    sql = f'SELECT DISTINCT "day" FROM ({src_sql}) s ORDER BY 1'
    days = [r[0] for r in cur.execute(sql, used_params(sql, source.params)).fetchall()]
    from chuhai.finance.fx import FxRateMissing

    rates = []
    for day in days:
        try:
            rate = fx.rate(source.base, target, day)
        except FxRateMissing as exc:
            raise FxRateMissing(f"no exchange rate from {source.base} to {target} on {day.isoformat()}: "
                                f"{exc}") from exc
        rates.append(str(rate.quantize(RATE_PLACES)))
    return days, rates


def _plain_sql(agg: Aggregate, source: Source) -> str:
    """``agg``'s SQL: its rollup form over a source's rollup, its order-level form when the rows are grouped
    and filtered only by order-level dimensions and the source marks each order's first line."""
    if getattr(source, "rollup_kind", None) in (DAILY, GROUPED):
        return agg.rollup_sql
    if (agg.order_level_sql and getattr(source, "has_first_line", False) and source.dimensions is not None
            and not source.dimensions & LINE_LEVEL_DIMENSIONS):
        return agg.order_level_sql
    return agg.sql


def _aggregate(cur, source: Source, src_sql: str, by: Sequence[str], needs: Sequence[str],
               rates: tuple[list, list] | None = None, top: tuple | None = None) -> dict[tuple, dict]:
    """{group key: {aggregate id: value}} for ``needs`` over the filtered source ``src_sql``.

    ``top`` ((aggregate id, descending, n, minor-unit digits or None)), when every aggregate is a plain one of
    one query: only the groups ranked ≤ n by that aggregate rounded as it leaves (ties at the cut all kept), so
    a top-20 of 20,000 SKUs sends 20 rows, and :func:`run`'s own sort and limit pick the same rows as without.

    With ``rates`` ((days, rates as text): base → report currency), the money aggregates are summed per group and
    day, each day's sum multiplied by its rate, and the products summed: Σ amount × rate(day) without a per-row
    multiplication (sums are linear; counts are never converted)."""
    dims = [quote_ident(DIMENSIONS[d].column) for d in by]
    out: dict[tuple, dict] = {}
    inner = [AGGREGATES[n] for n in needs if isinstance(AGGREGATES[n], InnerAggregate)]
    plain = [AGGREGATES[n] for n in needs if not AGGREGATES[n].per_customer and AGGREGATES[n] not in inner]
    per_customer = [AGGREGATES[n] for n in needs if AGGREGATES[n].per_customer]
    converted = [a for a in plain if a.money] if rates is not None else []
    plain = [a for a in plain if a not in converted]
    queries = []
    if plain:
        select = ", ".join([*dims, *(f"{_plain_sql(a, source)} AS {quote_ident(a.id)}" for a in plain)])
        sql = f"WITH src AS ({src_sql}) SELECT {select} FROM src GROUP BY ALL"
        if top is not None and not (converted or per_customer or inner):
            agg_id, descending, n, digits = top
            key = quote_ident(agg_id) if digits is None else f"ROUND({quote_ident(agg_id)}, {int(digits)})"
            sql = (f"SELECT * FROM ({sql}) g QUALIFY rank() OVER (ORDER BY {key} "
                   f"{'DESC' if descending else 'ASC'} NULLS LAST) <= {int(n)}")
        queries.append((sql, plain))
    if converted and rates[0]:
        source.params["rate_days"], source.params["rate_values"] = rates
        day_dims = dims if '"day"' in dims else [*dims, '"day"']
        per_day = ", ".join([*day_dims, *(f"{_plain_sql(a, source)} AS {quote_ident(a.id)}" for a in converted)])
        select = ", ".join([*(f"p.{d}" for d in dims),
                            *(f"SUM(CAST(p.{quote_ident(a.id)} AS DECIMAL(38,12)) * r.rate) AS {quote_ident(a.id)}"
                              for a in converted)])
        queries.append((f"""WITH src AS ({src_sql}),
            rates AS (SELECT UNNEST($rate_days) AS "day",
                             CAST(UNNEST($rate_values) AS DECIMAL(18,12)) AS rate),
            per_day AS (SELECT {per_day} FROM src GROUP BY ALL)
            SELECT {select} FROM per_day p JOIN rates r ON r."day" = p."day" GROUP BY ALL""", converted))
    if per_customer:
        firsts = ""
        is_new = "FALSE"
        if any(a.id == "new_customers" for a in per_customer):
            firsts = f", firsts AS ({source.first_orders()})"
            is_new = "bool_or(s.purchased_at = f.first_at)"
        join = "LEFT JOIN firsts f ON f.customer_ref = s.customer_ref" if firsts else ""
        # orders per customer: each order's first line counts it (the order's lines are all the customer's)
        n_orders = ("COUNT(*) FILTER (WHERE s.first_line)" if getattr(source, "has_first_line", False)
                    and source.dimensions is not None and not source.dimensions & LINE_LEVEL_DIMENSIONS
                    else "COUNT(DISTINCT s.order_id)")
        if getattr(source, "rollup_kind", None) == CUSTOMER_DAYS:
            # a row per customer and day: its orders, and its first purchase instant (the customer's first
            # ever is the first of the row that holds it)
            n_orders = "SUM(s.first_lines)"
            is_new = "bool_or(s.first_at = f.first_at)" if firsts else is_new
        inner_dims = ", ".join([*(f"s.{d}" for d in dims), "s.customer_ref"])
        select = ", ".join([*dims, *(f"{a.sql} AS {quote_ident(a.id)}" for a in per_customer)])
        queries.append((f"""WITH src AS ({src_sql}){firsts},
            cust AS (SELECT {inner_dims}, {n_orders} AS n_orders, {is_new} AS is_new
                     FROM src s {join}
                     WHERE NOT s.is_credit AND s.customer_ref <> ''
                     GROUP BY {inner_dims})
            SELECT {select} FROM cust GROUP BY ALL""", per_customer))
    for agg in inner:
        if rates is not None and agg.money:
            if not rates[0]:
                continue  # no rows (no days to convert): the metric's zero
            source.params["rate_days"], source.params["rate_values"] = rates
        queries.append((_inner_query(src_sql, dims, agg, _plain_sql(agg, source), rates), [agg]))
    for sql, aggs in queries:
        cur.execute(sql, used_params(sql, source.params))
        for row in cur.fetchall():
            key = tuple(row[: len(dims)])
            values = out.setdefault(key, {})
            for agg, value in zip(aggs, row[len(dims):], strict=True):
                values[agg.id] = value
    return out


def _line_additive(agg_id: str) -> bool:
    """Whether an aggregate is a plain sum of row columns (:func:`.definitions.summed`): the same over rows
    grouped by any of their columns, so :data:`GROUPED` can serve it."""
    agg = AGGREGATES[agg_id]
    return bool(agg.rollup_sql) and agg.rollup_sql == agg.sql and not isinstance(agg, InnerAggregate)


def _sources_for(source_id: str, needs: list[str], totals: list[str], base: str, tz: str,
                 date_from: dt.date | None, date_to: dt.date | None, used: set[str], by_day: bool = False):
    """[(source relation, aggregates, total aggregates)] for one source id. When the request's dimensions allow
    (:meth:`.sources.MartSource.answers_from_rollup`): the additive aggregates over the daily rollup, the
    per-customer ones over the customer-days rollup, the rest over the rows. A line-level request (SKU,
    category) reads its sums from the rows grouped on the fly (:data:`GROUPED`; ``by_day``: the grouping keeps
    the day, for a currency conversion), the rest from the rows."""

    def make(kind: str | None) -> Source:
        source = SOURCES[source_id](base, tz, date_from, date_to)
        # the relation may leave out joins that no dimension of the request (or of an inner grouping) needs
        source.dimensions = {*used, *(getattr(AGGREGATES[n], "inner", "") for n in (*needs, *totals))} - {""}
        source.rollup_kind = kind
        source.grouped_by_day = by_day
        return source

    rows = make(None)
    answers = getattr(rows, "answers_from_rollup", lambda kind=DAILY: False)

    def kind_of(agg_id: str) -> str | None:
        agg = AGGREGATES[agg_id]
        if answers(DAILY):
            if agg.rollup_sql:
                return DAILY
            if agg.per_customer and answers(CUSTOMER_DAYS):
                return CUSTOMER_DAYS
            return None
        return GROUPED if answers(GROUPED) and _line_additive(agg_id) else None

    out = []
    for kind in (DAILY, CUSTOMER_DAYS, GROUPED, None):
        part = [n for n in needs if kind_of(n) == kind]
        part_totals = [n for n in totals if kind_of(n) == kind]
        if part or part_totals:
            out.append((make(kind) if kind else rows, part, part_totals))
    return out


def zero_value(agg_id: str):
    """The value of aggregate ``agg_id`` for a group without rows: 0, or Decimal 0 for money."""
    return ZERO if AGGREGATES[agg_id].money else 0


def finish_value(metric: Metric, value, currency: str):
    """A metric's value as it leaves the layer: money rounded once to ``currency``'s minor unit, percentages to
    two places, counts as ``int`` (also used by :mod:`.portable`)."""
    if value is None:
        return None
    if metric.unit == MONEY:
        return quantize(Decimal(value), currency)
    if metric.unit == PERCENT:
        return Decimal(value).quantize(PERCENT_PLACES)
    if metric.unit == "count":
        return int(value)
    return Decimal(value)


def group_sort_key(key: tuple) -> tuple:
    """Rows' order by their dimension values: empty values last, the others as text."""
    return tuple((v is None, "" if v is None else str(v)) for v in key)


def run(metrics: str | Sequence[str], by: str | Sequence[str] = (), date_from: dt.date | None = None,
        date_to: dt.date | None = None, filters: Mapping[str, Any] | None = None,
        currency: str | None = None, sort: str | None = None, limit: int | None = None) -> Result:
    """Compute ``metrics`` grouped by ``by`` over ``[date_from, date_to]`` (company-local days, inclusive), with
    ``filters`` ({filter id: value or list of values}), in ``currency`` (default: the base currency).

    Rows come ordered by the dimensions, or by ``sort`` (a metric or dimension id of the result, ``-`` first for
    descending; empty values last, ties in dimension order); ``limit`` keeps the first N (top SKUs).
    Without ``by`` the result has one row (the totals). Raises :class:`MetricError` for bad ids or ranges and
    :class:`chuhai.finance.fx.FxRateMissing` when a day has no rate to ``currency``."""
    from django.core.exceptions import ValidationError

    from chuhai.core.models import CompanySettings

    metric_ids = split_ids(metrics)
    dims = split_ids(by)
    chosen = check(metric_ids, dims, filters)
    if date_from and date_to and date_from > date_to:
        raise MetricError(f"the period starts ({date_from}) after it ends ({date_to})")
    sort_key = (sort or "").strip()
    descending = sort_key.startswith("-")
    sort_key = sort_key.lstrip("-")
    if sort_key and sort_key not in (*metric_ids, *dims):
        raise MetricError(f"cannot sort by {sort_key}: sort by one of {', '.join([*dims, *metric_ids])}")
    if limit is not None and limit < 1:
        raise MetricError("limit must be at least 1")
    wanted = filter_values(filters)
    company = CompanySettings.load()
    base = company.base_currency
    try:
        target = normalize_currency(currency) if currency else base
    except ValidationError as exc:
        raise MetricError(f"{currency} is not an ISO 4217 currency code") from exc
    fx = fx_rates.converter() if target != base else None

    needs_by_source: dict[str, list[str]] = {}
    for metric in chosen:
        bucket = needs_by_source.setdefault(metric.source, [])
        bucket.extend(n for n in metric.needs if n not in bucket)

    totals_by_source: dict[str, list[str]] = {}
    for metric in chosen:
        bucket = totals_by_source.setdefault(metric.source, [])
        bucket.extend(n for n in metric.extra.get(TOTALS, ()) if n not in bucket)

    top = None
    ranked = METRICS[sort_key] if sort_key in metric_ids else None
    if (limit is not None and ranked is not None and getattr(ranked.compute, "aggregate", None)
            and ranked.unit in (MONEY, COUNT) and fx is None and len(needs_by_source) == 1
            and not any(totals_by_source.values())):
        top = (ranked.compute.aggregate, descending, limit, minor_units(target) if ranked.unit == MONEY else None)

    groups: dict[tuple, dict] = {}
    totals: dict[str, Any] = {}
    with engine.cursor() as cur:
        for source_id, needs in needs_by_source.items():
            parts = _sources_for(source_id, needs, totals_by_source.get(source_id, []), base, company.time_zone,
                                 date_from, date_to, {*dims, *wanted}, by_day=fx is not None)
            for source, part, part_totals in parts:
                src_sql = filtered(source, wanted)
                converts = fx is not None and any(AGGREGATES[n].money for n in (*part, *part_totals))
                rates = _rates(cur, source, src_sql, target, fx) if converts else None
                if part:
                    for key, values in _aggregate(cur, source, src_sql, dims, part, rates,
                                                  top if len(parts) == 1 else None).items():
                        groups.setdefault(key, {}).update(values)
                if part_totals:
                    for values in _aggregate(cur, source, src_sql, (), part_totals, rates).values():
                        totals.update({total_key(k): v for k, v in values.items()})

    if not dims and not groups:
        groups[()] = {}
    rows = []
    for key in sorted(groups, key=group_sort_key):
        values = groups[key]
        row: dict[str, Any] = dict(zip(dims, key, strict=True))
        for metric in chosen:
            inputs = {n: (values.get(n) if values.get(n) is not None else zero_value(n)) for n in metric.needs}
            for n in metric.extra.get(TOTALS, ()):
                value = totals.get(total_key(n))
                inputs[total_key(n)] = value if value is not None else zero_value(n)
            row[metric.id] = finish_value(metric, metric.compute(inputs), target)
        rows.append(row)
    if sort_key:
        present = [r for r in rows if r[sort_key] is not None]
        present.sort(key=lambda r: r[sort_key], reverse=descending)
        rows = present + [r for r in rows if r[sort_key] is None]
    if limit is not None:
        rows = rows[:limit]
    return Result(currency=target, metrics=tuple(metric_ids), by=tuple(dims), rows=rows, date_from=date_from,
                  date_to=date_to, filters=wanted)
