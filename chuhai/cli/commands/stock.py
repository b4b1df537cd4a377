"""``chuhai stock adjust|show|rebuild``: stock corrections, balances per warehouse and state, ledger rebuild."""

from __future__ import annotations

import argparse

from ..errors import CliError
from ..output import print_json, print_table

STATE_CHOICES = ("on_hand", "inbound", "unsellable")


def nonzero_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value == 0:
        raise argparse.ArgumentTypeError("the quantity cannot be 0")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser("stock", help="adjust and show stock",
                                   description="Stock corrections and balances from the stock ledger.")
    commands = parser.add_subparsers(dest="stock_command", metavar="SUBCOMMAND", required=True)
    from .ats import add_ats_parser

    add_ats_parser(commands)

    adjust = commands.add_parser(
        "adjust", help="correct a product's stock in a warehouse",
        description="Record a stock correction in the ledger (e.g. --qty -2 for damaged units, --qty 5 found).",
    )
    adjust.add_argument("sku", metavar="SKU")
    adjust.add_argument("--warehouse", required=True, metavar="CODE", help="warehouse code")
    adjust.add_argument("--qty", required=True, type=nonzero_int, metavar="±N", help="units to add (negative: remove)")
    adjust.add_argument("--reason", required=True, help="why (kept in the ledger)")
    adjust.add_argument("--state", default="on_hand", choices=STATE_CHOICES, help="stock state (default: on_hand)")
    adjust.add_argument("--reference", default="", help="e.g. a stock count or ticket number")
    adjust.set_defaults(run=run_adjust)

    show = commands.add_parser("show", help="a product's balances per warehouse and state",
                               description="Print a product's stock per warehouse and state.")
    show.add_argument("sku", metavar="SKU")
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show.set_defaults(run=run_show)

    rebuild = commands.add_parser(
        "rebuild", help="recompute balances from the ledger",
        description="Recompute every cached balance from the stock ledger, fix and report any drift.",
    )
    rebuild.add_argument("--json", action="store_true", help="print JSON instead of text")
    rebuild.set_defaults(run=run_rebuild)

    allocate = commands.add_parser(
        "allocate", help="retry orders waiting for stock, a SKU mapping or a warehouse",
        description="Allocate stock to the orders still waiting (oldest first), e.g. after goods arrive or a SKU "
                    "is mapped. Orders that can now be served are reserved; the others keep waiting.",
    )
    allocate.add_argument("--json", action="store_true", help="print JSON instead of text")
    allocate.set_defaults(run=run_allocate)


def _product(sku: str):
    from chuhai.catalog.models import Product

    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise CliError(f"unknown SKU {sku!r}")
    return product


def _warehouse(code: str):
    from chuhai.inventory.models import Warehouse

    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise CliError(f"unknown warehouse {code!r} (see `chuhai warehouses list`)")
    return warehouse


def run_adjust(args) -> int:
    from chuhai.inventory.models import StockBalance
    from chuhai.inventory.stock import adjust

    product, warehouse = _product(args.sku), _warehouse(args.warehouse)
    adjust(product, warehouse, args.qty, args.reason, state=args.state, reference=args.reference)
    balance = StockBalance.objects.get(product=product, warehouse=warehouse)
    print(f"Adjusted {product.sku} in {warehouse.code} by {args.qty:+d} {args.state}: now {balance.on_hand} on hand, "
          f"{balance.reserved} reserved, {balance.available} available, {balance.inbound} inbound, "
          f"{balance.unsellable} unsellable.")
    return 0


def run_show(args) -> int:
    from chuhai.inventory.stock import balances

    product = _product(args.sku)
    rows = [
        {"warehouse": b.warehouse.code, "on_hand": b.on_hand, "reserved": b.reserved, "available": b.available,
         "inbound": b.inbound, "unsellable": b.unsellable}
        for b in balances(product)
    ]
    totals = {key: sum(r[key] for r in rows) for key in ("on_hand", "reserved", "available", "inbound", "unsellable")}
    if args.json:
        print_json({"sku": product.sku, "warehouses": rows, "total": totals})
        return 0
    if not rows:
        print(f"No stock recorded for {product.sku}.")
        return 0
    keys = ("on_hand", "reserved", "available", "inbound", "unsellable")
    print_table(
        ["WAREHOUSE", "ON HAND", "RESERVED", "AVAILABLE", "INBOUND", "UNSELLABLE"],
        [(r["warehouse"], *(r[k] for k in keys)) for r in rows] + [("TOTAL", *(totals[k] for k in keys))],
        right=(1, 2, 3, 4, 5),
    )
    return 0


def run_rebuild(args) -> int:
    from chuhai.inventory.stock import rebuild_balances

    drifts = rebuild_balances()
    if args.json:
        print_json([{"sku": d.sku, "warehouse": d.warehouse, "state": d.state, "cached": d.cached,
                     "ledger": d.ledger} for d in drifts])
    elif not drifts:
        print("Balances match the ledger: no drift.")
    else:
        print_table(["SKU", "WAREHOUSE", "STATE", "CACHED", "LEDGER"],
                    [(d.sku, d.warehouse, d.state, d.cached, d.ledger) for d in drifts], right=(3, 4))
        print(f"Fixed {len(drifts)} drifted balance value(s).")
    return 0


def run_allocate(args) -> int:
    from chuhai.inventory.allocation import allocate_waiting
    from chuhai.inventory.reservations import AllocationStatus

    counts = allocate_waiting()
    if args.json:
        print_json(counts)
    elif not counts:
        print("No order is waiting for stock.")
    else:
        labels = dict(AllocationStatus.choices)
        print_table(["ALLOCATION", "ORDERS"], [(str(labels.get(k, k)), v) for k, v in sorted(counts.items())],
                    right=(1,))
    return 0
