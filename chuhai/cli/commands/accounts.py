"""``chuhai accounts add|list``: the seller's stores (channel accounts), many per platform."""

from __future__ import annotations

from ..arguments import upper
from ..output import print_json, print_table


def register(subparsers) -> None:
    from chuhai.channels.models import OperatingModel, Platform

    parser = subparsers.add_parser("accounts", help="add and list channel accounts (stores)",
                                   description="Manage channel accounts: one per store on a platform and marketplace.")
    commands = parser.add_subparsers(dest="accounts_command", metavar="SUBCOMMAND", required=True)

    add = commands.add_parser(
        "add", help="add a channel account",
        description="Add a channel account. The currency defaults to the marketplace's, the operating model "
                    "to the platform's (own_site for Shopify/WooCommerce, distribution for dropship/distributor).",
    )
    add.add_argument("code", metavar="CODE", help="short unique code, e.g. AMZ-US")
    add.add_argument("--platform", required=True, choices=Platform.values)
    add.add_argument("--marketplace", required=True, type=upper, metavar="XX",
                     help="marketplace country, ISO code (US, DE, GB/UK, JP, SG…)")
    add.add_argument("--currency", type=upper, metavar="CCY", help="ISO 4217 currency (default: the marketplace's)")
    add.add_argument("--model", choices=OperatingModel.values, help="operating model (default: the platform's)")
    add.add_argument("--name", default="", help="display name (default: the code)")
    add.set_defaults(run=run_add)

    listing = commands.add_parser("list", help="list channel accounts", description="List channel accounts.")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)


def run_add(args) -> int:
    from chuhai.channels.services import create_account

    account = create_account(args.code, args.platform, args.marketplace, currency=args.currency,
                             operating_model=args.model, name=args.name)
    print(f"Added account {account.code}: {account.platform} {account.marketplace}, {account.currency}, "
          f"{account.operating_model}.")
    return 0


def run_list(args) -> int:
    from chuhai.channels.models import ChannelAccount

    rows = [
        {"code": a.code, "name": a.name, "platform": a.platform, "marketplace": a.marketplace,
         "currency": a.currency, "operating_model": a.operating_model, "is_active": a.is_active}
        for a in ChannelAccount.objects.order_by("code")
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(["CODE", "NAME", "PLATFORM", "MARKETPLACE", "CURRENCY", "MODEL", "ACTIVE"], [
            (r["code"], r["name"], r["platform"], r["marketplace"], r["currency"], r["operating_model"],
             "yes" if r["is_active"] else "no")
            for r in rows
        ])
    return 0
