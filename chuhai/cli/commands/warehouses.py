"""``chuhai warehouses add|list``: domestic, overseas 3PL, FBA and supplier-dropship warehouses."""

from __future__ import annotations

from ..arguments import upper
from ..output import print_json, print_table


def register(subparsers) -> None:
    from chuhai.inventory.models import WarehouseType

    parser = subparsers.add_parser("warehouses", help="add and list warehouses", description="Manage warehouses.")
    commands = parser.add_subparsers(dest="warehouses_command", metavar="SUBCOMMAND", required=True)

    add = commands.add_parser(
        "add", help="add a warehouse",
        description="Add a warehouse. The time zone defaults to the country's main zone.",
    )
    add.add_argument("code", metavar="CODE", help="short unique code, e.g. SZ-MAIN")
    add.add_argument("--type", required=True, choices=WarehouseType.values)
    add.add_argument("--country", required=True, type=upper, metavar="XX", help="ISO country code")
    add.add_argument("--time-zone", help="IANA time zone, e.g. America/Los_Angeles (default: the country's)")
    add.add_argument("--name", default="", help="display name (default: the code)")
    add.set_defaults(run=run_add)

    listing = commands.add_parser("list", help="list warehouses", description="List warehouses.")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)


def run_add(args) -> int:
    from chuhai.inventory.services import create_warehouse

    warehouse = create_warehouse(args.code, args.type, args.country, time_zone=args.time_zone, name=args.name)
    print(f"Added warehouse {warehouse.code}: {warehouse.type} in {warehouse.country} ({warehouse.time_zone}).")
    return 0


def run_list(args) -> int:
    from chuhai.inventory.models import Warehouse

    rows = [
        {"code": w.code, "name": w.name, "type": w.type, "country": w.country, "time_zone": w.time_zone,
         "is_active": w.is_active}
        for w in Warehouse.objects.order_by("code")
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(["CODE", "NAME", "TYPE", "COUNTRY", "TIME ZONE", "ACTIVE"], [
            (r["code"], r["name"], r["type"], r["country"], r["time_zone"], "yes" if r["is_active"] else "no")
            for r in rows
        ])
    return 0
