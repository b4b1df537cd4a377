"""Amazon Sponsored Products report downloads (Seller Central / Ads console, CSV or XLSX) →
:class:`~chuhai.channels.ingest.records.AdRecord`.

Layouts, told apart by their columns:

- **advertised product** (``Advertised SKU`` / ``Advertised ASIN``) → report type ``sp_advertised_product``;
- **search term** (``Targeting, Match Type, Customer Search Term``) → ``sp_search_term``;
- a targeting report (``Targeting`` without search term) → ``sp_targeting``; otherwise ``sp_campaign``.

Quirks handled: header names with trailing spaces (``7 Day Total Sales ``); daily rows (``Date``) or period rows
(``Start Date``/``End Date``); XLSX cells that are numbers or dates, CSV cells with currency signs and thousands
separators (``$1,234.56``); day-first dates outside the US and Canada (``dd/mm/yyyy`` in MX and EU exports).

Only what was reported is stored: impressions, clicks, spend, attributed sales, orders and units. Rates and ratios
(CTR, CPC, ACOS, ROAS, conversion rate) are ignored — the analytics layer computes them from the stored figures.

Attribution window: Sponsored Products reports for sellers attribute over **7 days**; the ``7 Day Total …``
columns are used when present, and the ``14 Day Total …`` ones (older or vendor exports) only when a file has no
7-day sales column. One window serves sales, orders and units; a 14-day file's rows get the report type suffix
``_14d`` (``sp_advertised_product_14d``) so 7- and 14-day figures are never mixed or overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pycountry
from django.utils.translation import gettext_lazy

from chuhai.analytics.models import AdPerformance

from ..ingest import values
from ..ingest.errors import CellError, ErrorCollector
from ..ingest.reading import Columns, ColumnSpec, Payload, cell, read_table
from ..ingest.records import AdRecord
from ..ingest.sources import ParseContext, Source
from .fba_inventory import MAX_COUNT, bounded, failed

#: Marketplaces whose ads console writes dates month first (``11/01/2022``); elsewhere slashed dates are day first.
MONTH_FIRST_MARKETS = {"US", "CA"}

DATES = {"date": ("date", "day"), "start_date": ("start date",), "end_date": ("end date",)}
TEXT_COLUMNS = {
    "campaign": ("campaign name", "campaign"),
    "portfolio": ("portfolio name", "portfolio"),
    "ad_group": ("ad group name", "ad group"),
    "advertised_sku": ("advertised sku",),
    "advertised_asin": ("advertised asin",),
    "targeting": ("targeting", "keyword"),
    "match_type": ("match type",),
    "search_term": ("customer search term", "search term"),
}
#: The columns besides campaign and dates that tell two rows apart (AdPerformance's unique key).
UNIQUE_LABELS = ("ad_group", "advertised_sku", "advertised_asin", "targeting", "match_type", "search_term")
IDENTIFIERS = {"advertised_sku", "advertised_asin"}
COUNTS = {"impressions": ("impressions",), "clicks": ("clicks",)}
SPEND = ("spend", "cost", "total spend")


def _max_length(field: str) -> int:
    return AdPerformance._meta.get_field(field).max_length


def attribution(columns: Columns) -> tuple[int, str] | tuple[None, None]:
    """The attribution window (7, else 14 days) and the exact name of its total-sales column."""
    for days in (7, 14):
        i = columns.find_matching(rf"{days} day total sales(?: \(.*\))?")
        if i is not None:
            return days, columns.names[i]
    return None, None


def count(value) -> int:
    result = values.integer(value)
    if result < 0:
        raise CellError("a count cannot be negative", values.text(value))
    if result > MAX_COUNT:
        raise CellError("implausibly large number", values.text(value))
    return result


def money(value) -> Decimal:
    """An amount as the export prints it (``$1,234.56``, ``1.234,56 €``, an XLSX number), within what is stored."""
    result = values.decimal(value)
    if isinstance(value, float):  # an XLSX number: binary noise past the stored 6 decimals is not data
        result = result.quantize(Decimal("1e-6")).normalize()
    if abs(result) >= 10**14 or result.as_tuple().exponent < -6:
        raise CellError("not an amount (too large or too many decimals)", values.text(value))
    return result


def country(value) -> str | None:
    """``US``, ``UK`` or ``United States`` → ISO code; None when the cell is not recognisably a country."""
    try:
        return values.country_code(value)
    except CellError:
        try:
            return pycountry.countries.lookup(values.text(value)).alpha_2
        except LookupError:
            return None


def report_type(columns: Columns) -> str:
    if columns.find(*TEXT_COLUMNS["search_term"]) is not None:
        return "sp_search_term"
    if columns.find(*TEXT_COLUMNS["advertised_sku"], *TEXT_COLUMNS["advertised_asin"]) is not None:
        return "sp_advertised_product"
    if columns.find(*TEXT_COLUMNS["targeting"]) is not None:
        return "sp_targeting"
    return "sp_campaign"


def _is_header(cells: list[str]) -> bool:
    return ("campaign name" in cells or "campaign" in cells) and "impressions" in cells


class SponsoredProductsReport(Source):
    name = "amazon-ads-sp"
    kind = "ads"
    platforms = ("amazon",)
    label = gettext_lazy("Amazon Sponsored Products report (advertised product / search term)")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[AdRecord]:
        table = read_table(payload, legacy=ctx.legacy_encoding, is_header=_is_header)
        days, sales_column = attribution(table.columns)
        window = {"sales": (sales_column or "7 Day Total Sales",),
                  "orders": (f"{days or 7} day total orders (#)", f"{days or 7} day total orders"),
                  "units": (f"{days or 7} day total units (#)", f"{days or 7} day total units")}
        daily = table.columns.find(*DATES["start_date"]) is None
        spec = ColumnSpec(
            table,
            required={"campaign": TEXT_COLUMNS["campaign"], **COUNTS, "spend": SPEND, "sales": window["sales"],
                      **({"date": DATES["date"]} if daily else {"start_date": DATES["start_date"],
                                                                 "end_date": DATES["end_date"]})},
            optional={**{k: v for k, v in TEXT_COLUMNS.items() if k != "campaign"}, "orders": window["orders"],
                      "units": window["units"], "currency": ("currency",), "country": ("country",)},
        )
        kind = report_type(table.columns) + ("_14d" if days == 14 else "")
        dayfirst = ctx.marketplace not in MONTH_FIRST_MARKETS

        def day(value) -> dt.date:
            return values.timestamp(value, tz=dt.UTC, dayfirst=dayfirst).date()

        texts = {
            key: bounded(values.identifier if key in IDENTIFIERS else values.text, _max_length(key))
            for key in TEXT_COLUMNS
        }
        seen: dict[tuple, int] = {}
        for row in table.rows:
            before = len(errors.errors)
            if daily:
                start = end = cell(row, spec, "date", day, errors, required=True)
            else:
                start = cell(row, spec, "start_date", day, errors, required=True)
                end = cell(row, spec, "end_date", day, errors, required=True)
                if start and end and end < start:
                    errors.add(row.line, spec.names["end_date"], end.isoformat(), "ends before it starts")
                    continue
            campaign = cell(row, spec, "campaign", texts["campaign"], errors, required=True)
            labels = {key: cell(row, spec, key, parse, errors, default="") for key, parse in texts.items()
                      if key != "campaign"}
            figures = {key: cell(row, spec, key, count, errors, default=0) for key in ("impressions", "clicks",
                                                                                        "orders", "units")}
            spend = cell(row, spec, "spend", money, errors, default=Decimal(0))
            sales = cell(row, spec, "sales", money, errors, default=Decimal(0))
            currency = cell(row, spec, "currency", values.currency_code, errors, default=ctx.currency)
            market = cell(row, spec, "country", country, errors)
            if market and market != ctx.marketplace:
                errors.add(row.line, spec.names["country"], row.get(spec["country"]),
                           f"this row is for marketplace {market}, but account {ctx.account.code} is "
                           f"{ctx.marketplace}; import each country into its own account")
                continue
            if start is None or end is None or not campaign:
                continue
            key = (start, end, campaign, *(labels[k] for k in UNIQUE_LABELS))
            if key in seen:
                errors.add(row.line, spec.names["campaign"], campaign,
                           f"the same campaign, ad group, target and dates as line {seen[key]}")
                continue
            seen[key] = row.line
            if failed(errors, before):
                continue
            yield AdRecord(line=row.line, start_date=start, end_date=end, campaign=campaign, currency=currency,
                           report_type=kind, spend=spend, sales=sales, **labels, **figures)
