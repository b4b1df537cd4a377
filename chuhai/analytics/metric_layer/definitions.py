"""Every metric and dimension, defined once: pages, the CLI (``chuhai metrics list``, ``chuhai report METRIC``),
the API (``GET /api/v1/metrics``) and the Excel/CSV exports read these definitions and nothing else.

A metric is computed from *aggregates*: SQL aggregate expressions over one *source* relation (see
:mod:`.query`, which builds the relations in DuckDB):

- ``orders`` — one row per order line joined to its order, channel account and product. Only orders in a sale
  status (:data:`chuhai.orders.models.SALE_STATUSES`: not pending payment, not cancelled) whose stored base
  currency is the company's; lines whose item is cancelled are left out. Credit documents
  (``document_type="credit"``, negative quantities and amounts) are the refunds. Money is converted to the base
  currency at the order's stored ``fx_rate`` (the rate of its purchase date), each value cast to an exact decimal
  before it is summed. The row's ``day`` is the purchase date in the company's time zone.
- ``profit`` — the profit rows of :class:`chuhai.finance.profit_facts.ProfitFact` (one per order line plus the
  period fees spread onto SKUs), already in the base currency; ``day`` is theirs. Run ``chuhai profit rebuild``
  after imports for these to be current.

Money is in the base currency, or converted per row at the rate of its day (:mod:`.query`), and rounded once, at
the edge, with :func:`chuhai.core.money.quantize`. Percentages are rounded to two places at the edge.

To add a metric: add its aggregates (if new) to :data:`AGGREGATES`, then a :class:`Metric` to :data:`METRICS`
with a one-line definition (the tooltip) and its exact formula. Ratios that :mod:`chuhai.analytics.metrics`
defines (margin %, ACOS, TACOS, ROAS) must call it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuhai.analytics import metrics as ratios

MONEY, COUNT, PERCENT, RATIO = "money", "count", "percent", "ratio"
UNITS = (MONEY, COUNT, PERCENT, RATIO)
ORDERS, PROFIT = "orders", "profit"

ORDER_PERMISSION = "orders.view_order"
FINANCE_PERMISSION = "finance.access_finance"

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Dimension:
    """A column rows can be grouped and filtered by; ``column`` exists in every source relation."""

    id: str
    name: str | Promise
    definition: str | Promise
    column: str
    #: ``False``: can group by it but not filter on it (``month``/``day`` are filtered by the date range).
    filterable: bool = True


@dataclass(frozen=True)
class Aggregate:
    """An SQL aggregate over a source relation's columns. ``per_customer`` aggregates run over one row per
    (group, customer) with ``n_orders`` and ``is_new`` (see :mod:`.query`)."""

    id: str
    source: str
    sql: str
    money: bool = False
    per_customer: bool = False
    #: The same figure when no line-level dimension (sku, category) groups or filters the rows, over a source
    #: whose rows carry ``first_line`` (the order's first counted line): a count of orders without a DISTINCT,
    #: several times faster on millions of lines.
    order_level_sql: str = ""
    #: The same figure over the source's daily rollup (:class:`.sources.Rollup`: the mart's rows summed per day
    #: and order-level dimension), when the request needs none of the other dimensions. Empty: not additive
    #: (distinct customers…), always computed over the rows themselves.
    rollup_sql: str = ""


#: Dimensions that differ between the lines of one order.
LINE_LEVEL_DIMENSIONS = frozenset({"sku", "category"})


def summed(id: str, source: str, sql: str, money: bool = False) -> Aggregate:
    """An aggregate that only sums row columns (``COALESCE(SUM(x) FILTER (…), 0)``): a sum of the rollup's sums
    is the same figure, so it reads the rollup when it can."""
    return Aggregate(id, source, sql, money=money, rollup_sql=sql)


@dataclass(frozen=True)
class Metric:
    id: str
    name: str | Promise
    unit: str
    source: str
    #: One line, shown as the tooltip next to the figure.
    definition: str | Promise
    #: The exact formula, in words and aggregates (documentation, ``chuhai metrics list``).
    formula: str
    needs: tuple[str, ...]
    compute: Callable[[Mapping[str, Any]], Any]
    grain: str
    dimensions: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    permission: str = ORDER_PERMISSION
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"metric {self.id}: unknown unit {self.unit!r}")


DIMENSIONS: dict[str, Dimension] = {
    d.id: d
    for d in (
        Dimension("month", _("Month"), _("Calendar month of the purchase (profit rows: of their day), in the "
                                         "company's time zone, as YYYY-MM."), "month", filterable=False),
        Dimension("day", _("Day"), _("Calendar day of the purchase in the company's time zone."), "day",
                  filterable=False),
        Dimension("account", _("Channel account"), _("Code of the channel account (shop) the order came "
                                                     "through."), "account"),
        Dimension("channel", _("Channel"), _("Platform of the channel account (amazon, shopee, ...)."), "channel"),
        Dimension("marketplace", _("Marketplace"), _("Country code of the marketplace the order was placed on."),
                  "marketplace"),
        Dimension("ship_country", _("Ship-to country"), _("Country code the order ships to (empty when the "
                                                          "source did not give a known country)."),
                  "ship_country"),
        Dimension("sku", _("SKU"), _("Our SKU, or the channel's SKU while a line is not mapped to a product."),
                  "sku"),
        Dimension("category", _("Category"), _("The product's category (empty for unmapped SKUs)."), "category"),
    )
}
ALL_DIMENSIONS = tuple(DIMENSIONS)
FILTERS = tuple(d.id for d in DIMENSIONS.values() if d.filterable)

AGGREGATES: dict[str, Aggregate] = {
    a.id: a
    for a in (
        # -- orders: one row per order line (cancelled items and non-sale statuses already left out) ----------
        Aggregate("orders", ORDERS, "COUNT(DISTINCT order_id) FILTER (WHERE NOT is_credit)",
                  order_level_sql="COUNT(*) FILTER (WHERE first_line AND NOT is_credit)",
                  rollup_sql="COALESCE(SUM(first_lines) FILTER (WHERE NOT is_credit), 0)"),
        summed("units", ORDERS, "COALESCE(SUM(quantity), 0)"),
        summed("units_sold", ORDERS, "COALESCE(SUM(quantity) FILTER (WHERE NOT is_credit), 0)"),
        summed("units_returned", ORDERS, "COALESCE(-SUM(quantity) FILTER (WHERE is_credit), 0)"),
        summed("gmv", ORDERS, "COALESCE(SUM(charged) FILTER (WHERE NOT is_credit), 0)", money=True),
        summed("refunds", ORDERS, "COALESCE(-SUM(charged) FILTER (WHERE is_credit), 0)", money=True),
        summed("net_sales", ORDERS, "COALESCE(SUM(goods), 0)", money=True),
        Aggregate("customers", ORDERS, "COUNT(*)", per_customer=True),
        Aggregate("repeat_customers", ORDERS, "COUNT(*) FILTER (WHERE n_orders >= 2)", per_customer=True),
        Aggregate("new_customers", ORDERS, "COUNT(*) FILTER (WHERE is_new)", per_customer=True),
        # -- profit rows (base currency; costs negative) --------------------------------------------------------
        summed("revenue", PROFIT, "COALESCE(SUM(revenue), 0)", money=True),
        summed("gross_profit", PROFIT,
               "COALESCE(SUM(revenue + shipping_income + promotions + refunds + cogs), 0)", money=True),
        summed("contribution", PROFIT, "COALESCE(SUM(profit), 0)", money=True),
    )
}


def _percent(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator × 100, or None when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) * HUNDRED / Decimal(denominator)


def take(key: str) -> Callable[[Mapping[str, Any]], Any]:
    """The metric is aggregate ``key`` itself (marked, so a top-N request can rank the groups in SQL)."""
    def take(a):
        return a[key]

    take.aggregate = key
    return take


def _aov(a):
    return a["net_sales"] / a["orders"] if a["orders"] else None


def _order_metric(id, name, unit, definition, formula, needs, compute, dimensions=ALL_DIMENSIONS):
    return Metric(id, name, unit, ORDERS, definition, formula, tuple(needs), compute, grain=_("order line"),
                  dimensions=dimensions, filters=FILTERS, permission=ORDER_PERMISSION)


def _profit_metric(id, name, unit, definition, formula, needs, compute):
    return Metric(id, name, unit, PROFIT, definition, formula, tuple(needs), compute, grain=_("profit row"),
                  dimensions=ALL_DIMENSIONS, filters=FILTERS, permission=FINANCE_PERMISSION)


METRICS: dict[str, Metric] = {
    m.id: m
    for m in (
        _order_metric(
            "orders", _("Orders"), COUNT,
            _("Number of orders in a sale status (not pending payment, not cancelled); credit notes are not "
              "orders."),
            "COUNT(DISTINCT order) over sale documents (document_type=order) with at least one line not cancelled",
            ["orders"], take("orders")),
        _order_metric(
            "units", _("Units"), COUNT,
            _("Units sold less units credited back (credit notes carry negative quantities); cancelled items "
              "excluded."),
            "SUM(quantity) over lines of sale documents and credit documents (credit quantities are negative)",
            ["units"], take("units")),
        _order_metric(
            "gmv", _("GMV"), MONEY,
            _("Gross merchandise value: what buyers were charged for goods and shipping, after discounts and "
              "before refunds; separate taxes excluded."),
            "SUM((line amount − discount + shipping) × order fx_rate) over sale documents",
            ["gmv"], take("gmv")),
        _order_metric(
            "net_sales", _("Net sales"), MONEY,
            _("Goods value of sales (unit price × quantity − discount) less the goods value credited back; "
              "shipping and separate taxes excluded."),
            "SUM((line amount − discount) × order fx_rate) over sale and credit documents (credits negative)",
            ["net_sales"], take("net_sales")),
        _order_metric(
            "refunds", _("Refunds"), MONEY,
            _("Amount credited back to buyers on credit notes (goods − discount + shipping), as a positive "
              "amount. Refunds paid only through settlements are in the profit report."),
            "−SUM((line amount − discount + shipping) × order fx_rate) over credit documents",
            ["refunds"], take("refunds")),
        _order_metric(
            "aov", _("Average order value"), MONEY,
            _("Net sales divided by orders."),
            "net_sales ÷ orders (empty when there are no orders)",
            ["net_sales", "orders"], _aov),
        _order_metric(
            "return_rate", _("Return rate"), PERCENT,
            _("Units credited back as a percentage of units sold."),
            "units on credit documents (as a positive number) ÷ units on sale documents × 100",
            ["units_returned", "units_sold"], lambda a: _percent(a["units_returned"], a["units_sold"])),
        _order_metric(
            "customers", _("Customers"), COUNT,
            _("Distinct buyers with at least one order; guest orders without a buyer id are not counted."),
            "COUNT(DISTINCT customer_ref) over sale documents with a non-empty customer_ref",
            ["customers"], take("customers")),
        _order_metric(
            "new_customers", _("New customers"), COUNT,
            _("Buyers whose first order ever (in any account) is in the row."),
            "COUNT(DISTINCT customer_ref) whose earliest sale order overall is among the row's orders",
            ["new_customers"], take("new_customers")),
        _order_metric(
            "returning_customers", _("Returning customers"), COUNT,
            _("Buyers in the row who had ordered before it."),
            "customers − new_customers",
            ["customers", "new_customers"], lambda a: a["customers"] - a["new_customers"]),
        _order_metric(
            "repeat_purchase_rate", _("Repeat purchase rate"), PERCENT,
            _("Share of the row's buyers who placed two or more orders in the period."),
            "COUNT(customers with ≥ 2 sale orders in the row) ÷ customers × 100",
            ["repeat_customers", "customers"], lambda a: _percent(a["repeat_customers"], a["customers"]),
            dimensions=tuple(d for d in ALL_DIMENSIONS if d != "day")),
        _profit_metric(
            "gross_profit", _("Gross profit"), MONEY,
            _("Net revenue (VAT excluded) plus shipping charged, promotions and refunds, less the cost of goods; "
              "before platform fees, advertising and logistics."),
            "SUM(revenue + shipping_income + promotions + refunds + cogs) over profit rows (costs negative)",
            ["gross_profit"], take("gross_profit")),
        _profit_metric(
            "contribution_margin", _("Contribution margin"), MONEY,
            _("Gross profit less platform fees, advertising, other fees and logistics, plus reimbursements: "
              "the profit rows' contribution."),
            "SUM(profit) over profit rows = the sum of chuhai.analytics.metrics.CONTRIBUTION_PARTS",
            ["contribution"], take("contribution")),
        _profit_metric(
            "margin_percent", _("Margin %"), PERCENT,
            _("Contribution as a percentage of net revenue."),
            "chuhai.analytics.metrics.margin_percent(SUM(profit), SUM(revenue))",
            ["contribution", "revenue"], lambda a: ratios.margin_percent(a["contribution"], a["revenue"])),
    )
}

#: The metrics the issue requires, in the order ``chuhai metrics list`` shows them first.
REQUIRED_METRICS = ("orders", "units", "gmv", "net_sales", "refunds", "gross_profit", "customers",
                    "repeat_purchase_rate", "aov")


def definitions_data() -> dict:
    """The definitions as plain data in the active language (``chuhai metrics list --json``,
    ``GET /api/v1/metrics/definitions``, page tooltips)."""
    return {
        "metrics": [
            {"id": m.id, "name": str(m.name), "unit": m.unit, "source": m.source, "grain": str(m.grain),
             "definition": str(m.definition), "formula": m.formula, "dimensions": list(m.dimensions),
             "filters": list(m.filters), "permission": m.permission}
            for m in METRICS.values()
        ],
        "dimensions": [
            {"id": d.id, "name": str(d.name), "definition": str(d.definition), "filter": d.filterable}
            for d in DIMENSIONS.values()
        ],
    }


def register(dimensions: tuple[Dimension, ...] = (), aggregates: tuple[Aggregate, ...] = (),
             metrics: tuple[Metric, ...] = ()) -> None:
    """Add the dimensions, aggregates and metrics of a module that computes over a source of its own (its
    relation is registered with :func:`.sources.register_source`). Ids must be new."""
    global FILTERS
    for kind, table, items in (("dimension", DIMENSIONS, dimensions), ("aggregate", AGGREGATES, aggregates),
                               ("metric", METRICS, metrics)):
        for item in items:
            if item.id in table:
                raise RuntimeError(f"{kind} {item.id} is defined twice")
            table[item.id] = item
    FILTERS = tuple(d.id for d in DIMENSIONS.values() if d.filterable)


def _check() -> None:
    for metric in METRICS.values():
        for need in metric.needs:
            agg = AGGREGATES[need]
            if agg.source != metric.source:
                raise RuntimeError(f"metric {metric.id} mixes sources ({need} is {agg.source})")
        for dim in (*metric.dimensions, *metric.filters):
            if dim not in DIMENSIONS:
                raise RuntimeError(f"metric {metric.id}: unknown dimension {dim}")


# Metrics over relations of their own (advertising, service levels, stock, channel and market mix) register
# themselves here; they import this module's classes, so they load last.
from . import advertising, mix, service_levels, stock  # noqa: E402,F401

_check()
