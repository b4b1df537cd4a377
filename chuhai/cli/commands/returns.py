"""``chuhai returns list|process|process-fba``: customer returns and their restock decision."""

from __future__ import annotations

from ..arguments import positive_int
from ..errors import CliError
from ..output import amount_text, print_json, print_table

DECISIONS = ("sellable", "unsellable", "not_restocked")
CONDITIONS = ("sellable", "damaged", "defective", "missing_parts")


def register(subparsers) -> None:
    parser = subparsers.add_parser("returns", help="customer returns and restocking",
                                   description="Customer returns: list them and decide what happens to the units.")
    commands = parser.add_subparsers(dest="returns_command", metavar="SUBCOMMAND", required=True)

    listing = commands.add_parser("list", help="list customer returns", description="List customer returns, "
                                  "newest first.")
    listing.add_argument("--pending", action="store_true", help="only returns not processed yet")
    listing.add_argument("--account", metavar="CODE", help="only this channel account")
    listing.add_argument("--limit", type=positive_int, default=200, help="at most this many (default: 200)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)

    process = commands.add_parser(
        "process", help="restock a return as sellable or unsellable, or not at all",
        description="Process a return once: its units go back on hand (sellable), into unsellable stock, or "
                    "nowhere (not_restocked). FBA returns default to Amazon's disposition and the account's FBA "
                    "warehouse.")
    process.add_argument("id", type=positive_int, metavar="ID", help="the return's id (see `chuhai returns list`)")
    process.add_argument("--restock", choices=DECISIONS, help="required unless an FBA disposition decides it")
    process.add_argument("--warehouse", metavar="CODE", help="warehouse code the units go back into")
    process.add_argument("--condition", choices=CONDITIONS, help="the condition found on inspection")
    process.set_defaults(run=run_process)

    bulk = commands.add_parser(
        "process-fba", help="process an account's pending FBA returns from Amazon's dispositions",
        description="SELLABLE → sellable, DAMAGED / CUSTOMER_DAMAGED / CARRIER_DAMAGED / DEFECTIVE → unsellable, in "
                    "the account's FBA warehouse; anything else is left for a person.")
    bulk.add_argument("--account", required=True, metavar="CODE")
    bulk.add_argument("--json", action="store_true", help="print JSON instead of text")
    bulk.set_defaults(run=run_process_fba)


def _row(r) -> dict:
    return {"id": r.pk, "account": r.account.code, "order_id": r.order_ref, "order_linked": r.order_id is not None,
            "returned_at": r.returned_at, "sku": r.sku, "quantity": r.quantity, "reason": r.reason,
            "disposition": r.disposition, "condition": r.condition, "restock": r.restock,
            "warehouse": r.restock_warehouse.code if r.restock_warehouse_id else None,
            "processed_at": r.processed_at, "refund": r.refund_amount, "refund_currency": r.refund_currency}


def _account(code: str):
    from chuhai.channels.models import ChannelAccount

    account = ChannelAccount.objects.filter(code=code).first()
    if account is None:
        raise CliError(f"unknown account {code!r} (see `chuhai accounts list`)")
    return account


def run_list(args) -> int:
    from chuhai.logistics.models import CustomerReturn

    qs = CustomerReturn.objects.select_related("account", "restock_warehouse").order_by("-returned_at", "-id")
    if args.pending:
        qs = qs.filter(processed_at__isnull=True)
    if args.account:
        qs = qs.filter(account=_account(args.account))
    rows = [_row(r) for r in qs[:args.limit]]
    if args.json:
        for row in rows:
            row["refund"] = amount_text(row["refund"], row["refund_currency"])
        print_json(rows)
    elif not rows:
        print("No pending returns." if args.pending else "No returns.")
    else:
        print_table(["ID", "RETURNED", "ACCOUNT", "ORDER", "SKU", "QTY", "REASON", "DISPOSITION", "RESTOCK",
                     "WAREHOUSE"],
                    [(r["id"], f"{r['returned_at']:%Y-%m-%d}", r["account"], r["order_id"], r["sku"], r["quantity"],
                      r["reason"], r["disposition"], r["restock"] or "pending", r["warehouse"] or "")
                     for r in rows], right=(0, 5))
    return 0


def run_process(args) -> int:
    from chuhai.inventory.models import Warehouse
    from chuhai.logistics.models import CustomerReturn
    from chuhai.logistics.returns import process_return

    customer_return = CustomerReturn.objects.select_related("account", "order").filter(pk=args.id).first()
    if customer_return is None:
        raise CliError(f"no return with id {args.id} (see `chuhai returns list`)")
    warehouse = None
    if args.warehouse:
        warehouse = Warehouse.objects.filter(code=args.warehouse).first()
        if warehouse is None:
            raise CliError(f"unknown warehouse {args.warehouse!r} (see `chuhai warehouses list`)")
    done = process_return(customer_return, args.restock, warehouse=warehouse, condition=args.condition)
    where = f" in {done.restock_warehouse.code}" if done.restock_warehouse_id else ""
    print(f"Return #{done.pk} ({done.order_ref}, {done.quantity} × {done.sku}): {done.restock}{where}.")
    return 0


def run_process_fba(args) -> int:
    from chuhai.logistics.returns import process_fba_returns

    result = process_fba_returns(_account(args.account))
    if args.json:
        print_json({"processed": [{"id": r.pk, "sku": r.sku, "restock": r.restock} for r in result.processed],
                    "skipped": [{"id": r.pk, "sku": r.sku, "why": why} for r, why in result.skipped]})
        return 0
    print(f"{len(result.processed)} FBA return(s) processed, {len(result.skipped)} left for a decision.")
    for r, why in result.skipped:
        print(f"  #{r.pk} {r.order_ref} {r.sku}: {why}")
    return 0
