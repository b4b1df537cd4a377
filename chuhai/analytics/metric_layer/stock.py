"""Metrics over stock: on hand, inventory value, sell-through, turnover, days of cover and stock-out days.

Source ``stock`` (:class:`StockDays`): **one row per SKU × warehouse × day** of the period (a dense grid: every
pair has a row on every day, so "the last day of a group" and "the number of days of a group" are plain
aggregates). Its columns:

- ``on_hand`` / ``available`` — the ledger's closing balance of the day. The stock ledger
  (:class:`chuhai.inventory.ledger.StockMovement`, append-only) is the only stock truth: on hand at the end of day
  *d* = Σ ``quantity`` of the pair's ``on_hand`` movements created up to the end of *d* (company time zone);
  available = on hand − Σ ``reserved`` movements (reserved units are part of on hand). FBA stock is the ledger's
  FBA warehouse (the FBA reconciliation corrects it against Amazon's reports with ledger movements), so
  :class:`~chuhai.inventory.models.FbaInventorySnapshot` rows are not added: they would count the units twice.
- ``sold`` — units sold that day: order lines of sale documents (``document_type="order"``) in a sale status
  whose stored base currency is the company's, cancelled items left out (the exclusions of the ``orders``
  source); credit notes (returns) are not subtracted. A bundle line counts as its components (one level:
  bundle quantity × component quantity), as the ledger keeps components. A line's units are in the warehouse its
  reservations (not released) were made in; units no reservation covers (FBA orders, unmapped or untracked SKUs)
  are in warehouse ``""``, so a warehouse filter leaves them out.
- ``tracked`` — the day is on or after the pair's first ledger movement (before it, the SKU was not stocked
  there: no stock-out).
- ``value`` — on the period's last day only: on hand × unit cost (base currency), unit cost = the
  quantity-weighted average ``unit_cost`` of the product's :class:`~chuhai.finance.cost_layers.CostLayer` rows
  in that warehouse received up to the end of the period (purchase + landed cost), else of its layers in any
  warehouse, else the product's ``purchase_cost`` when its currency is the base currency, else no value (0).
  The average is rounded to 6 places (the storage precision) before it multiplies.

Inventory turnover is computed **in units** (units sold ÷ average units on hand): the cost layers give today's
remaining units, not the value held on each past day, so an average inventory *value* would be an estimate.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from chuhai.orders.models import SALE_STATUSES

from . import engine
from .definitions import (
    COUNT,
    FINANCE_PERMISSION,
    MONEY,
    PERCENT,
    RATIO,
    Aggregate,
    Dimension,
    Metric,
    register,
    take,
)
from .sources import Source, d6, local_day, register_source

STOCK = "stock"
STOCK_PERMISSION = "inventory.view_stockbalance"
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)

#: Grouping by day or month: the closing stock of the group's last day.
TIME_DIMENSIONS = ("day", "month")
STOCK_DIMENSIONS = ("sku", "category", "warehouse")
STOCK_FILTERS = ("sku", "category", "warehouse")


def period_bounds(date_from: dt.date | None, date_to: dt.date | None, tz: str) -> tuple[dt.date, dt.date]:
    """The period the grid covers: ``date_to`` defaults to today (company time zone), ``date_from`` to the day of
    the first stock movement or sale (else ``date_to``)."""
    from django.db.models import Min

    from chuhai.inventory.ledger import StockMovement
    from chuhai.orders.models import Order

    zone = ZoneInfo(tz)
    end = date_to or dt.datetime.now(zone).date()
    if date_from is not None:
        return date_from, end
    firsts = [StockMovement.objects.aggregate(first=Min("created_at"))["first"],
              Order.objects.aggregate(first=Min("purchased_at"))["first"]]
    days = [f.astimezone(zone).date() for f in firsts if f is not None]
    start = min(days) if days else end
    return min(start, end), end


@register_source
class StockDays(Source):
    name = STOCK
    money_columns = ("value",)

    def _instant(self, day: dt.date, sqlite: bool):
        moment = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(self.tz)).astimezone(dt.UTC)
        return moment.replace(tzinfo=None) if sqlite else moment

    def relation(self) -> str:
        t = engine.table
        sqlite = engine.backend() == "sqlite"
        first, last = period_bounds(self.date_from, self.date_to, self.tz)
        self.params.update({
            "d_from": first, "d_to": last, "n_days": (last - first).days + 1,
            "start": self._instant(first, sqlite), "end": self._instant(last + dt.timedelta(days=1), sqlite),
        })
        statuses = ", ".join(f"'{s.value}'" for s in SALE_STATUSES)
        move_day = local_day("m.created_at", sqlite, self.tz)
        sale_day = local_day("o.purchased_at", sqlite, self.tz)
        pair = "sku, category, warehouse"
        return f"""
            WITH days AS (SELECT CAST($d_from AS DATE) + CAST(i AS INTEGER) AS "day" FROM range(0, $n_days) r(i)),
            moves AS (
                SELECT p.sku AS sku, COALESCE(p.category, '') AS category, w.code AS warehouse,
                       p.id AS product_id, GREATEST({move_day}, CAST($d_from AS DATE)) AS "day",
                       MIN({move_day}) AS first_day,
                       SUM(CASE WHEN m.state = 'on_hand' THEN m.quantity ELSE 0 END) AS d_on_hand,
                       SUM(CASE WHEN m.state = 'reserved' THEN m.quantity ELSE 0 END) AS d_reserved
                FROM {t('inventory_stockmovement')} m
                JOIN {t('catalog_product')} p ON p.id = m.product_id
                JOIN {t('inventory_warehouse')} w ON w.id = m.warehouse_id
                WHERE m.created_at < $end
                GROUP BY ALL),
            lines AS (
                SELECT l.id AS line_id, l.product_id AS product_id, COALESCE(p.sku, l.channel_sku) AS sku,
                       COALESCE(p.category, '') AS category, COALESCE(p.is_bundle, FALSE) AS is_bundle,
                       CAST(l.quantity AS BIGINT) AS qty, {sale_day} AS "day"
                FROM {t('orders_orderline')} l
                JOIN {t('orders_order')} o ON o.id = l.order_id
                LEFT JOIN {t('catalog_product')} p ON p.id = l.product_id
                WHERE o.status IN ({statuses}) AND l.item_status <> 'cancelled' AND o.base_currency = $base
                  AND o.document_type <> 'credit' AND o.purchased_at >= $start AND o.purchased_at < $end),
            expanded AS (
                SELECT line_id, product_id, sku, category, qty, "day" FROM lines WHERE NOT is_bundle
                UNION ALL
                SELECT l.line_id, c.component_id, cp.sku, COALESCE(cp.category, ''),
                       l.qty * CAST(c.quantity AS BIGINT), l."day"
                FROM lines l
                JOIN {t('catalog_bundlecomponent')} c ON c.bundle_id = l.product_id
                JOIN {t('catalog_product')} cp ON cp.id = c.component_id
                WHERE l.is_bundle),
            res AS (
                SELECT r.order_line_id AS line_id, r.product_id AS product_id, w.code AS warehouse,
                       SUM(CAST(r.quantity AS BIGINT)) AS q
                FROM {t('inventory_reservation')} r
                JOIN {t('inventory_warehouse')} w ON w.id = r.warehouse_id
                WHERE r.status <> 'released'
                GROUP BY ALL),
            res_total AS (SELECT line_id, product_id, SUM(q) AS q FROM res GROUP BY ALL),
            sold AS (
                SELECT {pair}, "day", SUM(units) AS units FROM (
                    SELECT e.sku, e.category, r.warehouse, e."day", r.q AS units
                    FROM expanded e JOIN res r ON r.line_id = e.line_id AND r.product_id = e.product_id
                    UNION ALL
                    SELECT e.sku, e.category, '' AS warehouse, e."day", e.qty - COALESCE(rt.q, 0) AS units
                    FROM expanded e
                    LEFT JOIN res_total rt ON rt.line_id = e.line_id AND rt.product_id = e.product_id
                    WHERE e.qty - COALESCE(rt.q, 0) > 0) s
                GROUP BY ALL),
            pairs AS (
                SELECT {pair}, MIN(first_day) AS first_day, MAX(product_id) AS product_id FROM (
                    SELECT {pair}, first_day, product_id FROM moves
                    UNION ALL SELECT {pair}, NULL, NULL FROM sold) u
                GROUP BY ALL),
            move_days AS (
                SELECT {pair}, "day", SUM(d_on_hand) AS d_on_hand, SUM(d_reserved) AS d_reserved
                FROM moves GROUP BY ALL),
            layer_wh AS (
                SELECT cl.product_id, w.code AS warehouse,
                       CAST(SUM({d6('cl.unit_cost')} * cl.quantity) / SUM(cl.quantity) AS DECIMAL(18,6)) AS cost
                FROM {t('finance_costlayer')} cl
                JOIN {t('inventory_warehouse')} w ON w.id = cl.warehouse_id
                WHERE cl.received_at < $end AND cl.quantity > 0
                GROUP BY ALL),
            layer_any AS (
                SELECT cl.product_id,
                       CAST(SUM({d6('cl.unit_cost')} * cl.quantity) / SUM(cl.quantity) AS DECIMAL(18,6)) AS cost
                FROM {t('finance_costlayer')} cl
                WHERE cl.received_at < $end AND cl.quantity > 0
                GROUP BY ALL),
            costs AS (
                SELECT pr.sku, pr.category, pr.warehouse,
                       COALESCE(lw.cost, la.cost,
                                CASE WHEN p.cost_currency = $base THEN {d6('p.purchase_cost')} END) AS unit_cost
                FROM pairs pr
                LEFT JOIN {t('catalog_product')} p ON p.id = pr.product_id
                LEFT JOIN layer_wh lw ON lw.product_id = pr.product_id AND lw.warehouse = pr.warehouse
                LEFT JOIN layer_any la ON la.product_id = pr.product_id),
            daily AS (
                SELECT g.sku, g.category, g.warehouse, d."day", g.first_day,
                       COALESCE(md.d_on_hand, 0) AS d_on_hand, COALESCE(md.d_reserved, 0) AS d_reserved,
                       COALESCE(s.units, 0) AS sold
                FROM pairs g CROSS JOIN days d
                LEFT JOIN move_days md ON md.sku = g.sku AND md.category = g.category
                     AND md.warehouse = g.warehouse AND md."day" = d."day"
                LEFT JOIN sold s ON s.sku = g.sku AND s.category = g.category AND s.warehouse = g.warehouse
                     AND s."day" = d."day"),
            running AS (
                SELECT *, SUM(d_on_hand) OVER w AS on_hand, SUM(d_reserved) OVER w AS reserved
                FROM daily
                WINDOW w AS (PARTITION BY sku, category, warehouse ORDER BY "day"
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
            SELECT r."day" AS "day", r.sku AS sku, r.category AS category, r.warehouse AS warehouse,
                   CAST(r.sold AS BIGINT) AS sold, CAST(r.on_hand AS BIGINT) AS on_hand,
                   CAST(r.on_hand - r.reserved AS BIGINT) AS available,
                   (r.first_day IS NOT NULL AND r."day" >= r.first_day) AS tracked,
                   CASE WHEN r."day" = CAST($d_to AS DATE)
                        THEN COALESCE(CAST(r.on_hand AS DECIMAL(18,0)) * c.unit_cost, 0)
                        ELSE CAST(0 AS DECIMAL(18,6)) END AS "value"
            FROM running r
            JOIN costs c ON c.sku = r.sku AND c.category = r.category AND c.warehouse = r.warehouse"""


# -- computing -------------------------------------------------------------------------------------------------

def _two(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def sell_through(a) -> Decimal | None:
    """sold ÷ (sold + on hand at the end) × 100; None when both are 0."""
    sold, end = a["stock_sold"], a["stock_on_hand_end"]
    return None if not sold + end else Decimal(sold) * HUNDRED / Decimal(sold + end)


def inventory_turnover(a) -> Decimal | None:
    """sold ÷ average units on hand, average = Σ closing on hand ÷ days; None when nothing was held."""
    if not a["stock_unit_days"] or not a["stock_days"]:
        return None
    return _two(Decimal(a["stock_sold"]) * Decimal(a["stock_days"]) / Decimal(a["stock_unit_days"]))


def days_of_cover(a) -> Decimal | None:
    """on hand at the end ÷ (sold ÷ days); None when nothing sold (cover without end)."""
    if not a["stock_sold"] or not a["stock_days"]:
        return None
    return _two(Decimal(a["stock_on_hand_end"]) * Decimal(a["stock_days"]) / Decimal(a["stock_sold"]))


#: Σ on hand over the rows of the group's last day (every pair has a row on every day).
ON_HAND_END_SQL = ('COALESCE(list_sum(list_transform(list_filter(list(struct_pack(d := "day", v := on_hand)), '
                   'x -> x.d = max("day")), x -> x.v)), 0)')
#: SKU-days tracked, less SKU-days with some available unit in one of the group's warehouses.
STOCK_OUT_SQL = ('COUNT(DISTINCT (sku, "day")) FILTER (WHERE tracked) '
                 '- COUNT(DISTINCT (sku, "day")) FILTER (WHERE tracked AND available > 0)')


def _stock_metric(id, name, unit, definition, formula, needs, compute, *, time=True, permission=STOCK_PERMISSION):
    dims = (*TIME_DIMENSIONS, *STOCK_DIMENSIONS) if time else STOCK_DIMENSIONS
    return Metric(id, name, unit, STOCK, definition, formula, tuple(needs), compute, grain=_("SKU × warehouse × day"),
                  dimensions=dims, filters=STOCK_FILTERS, permission=permission)


register(
    dimensions=(
        Dimension("warehouse", _("Warehouse"),
                  _("Code of the warehouse holding the stock. Units sold are in the warehouse their reservation was "
                    "made in, or empty when the sale reserved no stock (FBA orders, unmapped or untracked SKUs)."),
                  "warehouse"),
    ),
    aggregates=(
        Aggregate("stock_on_hand_end", STOCK, ON_HAND_END_SQL),
        Aggregate("stock_value_end", STOCK, 'COALESCE(SUM("value"), 0)', money=True),
        Aggregate("stock_sold", STOCK, "COALESCE(SUM(sold), 0)"),
        Aggregate("stock_unit_days", STOCK, "COALESCE(SUM(on_hand), 0)"),
        Aggregate("stock_days", STOCK, 'COUNT(DISTINCT "day")'),
        Aggregate("stock_out_sku_days", STOCK, STOCK_OUT_SQL),
    ),
    metrics=(
        _stock_metric(
            "on_hand", _("On hand"), COUNT,
            _("Units on hand (stock ledger, reserved units included) at the end of the period's last day; "
              "by day or month: at the end of its last day in the period."),
            "Σ over SKU × warehouse of the ledger's on_hand movements created up to the end of the group's last day",
            ["stock_on_hand_end"], take("stock_on_hand_end")),
        _stock_metric(
            "inventory_value", _("Inventory value"), MONEY,
            _("Units on hand at the end of the period × unit cost: the average cost (purchase plus landed cost) "
              "of the cost layers received by then, else the product's purchase cost in the base currency."),
            "Σ on_hand(end) × weighted-average CostLayer.unit_cost of the product in the warehouse (else in any "
            "warehouse, else Product.purchase_cost when in the base currency) received up to the end",
            ["stock_value_end"], take("stock_value_end"), time=False, permission=FINANCE_PERMISSION),
        _stock_metric(
            "stock_units_sold", _("Units sold"), COUNT,
            _("Units on sale orders in the period (cancelled items and credit notes left out; bundles as their "
              "components), in the warehouse that reserved them."),
            "Σ quantity of sale-document lines (bundles × component quantity) purchased in the period",
            ["stock_sold"], take("stock_sold")),
        _stock_metric(
            "sell_through", _("Sell-through"), PERCENT,
            _("Units sold as a percentage of units sold plus units on hand at the end of the period."),
            "stock_units_sold ÷ (stock_units_sold + on_hand at the end) × 100 (empty when both are 0)",
            ["stock_sold", "stock_on_hand_end"], sell_through),
        _stock_metric(
            "inventory_turnover", _("Inventory turnover"), RATIO,
            _("Units sold divided by the average units on hand over the period (measured in units, not cost)."),
            "stock_units_sold ÷ (Σ closing on_hand of every day ÷ days in the period), two places "
            "(empty when nothing was on hand)",
            ["stock_sold", "stock_unit_days", "stock_days"], inventory_turnover),
        _stock_metric(
            "days_of_cover", _("Days of cover"), RATIO,
            _("How many days the stock on hand at the end lasts at the period's average daily sales."),
            "on_hand at the end ÷ (stock_units_sold ÷ days in the period), two places (empty when nothing sold)",
            ["stock_on_hand_end", "stock_sold", "stock_days"], days_of_cover),
        _stock_metric(
            "stock_out_days", _("Stock-out days"), COUNT,
            _("Days on which a SKU had no available unit (on hand − reserved) at the end of the day in any of the "
              "warehouses in the row, counted from its first stock movement; summed over SKUs (SKU-days)."),
            "COUNT(SKU × day with a ledger history) − COUNT(SKU × day with available > 0 in some warehouse of the "
            "row), at the end of each company-local day",
            ["stock_out_sku_days"], take("stock_out_sku_days")),
    ),
)
