"""Profit reports: ``GET /reports/profit`` (profit by a dimension) and ``GET /reports/pnl`` (the P&L statement).

Both need ``finance.access_finance``. The figures are :mod:`chuhai.analytics.profit`'s, the same as the Profit and
P&L pages and ``chuhai report profit|pnl``. Money is a string rounded once, here, to the report currency's minor
unit; margins are percentage strings with two places (``"12.50"`` = 12.5 %) or null when there is no revenue.
``status`` is ``settled``, ``estimated`` or ``partly_estimated`` (some of the group's fees are estimates from the
fee schedules until the settlement arrives); a P&L cell's ``estimated`` is true when any fact in it is unsettled.
A ``currency`` other than the base currency converts each month at its month-end rate (422 when a rate is missing).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from chuhai.analytics import profit

from .auth import needs
from .schemas import AUTH_ERRORS, CountryCode, CurrencyCode, ErrorOut, Page, PageParams, money

router = Router(tags=["finance"])

VIEW_PERM = "finance.access_finance"
Grouping = Literal["order", "sku", "listing", "account", "marketplace", "country", "month"]


class ReportFilters(Schema):
    from_date: dt.date | None = Field(None, alias="from", description="First day (inclusive).")
    to_date: dt.date | None = Field(None, alias="to", description="Last day (inclusive).")
    currency: CurrencyCode | None = Field(None, description="Default: the company's base currency.")
    account: str | None = Field(None, description="Channel account code.")
    marketplace: CountryCode | None = None


class ProfitFilters(ReportFilters):
    by: Grouping = "sku"
    sku: str | None = None
    country: CountryCode | None = Field(None, description="Ship-to country.")
    sort: str = Field("-revenue", description="A row field, '-' first for descending (e.g. profit, -margin_percent).")


class ProfitRowOut(Schema):
    key: list[str | None] = Field(description="The group's key: [sku], [order id], [account, channel SKU], ...")
    label: str
    order_id: int | None = Field(description="Our order id (by=order), for /orders/{id}; null for period fees.")
    currency: str
    units: int
    gross_sales: str
    vat: str
    revenue: str
    shipping_income: str
    promotions: str
    refunds: str
    platform_fees: str
    advertising: str
    other_fees: str
    reimbursements: str
    cogs: str
    logistics: str
    profit: str = Field(description="Contribution: the sum of the parts above from revenue on.")
    margin_percent: str | None
    status: Literal["settled", "estimated", "partly_estimated"]
    facts: int
    settled_facts: int
    cogs_estimated: bool


class PnlCellOut(Schema):
    month: dt.date | None = Field(description="First day of the month; null for the total.")
    amount: str | None = Field(description="Money, or a percentage for margin_percent (null: no revenue).")
    estimated: bool


class PnlLineOut(Schema):
    key: str = Field(description="revenue, fee:<category>, cogs, contribution, margin_percent, ...")
    label: str
    kind: Literal["money", "subtotal", "percent"]
    cells: list[PnlCellOut]
    total: PnlCellOut


class PnlOut(Schema):
    currency: str
    months: list[dt.date]
    rate_days: dict[str, dt.date] = Field(description="Month → the day whose rate converted it (when converted).")
    lines: list[PnlLineOut]


def _filters(filters: ReportFilters) -> dict:
    values = {"account": filters.account or None, "marketplace": filters.marketplace or ""}
    for name in ("sku", "country"):
        if getattr(filters, name, None):
            values[name] = getattr(filters, name)
    if values["account"] is None:
        del values["account"]
    return values


def _row_out(row: profit.ProfitRow) -> dict:
    out = {name: money(getattr(row, name), row.currency) for name in (*profit.AMOUNTS, "profit")}
    margin = profit.percent_value(row.margin_percent)
    out.update(key=[None if k is None else str(k) for k in row.key], label=row.label, order_id=row.order_id,
               currency=row.currency, units=row.units, margin_percent=None if margin is None else str(margin),
               status=row.status, facts=row.facts, settled_facts=row.settled_facts,
               cogs_estimated=row.cogs_estimated)
    return out


@router.get("/reports/profit", response={200: Page[ProfitRowOut], 422: ErrorOut, **AUTH_ERRORS},
            auth=needs(VIEW_PERM))
def profit_report(request, filters: Query[ProfitFilters], page: Query[PageParams]):
    """Profit by order, sku, listing, account, marketplace, country or month over a period. Requires
    ``finance.access_finance``."""
    try:
        rows = profit.profit_rows(filters.from_date, filters.to_date, by=filters.by, currency=filters.currency,
                                  sort=filters.sort, **_filters(filters))
    except profit.ProfitReportError as exc:
        return Status(422, {"detail": str(exc)})
    return {"count": len(rows), "limit": page.limit, "offset": page.offset,
            "items": [_row_out(r) for r in rows[page.offset:page.offset + page.limit]]}


def _cell(line: profit.PnlLine, cell: profit.PnlCell, currency: str, month) -> dict:
    value = profit.pnl_cell_value(line, cell, currency)
    return {"month": month, "amount": None if value is None else str(value), "estimated": cell.estimated}


@router.get("/reports/pnl", response={200: PnlOut, 422: ErrorOut, **AUTH_ERRORS}, auth=needs(VIEW_PERM))
def pnl_report(request, filters: Query[ReportFilters]):
    """The P&L statement by month: net revenue, shipping, promotions, refunds, each fee category, advertising,
    cost of goods, logistics, contribution and margin %. Requires ``finance.access_finance``."""
    statement = profit.pnl(filters.from_date, filters.to_date, currency=filters.currency, **_filters(filters))
    currency = statement.currency
    return {
        "currency": currency,
        "months": statement.months,
        "rate_days": {m.isoformat(): day for m, day in statement.rate_days.items()},
        "lines": [{"key": line.key, "label": line.label, "kind": line.kind,
                   "cells": [_cell(line, c, currency, m) for m, c in zip(statement.months, line.cells, strict=True)],
                   "total": _cell(line, line.total, currency, None)} for line in statement.lines],
    }
