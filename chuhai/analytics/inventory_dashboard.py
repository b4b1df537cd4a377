"""The inventory dashboard's figures: KPIs, one row per SKU ordered by stock-out risk, and the days-of-cover
distribution — all from the metric layer's ``stock`` metrics (:mod:`chuhai.analytics.metric_layer.stock`).

A SKU is **at risk of a stock-out** when it sold in the period and its stock on hand at the end covers fewer than
:data:`RISK_DAYS` days at the period's average daily sales (days of cover < 14; a SKU with sales and nothing on
hand has cover 0). Rows are ordered by risk: at-risk SKUs first, then by days of cover (shortest first; SKUs that
sold nothing have no cover figure and come last), then by stock-out days (most first), then by SKU.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from chuhai.analytics.dashboards import Period
from chuhai.analytics.metric_layer import METRICS, run

FINANCE_PERMISSION = "finance.access_finance"
RISK_DAYS = 14
#: Upper bounds (days, exclusive) of the days-of-cover buckets; the last bucket is "RISK_DAYS × 4 and more".
COVER_BUCKETS = (7, 14, 30, 60)

KPI_METRICS = ("on_hand", "inventory_value", "sell_through", "inventory_turnover", "days_of_cover")
SKU_METRICS = ("on_hand", "stock_units_sold", "days_of_cover", "stock_out_days", "sell_through", "inventory_value")


@dataclass(frozen=True)
class Kpi:
    id: str
    name: object
    definition: object
    unit: str
    value: object


@dataclass
class InventoryView:
    period: Period
    currency: str
    finance: bool
    kpis: list[Kpi] = field(default_factory=list)
    #: One dict per SKU: the SKU_METRICS ids, ``sku`` and ``at_risk`` (bool), in risk order.
    rows: list[dict] = field(default_factory=list)
    #: [(label, number of SKUs)] of the days-of-cover distribution (SKUs that sold something).
    cover_buckets: list[tuple[str, int]] = field(default_factory=list)

    @property
    def at_risk(self) -> list[dict]:
        return [r for r in self.rows if r["at_risk"]]


def is_at_risk(row: Mapping) -> bool:
    cover = row.get("days_of_cover")
    return bool(row.get("stock_units_sold")) and cover is not None and cover < RISK_DAYS


def risk_key(row: Mapping) -> tuple:
    cover = row.get("days_of_cover")
    return (not row["at_risk"], cover is None, cover if cover is not None else Decimal(0),
            -(row.get("stock_out_days") or 0), row.get("sku") or "")


def cover_distribution(rows: list[Mapping]) -> list[tuple[str, int]]:
    """How many SKUs (that sold in the period) fall in each days-of-cover bucket: "0–7", "7–14", … "60+"."""
    labels, counts, low = [], [], 0
    for high in COVER_BUCKETS:
        labels.append(f"{low}–{high}")
        low = high
    labels.append(f"{low}+")
    counts = [0] * len(labels)
    for row in rows:
        cover = row.get("days_of_cover")
        if cover is None:
            continue
        index = next((i for i, high in enumerate(COVER_BUCKETS) if cover < high), len(COVER_BUCKETS))
        counts[index] += 1
    return list(zip(labels, counts, strict=True))


#: Orders the SKU table may be sorted by: id → (label, key function). "risk" is the default.
SORTS = {
    "risk": (_("Risk"), risk_key),
    "stock_out_days": (_("Stock-out days"), lambda r: (-(r.get("stock_out_days") or 0), risk_key(r))),
    "on_hand": (_("On hand"), lambda r: (-(r.get("on_hand") or 0), risk_key(r))),
    "units_sold": (_("Units sold"), lambda r: (-(r.get("stock_units_sold") or 0), risk_key(r))),
    "sku": (_("SKU"), lambda r: r.get("sku") or ""),
}


def inventory(period: Period, filters: Mapping[str, object] | None = None, currency: str | None = None,
              finance: bool = False, sort: str = "risk") -> InventoryView:
    """The dashboard for ``period`` with ``filters`` ({"warehouse"|"sku"|"category": value}), the SKU rows in
    ``sort`` order (a :data:`SORTS` id); the inventory value only when ``finance`` (it needs
    ``finance.access_finance``)."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    kpi_ids = [m for m in KPI_METRICS if finance or m != "inventory_value"]
    sku_ids = [m for m in SKU_METRICS if finance or m != "inventory_value"]
    totals = run(kpi_ids, date_from=period.start, date_to=period.end, filters=filters, currency=currency)
    per_sku = run(sku_ids, by="sku", date_from=period.start, date_to=period.end, filters=filters,
                  currency=currency)
    rows = []
    for row in per_sku.rows:
        if not any(row.get(k) for k in ("on_hand", "stock_units_sold", "stock_out_days")):
            continue  # nothing held, sold or missed in the period (e.g. a pair filtered to another warehouse)
        row = dict(row, at_risk=is_at_risk(row))
        rows.append(row)
    rows.sort(key=SORTS.get(sort, SORTS["risk"])[1])
    view = InventoryView(period=period, currency=per_sku.currency, finance=finance, rows=rows,
                         cover_buckets=cover_distribution(rows))
    total = totals.rows[0] if totals.rows else {}
    for mid in kpi_ids:
        metric = METRICS[mid]
        view.kpis.append(Kpi(mid, metric.name, metric.definition, metric.unit, total.get(mid)))
    view.kpis.append(Kpi(
        "at_risk", _("SKUs at risk of stock-out"),
        _("SKUs that sold in the period and whose stock on hand covers fewer than %(days)s days at the period's "
          "average daily sales.") % {"days": RISK_DAYS},
        "count", len(view.at_risk)))
    return view
