"""``chuhai stats``: counts of every core entity — the quickest way to see what a database holds."""

from __future__ import annotations

from ..output import print_json, print_table


def register(subparsers) -> None:
    parser = subparsers.add_parser("stats", help="count the records of every core entity",
                                   description="Count products, listings, accounts, warehouses, orders, … .")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)


def run(args) -> int:
    from chuhai.core.stats import entity_counts

    counts = entity_counts()
    if args.json:
        print_json(counts)
    else:
        print_table(["ENTITY", "COUNT"], [(name, f"{count:,}") for name, count in counts.items()], right=[1])
    return 0
