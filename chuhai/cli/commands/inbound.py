"""``chuhai inbound create|ship|transit|receive|close|list``: inbound shipments between our own warehouses."""

from __future__ import annotations

import argparse
import datetime as dt

from ..errors import CliError
from ..output import print_json, print_table

MODES = ("sea", "air", "express", "rail")
STATUSES = ("draft", "shipped", "in_transit", "partially_received", "received", "closed")


def sku_qty(text: str) -> tuple[str, int]:
    """``SKU:QTY`` → (sku, qty); the SKU may itself contain colons."""
    sku, sep, qty = text.rpartition(":")
    if not sep or not sku.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not SKU:QTY")
    try:
        value = int(qty)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{qty!r} in {text!r} is not a whole number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"the quantity in {text!r} must be greater than 0")
    return sku.strip(), value


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def register(subparsers) -> None:
    parser = subparsers.add_parser("inbound", help="inbound shipments between warehouses",
                                   description="Inbound shipments / transfers (e.g. domestic → overseas 3PL or FBA).")
    commands = parser.add_subparsers(dest="inbound_command", metavar="SUBCOMMAND", required=True)

    create = commands.add_parser("create", help="create a draft shipment",
                                 description="Create a draft inbound shipment; nothing moves until it is shipped.")
    create.add_argument("--from", dest="source", required=True, metavar="CODE", help="source warehouse code")
    create.add_argument("--to", dest="destination", required=True, metavar="CODE", help="destination warehouse code")
    create.add_argument("--mode", required=True, choices=MODES)
    create.add_argument("--line", dest="lines", action="append", required=True, type=sku_qty, metavar="SKU:QTY",
                        help="a product and its quantity (repeat for more lines)")
    create.add_argument("--ref", default="", help="reference (default: IB-00001, IB-00002, ...)")
    create.add_argument("--carrier", default="")
    create.add_argument("--tracking", default="", help="tracking or bill-of-lading number")
    create.add_argument("--eta", type=iso_date, metavar="YYYY-MM-DD", help="expected arrival")
    create.set_defaults(run=run_create)

    ship = commands.add_parser("ship", help="ship a draft: stock leaves the source and is inbound at the destination",
                               description="Ship a draft shipment (refused when the source has too little stock).")
    ship.add_argument("reference", metavar="REF")
    ship.set_defaults(run=run_ship)

    transit = commands.add_parser("transit", help="mark a shipped shipment in transit",
                                  description="Mark a shipped shipment as in transit with the carrier.")
    transit.add_argument("reference", metavar="REF")
    transit.set_defaults(run=run_transit)

    receive = commands.add_parser("receive", help="receive units at the destination (partial receipts allowed)",
                                  description="Record units that arrived; more than is outstanding is refused.")
    receive.add_argument("reference", metavar="REF")
    receive.add_argument("--line", dest="lines", action="append", required=True, type=sku_qty, metavar="SKU:QTY")
    receive.set_defaults(run=run_receive)

    close = commands.add_parser("close", help="close: write off what never arrived and list the discrepancies",
                                description="Close a shipment; units still inbound are written off with a logged "
                                            "adjustment.")
    close.add_argument("reference", metavar="REF")
    close.add_argument("--note", default="", help="why units are missing (kept with the discrepancy)")
    close.add_argument("--json", action="store_true", help="print JSON instead of text")
    close.set_defaults(run=run_close)

    listing = commands.add_parser("list", help="list inbound shipments", description="List inbound shipments.")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)


def _warehouse(code: str):
    from chuhai.inventory.models import Warehouse

    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise CliError(f"unknown warehouse {code!r} (see `chuhai warehouses list`)")
    return warehouse


def _lines_text(shipment) -> str:
    return ", ".join(f"{line.product.sku} {line.qty_received}/{line.qty_shipped}"
                     for line in shipment.lines.select_related("product"))


def run_create(args) -> int:
    from chuhai.inventory import transfers

    shipment = transfers.create(_warehouse(args.source), _warehouse(args.destination), args.mode, args.lines,
                                reference=args.ref, carrier=args.carrier, tracking=args.tracking, eta=args.eta)
    print(f"Created draft {shipment.reference}: {shipment.from_warehouse.code} → {shipment.to_warehouse.code} "
          f"by {shipment.mode} ({_lines_text(shipment)}).")
    return 0


def run_ship(args) -> int:
    from chuhai.inventory import transfers

    shipment = transfers.ship(args.reference)
    print(f"Shipped {shipment.reference}: now inbound at {shipment.to_warehouse.code}.")
    return 0


def run_transit(args) -> int:
    from chuhai.inventory import transfers

    shipment = transfers.mark_in_transit(args.reference)
    print(f"{shipment.reference} is in transit.")
    return 0


def run_receive(args) -> int:
    from chuhai.inventory import transfers

    shipment = transfers.receive(args.reference, args.lines)
    print(f"{shipment.reference} {shipment.status}: received/shipped {_lines_text(shipment)}.")
    return 0


def run_close(args) -> int:
    from chuhai.inventory import transfers

    found = transfers.close(args.reference, note=args.note)
    if args.json:
        print_json({"reference": args.reference, "discrepancies": [
            {"sku": d.sku, "shipped": d.shipped, "received": d.received, "missing": d.missing} for d in found]})
    elif not found:
        print(f"Closed {args.reference}: everything arrived.")
    else:
        print_table(["SKU", "SHIPPED", "RECEIVED", "MISSING"],
                    [(d.sku, d.shipped, d.received, d.missing) for d in found], right=(1, 2, 3))
        print(f"Closed {args.reference}: {sum(d.missing for d in found)} unit(s) written off as not received.")
    return 0


def run_list(args) -> int:
    from chuhai.inventory import transfers

    rows = [
        {"reference": s.reference, "from": s.from_warehouse.code, "to": s.to_warehouse.code, "mode": s.mode,
         "status": s.status, "carrier": s.carrier, "tracking": s.tracking, "eta": s.eta,
         "lines": [{"sku": line.product.sku, "shipped": line.qty_shipped, "received": line.qty_received,
                    "discrepancy": line.discrepancy} for line in s.lines.all()]}
        for s in transfers.shipments(args.status)
    ]
    if args.json:
        print_json(rows)
    elif not rows:
        print("No inbound shipments.")
    else:
        print_table(["REFERENCE", "FROM", "TO", "MODE", "STATUS", "ETA", "UNITS", "RECEIVED"],
                    [(r["reference"], r["from"], r["to"], r["mode"], r["status"], r["eta"] or "",
                      sum(line["shipped"] for line in r["lines"]), sum(line["received"] for line in r["lines"]))
                     for r in rows], right=(6, 7))
    return 0
