"""``chuhai costs rebuild|value|landed add|receipt``: cost layers, COGS, inventory value and landed charges."""

from __future__ import annotations

import sys

from ..arguments import decimal, iso_date, positive_int, upper
from ..errors import CliError
from ..output import print_json, print_table

KINDS = ("freight", "duty", "customs", "packaging", "insurance", "other")
BASES = ("weight", "volume", "value", "quantity")


def register(subparsers) -> None:
    parser = subparsers.add_parser("costs", help="cost layers, COGS, inventory value, landed charges",
                                   description="Cost of goods: rebuild the cost layers and COGS from the stock "
                                               "ledger, show the inventory value, add landed charges.")
    commands = parser.add_subparsers(dest="costs_command", metavar="SUBCOMMAND", required=True)

    rebuild = commands.add_parser(
        "rebuild", help="replay the stock ledger into cost layers and COGS",
        description="Replay the whole stock ledger (FIFO per warehouse or moving average, see the finance "
                    "settings) into cost layers and costs of sale. Running it again changes nothing.")
    rebuild.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD",
                         help="do nothing unless something changed on or after this day")
    rebuild.add_argument("--json", action="store_true", help="print JSON instead of text")
    rebuild.set_defaults(run=run_rebuild)

    value = commands.add_parser("value", help="inventory value per product and warehouse",
                                description="Units, unit cost and value left in the cost layers (base currency).")
    value.add_argument("--warehouse", metavar="CODE", help="only this warehouse")
    value.add_argument("--json", action="store_true", help="print JSON instead of a table")
    value.set_defaults(run=run_value)

    landed = commands.add_parser("landed", help="landed charges of inbound shipments",
                                 description="Landed charges (freight, duty, customs...) of inbound shipments.")
    landed_commands = landed.add_subparsers(dest="landed_command", metavar="SUBCOMMAND", required=True)
    add = landed_commands.add_parser("add", help="add a charge to an inbound shipment",
                                     description="Add a landed charge, converted to the base currency at --date.")
    add.add_argument("reference", metavar="REF", help="inbound shipment reference")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--amount", required=True, type=decimal)
    add.add_argument("--currency", required=True, type=upper, metavar="CCY")
    add.add_argument("--date", required=True, type=iso_date, metavar="YYYY-MM-DD", help="the day it was incurred")
    add.add_argument("--basis", default="weight", choices=BASES, help="how it is spread (default: %(default)s)")
    add.add_argument("--note", default="")
    add.set_defaults(run=run_landed_add)

    receipt = commands.add_parser(
        "receipt", help="receive goods at a purchase cost",
        description="Receive units into a warehouse (a receipt in the stock ledger) and record what each cost. "
                    "With --no-stock only the cost is recorded, for a receipt already in the ledger with the same "
                    "--ref.")
    receipt.add_argument("sku", metavar="SKU")
    receipt.add_argument("--warehouse", required=True, metavar="CODE")
    receipt.add_argument("--qty", required=True, type=positive_int, metavar="N")
    receipt.add_argument("--unit-cost", required=True, type=decimal, metavar="X", help="purchase cost per unit")
    receipt.add_argument("--currency", required=True, type=upper, metavar="CCY")
    receipt.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="received on (default: today)")
    receipt.add_argument("--ref", default="", help="purchase order or other reference")
    receipt.add_argument("--no-stock", action="store_true", help="record the cost only; do not receive stock")
    receipt.set_defaults(run=run_receipt)


def run_rebuild(args) -> int:
    from tqdm import tqdm

    from chuhai.finance.cogs import rebuild_costs
    from chuhai.inventory.ledger import StockMovement

    total = StockMovement.objects.count()
    with tqdm(desc="Cost replay", total=total, unit=" movements", file=sys.stderr, leave=False) as bar:
        summary = rebuild_costs(since=args.since, progress=bar.update)
    if args.json:
        print_json(summary.as_dict())
        return 0
    if summary.skipped:
        print(f"Nothing changed since {args.since.isoformat()}: costs left as they are.")
        return 0
    print(f"Replayed {summary.movements} stock movements ({summary.method}): {summary.layers_created} cost layers "
          f"made, {summary.explicit_layers_used} recorded receipt costs used, {summary.cost_of_sale_rows} costs of "
          f"sale.")
    notes = [
        (summary.receipts_without_cost, "receipts without cost (unit cost 0: set the products' purchase cost)"),
        (summary.estimated_units, "units shipped beyond the cost layers (standard cost, estimated)"),
        (summary.shipments_without_order_line, "shipments whose order line was not found"),
        (summary.returns_without_sale, "returns without a matching sale (standard cost)"),
        (summary.explicit_layers_unmatched, "recorded receipt costs with no receipt in the ledger"),
    ]
    for count, text in notes:
        if count:
            print(f"  {count} {text}")
    if summary.written_off_value:
        from chuhai.core.models import CompanySettings
        from chuhai.core.money import quantize

        base = CompanySettings.load().base_currency
        print(f"  written off (lost, damaged, counted out): {quantize(summary.written_off_value, base)} {base}")
    for message in summary.missing_rates:
        print(f"  {message}")
    return 0


def run_value(args) -> int:
    from chuhai.core.money import quantize
    from chuhai.finance.cogs import inventory_value
    from chuhai.inventory.models import Warehouse

    warehouse = None
    if args.warehouse:
        warehouse = Warehouse.objects.filter(code=args.warehouse).first()
        if warehouse is None:
            raise CliError(f"unknown warehouse {args.warehouse!r} (see `chuhai warehouses list`)")
    rows = inventory_value(warehouse=warehouse)
    if args.json:
        print_json([{"sku": r.sku, "warehouse": r.warehouse, "units": r.units, "unit_cost": str(r.unit_cost),
                     "value": str(quantize(r.value, r.currency)), "currency": r.currency} for r in rows])
        return 0
    if not rows:
        print("No stock value recorded (run `chuhai costs rebuild`).")
        return 0
    currency = rows[0].currency
    total = sum(r.value for r in rows)
    print_table(["SKU", "WAREHOUSE", "UNITS", "UNIT COST", "VALUE", "CCY"],
                [(r.sku, r.warehouse, r.units, r.unit_cost, quantize(r.value, r.currency), r.currency) for r in rows]
                + [("TOTAL", "", sum(r.units for r in rows), "", quantize(total, currency), currency)],
                right=(2, 3, 4))
    return 0


def run_landed_add(args) -> int:
    from chuhai.finance.landed_cost import add_charge, allocation_preview

    charge = add_charge(args.reference, args.kind, args.amount, args.currency, args.date, args.basis, args.note)
    print(f"Added {charge.kind} {charge.amount.normalize():f} {charge.currency} to {args.reference} "
          f"(= {charge.base_amount.normalize():f} in the base currency, allocated by {charge.basis}).")
    print_table(["SKU", "UNITS", "ALLOCATED", "PER UNIT"],
                [(p.sku, p.qty, p.allocated, p.per_unit) for p in allocation_preview(args.reference)], right=(1, 2, 3))
    return 0


def run_receipt(args) -> int:
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from chuhai.catalog.models import Product
    from chuhai.finance.cogs import record_receipt_cost
    from chuhai.inventory import stock
    from chuhai.inventory.models import Warehouse

    product = Product.objects.filter(sku=args.sku).first()
    if product is None:
        raise CliError(f"unknown SKU {args.sku!r}")
    warehouse = Warehouse.objects.filter(code=args.warehouse).first()
    if warehouse is None:
        raise CliError(f"unknown warehouse {args.warehouse!r} (see `chuhai warehouses list`)")
    received_at = (timezone.make_aware(dt.datetime.combine(args.date, dt.time(12))) if args.date
                   else timezone.now())
    with transaction.atomic():
        group = None
        if not args.no_stock:
            group = stock.receive(product, warehouse, args.qty, reference=args.ref, reason="goods received")[0].group
        layer = record_receipt_cost(product, warehouse, args.qty, args.unit_cost, args.currency, received_at,
                                    reference=args.ref, movement_group=group)
    action = "Recorded the cost of" if args.no_stock else "Received"
    print(f"{action} {args.qty} × {product.sku} in {warehouse.code} at {args.unit_cost.normalize():f} "
          f"{args.currency} (= {layer.unit_cost.normalize():f} per unit in the base currency).")
    return 0
