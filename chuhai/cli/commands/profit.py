"""``chuhai profit rebuild``: recompute the profit table from orders, the fee ledger, estimates and costs."""

from __future__ import annotations

import sys

from ..arguments import iso_date
from ..errors import CliError
from ..output import amount_text


def register(subparsers) -> None:
    parser = subparsers.add_parser("profit", help="rebuild the profit table",
                                   description="Profit per order line, with period fees spread over the SKUs sold.")
    commands = parser.add_subparsers(dest="profit_command", metavar="SUBCOMMAND", required=True)
    rebuild = commands.add_parser(
        "rebuild", help="recompute profit for a date range",
        description="Delete and rebuild, in one transaction, the profit rows of the orders purchased in the range "
                    "and of the period fees (storage, subscription, advertising…) posted in it. The range is "
                    "widened to whole months. Imports do not recompute profit: run this after importing orders, "
                    "settlements or costs.")
    rebuild.add_argument("--from", dest="date_from", type=iso_date, metavar="D", help="first day (YYYY-MM-DD)")
    rebuild.add_argument("--to", dest="date_to", type=iso_date, metavar="D", help="last day (YYYY-MM-DD)")
    rebuild.add_argument("--account", action="append", metavar="CODE",
                         help="only this channel account (repeat for several)")
    rebuild.add_argument("--workers", type=int, metavar="N",
                         help="processes computing the rows (default: one more than the CPUs, at most 4; 1: no extra "
                              "processes). Runs under 20,000 orders always use one.")
    rebuild.set_defaults(run=run_rebuild)


def run_rebuild(args) -> int:
    from tqdm import tqdm

    from chuhai.finance.profit import recompute

    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise CliError("--from is after --to")
    if args.workers is not None and args.workers < 1:
        raise CliError("--workers must be at least 1")
    bar = tqdm(desc="profit", unit=" lines", file=sys.stderr, leave=False, dynamic_ncols=True)
    done = [0]

    def progress(lines: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.update(lines - done[0])
        done[0] = lines

    try:
        summary = recompute(args.date_from, args.date_to, accounts=args.account, progress=progress,
                            workers=args.workers)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    finally:
        bar.close()
    span = (f"{summary.date_from or 'the first order'} to {summary.date_to or 'the last'}")
    settled = summary.settled_percent
    share = f", {settled:.1f} % settled" if settled is not None else ""
    processes = f" by {summary.workers} processes" if summary.workers > 1 else ""
    print(f"Profit rebuilt for {span} in {summary.seconds:.1f} s{processes}: {summary.lines} order lines of "
          f"{summary.orders} orders{share}.")
    print(f"  fees estimated for {summary.estimated_lines} lines; cost of goods estimated for "
          f"{summary.cogs_estimated} lines")
    print(f"  period fees {amount_text(summary.period_fees, summary.currency)} {summary.currency}: "
          f"{summary.allocated_rows} SKU rows; {summary.unallocated_rows} months with no sales to carry "
          f"{amount_text(summary.unallocated_amount, summary.currency)} {summary.currency}")
    if summary.unlinked_ledger_lines:
        print(f"  {summary.unlinked_ledger_lines} ledger lines name an order not imported yet (left out)")
    if summary.fees_not_estimated:
        print(f"  {summary.fees_not_estimated} fees could not be estimated (no schedule, product or dimensions)")
    if summary.fx_missing:
        print(f"  no exchange rate for: {', '.join(sorted(set(summary.fx_missing))[:10])} (see `chuhai fx set`)")
    return 0
