"""``chuhai report profit|pnl|settlements|ads``: the finance reports, as tables, CSV, JSON or Excel; and
``chuhai report METRIC[,METRIC…]``: any metrics of the metric layer (:mod:`.metrics`)."""

from __future__ import annotations

from . import customers_report, metrics, report_money, report_profit


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="metric, profit, P&L, settlement and advertising reports",
                                   description="Finance reports over a period, drawn from the same figures as "
                                               "the web pages: --format table|csv|json|xlsx, --output FILE. "
                                               "`chuhai report METRIC[,METRIC…] [--by DIM[,DIM]] [--filter K=V]` "
                                               "reports metrics (`chuhai metrics list`).")
    commands = parser.add_subparsers(dest="report_command", metavar="REPORT", required=True,
                                     action=metrics.ReportSubcommands)
    report_profit.register(commands)   # profit, pnl
    report_money.register(commands)    # settlements, ads
    customers_report.register(commands)  # rfm, cohorts, clv (customer analytics)
    metrics.register_report(commands)  # any other first word: a metric list
