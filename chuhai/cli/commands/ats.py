"""``chuhai stock ats``: what each channel listing should show (available-to-sell), what changed since the last
push, and the Amazon / Shopify files to upload.

Registered under ``chuhai stock`` by :func:`add_ats_parser` (called from :mod:`.stock`'s ``register``).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CliError
from ..output import print_json, print_table

EXPORT_CHOICES = ("amazon", "shopify")


def add_ats_parser(stock_commands) -> None:
    """Add ``ats`` to the ``chuhai stock`` sub-commands."""
    parser = stock_commands.add_parser(
        "ats", help="available-to-sell per channel listing",
        description="What each channel listing should show: stock of the warehouses its account may draw on, "
                    "less reservations and the safety buffer, after the channel's limits. --export writes the "
                    "Amazon or Shopify upload file and remembers it as pushed.",
    )
    parser.add_argument("--account", metavar="CODE", help="only this channel account")
    parser.add_argument("--changed", action="store_true", help="only listings whose quantity changed since the "
                                                               "last push")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--export", choices=EXPORT_CHOICES, help="write the channel's inventory upload file "
                                                                 "(needs --account and --output)")
    parser.add_argument("--output", metavar="FILE", help="where --export writes the file")
    parser.add_argument("--location", default="", help="Shopify location name (default: the account's name)")
    parser.set_defaults(run=run_ats)


def _account(code: str):
    from chuhai.channels.models import ChannelAccount

    account = ChannelAccount.objects.filter(code=code).first()
    if account is None:
        raise CliError(f"unknown channel account {code!r} (see `chuhai accounts list`)")
    return account


def run_ats(args) -> int:
    from chuhai.inventory import ats

    account = _account(args.account) if args.account else None
    if args.export:
        return _export(args, account)
    if args.output:
        raise CliError("--output goes with --export amazon|shopify")
    rows = ats.changed_since_last_push(account) if args.changed else ats.compute(account)
    if args.json:
        print_json([row.as_dict() for row in rows])
        return 0
    if not rows:
        print("No listing changed since the last push." if args.changed else "No listings.")
        return 0
    print_table(
        ["ACCOUNT", "CHANNEL SKU", "SKU", "AVAILABLE", "SHOW", "LAST PUSHED", "CHANGED"],
        [(r.account_code, r.channel_sku, r.sku, r.available, r.quantity,
          "" if r.last_pushed is None else r.last_pushed,
          "FBA" if r.fulfilled_by_amazon else ("yes" if r.changed else "")) for r in rows],
        right=(3, 4, 5),
    )
    return 0


def _export(args, account) -> int:
    from chuhai.inventory import ats

    if account is None:
        raise CliError("--export needs --account CODE: each upload file is for one channel account")
    if not args.output:
        raise CliError("--export needs --output FILE")
    file = ats.export(account, args.export, changed_only=args.changed, location=args.location, record=False)
    try:
        Path(args.output).write_bytes(file.content)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    ats.record_push(file.quantities, file.method)  # only once the file really exists
    print(f"Wrote {file.rows} listing(s) of {account.code} to {args.output}; recorded as pushed.")
    return 0
