"""``chuhai products add|import|list``: the catalogue of SKUs, one by one or from the seller's Excel list."""

from __future__ import annotations

import sys

from ..arguments import decimal, non_negative_int, upper
from ..errors import CliError
from ..output import amount_text, print_json, print_table

#: How many changed SKUs a dry run lists before summarising the rest.
DRY_RUN_SHOWN = 20


def register(subparsers) -> None:
    parser = subparsers.add_parser("products", help="add, import and list products",
                                   description="Manage the product catalogue (SKUs).")
    commands = parser.add_subparsers(dest="products_command", metavar="SUBCOMMAND", required=True)

    add = commands.add_parser("add", help="add one product", description="Add one product (SKU).")
    add.add_argument("sku", metavar="SKU")
    add.add_argument("--name", default="", help="English name")
    add.add_argument("--name-zh", default="", help="Chinese name (中文名称)")
    add.add_argument("--cost", type=decimal, help="purchase cost per unit, e.g. 12.50")
    add.add_argument("--cost-currency", type=upper, metavar="CCY", help="currency of the cost, e.g. CNY")
    add.add_argument("--weight-g", type=non_negative_int, metavar="GRAMS", help="weight in grams")
    add.set_defaults(run=run_add, parser=add)

    imp = commands.add_parser(
        "import", help="import the product list from CSV or Excel",
        description="Create and update products from a CSV or XLSX product list (English or Chinese headers: "
                    "sku/货号, name/英文名称/品名, name_zh/中文名称, cost/采购价, currency/币种, weight_g/重量(g), "
                    "length/width/height 长/宽/高 (mm), brand/品牌, category/类目, hs_code/海关编码, origin/原产国, "
                    "battery/带电, hazmat/危险品). Products are matched by SKU; empty cells keep the current value. "
                    "The whole file is imported or, if any row is wrong, nothing is.",
    )
    imp.add_argument("file", metavar="FILE", help="a .csv (UTF-8 or GBK) or .xlsx file")
    imp.add_argument("--dry-run", action="store_true", help="check the file and report what would change")
    imp.add_argument("--cost-currency", type=upper, metavar="CCY",
                     help="currency of costs in rows that give none (e.g. CNY)")
    imp.set_defaults(run=run_import)

    listing = commands.add_parser("list", help="list products", description="List products.")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)


def run_add(args) -> int:
    from chuhai.catalog.services import create_product

    if not (args.name or args.name_zh):
        args.parser.error("give the product a name: --name (English) and/or --name-zh (Chinese)")
    if args.cost is not None and args.cost < 0:
        args.parser.error("--cost cannot be negative")
    if args.cost is not None and not args.cost_currency:
        args.parser.error("--cost needs --cost-currency (e.g. --cost-currency CNY)")
    product = create_product(args.sku, name_en=args.name, name_zh=args.name_zh, cost=args.cost,
                             cost_currency=args.cost_currency, weight_g=args.weight_g)
    print(f"Added product {product.sku}: {product.name}.")
    return 0


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def run_import(args) -> int:
    from chuhai.catalog.product_import import ProductImportError, import_products

    try:
        result = import_products(args.file, dry_run=args.dry_run, default_currency=args.cost_currency)
    except ProductImportError as exc:
        if len(exc.errors) == 1 and not exc.more and exc.errors[0].line is None:  # the file itself: one line
            raise CliError(f"{exc.errors[0]}; nothing was imported") from None
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        if exc.more:
            print(f"… and {exc.more} more errors", file=sys.stderr)
        count = len(exc.errors) + exc.more
        raise CliError(f"{count} error{'s' if count != 1 else ''} in {args.file}; nothing was imported") from None
    if args.dry_run:
        for change in result.changes[:DRY_RUN_SHOWN]:
            fields = f" ({', '.join(change.fields)})" if change.action == "update" else ""
            print(f"would {change.action} {change.sku}{fields}")
        if len(result.changes) > DRY_RUN_SHOWN:
            print(f"… and {len(result.changes) - DRY_RUN_SHOWN} more")
        print(f"Dry run of {result.file}: {_rows(result.rows)}, would create {result.created}, "
              f"update {result.updated}, leave {result.unchanged} unchanged. Nothing was changed.")
    else:
        print(f"Imported {result.file}: {_rows(result.rows)}, created {result.created}, updated {result.updated}, "
              f"unchanged {result.unchanged}.")
    return 0


def run_list(args) -> int:
    from chuhai.catalog.models import Product

    rows = [
        {
            "sku": p.sku,
            "name_en": p.name_en,
            "name_zh": p.name_zh,
            "purchase_cost": amount_text(p.purchase_cost, p.cost_currency),
            "cost_currency": p.cost_currency or None,
            "weight_g": p.weight_g,
            "is_bundle": p.is_bundle,
            "is_active": p.is_active,
        }
        for p in Product.objects.order_by("sku").iterator(chunk_size=2000)
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(["SKU", "NAME", "NAME (ZH)", "COST", "WEIGHT G"], [
            (r["sku"], r["name_en"], r["name_zh"],
             f"{r['purchase_cost']} {r['cost_currency']}" if r["purchase_cost"] is not None else "",
             r["weight_g"] if r["weight_g"] is not None else "")
            for r in rows
        ], right=[3, 4])
    return 0
