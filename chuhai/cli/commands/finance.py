"""``chuhai finance categorise|unmapped|map``: the fee taxonomy applied to the ledger."""

from __future__ import annotations

from ..output import amount_text, print_json, print_table


def register(subparsers) -> None:
    parser = subparsers.add_parser("finance", help="fee categories of the ledger lines",
                                   description="The fee taxonomy: which category each platform's money lines "
                                               "count in, the types nobody mapped yet, and your own mappings.")
    commands = parser.add_subparsers(dest="finance_command", metavar="SUBCOMMAND", required=True)

    categorise = commands.add_parser(
        "categorise", help="put ledger lines into fee categories and link them to their orders",
        description="Categorise the ledger lines not categorised yet (or still unknown) with your mappings and "
                    "the platforms' defaults, and link lines to orders imported since. Imports do this "
                    "themselves; run it after upgrading chuhai, or with --all after changing many mappings.")
    categorise.add_argument("--all", action="store_true", help="re-categorise every line, not only new and "
                                                               "unknown ones")
    categorise.set_defaults(run=run_categorise)

    unmapped = commands.add_parser(
        "unmapped", help="list the line types no mapping covers",
        description="Line types (platform, transaction type, amount type, description) that no mapping covers, "
                    "with their line count and total per currency, most lines first.")
    unmapped.add_argument("--platform", help="only this platform")
    unmapped.add_argument("--json", action="store_true", help="print JSON instead of a table")
    unmapped.set_defaults(run=run_unmapped)

    mapping = commands.add_parser(
        "map", help="map a line type onto a category",
        description="Map a platform's line type onto a category (an empty value matches anything, names are "
                    "compared case-insensitively); it wins over chuhai's default, and the lines it covers are "
                    "re-categorised at once.")
    mapping.add_argument("platform", metavar="PLATFORM", help="amazon, ebay, shopify, paypal, pingpong…")
    mapping.add_argument("--type", dest="transaction_type", required=True, metavar="T",
                         help='transaction type as reported (e.g. "Service Fee"; "" for any)')
    mapping.add_argument("--amount-type", default="", metavar="A", help="amount type (default: any)")
    mapping.add_argument("--description", default="", metavar="D", help="amount description (default: any)")
    mapping.add_argument("--category", required=True, metavar="C", help="our category, e.g. advertising "
                                                                        "(`chuhai finance map --help` lists them)")
    mapping.add_argument("--note", default="", help="why (shown on the Fee types page)")
    mapping.set_defaults(run=run_map)
    mapping.epilog = "categories: " + ", ".join(_categories())


def _categories() -> list[str]:
    from chuhai.finance.fees import FeeCategory

    return [c for c in FeeCategory.values if c != FeeCategory.UNKNOWN]


def run_categorise(args) -> int:
    from chuhai.finance.categorise import categorise_lines, link_orders, unmapped_types
    from chuhai.finance.fees import FeeCategory
    from chuhai.finance.models import LedgerLine

    lines = LedgerLine.objects.all()
    if not args.all:
        lines = lines.filter(category__in=["", FeeCategory.UNKNOWN])
    changed = categorise_lines(lines)
    linked = link_orders()
    unknown = unmapped_types()
    print(f"Categorised {changed} ledger lines; linked {linked} lines to their orders.")
    if unknown:
        count = sum(t.lines for t in unknown)
        print(f"{count} lines of {len(unknown)} types are not mapped yet: see `chuhai finance unmapped`.")
    return 0


def run_unmapped(args) -> int:
    from chuhai.finance.categorise import unmapped_types

    types = unmapped_types(args.platform)
    if args.json:
        print_json([{
            "platform": t.platform, "transaction_type": t.transaction_type, "amount_type": t.amount_type,
            "amount_description": t.amount_description, "lines": t.lines,
            "totals": [{"currency": c, "amount": amount_text(a, c), "lines": t.lines_by_currency[c]}
                       for c, a in sorted(t.totals.items())],
        } for t in types])
        return 0
    if not types:
        print("Every ledger line type is mapped.")
        return 0
    print_table(["PLATFORM", "TYPE", "AMOUNT TYPE", "DESCRIPTION", "LINES", "TOTAL"],
                [[t.platform, t.transaction_type, t.amount_type, t.amount_description, t.lines,
                  "; ".join(f"{amount_text(a, c)} {c}" for c, a in sorted(t.totals.items()))] for t in types],
                right=(4,))
    return 0


def run_map(args) -> int:
    from chuhai.finance.categorise import save_mapping

    mapping, changed = save_mapping(args.platform, args.transaction_type, args.amount_type, args.description,
                                    args.category, note=args.note)
    shown = " / ".join(v or "*" for v in (mapping.transaction_type, mapping.amount_type,
                                          mapping.amount_description))
    print(f"{mapping.platform}: {shown} → {mapping.category}; {changed} ledger lines re-categorised.")
    return 0
