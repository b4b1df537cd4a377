"""Profit reports over :class:`~chuhai.finance.profit_facts.ProfitFact`: profit by a dimension, and the P&L.

Both sum the fact rows in SQL and only reshape the grouped sums in Python; every ratio is
:mod:`chuhai.analytics.metrics`' and a row's contribution is :func:`metrics.contribution` of its summed parts.

**Exact sums.** PostgreSQL sums ``numeric`` exactly. SQLite keeps decimal columns as floating-point numbers and its
``SUM`` adds floats, which drifts on a million rows; there each value is turned into integer *micro-units* first
(``CAST(ROUND(x * 1000000) AS INTEGER)``: exact for amounts below a billion with six decimals, the storage
precision) and the integer sum is divided back in Python. One grouped query per report, so a million facts
aggregate in a few seconds on either database.

**Status.** A group is ``settled`` when every fact in it carries the platform's actual fees, ``estimated`` when
none does and ``partly_estimated`` otherwise; ``cogs_estimated`` says some fact's cost of goods is an estimate.
In the P&L a cell is *estimated* when its unsettled facts add a non-zero amount to it (for the cost of goods: its
facts with an estimated cost); contribution and margin are estimated when any fact of the month is.

**Currency.** Facts are in the base currency. Reporting in another currency converts each month's sums at the
rate of the month's last day (or today, for the running month) with one :class:`~chuhai.finance.fx.FxConverter`
per report: a month-end rate is what a seller's accountant uses to translate a monthly P&L, and it makes the
months of a report add up to its total. Nothing is rounded here; callers round at the edge with
:func:`chuhai.core.money.quantize`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, BigIntegerField, Count, F, IntegerField, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuhai.core.models import CompanySettings
from chuhai.finance.fees import FeeCategory
from chuhai.finance.fx import FxConverter
from chuhai.finance.profit_facts import ProfitFact

from . import metrics

ZERO = Decimal(0)
MICRO = Decimal(1_000_000)

#: The summed amount columns of a fact (the contribution parts plus sales as charged and VAT).
AMOUNTS = ("gross_sales", "vat", *metrics.CONTRIBUTION_PARTS)

#: What a profit report can be grouped by, and the fact columns that make up each key.
GROUPINGS: dict[str, tuple[str, ...]] = {
    "order": ("order_id",),
    "sku": ("sku",),
    "listing": ("account_id", "listing_sku"),
    "account": ("account_id",),
    "marketplace": ("marketplace",),
    "country": ("ship_country",),
    "month": ("month",),
}
GROUPING_LABELS = {
    "order": _("Order"), "sku": _("SKU"), "listing": _("Listing"), "account": _("Channel account"),
    "marketplace": _("Marketplace"), "country": _("Ship-to country"), "month": _("Month"),
}

SETTLED, ESTIMATED, PARTLY_ESTIMATED = "settled", "estimated", "partly_estimated"
STATUS_LABELS = {SETTLED: _("settled"), ESTIMATED: _("estimated"), PARTLY_ESTIMATED: _("partly estimated")}

#: Fee categories that have a P&L line of their own (or are no part of profit); the others are itemised as fees.
NOT_ITEMISED = frozenset({
    FeeCategory.PRINCIPAL, FeeCategory.SHIPPING_INCOME, FeeCategory.GIFT_WRAP_INCOME, FeeCategory.TAX_COLLECTED,
    FeeCategory.MARKETPLACE_TAX, FeeCategory.PROMOTION, FeeCategory.REFUND, FeeCategory.ADVERTISING,
    FeeCategory.TRANSFER, FeeCategory.RESERVE,
})
FEE_LINE_CATEGORIES = tuple(c for c in FeeCategory if c not in NOT_ITEMISED)
#: The contribution parts the itemised fee lines break down.
FEE_PARTS = ("platform_fees", "other_fees", "reimbursements")


class ProfitReportError(ValueError):
    """A report asked for something that does not exist (an unknown grouping)."""


# -- exact sums ---------------------------------------------------------------------------------------------------

class _MicroSum(Aggregate):
    """SQLite: the sum of a numeric expression in integer micro-units (exact, unlike SUM over floats)."""

    function = "SUM"
    template = "%(function)s(CAST(ROUND(%(expressions)s * 1000000) AS INTEGER))"
    output_field = BigIntegerField()


def _on_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _sum(expression, **extra):
    return _MicroSum(expression, **extra) if _on_sqlite() else Sum(expression, **extra)


def _sum_column(name: str):
    return _sum(F(name))


def _value(raw) -> Decimal:
    """A summed value back as an exact Decimal (NULL — no rows, or no such JSON key — is zero)."""
    if raw is None:
        return ZERO
    if _on_sqlite():
        return Decimal(int(raw)) / MICRO
    return Decimal(raw)


def _fee_sums(qs):
    """``(month, currency, category, settled, sum)`` of the facts' ``fees`` JSON, one row per category present:
    each fact's JSON is read once (``json_each`` / ``jsonb_each_text``) instead of once per category."""
    sql, params = qs.values("month", "currency", "settled", "fees").query.sql_with_params()
    if _on_sqlite():
        each, amount = "json_each(f.fees)", "SUM(CAST(ROUND(CAST(j.value AS REAL) * 1000000) AS INTEGER))"
    else:
        each, amount = "jsonb_each_text(f.fees)", "SUM(j.value::numeric)"
    query = (f"SELECT f.month, f.currency, j.key, f.settled, {amount} "
             f"FROM ({sql}) f, {each} j GROUP BY f.month, f.currency, j.key, f.settled")
    wanted = set(FEE_LINE_CATEGORIES)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for month, currency, category, settled, total in cursor.fetchall():
            if category not in wanted:
                continue
            if isinstance(month, str):
                month = dt.date.fromisoformat(month)
            yield month, currency, category, bool(settled), _value(total)


# -- periods and currency -----------------------------------------------------------------------------------------

def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def rate_day(month: dt.date, today: dt.date | None = None) -> dt.date:
    """The day whose rate converts a month's totals: its last day, or today while the month runs."""
    today = today or timezone.localdate()
    return min(month_end(month), today)


def base_currency() -> str:
    return CompanySettings.load().base_currency


class _Translator:
    """Converts a month's base-currency sums into the report currency at the month-end rate (cached per month)."""

    def __init__(self, target: str):
        self.target = target
        self.converter = FxConverter()
        self.rate_days: dict[dt.date, dt.date] = {}

    def __call__(self, amount: Decimal, currency: str, month: dt.date) -> Decimal:
        if currency == self.target or not amount:
            return amount
        day = self.rate_days.setdefault(month, rate_day(month))
        return self.converter.convert(amount, currency, self.target, day)


def facts(date_from: dt.date | None = None, date_to: dt.date | None = None, *, account=None,
          marketplace: str = "", sku: str = "", country: str = "", order=None):
    """The facts of a period (``day`` between the two dates, both inclusive) and the given filters. ``account``
    is a ChannelAccount, its id or its code."""
    qs = ProfitFact.objects.all()
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    if account is not None and account != "":
        if isinstance(account, str) and not account.isdigit():
            qs = qs.filter(account__code=account)
        else:
            qs = qs.filter(account=account)
    if marketplace:
        qs = qs.filter(marketplace=marketplace)
    if sku:
        qs = qs.filter(sku=sku)
    if country:
        qs = qs.filter(ship_country=country)
    if order is not None:
        qs = qs.filter(order=order)
    return qs.order_by()


def _needs_conversion(qs, target: str) -> bool:
    currencies = set(qs.values_list("currency", flat=True).distinct())
    return bool(currencies - {target})


# -- profit by a dimension ----------------------------------------------------------------------------------------

@dataclass
class ProfitRow:
    """One group's sums (report currency, unrounded), its contribution, margin and status."""

    by: str
    key: tuple
    label: str
    currency: str
    units: int = 0
    facts: int = 0
    settled_facts: int = 0
    cogs_estimated_facts: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: {name: ZERO for name in AMOUNTS})
    order_id: int | None = None
    account_code: str = ""

    def __getattr__(self, name):
        amounts = self.__dict__.get("amounts")
        if amounts is not None and name in amounts:
            return amounts[name]
        raise AttributeError(name)

    @property
    def profit(self) -> Decimal:
        return metrics.contribution(self.amounts)

    @property
    def margin_percent(self) -> Decimal | None:
        return metrics.margin_percent(self.profit, self.amounts["revenue"])

    @property
    def status(self) -> str:
        if self.facts and self.settled_facts == self.facts:
            return SETTLED
        return ESTIMATED if not self.settled_facts else PARTLY_ESTIMATED

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def settled_share(self) -> Decimal | None:
        """Settled facts / facts (a fraction, 1 = all settled)."""
        return Decimal(self.settled_facts) / Decimal(self.facts) if self.facts else None

    @property
    def cogs_estimated(self) -> bool:
        return self.cogs_estimated_facts > 0

    def sort_value(self, name: str):
        if name == "key":
            return tuple("" if k is None else k for k in self.key), self.label
        if name in ("label", "status"):
            return getattr(self, name)
        value = getattr(self, name)
        return (value is None, value if value is not None else ZERO)


SORT_FIELDS = ("label", "units", *AMOUNTS, "profit", "margin_percent", "status")


def _labels(by: str, rows: list[ProfitRow]) -> None:
    from chuhai.channels.models import ChannelAccount
    from chuhai.orders.models import Order

    if by in ("account", "listing"):
        codes = dict(ChannelAccount.objects.filter(pk__in={r.key[0] for r in rows}).values_list("pk", "code"))
        for row in rows:
            row.account_code = codes.get(row.key[0], "")
            row.label = row.account_code if by == "account" else f"{row.account_code} · {row.key[1] or '—'}"
    elif by == "order":
        found = {pk: (external_id, code) for pk, external_id, code in Order.objects.filter(
            pk__in={r.key[0] for r in rows if r.key[0]}).values_list("pk", "external_id", "account__code")}
        for row in rows:
            row.order_id = row.key[0]
            if row.key[0] in found:
                row.label, row.account_code = found[row.key[0]]
            else:
                row.label = str(_("(period fees)"))
    elif by == "month":
        for row in rows:
            row.label = row.key[0].strftime("%Y-%m") if row.key[0] else "—"
    else:
        empty = {"sku": _("(no SKU)"), "marketplace": "—", "country": "—"}[by]
        for row in rows:
            row.label = row.key[0] or str(empty)


def profit_rows(date_from: dt.date | None = None, date_to: dt.date | None = None, by: str = "sku",
                currency: str | None = None, *, sort: str = "-revenue", **filters) -> list[ProfitRow]:
    """Profit grouped ``by`` order, sku, listing, account, marketplace, country or month over the facts whose day
    is between ``date_from`` and ``date_to`` (inclusive; None = open), in ``currency`` (default: base).

    ``filters``: ``account`` (object, id or code), ``marketplace``, ``sku``, ``country``, ``order``. ``sort`` is a
    name of :data:`SORT_FIELDS` or ``key``, ``-`` for descending."""
    if by not in GROUPINGS:
        raise ProfitReportError(f"cannot group by {by!r}: choose one of {', '.join(GROUPINGS)}")
    target = currency or base_currency()
    qs = facts(date_from, date_to, **filters)
    convert = _needs_conversion(qs, target)
    keys = GROUPINGS[by]
    group = (*keys, "currency", *(("month",) if convert and by != "month" else ()), "settled", "cogs_estimated")
    aggregates = {f"s_{name}": _sum_column(name) for name in AMOUNTS}
    aggregates.update(
        n_units=Sum("units", output_field=IntegerField()), n_facts=Count("id"))
    translate = _Translator(target)
    rows: dict[tuple, ProfitRow] = {}
    for result in qs.values(*group).annotate(**aggregates).order_by():
        key = tuple(result[k] for k in keys)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ProfitRow(by=by, key=key, label="", currency=target)
        month = result.get("month")
        for name in AMOUNTS:
            row.amounts[name] += translate(_value(result[f"s_{name}"]), result["currency"], month)
        row.units += result["n_units"] or 0
        row.facts += result["n_facts"]
        row.settled_facts += result["n_facts"] if result["settled"] else 0
        row.cogs_estimated_facts += result["n_facts"] if result["cogs_estimated"] else 0
    found = list(rows.values())
    _labels(by, found)
    return sort_rows(found, sort if sort else ("key" if by == "month" else "-revenue"))


def order_profit(order, currency: str | None = None) -> ProfitRow | None:
    """One order's profit (all its facts, whatever their day), or None before its facts are computed."""
    rows = profit_rows(None, None, by="order", currency=currency, order=order)
    return rows[0] if rows else None


def sort_rows(rows: list[ProfitRow], sort: str) -> list[ProfitRow]:
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in (*SORT_FIELDS, "key"):
        raise ProfitReportError(f"cannot sort by {name!r}")
    ordered = sorted(rows, key=lambda r: r.sort_value("key"))  # a stable tie-break
    return sorted(ordered, key=lambda r: r.sort_value(name), reverse=descending)


def totals(rows: list[ProfitRow], currency: str) -> ProfitRow:
    """The sum of report rows (a total line)."""
    total = ProfitRow(by="total", key=(), label=str(_("Total")), currency=currency)
    for row in rows:
        for name in AMOUNTS:
            total.amounts[name] += row.amounts[name]
        total.units += row.units
        total.facts += row.facts
        total.settled_facts += row.settled_facts
        total.cogs_estimated_facts += row.cogs_estimated_facts
    return total


# -- the P&L ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PnlCell:
    amount: Decimal | None
    estimated: bool


@dataclass
class PnlLine:
    """One line of the statement: ``kind`` is ``money``, ``subtotal`` (contribution) or ``percent`` (margin)."""

    key: str
    label: str
    kind: str
    cells: list[PnlCell]
    total: PnlCell

    @property
    def estimated_anywhere(self) -> bool:
        return self.total.estimated


@dataclass
class Pnl:
    currency: str
    date_from: dt.date | None
    date_to: dt.date | None
    months: list[dt.date]
    lines: list[PnlLine]
    #: Month → the day whose rate converted it (only months that needed converting).
    rate_days: dict[dt.date, dt.date]

    def line(self, key: str) -> PnlLine:
        return next(line for line in self.lines if line.key == key)


PNL_PARTS = (
    ("revenue", _("Net revenue")),
    ("shipping_income", _("Shipping charged")),
    ("promotions", _("Promotions")),
    ("refunds", _("Refunds")),
)
PNL_COSTS = (
    ("advertising", _("Advertising")),
    ("cogs", _("Cost of goods")),
    ("logistics", _("Shipping and logistics")),
)
UNITEMISED = "fees_unitemised"


def pnl(date_from: dt.date | None = None, date_to: dt.date | None = None, currency: str | None = None,
        by_month: bool = True, **filters) -> Pnl:
    """The P&L statement of a period: net revenue, shipping, promotions, refunds, each fee category (from the
    facts' ``fees``), advertising, cost of goods, logistics, contribution and margin %, per month (``by_month``)
    and in total. The fee lines break down platform fees + other fees + reimbursements; what the facts' ``fees``
    do not itemise shows as one more line, so the lines always add up to the contribution."""
    target = currency or base_currency()
    qs = facts(date_from, date_to, **filters)
    aggregates = {f"s_{name}": _sum_column(name) for name in metrics.CONTRIBUTION_PARTS}
    translate = _Translator(target)
    sums: dict[dt.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    estimated: dict[dt.date, dict[str, bool]] = defaultdict(lambda: defaultdict(bool))
    # Grouped by the two flags as well: a cell is estimated when its unsettled facts add a non-zero amount.
    for result in qs.values("month", "currency", "settled", "cogs_estimated").annotate(**aggregates).order_by():
        month = result["month"]
        for name in metrics.CONTRIBUTION_PARTS:
            amount = _value(result[f"s_{name}"])
            sums[month][name] += translate(amount, result["currency"], month)
            flag = result["cogs_estimated"] if name == "cogs" else not result["settled"]
            estimated[month][name] |= bool(flag and amount)
        estimated[month]["any"] |= not result["settled"] or result["cogs_estimated"]
    for month, currency, category, settled, amount in _fee_sums(qs):
        sums[month][f"fee:{category}"] += translate(amount, currency, month)
        estimated[month][f"fee:{category}"] |= bool(not settled and amount)
    months = sorted(sums)
    for month in months:
        fee_parts = sum((sums[month][name] for name in FEE_PARTS), ZERO)
        itemised = sum((sums[month][f"fee:{c}"] for c in FEE_LINE_CATEGORIES), ZERO)
        sums[month][UNITEMISED] = fee_parts - itemised
        estimated[month][UNITEMISED] = any(estimated[month][name] for name in FEE_PARTS)

    def money_line(key: str, label, kind: str = "money") -> PnlLine:
        cells = [PnlCell(sums[m][key], estimated[m][key]) for m in months]
        total = PnlCell(sum((c.amount for c in cells), ZERO), any(c.estimated for c in cells))
        return PnlLine(key, str(label), kind, cells, total)

    lines = [money_line(key, label) for key, label in PNL_PARTS]
    categories = dict(FeeCategory.choices)
    for category in FEE_LINE_CATEGORIES:
        line = money_line(f"fee:{category}", categories[category])
        if any(c.amount for c in line.cells):
            lines.append(line)
    unitemised = money_line(UNITEMISED, _("Other fees and reimbursements (not itemised)"))
    if any(c.amount for c in unitemised.cells):
        lines.append(unitemised)
    lines += [money_line(key, label) for key, label in PNL_COSTS]

    contribution_cells = [PnlCell(metrics.contribution(sums[m]), estimated[m]["any"]) for m in months]
    contribution_total = PnlCell(sum((c.amount for c in contribution_cells), ZERO),
                                 any(c.estimated for c in contribution_cells))
    lines.append(PnlLine("contribution", str(_("Contribution")), "subtotal", contribution_cells, contribution_total))
    revenue = lines[0]
    margin_cells = [PnlCell(metrics.margin_percent(c.amount, r.amount), c.estimated)
                    for c, r in zip(contribution_cells, revenue.cells, strict=True)]
    margin_total = PnlCell(metrics.margin_percent(contribution_total.amount, revenue.total.amount),
                           contribution_total.estimated)
    lines.append(PnlLine("margin_percent", str(_("Margin %")), "percent", margin_cells, margin_total))
    if not by_month:
        for line in lines:
            line.cells = []
        months_shown = []
    else:
        months_shown = months
    return Pnl(target, date_from, date_to, months_shown, lines, dict(translate.rate_days))


# -- tables (one description for the pages, their CSV/XLSX exports, the CLI and JSON) -----------------------------

PERCENT_PLACES = Decimal("0.01")


def percent_value(value: Decimal | None) -> Decimal | None:
    """A percentage rounded for showing (two places); None stays None."""
    return None if value is None else value.quantize(PERCENT_PLACES)


def percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{percent_value(value)} %"


AMOUNT_HEADERS = {
    "gross_sales": _("Sales as charged"), "vat": _("VAT"), "revenue": _("Net revenue"),
    "shipping_income": _("Shipping charged"), "promotions": _("Promotions"), "refunds": _("Refunds"),
    "platform_fees": _("Platform fees"), "advertising": _("Advertising"), "other_fees": _("Other fees"),
    "reimbursements": _("Reimbursements"), "cogs": _("Cost of goods"), "logistics": _("Shipping and logistics"),
    "profit": _("Contribution"),
}


def profit_spec(by: str, url=None):
    """The profit table's columns (``url(row)`` links the first column on the page)."""
    from chuhai.core.exports import BOOL, MONEY, NUMBER, TEXT, Column, TableSpec

    def currency(row):
        return row.currency

    columns = [Column("label", GROUPING_LABELS[by], lambda r: r.label, url=url,
                      code=by in ("sku", "order", "listing"))]
    columns.append(Column("currency", _("Currency"), currency, code=True))
    columns.append(Column("units", _("Units"), lambda r: r.units, kind=NUMBER))
    for name in (*AMOUNTS, "profit"):
        columns.append(Column(name, AMOUNT_HEADERS[name], lambda r, n=name: getattr(r, n), kind=MONEY,
                              currency=currency))
    columns += [
        Column("margin_percent", _("Margin %"), lambda r: percent_value(r.margin_percent), kind=NUMBER,
               display=lambda r: percent_text(r.margin_percent)),
        Column("status", _("Fees"), lambda r: r.status, kind=TEXT, display=lambda r: r.status_label),
        Column("cogs_estimated", _("Cost estimated"), lambda r: r.cogs_estimated, kind=BOOL),
    ]
    return TableSpec(f"profit-by-{by}", tuple(columns))


def pnl_cell_value(line: PnlLine, cell: PnlCell, currency: str) -> Decimal | None:
    """A P&L figure rounded for showing: money to the currency's minor unit, margin to two places."""
    from chuhai.core.money import quantize

    if cell.amount is None:
        return None
    return percent_value(cell.amount) if line.kind == "percent" else quantize(cell.amount, currency)


def pnl_spec(statement: Pnl):
    """The P&L as a table: one row per line, one column per month, the total, and where it is estimated."""
    from chuhai.core.exports import NUMBER, Column, TableSpec

    currency = statement.currency
    columns = [Column("line", _("Line"), lambda line: line.label)]
    for index, month in enumerate(statement.months):
        columns.append(Column(month.strftime("%Y-%m"), month.strftime("%Y-%m"),
                              lambda line, i=index: pnl_cell_value(line, line.cells[i], currency), kind=NUMBER))
    columns.append(Column("total", _("Total"), lambda line: pnl_cell_value(line, line.total, currency), kind=NUMBER))
    columns.append(Column("currency", _("Currency"), lambda line: "%" if line.kind == "percent" else currency))

    def estimated(line: PnlLine) -> str:
        where = [m.strftime("%Y-%m") for m, c in zip(statement.months, line.cells, strict=True) if c.estimated]
        if line.total.estimated:
            where.append("total")
        return ", ".join(where)

    columns.append(Column("estimated", _("Estimated"), estimated))
    return TableSpec(f"pnl-{currency}", tuple(columns))
