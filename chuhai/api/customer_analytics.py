"""Customer analytics over HTTP: ``GET /analytics/customers/rfm``, ``/analytics/customers/cohorts`` and
``/analytics/customers/clv`` — the figures of the customer page (/analytics/customers/), computed by
:mod:`chuhai.analytics.customers` (see its module doc for every definition).

Parameters (all optional): ``from`` / ``to`` (inclusive company-local days) and the filters ``account``,
``marketplace``, ``ship_country`` (one value or a comma-separated list). Amounts are in the company's base
currency (``currency`` in the answer; the service does not convert) as decimal strings rounded to its minor unit;
percentages and averages are decimal strings with two places; counts are integers; ``null`` where a figure is
undefined (no customers, no churn).

Permission: ``orders.view_order``, as the customer page (the answers are aggregates: no customer reference
leaves these endpoints). A reversed date range or an invalid date is a 422.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from chuhai.analytics import customers as cust

from .auth import needs
from .schemas import AUTH_ERRORS, ErrorOut

router = Router(tags=["analytics"])

VIEW_PERM = "orders.view_order"


class CustomerParams(Schema):
    from_date: dt.date | None = Field(None, alias="from", description="First day (company time zone), inclusive.")
    to_date: dt.date | None = Field(None, alias="to", description="Last day, inclusive.")
    account: str | None = Field(None, description="Channel account code(s), comma-separated.",
                                examples=["AMZ-US"])
    marketplace: str | None = Field(None, description="Marketplace country code(s), comma-separated.",
                                    examples=["US"])
    ship_country: str | None = Field(None, description="Ship-to country code(s), comma-separated.",
                                     examples=["DE"])


class RfmParams(CustomerParams):
    as_of: dt.date | None = Field(None, description="The day recency is counted to (default: the day after the "
                                                    "last order in the selection).")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _selection(params: CustomerParams) -> dict:
    if params.from_date and params.to_date and params.from_date > params.to_date:
        raise HttpError(422, "from is after to.")
    filters = {key: getattr(params, key) for key in cust.CUSTOMER_FILTERS if getattr(params, key)}
    return {"date_from": params.from_date, "date_to": params.to_date, "filters": filters}


def _call(func, **kwargs):
    try:
        return func(**kwargs)
    except ValueError as exc:  # the service's message names the bad value
        raise HttpError(422, str(exc)) from exc


# -- RFM ------------------------------------------------------------------------------------------------------------

class RfmCellOut(Schema):
    r: int = Field(description="Recency score 1–5 (5: bought most recently).")
    f: int = Field(description="Frequency score 1–5 (5: most orders).")
    segment: str = Field(description="Segment id of the cell (see segments).")
    customers: int
    net_sales: str = Field(description="The cell's customers' net sales (base currency).")


class SegmentOut(Schema):
    segment: str = Field(description="champions, loyal, potential, new, promising, need_attention, "
                                     "about_to_sleep, at_risk, cant_lose, hibernating or lost")
    name: str
    customers: int
    share: str | None = Field(description="Percent of the customers.")
    avg_recency: str | None
    avg_frequency: str | None
    net_sales: str
    avg_net_sales: str | None = Field(description="Net sales per customer.")


class RfmOut(Schema):
    currency: str = Field(description="The company's base currency: every amount is in it.")
    as_of: dt.date | None = Field(description="Recency is counted to this day; null without orders.")
    customers: int
    grid: list[RfmCellOut] = Field(description="All 25 cells, R 5..1 then F 1..5 (empty cells included).")
    segments: list[SegmentOut] = Field(description="Every segment, in display order (empty ones included).")


@router.get("/analytics/customers/rfm", response={200: RfmOut, **AUTH_ERRORS, 422: ErrorOut},
            auth=needs(VIEW_PERM))
def customer_rfm(request: HttpRequest, params: Query[RfmParams]):
    """The RFM grid (customers and net sales per recency × frequency cell) and the segment summary."""
    result = _call(cust.rfm, as_of=params.as_of, **_selection(params))
    return {
        "currency": result.currency, "as_of": result.as_of, "customers": result.customers,
        "grid": [{"r": c.r, "f": c.f, "segment": c.segment, "customers": c.customers,
                  "net_sales": str(c.monetary)} for c in result.grid],
        "segments": [{"segment": s.segment, "name": str(s.name), "customers": s.customers, "share": _text(s.share),
                      "avg_recency": _text(s.avg_recency), "avg_frequency": _text(s.avg_frequency),
                      "net_sales": str(s.monetary), "avg_net_sales": _text(s.avg_monetary)}
                     for s in result.segments],
    }


# -- cohorts --------------------------------------------------------------------------------------------------------

class CohortCellOut(Schema):
    offset: int = Field(description="Months since the cohort month (0: the cohort month).")
    active: int = Field(description="Cohort customers with an order in that month.")
    retention: str = Field(description="active ÷ cohort size × 100.")


class CohortOut(Schema):
    cohort: str = Field(description="Month of the customers' first order, YYYY-MM.", examples=["2026-01"])
    customers: int = Field(description="Cohort size.")
    net_sales: str = Field(description="The cohort's net sales in the selected period.")
    retention: list[CohortCellOut] = Field(description="Offsets 0 to the last month with an order.")


class CohortsOut(Schema):
    currency: str
    last_month: str | None = Field(description="The last month with an order in the selection, YYYY-MM.")
    cohorts: list[CohortOut]


@router.get("/analytics/customers/cohorts", response={200: CohortsOut, **AUTH_ERRORS, 422: ErrorOut},
            auth=needs(VIEW_PERM))
def customer_cohorts(request: HttpRequest, params: Query[CustomerParams]):
    """Monthly cohort retention: per first-order month, the share of its customers active in each later month."""
    result = _call(cust.cohorts, **_selection(params))
    return {
        "currency": result.currency,
        "last_month": result.last_month.strftime("%Y-%m") if result.last_month else None,
        "cohorts": [{"cohort": row.month, "customers": row.size, "net_sales": str(row.net_sales),
                     "retention": [{"offset": c.offset, "active": c.active, "retention": str(c.retention)}
                                   for c in row.cells]} for row in result.rows],
    }


# -- lifetime value -------------------------------------------------------------------------------------------------

class CohortValueOut(Schema):
    cohort: str = Field(examples=["2026-01"])
    customers: int
    net_sales: str
    per_customer: str | None
    observed_months: int
    per_customer_month: str | None


class LifetimeValueOut(Schema):
    currency: str
    customers: int
    orders: int
    net_sales: str
    repeat_customers: int = Field(description="Customers with two orders or more.")
    aov: str | None = Field(description="Average order value: net sales ÷ orders.")
    frequency: str | None = Field(description="Orders ÷ customers.")
    repeat_rate: str | None = Field(description="Percent of customers with two orders or more.")
    churn_rate: str | None = Field(description="100 − repeat rate.")
    lifespan: str | None = Field(description="1 ÷ churn, in selected periods; null with no churn.")
    clv: str | None = Field(description="AOV × frequency × lifespan; null with no churn.")
    first_day: dt.date | None
    last_day: dt.date | None
    cohorts: list[CohortValueOut]


@router.get("/analytics/customers/clv", response={200: LifetimeValueOut, **AUTH_ERRORS, 422: ErrorOut},
            auth=needs(VIEW_PERM))
def customer_lifetime_value(request: HttpRequest, params: Query[CustomerParams]):
    """The simple historical customer lifetime value and net sales per customer of each cohort."""
    value = _call(cust.lifetime_value, **_selection(params))
    return {
        "currency": value.currency, "customers": value.customers, "orders": value.orders,
        "net_sales": str(value.net_sales), "repeat_customers": value.repeat_customers, "aov": _text(value.aov),
        "frequency": _text(value.frequency), "repeat_rate": _text(value.repeat_rate),
        "churn_rate": _text(value.churn_rate), "lifespan": _text(value.lifespan), "clv": _text(value.clv),
        "first_day": value.first_day, "last_day": value.last_day,
        "cohorts": [{"cohort": c.month, "customers": c.customers, "net_sales": str(c.net_sales),
                     "per_customer": _text(c.per_customer), "observed_months": c.observed_months,
                     "per_customer_month": _text(c.per_customer_month)} for c in value.cohorts],
    }
