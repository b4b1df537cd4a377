"""``chuhai report settlements|ads``: settlement reconciliation and Sponsored Products performance.

    chuhai report settlements [--from D] [--to D] [--account CODE] [--status S]   # each payout: expected vs paid
    chuhai report settlements --unmatched [--settlement ID]                        # lines chuhai cannot place
    chuhai report settlements --unsettled [--days N] [--as-of D]                   # shipped orders not settled
    chuhai report settlements --reimbursements                                     # FBA lost/damaged units due
    chuhai report ads [--by sku|day|campaign|account] [--currency CCY]
"""

from __future__ import annotations

from ..arguments import iso_date
from ..errors import CliError
from ..output import add_report_arguments, write_report


def register(commands) -> None:
    settlements = commands.add_parser(
        "settlements", help="settlement reconciliation: expected vs paid, unmatched lines, unsettled orders",
        description="Each settlement: what our ledger expects (the sum of its lines) against what the platform "
                    "reported as paid, the difference and the status (reconciled, difference, not paid yet, "
                    "unmatched lines). --unmatched lists the lines chuhai cannot place, --unsettled the shipped "
                    "orders no settlement mentions after N days, --reimbursements the FBA units due.")
    add_report_arguments(settlements)
    settlements.add_argument("--account", metavar="CODE", help="only this channel account")
    settlements.add_argument("--status", choices=("reconciled", "difference", "not_paid", "unmatched"),
                             help="only settlements in this state")
    what = settlements.add_mutually_exclusive_group()
    what.add_argument("--unmatched", action="store_true", help="list the unmatched lines")
    what.add_argument("--unsettled", action="store_true", help="list shipped orders not settled after N days")
    what.add_argument("--reimbursements", action="store_true", help="list FBA reimbursements due")
    settlements.add_argument("--settlement", metavar="ID", help="with --unmatched: only this settlement")
    settlements.add_argument("--days", type=int, metavar="N",
                             help="with --unsettled: days after which an order counts (default: finance setting)")
    settlements.add_argument("--as-of", dest="as_of", type=iso_date, metavar="D", help="with --unsettled: the day counted from")
    settlements.set_defaults(run=run_settlements)

    ads = commands.add_parser(
        "ads", help="Sponsored Products: spend, attributed sales, ACOS, TACOS, ROAS",
        description="Sponsored Products spend, attributed sales, orders, clicks and impressions with the SKU's "
                    "total sales from its orders, and ACOS, TACOS and ROAS, grouped by SKU, day, campaign or "
                    "account, in the report currency (default: the base currency) at each day's rate.")
    add_report_arguments(ads, by_choices=("sku", "day", "campaign", "account"))
    ads.add_argument("--account", metavar="CODE", help="only this channel account")
    ads.set_defaults(run=run_ads)


def _account(code: str | None):
    if not code:
        return None
    from chuhai.channels.models import ChannelAccount

    account = ChannelAccount.objects.filter(code=code).first()
    if account is None:
        raise CliError(f"unknown account {code!r} (see `chuhai accounts list`)")
    return account


def run_settlements(args) -> int:
    from chuhai.finance import reconciliation as rec
    from chuhai.finance import reconciliation_tables as tables

    account = _account(args.account)
    if args.unmatched:
        from chuhai.finance.models import LedgerLine

        scope = rec.settlements_queryset(args.date_from, args.date_to, account)
        if args.settlement:
            scope = scope.filter(settlement_id=args.settlement)
        lines = []
        for settlement in scope.order_by("id"):
            lines.extend(rec.unmatched_lines(settlement).select_related("account"))
        if not lines and not LedgerLine.objects.exists():
            print("No settlement lines imported yet.")
            return 0
        write_report(tables.UNMATCHED_LINES, lines, args.format, args.output)
        return 0
    if args.unsettled:
        if args.days is not None and args.days < 0:
            raise CliError("--days must be 0 or more")
        rows = rec.unsettled_orders(args.as_of, args.days, account)
        write_report(tables.UNSETTLED_ORDERS, rows, args.format, args.output)
        return 0
    if args.reimbursements:
        write_report(tables.REIMBURSEMENTS, rec.reimbursements_due(account), args.format, args.output)
        return 0
    from chuhai.finance.fx import FxRateMissing

    try:
        rows = rec.settlements(args.date_from, args.date_to, account, args.status, args.currency)
    except FxRateMissing as exc:
        raise CliError(str(exc)) from exc
    write_report(tables.settlements_spec(args.currency), rows, args.format, args.output)
    if args.format == "table" and not args.output:
        bad = [c for c in rows if c.status != rec.SettlementState.RECONCILED]
        print(f"{len(rows)} settlements, {len(rows) - len(bad)} reconciled, {len(bad)} to look at.")
    return 0


def run_ads(args) -> int:
    from chuhai.analytics.ads import ad_report
    from chuhai.finance import reconciliation_tables as tables
    from chuhai.finance.fx import FxRateMissing

    try:
        rows = ad_report(args.date_from, args.date_to, _account(args.account), args.by, args.currency)
    except FxRateMissing as exc:
        raise CliError(str(exc)) from exc
    write_report(tables.ads_spec(args.by), rows, args.format, args.output)
    return 0
