"""``chuhai health [--account CODE] [--json]``: Amazon account-health figures against Amazon's targets.

The figures and their windows are :mod:`chuhai.analytics.fulfilment`'s, the same as the account-health page and
``GET /api/v1/account-health``.
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import CliError
from ..output import print_json, print_table

HUNDREDTH = Decimal("0.01")
STATUS_TEXT = {"pass": "ok", "breach": "BREACH", "no_data": "no data", "no_target": ""}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "health", help="Amazon account health against Amazon's targets",
        description="Print each Amazon account's order defect rate, pre-fulfilment cancel rate, late shipment "
                    "rate and valid tracking rate over Amazon's windows, against Amazon's targets.",
    )
    parser.add_argument("--account", metavar="CODE", help="one Amazon account (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run_health)


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(HUNDREDTH))


def _target(kpi) -> str:
    if kpi.target is None:
        return ""
    return f"{'<' if kpi.direction == 'below' else '>'} {kpi.target} %"


def run_health(args) -> int:
    from django.utils import timezone

    from chuhai.analytics import fulfilment

    accounts = fulfilment.amazon_accounts()
    if args.account:
        accounts = accounts.filter(code=args.account)
        if not accounts.exists():
            raise CliError(f"no Amazon account {args.account!r} (see `chuhai accounts list`)")
    now = timezone.now()
    report = [(account, fulfilment.account_health(account, end=now)) for account in accounts]
    if args.json:
        print_json([
            {"account": account.code, "kpis": [
                {"id": r.kpi.id, "value": _percent(r.value), "numerator": r.numerator,
                 "denominator": r.denominator, "target": None if r.kpi.target is None else str(r.kpi.target),
                 "direction": r.kpi.direction, "status": r.status, "window_days": r.kpi.default_days,
                 "start": r.start, "end": r.end, "breach_count": r.behind_breach}
                for r in results]}
            for account, results in report
        ])
        return 0
    if not report:
        print("No Amazon accounts yet (add one with `chuhai accounts add CODE --platform amazon ...`).")
        return 0
    rows = [
        (account.code, str(r.kpi.name), "—" if r.value is None else f"{_percent(r.value)} %", _target(r.kpi),
         STATUS_TEXT[r.status], f"{r.kpi.default_days} d", f"{r.numerator}/{r.denominator}")
        for account, results in report for r in results
    ]
    print_table(["ACCOUNT", "KPI", "VALUE", "TARGET", "STATUS", "WINDOW", "ROWS"], rows, right=(2, 6))
    breaches = sum(1 for _account, results in report for r in results if r.status == "breach")
    print(f"{breaches} breach(es)." if breaches else "Every figure within Amazon's targets (or no data yet).")
    return 0
