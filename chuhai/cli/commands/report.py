"""``chuhai report profit|pnl|settlements|ads``: the finance reports, as tables, CSV, JSON or Excel."""

from __future__ import annotations

from . import report_money, report_profit


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="profit, P&L, settlement and advertising reports",
                                   description="Finance reports over a period, drawn from the same figures as "
                                               "the web pages: --format table|csv|json|xlsx, --output FILE.")
    commands = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    report_profit.register(commands)   # profit, pnl
    report_money.register(commands)    # settlements, ads
