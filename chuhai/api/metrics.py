"""The metric layer over HTTP: ``GET /metrics`` (figures) and ``GET /metrics/definitions`` (what they mean).

``GET /metrics?metrics=orders,net_sales&by=ship_country&from=2026-01-01&to=2026-01-31&currency=GBP&account=AMZ-US``
answers ``{"currency": "GBP", "rows": [{"ship_country": "DE", "orders": 457, "net_sales": "12345.67"}, …]}``,
keyed by dimension and metric ids (:mod:`chuhai.analytics.metric_layer`, the same figures as the pages and
``chuhai report METRIC``). Money and percentages are strings (rounded once, here), counts integers, no value null.
Filters are the dimension ids as parameters (``account``, ``channel``, ``marketplace``, ``ship_country``, ``sku``,
``category``), each one value or a comma-separated list.

Permissions: the operation needs ``orders.view_order`` (every role reads orders); metrics computed from profit
rows (gross profit, contribution, margin %) also need ``finance.access_finance`` — 403 otherwise, naming it. An
unknown metric, dimension or filter, or a dimension a metric does not allow, is a 422 listing the valid ids; a
missing exchange rate is a 422 naming the currency and the day.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from chuhai.analytics.metric_layer import (
    FILTERS,
    MetricError,
    definitions_data,
    required_permissions,
    run,
    split_ids,
)

from .auth import needs
from .schemas import AUTH_ERRORS, CurrencyCode, ErrorOut

router = Router(tags=["analytics"])

VIEW_PERM = "orders.view_order"


class MetricParams(Schema):
    metrics: str = Field(description="Metric ids, comma-separated (GET /metrics/definitions lists them).",
                         examples=["orders,net_sales"])
    by: str = Field("", description="Dimension ids to group by, comma-separated (none: one row of totals).",
                    examples=["ship_country"])
    from_date: dt.date | None = Field(None, alias="from", description="First day (company time zone), inclusive.")
    to_date: dt.date | None = Field(None, alias="to", description="Last day, inclusive.")
    currency: CurrencyCode | None = Field(None, description="Default: the company's base currency; another "
                                                            "currency converts each row at its day's rate.")
    account: str | None = Field(None, description="Channel account code(s), comma-separated.")
    channel: str | None = Field(None, description="Platform(s): amazon, shopee, ...")
    marketplace: str | None = None
    ship_country: str | None = None
    sku: str | None = None
    category: str | None = None
    warehouse: str | None = Field(None, description="Warehouse code(s), for the stock metrics.")
    sort: str | None = Field(None, description="A metric or dimension id of the result, '-' first for "
                                               "descending (e.g. -net_sales).")
    limit: int | None = Field(None, ge=1, le=100000, description="Only the first N rows (top N with sort).")


class MetricsOut(Schema):
    currency: str
    rows: list[dict[str, str | int | None]] = Field(
        description="One object per group: dimension ids → values, metric ids → money/percent strings or counts.")


class MetricDefinitionOut(Schema):
    id: str
    name: str
    unit: str = Field(description="money, count, percent or ratio")
    source: str = Field(description="orders (order lines) or profit (profit rows)")
    grain: str
    definition: str
    formula: str
    dimensions: list[str]
    filters: list[str]
    permission: str


class DimensionOut(Schema):
    id: str
    name: str
    definition: str
    filter: bool = Field(description="false: grouped only (month/day are filtered by the date range)")


class DefinitionsOut(Schema):
    metrics: list[MetricDefinitionOut]
    dimensions: list[DimensionOut]


@router.get("/metrics/definitions", response={200: DefinitionsOut, **AUTH_ERRORS}, auth=needs(VIEW_PERM))
def metric_definitions(request: HttpRequest):
    """Every metric (id, name, unit, one-line definition, formula, dimensions) and every dimension."""
    return definitions_data()


@router.get("/metrics", response={200: MetricsOut, **AUTH_ERRORS, 422: ErrorOut}, auth=needs(VIEW_PERM))
def metric_rows(request: HttpRequest, params: Query[MetricParams]):
    """Metrics grouped by dimensions over a period, in the base currency or ``currency``."""
    ids = split_ids(params.metrics)
    user = request.auth
    for perm in sorted(required_permissions(ids)):
        if not user.has_perm(perm):
            raise HttpError(403, f"You do not have the permission this requires ({perm}).")
    filters = {key: getattr(params, key, None) for key in FILTERS if getattr(params, key, None) is not None}
    try:
        result = run(ids, by=split_ids(params.by), date_from=params.from_date, date_to=params.to_date,
                     filters=filters, currency=params.currency, sort=params.sort, limit=params.limit)
    except MetricError as exc:
        raise HttpError(422, str(exc)) from exc
    return result.as_json()
