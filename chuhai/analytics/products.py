"""Product analytics: per-SKU figures from the metric layer (``by="sku"``) and the ABC (Pareto) classes.

**Figures** (each from :func:`chuhai.analytics.metric_layer.run`, so each means what the layer defines): net sales,
share of net sales (``net_sales_share``), units, orders, return rate; with ``finance.access_finance`` also gross
profit and margin %. A SKU is the layer's ``sku`` (our SKU, or the channel's while a line is unmapped).

**ABC classes** (:func:`abc_classes`), exactly:

1. SKUs are ranked by net sales, largest first (ties: SKU in alphabetical order).
2. The basis is the sum of the *positive* net sales, ``P``. A SKU whose net sales are zero or negative (refunds
   only) is class **C** and contributes nothing to the cumulative share.
3. For a SKU with positive net sales, its cumulative share *starts* at
   ``start = Σ net sales of the SKUs ranked before it ÷ P × 100`` and *ends* at ``end = start + its net sales ÷
   P × 100``.
4. Class **A** if ``start < 80``; **B** if ``80 ≤ start < 95``; else **C**. So a SKU straddling 80 % (starting
   below, ending above) is A, one straddling 95 % is B, and the first SKU is always A. A SKU starting exactly at
   80 % is B (the first 80 % is already made).

The **class summary** gives, per class, the number of SKUs, their net sales and their share of the total net sales
(class net sales ÷ Σ every SKU's net sales × 100, two places; empty when that total is ≤ 0). Cumulative shares are
computed from the layer's rounded net sales, exactly, and rounded to two places at the edge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from chuhai.core.exports import MONEY, NUMBER, TEXT, Column, TableSpec

from .metric_layer import Result, run

FINANCE_PERMISSION = "finance.access_finance"
ORDER_METRICS = ("net_sales", "net_sales_share", "units", "orders", "return_rate")
FINANCE_METRICS = ("gross_profit", "margin_percent")
A_LIMIT = Decimal(80)
B_LIMIT = Decimal(95)
CLASSES = ("A", "B", "C")
HUNDRED = Decimal(100)
PLACES = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Ranked:
    """One SKU's place in the Pareto: its class and cumulative share (exact, in %) where it starts and ends;
    ``None`` shares for a SKU with no positive net sales."""

    sku: str
    net_sales: Decimal
    abc: str
    start: Decimal | None
    end: Decimal | None


def rank(values: Iterable[tuple[str, Decimal | None]]) -> list[tuple[str, Decimal]]:
    """(sku, net sales) largest first, ties by SKU; a missing value counts as zero."""
    return sorted(((sku or "", value or ZERO) for sku, value in values), key=lambda p: (-p[1], p[0]))


def abc_classes(values: Iterable[tuple[str, Decimal | None]]) -> list[Ranked]:
    """The ABC class of each SKU (see the module doc), in Pareto order."""
    ranked = rank(values)
    positive = sum((v for _sku, v in ranked if v > 0), ZERO)
    out, cumulative = [], ZERO
    for sku, value in ranked:
        if value <= 0 or positive <= 0:
            out.append(Ranked(sku, value, "C", None, None))
            continue
        start = cumulative * HUNDRED / positive
        cumulative += value
        end = cumulative * HUNDRED / positive
        abc = "A" if start < A_LIMIT else "B" if start < B_LIMIT else "C"
        out.append(Ranked(sku, value, abc, start, end))
    return out


def _places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PLACES)


@dataclass
class ClassSummary:
    abc: str
    skus: int
    net_sales: Decimal
    share: Decimal | None


@dataclass
class ProductsReport:
    """Rows (the layer's by-SKU row plus ``abc``, ``cumulative_start`` and ``cumulative_share`` (where the SKU's
    cumulative share ends), in Pareto order) and the class summary."""

    result: Result
    rows: list[dict[str, Any]]
    classes: list[ClassSummary]
    total_net_sales: Decimal
    metrics: tuple[str, ...] = field(default_factory=tuple)

    @property
    def currency(self) -> str:
        return self.result.currency

    def class_of(self, sku: str) -> str | None:
        return next((r["abc"] for r in self.rows if r["sku"] == sku), None)

    def spec(self, url=None) -> TableSpec:
        """SKU, class, the layer's metric columns (cumulative share after the share of net sales), currency.
        ``url(row)`` links the SKU cell."""
        layer = list(self.result.spec().columns)
        first = layer[0]
        columns = [Column(first.key, first.header, first.value, first.kind, url=url, code=True),
                   Column("abc", _("ABC class"), lambda row: row["abc"], TEXT)]
        for column in layer[1:]:
            columns.append(column)
            if column.key == "net_sales_share":
                columns.append(Column("cumulative_share", _("Cumulative share %"),
                                      lambda row: row["cumulative_share"], NUMBER))
        return TableSpec("products", tuple(columns))

    def class_spec(self) -> TableSpec:
        currency = self.currency
        return TableSpec("product-classes", (
            Column("abc", _("ABC class"), lambda s: s.abc, TEXT),
            Column("skus", _("SKUs"), lambda s: s.skus, NUMBER),
            Column("net_sales", _("Net sales"), lambda s: s.net_sales, MONEY, currency=lambda _s: currency),
            Column("share", _("Share of net sales %"), lambda s: s.share, NUMBER),
            Column("currency", _("Currency"), lambda _s: currency, TEXT),
        ))


def metric_ids(finance: bool) -> tuple[str, ...]:
    return ORDER_METRICS + (FINANCE_METRICS if finance else ())


def summarise(ranked: Sequence[Ranked]) -> tuple[list[ClassSummary], Decimal]:
    """Per class (A, B, C, each listed even when empty): SKUs, net sales, share of the total; and the total."""
    total = sum((r.net_sales for r in ranked), ZERO)
    out = []
    for abc in CLASSES:
        members = [r for r in ranked if r.abc == abc]
        amount = sum((r.net_sales for r in members), ZERO)
        share = (amount * HUNDRED / total).quantize(PLACES) if total > 0 else None
        out.append(ClassSummary(abc, len(members), amount, share))
    return out, total


def report(date_from: dt.date | None, date_to: dt.date | None, filters: dict | None = None,
           currency: str | None = None, finance: bool = False) -> ProductsReport:
    """Every SKU with sales or profit rows in the period (filters as :func:`run`'s), with its ABC class."""
    ids = metric_ids(finance)
    result = run(ids, by="sku", date_from=date_from, date_to=date_to, filters=filters, currency=currency)
    by_sku = {row["sku"] or "": row for row in result.rows}
    ranked = abc_classes((sku, row["net_sales"]) for sku, row in by_sku.items())
    rows = []
    for r in ranked:
        row = dict(by_sku[r.sku])
        row.update(abc=r.abc, cumulative_start=_places(r.start), cumulative_share=_places(r.end))
        rows.append(row)
    result.rows = rows
    classes, total = summarise(ranked)
    return ProductsReport(result, rows, classes, total, ids)
