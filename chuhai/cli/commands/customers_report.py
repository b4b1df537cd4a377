"""``chuhai report rfm|cohorts|clv``: the customer analytics of /analytics/customers/ on the command line.

    chuhai report rfm     [--from D] [--to D] [--filter K=V]… [--as-of D] [--table segments|grid]
    chuhai report cohorts [--from D] [--to D] [--filter K=V]…
    chuhai report clv     [--from D] [--to D] [--filter K=V]… [--table cohorts|summary]

Filters: ``account``, ``marketplace``, ``ship_country`` (V may be a comma-separated list). The figures are
:mod:`chuhai.analytics.customers`', the tables :mod:`chuhai.analytics.customer_tables`' (the page's and its
exports'). Amounts are in the company's base currency (the service does not convert; ``--currency`` other than
the base currency is refused). Exit codes: 0 done, 2 an unknown filter, 1 any other user error.

These names are report subcommands of ``chuhai report``, where any other first word is a metric list
(:mod:`.metrics`): if a metric id is ever one of them, these reports refuse to run (:func:`check_names`; a test
checks it too) rather than silently answering for the metric.
"""

from __future__ import annotations

import sys

from ..arguments import iso_date
from ..output import add_report_arguments, write_report

#: The report names this module adds to ``chuhai report``.
NAMES = ("rfm", "cohorts", "clv")
FILTER_HELP = "only orders whose K is V (V may be a comma-separated list); repeatable: account, marketplace, " \
              "ship_country"


def check_names(names=NAMES) -> None:
    """Fail loudly if a metric id equals one of our report names (it would be unreachable as ``chuhai report
    ID``)."""
    from chuhai.analytics.metric_layer import METRICS

    clash = sorted(set(names) & set(METRICS))
    if clash:
        raise RuntimeError(f"chuhai report: {', '.join(clash)} is both a metric id and a customer report name")


def _common(parser) -> None:
    add_report_arguments(parser)
    parser.add_argument("--filter", dest="filters", action="append", default=[], metavar="K=V", help=FILTER_HELP)


def register(commands) -> None:
    rfm = commands.add_parser(
        "rfm", help="customers by RFM score: segments (or the 25-cell grid)",
        description="Recency, frequency and monetary scores (quintiles 1-5) of the customers with an order in "
                    "the period, as the segment table (default) or the R x F grid, in the base currency.")
    _common(rfm)
    rfm.add_argument("--as-of", dest="as_of", metavar="D", type=iso_date,
                     help="count recency to this day (default: the day after the last order)")
    rfm.add_argument("--table", choices=("segments", "grid"), default="segments", help="default: %(default)s")
    rfm.set_defaults(run=run_rfm)

    cohorts = commands.add_parser(
        "cohorts", help="monthly cohort retention",
        description="Per month of the customers' first order: cohort size and the percent of it with an order "
                    "in each later month of the period.")
    _common(cohorts)
    cohorts.set_defaults(run=run_cohorts)

    clv = commands.add_parser(
        "clv", help="customer lifetime value: per cohort (or the summary figures)",
        description="Net sales per customer of each cohort (default), or the simple historical CLV: AOV x "
                    "purchase frequency x lifespan (1 / churn), in the base currency.")
    _common(clv)
    clv.add_argument("--table", choices=("cohorts", "summary"), default="cohorts", help="default: %(default)s")
    clv.set_defaults(run=run_clv)


class _UsageError(Exception):
    pass


def _selection(args) -> dict:
    """The service's keyword arguments from the shared options; raises :class:`_UsageError` for a bad filter."""
    from django.utils.translation import activate

    from chuhai.analytics.customers import CUSTOMER_FILTERS
    from chuhai.core.models import CompanySettings

    from ..errors import CliError

    activate("en")
    filters: dict[str, list[str]] = {}
    for item in args.filters:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise _UsageError(f"--filter {item!r}: write it as KEY=VALUE (e.g. ship_country=DE)")
        if key not in CUSTOMER_FILTERS:
            raise _UsageError(f"unknown filter {key}; valid filters: {', '.join(CUSTOMER_FILTERS)}")
        filters.setdefault(key, []).extend(v.strip() for v in value.split(","))
    base = CompanySettings.load().base_currency
    if args.currency and args.currency != base:
        raise CliError(f"customer reports are in the base currency ({base}); --currency {args.currency} is not "
                       "supported")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise CliError("--from is after --to")
    if args.format == "xlsx" and not args.output:
        raise CliError("--format xlsx needs --output FILE")
    return {"date_from": args.date_from, "date_to": args.date_to, "filters": filters}


def _run(args, report) -> int:
    check_names()  # here, not at parser build: every `chuhai` command would load the metric layer
    try:
        selection = _selection(args)
    except _UsageError as exc:
        print(f"chuhai: error: {exc}", file=sys.stderr)
        return 2
    spec, rows = report(selection)
    write_report(spec, rows, args.format, args.output)
    return 0


def run_rfm(args) -> int:
    from chuhai.analytics import customer_tables as tables
    from chuhai.analytics import customers as cust

    def report(selection):
        result = cust.rfm(as_of=args.as_of, **selection)
        if args.table == "grid":
            return tables.grid_spec(result.currency), result.grid
        return tables.segment_spec(result.currency), result.segments

    return _run(args, report)


def run_cohorts(args) -> int:
    from chuhai.analytics import customer_tables as tables
    from chuhai.analytics import customers as cust

    def report(selection):
        result = cust.cohorts(**selection)
        return tables.cohort_spec(result.max_offset), result.rows

    return _run(args, report)


def run_clv(args) -> int:
    from chuhai.analytics import customer_tables as tables
    from chuhai.analytics import customers as cust

    def report(selection):
        value = cust.lifetime_value(**selection)
        if args.table == "summary":
            return tables.clv_summary_spec(value.currency), tables.clv_summary_rows(value)
        return tables.clv_spec(value.currency), value.cohorts

    return _run(args, report)
