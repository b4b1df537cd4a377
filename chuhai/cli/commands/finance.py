"""``chuhai finance categorise|unmapped|map``: the fee taxonomy applied to the ledger; ``convert``: ledger lines in
the base currency; ``payout add|import`` and ``payouts``: payouts received and their FX gain; ``settings``."""

from __future__ import annotations

import sys

from ..arguments import decimal, iso_date, positive_int
from ..errors import CliError
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

    convert = commands.add_parser(
        "convert", help="fill ledger lines' amounts in the base currency",
        description="Convert ledger lines that have no base-currency amount yet at the rate of their posting day "
                    "(your own rates win over the ECB's). Imports do this themselves; run it after adding a missing "
                    "rate, or with --refresh after changing one. Lines without a rate stay empty and are listed.")
    convert.add_argument("--refresh", action="store_true", help="recompute every line, not only empty ones")
    convert.set_defaults(run=run_convert)

    payout = commands.add_parser("payout", help="record payouts received",
                                 description="Record the money a payout actually brought, and its FX gain or loss.")
    payout_commands = payout.add_subparsers(dest="payout_command", metavar="SUBCOMMAND", required=True)
    add = payout_commands.add_parser(
        "add", help="record one payout received",
        description="AMOUNT is what reached the account after the provider's FEE (both in CURRENCY). The gain is "
                    "the gross (amount + fee) at the received date's rate minus the settlement's book value.")
    add.add_argument("account", metavar="ACCOUNT", help="channel account code")
    add.add_argument("--provider", required=True, choices=_providers())
    add.add_argument("--reference", required=True, help="the provider's transaction id")
    add.add_argument("--date", dest="received_on", required=True, type=iso_date, metavar="D", help="day received")
    add.add_argument("--amount", required=True, type=decimal, help="amount received, after the fee")
    add.add_argument("--currency", required=True, help="currency received, e.g. CNY")
    add.add_argument("--fee", type=decimal, default=0, help="provider fee in the currency received (default 0)")
    add.add_argument("--settlement", metavar="ID", help="the platform's settlement id this pays")
    add.add_argument("--note", default="")
    add.set_defaults(run=run_payout_add)
    imp = payout_commands.add_parser(
        "import", help="import payouts from a CSV",
        description="Columns: provider,reference,received_on,amount,currency,fee,account,settlement_id (fee and "
                    "settlement_id may be empty; dates YYYY-MM-DD). All or nothing: any bad row rejects the file "
                    "with its line and column (exit code 2).")
    imp.add_argument("file", metavar="FILE")
    imp.set_defaults(run=run_payout_import)

    payouts = commands.add_parser("payouts", help="FX gain / loss of the payouts received",
                                  description="Totals per account and provider in the base currency: received "
                                              "(gross), book value, provider fees, FX gain or loss.")
    payouts.add_argument("--from", dest="date_from", type=iso_date, metavar="D")
    payouts.add_argument("--to", dest="date_to", type=iso_date, metavar="D")
    payouts.add_argument("--json", action="store_true", help="print JSON instead of a table")
    payouts.set_defaults(run=run_payouts)

    settings = commands.add_parser("settings", help="show or change the finance settings",
                                   description="Without options, print the finance settings; with options, change "
                                               "them (history kept).")
    settings.add_argument("--costing-method", choices=["fifo", "moving_average"])
    settings.add_argument("--allocation-basis", choices=["revenue", "units", "volume"])
    settings.add_argument("--vat-on-fees-recoverable", choices=["yes", "no"])
    settings.add_argument("--unsettled-after-days", type=positive_int, metavar="N")
    settings.set_defaults(run=run_settings)


def _providers() -> list[str]:
    from chuhai.finance.payouts import PayoutProvider

    return list(PayoutProvider.values)


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


def run_convert(args) -> int:
    from tqdm import tqdm

    from chuhai.finance.base_amounts import convert_lines, lines_to_convert

    with tqdm(total=lines_to_convert(args.refresh), desc="Ledger lines", unit=" lines", file=sys.stderr,
              leave=False) as bar:
        converted, missing = convert_lines(progress=bar.update, refresh=args.refresh)
    print(f"Converted {converted} ledger lines to the base currency.")
    if missing:
        print(f"{len(missing)} currency/day pairs have no exchange rate; their lines stay empty. Add the rates "
              "(`chuhai fx set CCY BASE RATE --from DAY`) and run this again:")
        for currency, day in missing[:50]:
            print(f"  {currency} {day.isoformat() if day else '(no date: no posting time, no settlement)'}")
        if len(missing) > 50:
            print(f"  … and {len(missing) - 50} more")
    return 0


def _service_error(exc) -> CliError:
    from django.core.exceptions import ValidationError

    from chuhai.core.validation import validation_message

    return CliError(validation_message(exc) if isinstance(exc, ValidationError) else str(exc))


def run_payout_add(args) -> int:
    from django.core.exceptions import ValidationError

    from chuhai.core.models import CompanySettings
    from chuhai.finance.payout_fx import record_payout

    try:
        receipt = record_payout(args.account, args.provider, args.reference, args.received_on, args.amount,
                                args.currency, fee=args.fee, settlement=args.settlement, note=args.note)
    except ValidationError as exc:
        raise _service_error(exc) from None
    base = CompanySettings.load().base_currency
    text = (f"Recorded {receipt.provider} {receipt.reference}: {amount_text(receipt.amount, receipt.currency)} "
            f"{receipt.currency} received on {receipt.received_on.isoformat()}, "
            f"{amount_text(receipt.base_amount.quantize(_cent(base)), base)} {base} gross")
    if receipt.fx_gain is not None:
        text += (f"; book {amount_text(receipt.book_amount.quantize(_cent(base)), base)} {base}, "
                 f"gain {amount_text(receipt.fx_gain.quantize(_cent(base)), base)} {base}")
    print(text + ".")
    return 0


def _cent(currency: str):
    from decimal import Decimal

    from chuhai.core.money import minor_units

    return Decimal(1).scaleb(-minor_units(currency))


def run_payout_import(args) -> int:
    from chuhai.channels.ingest.errors import FileRejected
    from chuhai.finance.payout_fx import import_payouts_csv

    try:
        result = import_payouts_csv(args.file)
    except FileRejected as exc:
        print(f"chuhai: {exc.file_name} rejected, nothing imported:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2
    print(f"Imported {result.created} payouts from {result.file}.")
    return 0


def run_payouts(args) -> int:
    from chuhai.core.money import quantize
    from chuhai.finance.payout_fx import fx_summary

    summary = fx_summary(args.date_from, args.date_to)
    base = summary.currency

    def row(t):
        return {"account": t.account, "provider": t.provider, "payouts": t.payouts,
                "received": str(quantize(t.received, base)), "book": str(quantize(t.book, base)),
                "fees": str(quantize(t.fees, base)), "gain": str(quantize(t.gain, base)),
                "without_settlement": t.without_settlement}

    if args.json:
        print_json({"currency": base, "rows": [row(t) for t in summary.rows], "total": row(summary.total),
                    "monthly": [{"month": m, "gain": str(quantize(g, base))} for m, g in summary.monthly]})
        return 0
    if not summary.rows:
        print("No payouts received in this period.")
        return 0
    rows = [row(t) for t in summary.rows] + [{**row(summary.total), "account": "TOTAL", "provider": ""}]
    print_table(["ACCOUNT", "PROVIDER", "PAYOUTS", f"RECEIVED {base}", f"BOOK {base}", f"FEES {base}",
                 f"GAIN/LOSS {base}"],
                [[r["account"], r["provider"], r["payouts"], r["received"], r["book"], r["fees"], r["gain"]]
                 for r in rows], right=(2, 3, 4, 5, 6))
    return 0


def run_settings(args) -> int:
    from django.core.exceptions import ValidationError

    from chuhai.finance.settings_service import FIELDS, update_finance_settings

    changes = {}
    if args.costing_method:
        changes["costing_method"] = args.costing_method
    if args.allocation_basis:
        changes["fee_allocation_basis"] = args.allocation_basis
    if args.vat_on_fees_recoverable:
        changes["vat_on_fees_recoverable"] = args.vat_on_fees_recoverable == "yes"
    if args.unsettled_after_days is not None:
        changes["unsettled_after_days"] = args.unsettled_after_days
    try:
        settings = update_finance_settings(changes)
    except ValidationError as exc:
        raise _service_error(exc) from None
    for name in FIELDS:
        value = getattr(settings, name)
        print(f"{name}: {('yes' if value else 'no') if isinstance(value, bool) else value}")
    return 0
