"""``chuhai fx convert|set|load``: exchange rates (ECB history plus the seller's own rates)."""

from __future__ import annotations

import datetime as dt
import sys

from ..arguments import decimal, iso_date, upper
from ..output import print_json, rate_text


def register(subparsers) -> None:
    parser = subparsers.add_parser("fx", help="convert currencies, set your own rates, reload ECB rates",
                                   description="Exchange rates: ECB daily history and manual rates that win over it.")
    commands = parser.add_subparsers(dest="fx_command", metavar="SUBCOMMAND", required=True)

    convert = commands.add_parser(
        "convert", help="convert an amount at a date",
        description="Convert AMOUNT from one currency to another at the rate of a date (default: today). "
                    "Weekends and holidays use the last published rate; your manual rates win over the ECB's.",
    )
    convert.add_argument("amount", type=decimal, metavar="AMOUNT")
    convert.add_argument("base", type=upper, metavar="FROM", help="currency of the amount, e.g. USD")
    convert.add_argument("quote", type=upper, metavar="TO", help="currency to convert to, e.g. CNY")
    convert.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD", help="date of the rate (default: today)")
    convert.add_argument("--json", action="store_true", help="print JSON")
    convert.set_defaults(run=run_convert)

    manual = commands.add_parser(
        "set", help="set your own rate for a currency pair",
        description="Set the rate 1 BASE = RATE QUOTE from a date on; it wins over the ECB's for that pair "
                    "(and its inverse). Needed for currencies the ECB does not publish (VND, TWD, AED…).",
    )
    manual.add_argument("base", type=upper, metavar="BASE")
    manual.add_argument("quote", type=upper, metavar="QUOTE")
    manual.add_argument("rate", type=decimal, metavar="RATE")
    manual.add_argument("--from", dest="valid_from", type=iso_date, required=True, metavar="YYYY-MM-DD",
                        help="first day the rate applies")
    manual.add_argument("--note", default="", help="where the rate comes from")
    manual.set_defaults(run=run_set)

    load = commands.add_parser(
        "load", help="reload the bundled ECB rates",
        description="Load the ECB exchange-rate history bundled with chuhai (rates already stored are kept).",
    )
    load.add_argument("--since", type=iso_date, default=dt.date(2010, 1, 1), metavar="YYYY-MM-DD",
                      help="first day to load (default: %(default)s)")
    load.set_defaults(run=run_load)


def run_convert(args) -> int:
    from django.utils import timezone

    from chuhai.core.money import quantize
    from chuhai.finance.fx import FxConverter

    day = args.date or timezone.localdate()
    quote = FxConverter().quote(args.base, args.quote, day)
    converted = quantize(args.amount * quote.rate, quote.quote)
    if args.json:
        print_json({
            "amount": str(args.amount),
            "from": quote.base,
            "to": quote.quote,
            "date": quote.date.isoformat(),
            "converted": str(converted),
            "rate": rate_text(quote.rate),
            "source": quote.source,
            "as_of": quote.as_of.isoformat(),
            "provisional": quote.provisional,
        })
        return 0
    print(f"{args.amount} {quote.base} = {converted} {quote.quote}")
    note = "  PROVISIONAL: the latest published rate, dated before this day" if quote.provisional else ""
    print(f"rate 1 {quote.base} = {rate_text(quote.rate)} {quote.quote} ({quote.source}, as of "
          f"{quote.as_of.isoformat()}){note}")
    return 0


def run_set(args) -> int:
    from chuhai.finance.fx import set_manual_rate

    rate = set_manual_rate(args.base, args.quote, args.rate, args.valid_from, note=args.note)
    print(f"From {rate.valid_from.isoformat()}: 1 {rate.base} = {rate_text(rate.rate)} {rate.quote} (manual rate).")
    return 0


def run_load(args) -> int:
    from tqdm import tqdm

    from chuhai.finance.fx import load_ecb_rates

    with tqdm(desc="ECB exchange rates", unit=" rates", file=sys.stderr, leave=False) as bar:
        added = load_ecb_rates(since=args.since, progress=bar.update)
    print(f"Loaded {added} new ECB exchange rates since {args.since.isoformat()}.")
    return 0
