"""The tables of settlement reconciliation and advertising, described once: the web pages, their CSV / Excel
exports and ``chuhai report settlements|ads`` all draw from these specs."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chuhai.core.exports import DATE, DATETIME, MONEY, NUMBER, Column, TableSpec, money_text

from .categorise import category_label

HUNDREDTH = Decimal("0.01")


def _received_text(check) -> str:
    return ", ".join(money_text(amount, currency) for currency, amount in sorted(check.received.items()))


def _settlement_url(check) -> str:
    return reverse("settlement-detail", args=[check.pk])


SETTLEMENTS = TableSpec("settlements", (
    Column("account", _("Account"), lambda c: c.account_code, code=True),
    Column("settlement_id", _("Settlement"), lambda c: c.settlement_id, code=True, url=_settlement_url),
    Column("start", _("Period start"), lambda c: c.settlement.start_at, kind=DATETIME),
    Column("end", _("Period end"), lambda c: c.settlement.end_at, kind=DATETIME),
    Column("deposit", _("Deposit date"), lambda c: c.settlement.deposit_at, kind=DATETIME),
    Column("currency", _("Currency"), lambda c: c.currency, code=True),
    Column("expected", _("Expected (our ledger)"), lambda c: c.expected, kind=MONEY, currency=lambda c: c.currency),
    Column("paid", _("Paid (reported total)"), lambda c: c.paid, kind=MONEY, currency=lambda c: c.currency),
    Column("difference", _("Difference"), lambda c: c.difference, kind=MONEY, currency=lambda c: c.currency),
    Column("received", _("Received"), _received_text),
    Column("lines", _("Lines"), lambda c: c.lines, kind=NUMBER),
    Column("unmatched", _("Unmatched lines"), lambda c: c.unmatched, kind=NUMBER),
    Column("status", _("Status"), lambda c: c.status, display=lambda c: c.status_label),
))


def settlements_spec(currency: str | None = None) -> TableSpec:
    """The settlement list; with a report currency, its expected, paid and difference in it as well."""
    if not currency:
        return SETTLEMENTS
    extra = tuple(
        Column(f"{key}_{currency.lower()}", f"{header} ({currency})", lambda c, key=key: c.converted.get(key),
               kind=MONEY, currency=lambda c: c.report_currency)
        for key, header in (("expected", _("Expected")), ("paid", _("Paid")), ("difference", _("Difference"))))
    return TableSpec(SETTLEMENTS.name, (*SETTLEMENTS.columns[:-1], *extra, SETTLEMENTS.columns[-1]))


def _reason(line) -> str:
    if line.order_id is None and line.order_ref:
        return str(_("order not in chuhai"))
    return str(_("type not mapped"))


UNMATCHED_LINES = TableSpec("settlement-unmatched-lines", (
    Column("settlement", _("Settlement"), lambda ln: ln.settlement_ref, code=True),
    Column("account", _("Account"), lambda ln: ln.account.code, code=True),
    Column("posted_at", _("Posted at"), lambda ln: ln.posted_at, kind=DATETIME),
    Column("transaction_type", _("Transaction type"), lambda ln: ln.transaction_type),
    Column("order", _("Order id"), lambda ln: ln.order_ref, code=True),
    Column("sku", _("SKU"), lambda ln: ln.sku, code=True),
    Column("amount_type", _("Amount type"), lambda ln: ln.amount_type),
    Column("amount_description", _("Amount description"), lambda ln: ln.amount_description),
    Column("amount", _("Amount"), lambda ln: ln.amount, kind=MONEY, currency=lambda ln: ln.currency),
    Column("currency", _("Currency"), lambda ln: ln.currency, code=True),
    Column("category", _("Category"), lambda ln: ln.category, display=lambda ln: category_label(ln.category)),
    Column("reason", _("Why unmatched"), _reason),
))

UNSETTLED_ORDERS = TableSpec("orders-not-settled", (
    Column("account", _("Account"), lambda u: u.account_code, code=True),
    Column("order", _("Order id"), lambda u: u.external_id, code=True,
           url=lambda u: reverse("order-detail", args=[u.order.pk])),
    Column("purchased_at", _("Purchased at"), lambda u: u.order.purchased_at, kind=DATETIME),
    Column("status", _("Status"), lambda u: u.order.status, display=lambda u: u.order.get_status_display()),
    Column("fulfilment", _("Fulfilment"), lambda u: u.order.fulfilment_channel,
           display=lambda u: u.order.get_fulfilment_channel_display()),
    Column("order_total", _("Order total"), lambda u: u.order.order_total, kind=MONEY,
           currency=lambda u: u.order.currency),
    Column("currency", _("Currency"), lambda u: u.order.currency, code=True),
    Column("age_days", _("Age (days)"), lambda u: u.age_days, kind=NUMBER),
))

REIMBURSEMENTS = TableSpec("reimbursements-due", (
    Column("account", _("Account"), lambda r: r.account_code, code=True),
    Column("sku", _("SKU"), lambda r: r.sku, code=True),
    Column("channel_skus", _("Channel SKUs"), lambda r: ", ".join(r.channel_skus), code=True),
    Column("kind", _("Kind"), lambda r: r.kind, display=lambda r: r.kind_label),
    Column("units_found", _("Units lost or damaged"), lambda r: r.units_found, kind=NUMBER),
    Column("units_reimbursed", _("Units reimbursed"), lambda r: r.units_reimbursed, kind=NUMBER),
    Column("units_due", _("Units due"), lambda r: r.units_due, kind=NUMBER),
    Column("unit_cost", _("Unit cost"), lambda r: r.unit_cost, kind=MONEY, currency=lambda r: r.cost_currency),
    Column("value", _("Value at cost"), lambda r: r.value, kind=MONEY, currency=lambda r: r.cost_currency),
    Column("cost_currency", _("Currency"), lambda r: r.cost_currency, code=True),
    Column("snapshot_date", _("FBA report of"), lambda r: r.snapshot_date, kind=DATE),
    Column("amazon", _("Amazon's figure"), lambda r: r.amazon, kind=NUMBER),
    Column("ledger", _("Our ledger"), lambda r: r.ledger, kind=NUMBER),
    Column("references", _("Movement references"), lambda r: ", ".join(r.references), code=True),
))


def _ratio(value):
    return None if value is None else value.quantize(HUNDREDTH)


AD_KEY_COLUMNS = {
    "sku": (Column("account", _("Account"), lambda r: r.account, code=True),
            Column("sku", _("SKU"), lambda r: r.sku, code=True)),
    "day": (Column("day", _("Day"), lambda r: r.day, kind=DATE),),
    "campaign": (Column("account", _("Account"), lambda r: r.account, code=True),
                 Column("campaign", _("Campaign"), lambda r: r.campaign)),
    "account": (Column("account", _("Account"), lambda r: r.account, code=True),),
}
AD_FIGURES = (
    Column("impressions", _("Impressions"), lambda r: r.impressions, kind=NUMBER),
    Column("clicks", _("Clicks"), lambda r: r.clicks, kind=NUMBER),
    Column("orders", _("Attributed orders"), lambda r: r.orders, kind=NUMBER),
    Column("spend", _("Spend"), lambda r: r.spend, kind=MONEY, currency=lambda r: r.currency),
    Column("sales", _("Attributed sales"), lambda r: r.sales, kind=MONEY, currency=lambda r: r.currency),
    Column("total_sales", _("Total sales"), lambda r: r.total_sales, kind=MONEY, currency=lambda r: r.currency),
    Column("currency", _("Currency"), lambda r: r.currency, code=True),
    Column("acos", _("ACOS %"), lambda r: _ratio(r.acos), kind=NUMBER),
    Column("tacos", _("TACOS %"), lambda r: _ratio(r.tacos), kind=NUMBER),
    Column("roas", _("ROAS"), lambda r: _ratio(r.roas), kind=NUMBER),
)


def ads_spec(by: str = "sku") -> TableSpec:
    return TableSpec(f"ads-by-{by}", (*AD_KEY_COLUMNS[by], *AD_FIGURES))
