"""``chuhai fba reconcile``: Amazon's FBA inventory report against the ledger, and explicit corrections."""

from __future__ import annotations

from ..arguments import iso_date
from ..errors import CliError
from ..output import print_json, print_table


def register(subparsers) -> None:
    parser = subparsers.add_parser("fba", help="FBA inventory reconciliation",
                                   description="Amazon FBA inventory against the stock ledger.")
    commands = parser.add_subparsers(dest="fba_command", metavar="SUBCOMMAND", required=True)

    rec = commands.add_parser(
        "reconcile", help="list differences between Amazon's FBA report and the ledger (and correct them)",
        description="Compare the account's latest FBA inventory report with its FBA warehouse in the ledger: "
                    "sellable = Amazon fulfillable + reserved vs on hand, unsellable vs unsellable, inbound vs "
                    "inbound. With --apply, post FBA corrections (on hand and unsellable; add --state inbound to "
                    "include inbound) with your reason.")
    rec.add_argument("--account", required=True, metavar="CODE")
    rec.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="report date (default: the latest)")
    rec.add_argument("--apply", action="store_true", help="correct the ledger to Amazon's figures")
    rec.add_argument("--reason", help="why (required with --apply; kept in the ledger)")
    rec.add_argument("--sku", dest="skus", action="append", metavar="SKU",
                     help="only this SKU (ours or the report's; repeat for more)")
    rec.add_argument("--state", dest="states", action="append", choices=("on_hand", "unsellable", "inbound"),
                     help="only these states (repeat; default with --apply: on_hand and unsellable)")
    rec.add_argument("--json", action="store_true", help="print JSON instead of a table")
    rec.set_defaults(run=run_reconcile)


def _account(code: str):
    from chuhai.channels.models import ChannelAccount

    account = ChannelAccount.objects.filter(code=code).first()
    if account is None:
        raise CliError(f"unknown account {code!r} (see `chuhai accounts list`)")
    return account


def run_reconcile(args) -> int:
    from chuhai.inventory.fba_reconciliation import DEFAULT_STATES, apply_corrections, reconcile

    if args.apply and not (args.reason or "").strip():
        raise CliError("--apply needs --reason: say why the ledger is corrected")
    account = _account(args.account)
    result = reconcile(account, args.date)
    diffs = [d for d in result.differences if args.states is None or d.state in args.states or not d.state]
    if args.skus:
        wanted = set(args.skus)
        diffs = [d for d in diffs if d.sku in wanted or wanted & set(d.channel_skus)]
    corrections = []
    if args.apply:
        corrections = apply_corrections(account, result.snapshot_date, args.skus, reason=args.reason,
                                        states=args.states or DEFAULT_STATES)
    if args.json:
        print_json({
            "account": account.code, "warehouse": result.warehouse.code, "snapshot_date": result.snapshot_date,
            "reference": result.reference, "matched": result.matched,
            "differences": [{"kind": d.kind, "sku": d.sku, "channel_skus": list(d.channel_skus), "state": d.state,
                             "amazon": d.amazon, "ledger": d.ledger,
                             "correction": d.correction if d.correctable else None, "researching": d.researching,
                             "as_of": d.as_of} for d in diffs],
            "applied": [{"sku": c.sku, "state": c.state, "quantity": c.quantity, "kind": c.kind}
                        for c in corrections],
        })
        return 0
    print(f"{account.code}: FBA report of {result.snapshot_date.isoformat()} vs warehouse {result.warehouse.code}.")
    if not diffs:
        print("No differences: the ledger agrees with Amazon.")
    else:
        print_table(["KIND", "SKU", "REPORT SKUS", "STATE", "AMAZON", "LEDGER", "CORRECTION"],
                    [(d.kind, d.sku, ",".join(d.channel_skus), d.state or "-", d.amazon, d.ledger,
                      f"{d.correction:+d}" if d.correctable else "-") for d in diffs], right=(4, 5, 6))
    if args.apply:
        print(f"Applied {len(corrections)} correction(s) with reference {result.reference}.")
    elif any(d.correctable for d in diffs):
        print("Nothing changed. Add --apply --reason TEXT to correct the ledger to Amazon's figures.")
    return 0
