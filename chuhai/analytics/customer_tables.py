"""The customer analytics tables, described once (:class:`~chuhai.core.exports.TableSpec`): the customer page
(/analytics/customers/) draws and exports them, ``chuhai report rfm|cohorts|clv`` prints them. Every figure is
:mod:`chuhai.analytics.customers`'; these only name and format the columns.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.core.exports import DATE, MONEY, NUMBER, Column, TableSpec

from . import customers as cust


def cell_spec(currency: str) -> TableSpec:
    """The scored customers of an R × F cell (:func:`~chuhai.analytics.customers.rfm_customers`)."""
    return TableSpec("rfm-customers", (
        Column("customer", _lazy("Customer"), lambda c: c.customer_ref, code=True),
        Column("recency", _lazy("Recency (days)"), lambda c: c.recency, NUMBER),
        Column("frequency", _lazy("Orders"), lambda c: c.frequency, NUMBER),
        Column("monetary", _lazy("Net sales"), lambda c: c.monetary, MONEY, currency=lambda _c: currency),
        Column("first_order", _lazy("First order"), lambda c: c.first_day, DATE),
        Column("last_order", _lazy("Last order"), lambda c: c.last_day, DATE),
        Column("r", _lazy("R"), lambda c: c.r, NUMBER),
        Column("f", _lazy("F"), lambda c: c.f, NUMBER),
        Column("m", _lazy("M"), lambda c: c.m, NUMBER),
        Column("segment", _lazy("Segment"), lambda c: str(c.segment_name)),
        Column("currency", _lazy("Currency"), lambda _c: currency),
    ))


def grid_spec(currency: str) -> TableSpec:
    """The 25 cells of the RFM grid (:attr:`~chuhai.analytics.customers.Rfm.grid`), R 5..1 then F 1..5."""
    return TableSpec("rfm-grid", (
        Column("r", _lazy("R"), lambda c: c.r, NUMBER),
        Column("f", _lazy("F"), lambda c: c.f, NUMBER),
        Column("segment", _lazy("Segment"), lambda c: str(cust.SEGMENTS[c.segment])),
        Column("customers", _lazy("Customers"), lambda c: c.customers, NUMBER),
        Column("monetary", _lazy("Net sales"), lambda c: c.monetary, MONEY, currency=lambda _c: currency),
        Column("currency", _lazy("Currency"), lambda _c: currency),
    ))


def segment_spec(currency: str) -> TableSpec:
    return TableSpec("rfm-segments", (
        Column("segment", _lazy("Segment"), lambda s: str(s.name)),
        Column("customers", _lazy("Customers"), lambda s: s.customers, NUMBER),
        Column("share", _lazy("Share of customers %"), lambda s: s.share, NUMBER),
        Column("avg_recency", _lazy("Average recency (days)"), lambda s: s.avg_recency, NUMBER),
        Column("avg_frequency", _lazy("Average orders"), lambda s: s.avg_frequency, NUMBER),
        Column("monetary", _lazy("Net sales"), lambda s: s.monetary, MONEY, currency=lambda _s: currency),
        Column("avg_monetary", _lazy("Net sales per customer"), lambda s: s.avg_monetary, MONEY,
               currency=lambda _s: currency),
        Column("currency", _lazy("Currency"), lambda _s: currency),
    ))


def cohort_spec(max_offset: int) -> TableSpec:
    columns = [Column("cohort", _lazy("Cohort"), lambda r: r.month, code=True),
               Column("customers", _lazy("Customers"), lambda r: r.size, NUMBER)]
    for k in range(max_offset + 1):
        columns.append(Column(f"m{k}", _("Month %(n)s %%") % {"n": k}, lambda r, k=k: r.retention(k), NUMBER))
    return TableSpec("cohort-retention", tuple(columns))


def clv_spec(currency: str) -> TableSpec:
    return TableSpec("customer-value-by-cohort", (
        Column("cohort", _lazy("Cohort"), lambda c: c.month, code=True),
        Column("customers", _lazy("Customers"), lambda c: c.customers, NUMBER),
        Column("net_sales", _lazy("Net sales"), lambda c: c.net_sales, MONEY, currency=lambda _c: currency),
        Column("per_customer", _lazy("Net sales per customer"), lambda c: c.per_customer, MONEY,
               currency=lambda _c: currency),
        Column("observed_months", _lazy("Observed months"), lambda c: c.observed_months, NUMBER),
        Column("per_customer_month", _lazy("Per customer per month"), lambda c: c.per_customer_month, MONEY,
               currency=lambda _c: currency),
        Column("currency", _lazy("Currency"), lambda _c: currency),
    ))


def clv_summary_rows(value: cust.LifetimeValue) -> list[tuple]:
    """(key, label, value, is money) rows of the simple historical CLV."""
    return [
        ("customers", _("Customers"), value.customers, False),
        ("orders", _("Orders"), value.orders, False),
        ("net_sales", _("Net sales"), value.net_sales, True),
        ("aov", _("Average order value (net sales ÷ orders)"), value.aov, True),
        ("frequency", _("Purchase frequency (orders ÷ customers)"), value.frequency, False),
        ("repeat_rate", _("Repeat rate % (customers with 2+ orders)"), value.repeat_rate, False),
        ("churn_rate", _("Churn % (100 − repeat rate)"), value.churn_rate, False),
        ("lifespan", _("Lifespan in periods (1 ÷ churn)"), value.lifespan, False),
        ("clv", _("Customer lifetime value (AOV × frequency × lifespan)"), value.clv, True),
    ]


def clv_summary_spec(currency: str) -> TableSpec:
    return TableSpec("customer-lifetime-value", (
        Column("figure", _lazy("Figure"), lambda r: r[0], code=True),
        Column("label", _lazy("Definition"), lambda r: str(r[1])),
        Column("value", _lazy("Value"), lambda r: r[2], NUMBER,
               display=lambda r: "—" if r[2] is None else (f"{r[2]} {currency}" if r[3] else str(r[2]))),
        Column("currency", _lazy("Currency"), lambda r: currency if r[3] else ""),
    ))
