"""Customer analytics: RFM scores and segments, monthly cohort retention and customer lifetime value.

Everything is computed by DuckDB over the metric layer's order-line relation (:mod:`chuhai.analytics.metric_layer`:
sale statuses only, cancelled items left out, credit notes negative, amounts in the base currency at each order's
stored ``fx_rate``, the local day in the company's time zone, exact ``DECIMAL`` arithmetic), rolled up to one row
per buyer, day, account, marketplace, ship-to country and sale/credit (the analytics mart's customer-days rollup,
or the same grouping of the lines when the mart is off: half the rows of the lines). Money is rounded once,
where it leaves this module, with :func:`chuhai.core.money.quantize`.

**Customers** are the non-empty ``Order.customer_ref`` values; guest orders (no reference) are never counted. An
*order* is a sale document (not a credit note); a customer's *net sales* are the net sales (line amount − discount,
shipping and separate taxes excluded) of their orders **and** credit notes in the selection, as the layer's
``net_sales``. A customer appears once they have at least one order in the selection (a reference with only credit
notes is left out).

**Selection**: ``date_from`` / ``date_to`` (inclusive local days) and the layer's filters ``account``,
``marketplace``, ``ship_country`` (a value or a list of values).

**RFM** (:func:`rfm`), as of a day (default: the day after the last order in the selection):

- recency = days from the customer's last order day to the as-of day (1 = bought the day before);
- frequency = the customer's orders; monetary = the customer's net sales.
- Scores 1–5 are quintiles: ``NTILE(5)`` over the customers sorted ascending — R by last order day (the most
  recent get 5), F by (frequency, monetary), M by monetary — ties broken by the customer reference, so every
  score is reproducible. As with ``NTILE``, n customers fill the five groups in turn: the first ``n mod 5`` groups
  get one customer more than the others, and with fewer than five customers only scores 1..n exist (a single
  customer scores 1-1-1).
- Segments come from the R × F grid (:data:`SEGMENT_GRID`, the usual map with "Lost" split off):

  ======  ==================  ==================  ==================  ==================  ==================
  R \\ F   1                   2                   3                   4                   5
  ======  ==================  ==================  ==================  ==================  ==================
  5       New                 Potential loyalists Potential loyalists Champions           Champions
  4       Promising           Potential loyalists Potential loyalists Loyal               Loyal
  3       About to sleep      About to sleep      Need attention      Loyal               Loyal
  2       Hibernating         Hibernating         At risk             At risk             Can't lose them
  1       Lost                Lost                At risk             At risk             Can't lose them
  ======  ==================  ==================  ==================  ==================  ==================

**Cohorts** (:func:`cohorts`): a customer's cohort is the month of their first order among *all* orders that pass
the filters (account, marketplace, country) — the date range does not move it; only cohorts whose first month
falls in the date range are shown, and activity is counted inside the date range. For offset k = 0..N (N: months
from the cohort to the last month with an order in the selection), *active* = cohort customers with at least one
order in month cohort + k; retention = active ÷ cohort size × 100 (offset 0 is 100 %).

**Lifetime value** (:func:`lifetime_value`): per cohort, net sales of its customers in the selection ÷ cohort
size, and that ÷ its observed months (cohort month to the last month, inclusive). The *simple historical CLV*
over the selection = AOV × purchase frequency × lifespan, where AOV = customers' net sales ÷ their orders,
purchase frequency = orders ÷ customers, and lifespan = 1 ÷ churn with churn = 1 − repeat rate (the share of
customers with two orders or more), in units of the selected period: a customer of whom a fraction r buys again
is expected to stay 1 ÷ (1 − r) periods. So CLV = net sales per customer ÷ (1 − repeat rate); with no churn
(every customer repeats) the lifespan and CLV are undefined (None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from chuhai.core.money import quantize

from .metric_layer import engine

# The metric layer's order-line relation and its helpers (imported, not copied).
from .metric_layer.query import filter_values
from .metric_layer.sources import CUSTOMER_DAYS, DAILY, OrderLines, filtered, used_params
from .quintiles import quintile_ctes, quintile_score

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PLACES = Decimal("0.01")
#: The filters the customer analytics accept (the layer's dimension ids).
CUSTOMER_FILTERS = ("account", "marketplace", "ship_country")

CHAMPIONS, LOYAL, POTENTIAL, NEW, PROMISING = "champions", "loyal", "potential", "new", "promising"
NEED_ATTENTION, ABOUT_TO_SLEEP, AT_RISK, CANT_LOSE = "need_attention", "about_to_sleep", "at_risk", "cant_lose"
HIBERNATING, LOST = "hibernating", "lost"

#: Segment ids in display order, with their names.
SEGMENTS: dict[str, Any] = {
    CHAMPIONS: _("Champions"), LOYAL: _("Loyal"), POTENTIAL: _("Potential loyalists"), NEW: _("New"),
    PROMISING: _("Promising"), NEED_ATTENTION: _("Need attention"), ABOUT_TO_SLEEP: _("About to sleep"),
    AT_RISK: _("At risk"), CANT_LOSE: _("Can't lose them"), HIBERNATING: _("Hibernating"), LOST: _("Lost"),
}

#: SEGMENT_GRID[r][f] (scores 1..5; index 0 unused): the segment of an R × F cell (see the module doc).
SEGMENT_GRID: dict[int, dict[int, str]] = {
    5: {1: NEW, 2: POTENTIAL, 3: POTENTIAL, 4: CHAMPIONS, 5: CHAMPIONS},
    4: {1: PROMISING, 2: POTENTIAL, 3: POTENTIAL, 4: LOYAL, 5: LOYAL},
    3: {1: ABOUT_TO_SLEEP, 2: ABOUT_TO_SLEEP, 3: NEED_ATTENTION, 4: LOYAL, 5: LOYAL},
    2: {1: HIBERNATING, 2: HIBERNATING, 3: AT_RISK, 4: AT_RISK, 5: CANT_LOSE},
    1: {1: LOST, 2: LOST, 3: AT_RISK, 4: AT_RISK, 5: CANT_LOSE},
}


def segment_of(r: int, f: int) -> str:
    return SEGMENT_GRID[r][f]


# -- the relation ---------------------------------------------------------------------------------------------------

def _company():
    from chuhai.core.models import CompanySettings

    company = CompanySettings.load()
    return company.base_currency, company.time_zone


def _clean_filters(filters: Mapping[str, Any] | None) -> dict[str, list[str]]:
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [], ())}
    bad = [k for k in filters if k not in CUSTOMER_FILTERS]
    if bad:
        raise ValueError(f"unknown filter {', '.join(bad)}; valid filters: {', '.join(CUSTOMER_FILTERS)}")
    return filter_values(filters)


def _source(base: str, tz: str, date_from, date_to, filters: dict[str, list[str]],
            params: dict, kind: str = CUSTOMER_DAYS) -> str:
    """The layer's filtered order lines (with ``month``) rolled up to ``kind``: by default one row per buyer,
    day, account, marketplace, ship-to country and sale/credit (guests left out) with ``goods``, ``first_lines``
    (orders) and ``first_at``; :data:`DAILY` keeps guests. Read from the mart's rollup (the filters are all
    order-level), or grouped from the lines when the mart is off. Its parameters are added to ``params``."""
    source = OrderLines(base, tz, date_from, date_to)
    source.dimensions = set(filters)  # no SKU or product column is read: the products need not be joined
    source.rollup_kind = kind
    sql = filtered(source, filters)
    params.update(source.params)
    return sql


def _run(sql: str, params: dict) -> list[tuple]:
    with engine.cursor() as cur:
        return cur.execute(sql, used_params(sql, params)).fetchall()


def _customers_cte(src: str, first_day: bool = True) -> str:
    """``cust``: one row per customer with at least one order in ``src`` (materialised: the scores read it
    several times). ``first_day`` False leaves that column out (the grid does not show it: less to aggregate)."""
    first = 'MIN("day") FILTER (WHERE NOT is_credit) AS first_day,' if first_day else ""
    return f"""src AS ({src}),
        cust AS MATERIALIZED (
            -- frequency as a 4-byte integer (a SUM is 16 bytes wide): the F score's sort key narrows, ≈ 10 %
            -- of the RFM grid on 1.6 million customers
            SELECT customer_ref,
                   CAST(SUM(first_lines) FILTER (WHERE NOT is_credit) AS UINTEGER) AS frequency,
                   SUM(goods) AS monetary, {first}
                   MAX("day") FILTER (WHERE NOT is_credit) AS last_day
            FROM src
            GROUP BY customer_ref
            HAVING SUM(first_lines) FILTER (WHERE NOT is_credit) > 0)"""


# -- RFM ------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerScore:
    customer_ref: str
    recency: int
    frequency: int
    monetary: Decimal
    first_day: dt.date
    last_day: dt.date
    r: int
    f: int
    m: int

    @property
    def segment(self) -> str:
        return segment_of(self.r, self.f)

    @property
    def segment_name(self):
        return SEGMENTS[self.segment]

    @property
    def score(self) -> str:
        return f"{self.r}{self.f}{self.m}"


@dataclass(frozen=True)
class GridCell:
    r: int
    f: int
    customers: int
    monetary: Decimal
    recency_sum: int = 0
    frequency_sum: int = 0

    @property
    def segment(self) -> str:
        return segment_of(self.r, self.f)


@dataclass(frozen=True)
class SegmentRow:
    segment: str
    name: Any
    customers: int
    share: Decimal | None
    avg_recency: Decimal | None
    avg_frequency: Decimal | None
    monetary: Decimal
    avg_monetary: Decimal | None


@dataclass
class Rfm:
    currency: str
    as_of: dt.date | None
    customers: int
    #: All 25 cells, R 5..1 then F 1..5 (empty cells have zero customers).
    grid: list[GridCell] = field(default_factory=list)
    segments: list[SegmentRow] = field(default_factory=list)

    def cell(self, r: int, f: int) -> GridCell:
        return next(c for c in self.grid if c.r == r and c.f == f)


def _ratio(num, den, places=PLACES) -> Decimal | None:
    return None if not den else (Decimal(num) / Decimal(den)).quantize(places)


def _scored_sql(src: str, with_m: bool = True) -> str:
    """``scored``: the customers with recency and their R, F (and, ``with_m``, M and first day) scores — ``NTILE(5)`` over the
    orders in the module doc, computed from four cut keys per score (:mod:`chuhai.analytics.quintiles`: no sort
    of every customer; the grid leaves M out, a third of the work)."""
    scores = [("r", "last_day", None), ("f", "frequency", "monetary")] + ([("m", None, "monetary")] if with_m else [])
    ctes = ",\n        ".join(quintile_ctes(f"{name}q", "cust", group, value) for name, group, value in scores)
    columns = ",\n                   ".join(f"{quintile_score(f'{name}q', group, value)} AS {name}"
                                          for name, group, value in scores)
    keys = ", ".join(f"{name}q_keys" for name, _g, _v in scores)
    return f"""WITH {_customers_cte(src, first_day=with_m)},
        {ctes},
        scored AS (
            SELECT customer_ref, frequency, monetary, {"first_day, " if with_m else ""}last_day,
                   date_diff('day', last_day, $as_of) AS recency,
                   {columns}
            FROM cust, {keys})"""


def _as_of(src: str, params: dict, as_of: dt.date | None) -> dt.date | None:
    if as_of is not None:
        return as_of
    last = _run(f"SELECT MAX(\"day\") FROM ({src}) s WHERE NOT is_credit", params)[0][0]
    return None if last is None else last + dt.timedelta(days=1)


def rfm(date_from: dt.date | None = None, date_to: dt.date | None = None,
        filters: Mapping[str, Any] | None = None, as_of: dt.date | None = None) -> Rfm:
    """The RFM grid (25 cells: customers and net sales) and the segment table (see the module doc)."""
    base, tz = _company()
    params: dict = {}
    clean = _clean_filters(filters)
    src = _source(base, tz, date_from, date_to, clean, params)
    as_of = _as_of(_source(base, tz, date_from, date_to, clean, params, DAILY), params, as_of)
    result = Rfm(currency=base, as_of=as_of, customers=0)
    found: dict[tuple[int, int], tuple] = {}
    if as_of is not None:
        params["as_of"] = as_of
        sql = _scored_sql(src, with_m=False) + """
            SELECT r, f, COUNT(*), SUM(monetary), SUM(recency), SUM(frequency) FROM scored GROUP BY r, f"""
        found = {(r, f): rest for r, f, *rest in _run(sql, params)}
    for r in range(5, 0, -1):
        for f in range(1, 6):
            n, money, rec, freq = found.get((r, f), (0, ZERO, 0, 0))
            result.grid.append(GridCell(r, f, int(n), money or ZERO, int(rec or 0), int(freq or 0)))
    result.customers = sum(c.customers for c in result.grid)
    for seg, name in SEGMENTS.items():
        cells = [c for c in result.grid if c.segment == seg]
        n = sum(c.customers for c in cells)
        money = sum((c.monetary for c in cells), ZERO)
        result.segments.append(SegmentRow(
            segment=seg, name=name, customers=n, share=_ratio(n * HUNDRED, result.customers),
            avg_recency=_ratio(sum(c.recency_sum for c in cells), n),
            avg_frequency=_ratio(sum(c.frequency_sum for c in cells), n),
            monetary=quantize(money, base), avg_monetary=quantize(money / n, base) if n else None))
    result.grid = [GridCell(c.r, c.f, c.customers, quantize(c.monetary, base), c.recency_sum, c.frequency_sum)
                   for c in result.grid]
    return result


def rfm_customers(date_from: dt.date | None = None, date_to: dt.date | None = None,
                  filters: Mapping[str, Any] | None = None, as_of: dt.date | None = None,
                  r: int | None = None, f: int | None = None, segment: str | None = None) -> list[CustomerScore]:
    """The scored customers (optionally of one R × F cell, or one segment), best first: by monetary
    descending, then reference. Scores are computed over the whole selection before the cell is picked."""
    base, tz = _company()
    params: dict = {}
    clean = _clean_filters(filters)
    src = _source(base, tz, date_from, date_to, clean, params)
    as_of = _as_of(_source(base, tz, date_from, date_to, clean, params, DAILY), params, as_of)
    if as_of is None:
        return []
    params["as_of"] = as_of
    where = []
    if r is not None:
        params["cell_r"] = int(r)
        where.append("r = $cell_r")
    if f is not None:
        params["cell_f"] = int(f)
        where.append("f = $cell_f")
    if segment:
        if segment not in SEGMENTS:
            raise ValueError(f"unknown segment {segment}; valid segments: {', '.join(SEGMENTS)}")
        cells = " OR ".join(f"(r = {rr} AND f = {ff})" for rr, row in SEGMENT_GRID.items()
                            for ff, seg in row.items() if seg == segment)
        where.append(f"({cells})")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    sql = _scored_sql(src) + f"""
        SELECT customer_ref, recency, frequency, monetary, first_day, last_day, r, f, m FROM scored {clause}
        ORDER BY monetary DESC, customer_ref"""
    return [CustomerScore(ref, int(rec), int(freq), quantize(money, base), first, last, int(rr), int(ff), int(mm))
            for ref, rec, freq, money, first, last, rr, ff, mm in _run(sql, params)]


# -- cohorts --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CohortCell:
    offset: int
    active: int
    retention: Decimal


@dataclass(frozen=True)
class CohortRow:
    cohort: dt.date  # the first day of the cohort month
    size: int
    cells: tuple[CohortCell, ...]  # offsets 0..observed months − 1
    net_sales: Decimal

    @property
    def month(self) -> str:
        return self.cohort.strftime("%Y-%m")

    @property
    def observed_months(self) -> int:
        return len(self.cells)

    def retention(self, offset: int) -> Decimal | None:
        return self.cells[offset].retention if offset < len(self.cells) else None

    def active(self, offset: int) -> int | None:
        return self.cells[offset].active if offset < len(self.cells) else None


@dataclass
class Cohorts:
    currency: str
    last_month: dt.date | None
    rows: list[CohortRow] = field(default_factory=list)

    @property
    def max_offset(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0) - 1


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def cohorts(date_from: dt.date | None = None, date_to: dt.date | None = None,
            filters: Mapping[str, Any] | None = None) -> Cohorts:
    """Monthly cohort retention and each cohort's net sales (see the module doc)."""
    base, tz = _company()
    clean = _clean_filters(filters)
    params: dict = {}
    every = _source(base, tz, None, None, clean, params)     # first orders: the date range does not apply
    chosen = _source(base, tz, date_from, date_to, clean, params)  # activity: inside the date range
    daily = _source(base, tz, date_from, date_to, clean, params, DAILY)  # guests' orders count for the last month
    last = _run(f"SELECT MAX(\"day\") FROM ({daily}) s WHERE NOT is_credit", params)[0][0]
    result = Cohorts(currency=base, last_month=None if last is None else last.replace(day=1))
    if last is None:
        return result
    cohort_where = []
    if date_from is not None:
        params["c_from"] = date_from
        cohort_where.append("first_day >= $c_from")
    if date_to is not None:
        params["c_to"] = date_to
        cohort_where.append("first_day <= $c_to")
    clause = f"WHERE {' AND '.join(cohort_where)}" if cohort_where else ""
    # One statement: each customer's first order (over the whole history) is computed once, materialised, and
    # feeds both the retention cells ("a" rows) and the cohort sizes and net sales ("s" rows).
    sql = f"""WITH every_src AS ({every}), chosen AS ({chosen}),
        firsts AS MATERIALIZED (
            SELECT * FROM (
                SELECT customer_ref, MIN("day") AS first_day FROM every_src
                WHERE NOT is_credit GROUP BY customer_ref) x {clause}),
        months AS MATERIALIZED (
            -- one pass over the selection: per customer and month, whether they ordered and their net sales
            SELECT c.customer_ref, date_trunc('month', c."day") AS month, bool_or(NOT c.is_credit) AS ordered,
                   SUM(c.goods) AS net
            FROM chosen c SEMI JOIN firsts f USING (customer_ref) GROUP BY ALL)
        SELECT 'a' AS kind, date_trunc('month', f.first_day) AS cohort,
               date_diff('month', date_trunc('month', f.first_day), m.month) AS "offset",
               COUNT(*) AS n, NULL AS net
        FROM months m JOIN firsts f USING (customer_ref)
        WHERE m.ordered
        GROUP BY ALL
        UNION ALL
        SELECT 's', date_trunc('month', f.first_day), NULL, COUNT(DISTINCT f.customer_ref), SUM(COALESCE(m.net, 0))
        FROM firsts f LEFT JOIN months m USING (customer_ref) GROUP BY ALL"""
    active: dict[dt.date, dict[int, int]] = {}
    sizes = []
    for kind, cohort, offset, n, net in _run(sql, params):
        cohort = cohort.date() if isinstance(cohort, dt.datetime) else cohort
        if kind == "a":
            active.setdefault(cohort, {})[int(offset)] = int(n)
        else:
            sizes.append((cohort, n, net))
    last_index = _month_index(result.last_month)
    for cohort, size, net in sorted(sizes):
        months = last_index - _month_index(cohort) + 1
        if months < 1:
            continue
        cells = tuple(
            CohortCell(k, active.get(cohort, {}).get(k, 0),
                       (Decimal(active.get(cohort, {}).get(k, 0)) * HUNDRED / Decimal(size)).quantize(PLACES))
            for k in range(months))
        result.rows.append(CohortRow(cohort, int(size), cells, quantize(net or ZERO, base)))
    return result


# -- lifetime value -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CohortValue:
    cohort: dt.date
    customers: int
    net_sales: Decimal
    per_customer: Decimal | None
    observed_months: int
    per_customer_month: Decimal | None

    @property
    def month(self) -> str:
        return self.cohort.strftime("%Y-%m")


@dataclass
class LifetimeValue:
    currency: str
    customers: int
    orders: int
    net_sales: Decimal
    repeat_customers: int
    aov: Decimal | None
    frequency: Decimal | None          # orders per customer, 2 places
    repeat_rate: Decimal | None        # percent, 2 places
    churn_rate: Decimal | None         # percent, 2 places
    lifespan: Decimal | None           # selected periods, 2 places
    clv: Decimal | None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    cohorts: list[CohortValue] = field(default_factory=list)


def lifetime_value(date_from: dt.date | None = None, date_to: dt.date | None = None,
                   filters: Mapping[str, Any] | None = None, cohort_table: Cohorts | None = None) -> LifetimeValue:
    """Per-cohort net sales per customer (and per observed month) and the simple historical CLV.
    ``cohort_table``: :func:`cohorts` of the same selection, when the caller has it already."""
    base, tz = _company()
    params: dict = {}
    src = _source(base, tz, date_from, date_to, _clean_filters(filters), params)
    sql = f"""WITH {_customers_cte(src)}
        SELECT COUNT(*), COALESCE(SUM(frequency), 0), SUM(monetary),
               COUNT(*) FILTER (WHERE frequency >= 2), MIN(first_day), MAX(last_day) FROM cust"""
    n, orders, net, repeat, first, last = _run(sql, params)[0]
    n, orders, repeat, net = int(n), int(orders), int(repeat), net or ZERO
    exact_repeat = Decimal(repeat) / Decimal(n) if n else None
    churn = None if exact_repeat is None else 1 - exact_repeat
    clv = None
    if n and churn:
        # AOV × frequency × lifespan = (net ÷ orders) × (orders ÷ customers) × 1 ÷ churn
        clv = quantize((net / Decimal(orders)) * (Decimal(orders) / Decimal(n)) / churn, base)
    value = LifetimeValue(
        currency=base, customers=n, orders=orders, net_sales=quantize(net, base), repeat_customers=repeat,
        aov=quantize(net / Decimal(orders), base) if orders else None,
        frequency=_ratio(orders, n), repeat_rate=_ratio(repeat * HUNDRED, n),
        churn_rate=None if churn is None else (churn * HUNDRED).quantize(PLACES),
        lifespan=(1 / churn).quantize(PLACES) if churn else None, clv=clv, first_day=first, last_day=last)
    if cohort_table is None:
        cohort_table = cohorts(date_from, date_to, filters)
    for row in cohort_table.rows:
        per = quantize(row.net_sales / row.size, base) if row.size else None
        per_month = (quantize(row.net_sales / row.size / row.observed_months, base)
                     if row.size and row.observed_months else None)
        value.cohorts.append(CohortValue(row.cohort, row.size, row.net_sales, per, row.observed_months, per_month))
    return value
