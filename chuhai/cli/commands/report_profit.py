"""``chuhai report profit`` and ``chuhai report pnl``: profit by a dimension and the P&L statement.

The figures are :mod:`chuhai.analytics.profit`'s and the tables its :func:`~chuhai.analytics.profit.profit_spec` /
:func:`~chuhai.analytics.profit.pnl_spec`, the same as the Profit and P&L pages and their Excel exports.
"""

from __future__ import annotations

from ..output import add_report_arguments, write_report

BY_CHOICES = ("sku", "order", "listing", "account", "marketplace", "country", "month")
SORT_HELP = "sort by a column key (units, revenue, profit, margin_percent, label...), '-' first for descending"


def register(commands) -> None:
    parser = commands.add_parser(
        "profit", help="profit by SKU, order, listing, account, marketplace, ship-to country or month",
        description="Revenue, refunds, fees, advertising, cost of goods, logistics, contribution and margin % "
                    "per group, each row marked settled, estimated or partly estimated. Amounts in the base "
                    "currency; --currency converts each month at its month-end rate.")
    add_report_arguments(parser, by_choices=BY_CHOICES, default_by="sku")
    parser.add_argument("--account", metavar="CODE", help="only this channel account")
    parser.add_argument("--marketplace", metavar="CC", help="only this marketplace (US, DE, ...)")
    parser.add_argument("--sort", default=None, help=SORT_HELP + " (default: -revenue; month: by month)")
    parser.set_defaults(run=run_profit)
    parser = commands.add_parser(
        "pnl", help="the P&L statement by month",
        description="Net revenue, shipping, promotions, refunds, each fee category, advertising, cost of goods, "
                    "logistics, contribution and margin %, per month and in total. Cells that include unsettled "
                    "(estimated) figures are listed in the 'estimated' column. --currency converts each month at "
                    "its month-end rate.")
    add_report_arguments(parser)
    parser.add_argument("--account", metavar="CODE", help="only this channel account")
    parser.add_argument("--total-only", action="store_true", help="only the total column, no months")
    parser.set_defaults(run=run_pnl)


def _filters(args) -> dict:
    from django.utils.translation import activate

    from chuhai.channels.models import ChannelAccount

    from ..errors import CliError

    activate("en")
    filters = {}
    if getattr(args, "account", None):
        if not ChannelAccount.objects.filter(code=args.account).exists():
            raise CliError(f"no channel account {args.account!r} (see `chuhai accounts list`)")
        filters["account"] = args.account
    if getattr(args, "marketplace", None):
        filters["marketplace"] = args.marketplace.strip().upper()
    if args.format == "xlsx" and not args.output:
        raise CliError("--format xlsx needs --output FILE")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise CliError("--from is after --to")
    return filters


def run_profit(args) -> int:
    from chuhai.analytics import profit

    from ..errors import CliError

    filters = _filters(args)
    try:
        rows = profit.profit_rows(args.date_from, args.date_to, by=args.by, currency=args.currency,
                                  sort=args.sort or ("key" if args.by == "month" else "-revenue"), **filters)
    except profit.ProfitReportError as exc:
        raise CliError(str(exc)) from exc
    write_report(profit.profit_spec(args.by), rows, args.format, args.output)
    return 0


def run_pnl(args) -> int:
    from chuhai.analytics import profit

    filters = _filters(args)
    statement = profit.pnl(args.date_from, args.date_to, currency=args.currency, by_month=not args.total_only,
                           **filters)
    write_report(profit.pnl_spec(statement), statement.lines, args.format, args.output)
    return 0
