"""``chuhai metrics list`` and ``chuhai report METRIC[,METRIC…]``: the metric layer on the command line.

The definitions and the figures are :mod:`chuhai.analytics.metric_layer`'s — the same as the pages and
``GET /api/v1/metrics``. ``chuhai report`` keeps its subcommands (profit, pnl, settlements, ads); any other first
word is read as a comma-separated list of metric ids (see :func:`register_report`).

Exit codes: 0 done, 2 an unknown metric, dimension or filter id (the message lists the valid ones), 1 any other
user error (a missing exchange rate, an xlsx without --output).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping

from ..arguments import positive_int
from ..output import _default, add_report_arguments, print_json, print_table, write_report

#: Name of the hidden subparser that takes a metric list (a space: nobody can type it as a report name).
METRIC_REPORT = " metrics"


def register(subparsers) -> None:
    parser = subparsers.add_parser("metrics", help="the metric definitions (ids, units, formulas)",
                                   description="Every metric and dimension the reports, pages and API share.")
    commands = parser.add_subparsers(dest="metrics_command", metavar="ACTION", required=True)
    lister = commands.add_parser("list", help="list metrics and dimensions",
                                 description="Each metric's id, name, unit, source, allowed dimensions and its "
                                             "one-line definition; then the dimensions (also usable as filters).")
    lister.add_argument("--json", action="store_true", help="print JSON (with each metric's formula)")
    lister.set_defaults(run=run_list)
    marter = commands.add_parser("mart", help="the analytics mart: state, refresh, rebuild",
                                 description="The Parquet copy of order lines and profit rows the metrics read "
                                             "(kept in step automatically; --rebuild after restoring a backup).")
    marter.add_argument("--refresh", action="store_true", help="bring it up to date now")
    marter.add_argument("--rebuild", action="store_true", help="rebuild it whole")
    marter.add_argument("--json", action="store_true", help="print JSON")
    marter.set_defaults(run=run_mart)


def _dims_text(allowed: list[str], every: list[str]) -> str:
    missing = [d for d in every if d not in allowed]
    if not missing:
        return "all"
    return "all but " + ",".join(missing) if len(missing) < len(allowed) else ",".join(allowed)


def run_list(args) -> int:
    from django.utils.translation import activate

    from chuhai.analytics.metric_layer import definitions_data

    activate("en")
    data = definitions_data()
    if args.json:
        print_json(data)
        return 0
    print_table(["metric", "name", "unit", "source", "dimensions", "definition"],
                [[m["id"], m["name"], m["unit"], m["source"],
                  _dims_text(m["dimensions"], [d["id"] for d in data["dimensions"]]),
                  m["definition"]] for m in data["metrics"]])
    print()
    print_table(["dimension", "name", "filter", "definition"],
                [[d["id"], d["name"], "yes" if d["filter"] else "date range", d["definition"]]
                 for d in data["dimensions"]])
    return 0


def run_mart(args) -> int:
    from chuhai.analytics.metric_layer import mart

    if not mart.enabled():
        print("the analytics mart is off (CHUHAI_ANALYTICS_MART=0): metrics read the database directly")
        return 0
    if args.rebuild or args.refresh:
        report = mart.refresh(full=args.rebuild)
        what = "rebuilt" if report.full else "refreshed"
        months = sum(len(m) for m in report.months.values())
        print(f"mart {what} in {report.seconds:.1f} s ({months} source-months written)", file=sys.stderr)
    status = mart.status()
    if args.json:
        print_json(status)
        return 0
    print(f"directory     {status['directory']}")
    print(f"refreshed at  {status['refreshed_at'] or 'never'}")
    print(f"changed days  {status['changed_days']} (rebuilt on the next query)")
    print_table(["source", "months", "bytes", "rollup bytes"],
                [[name, s["months"], s["bytes"], s["rollup_bytes"]] for name, s in status["sources"].items()])
    return 0


# -- chuhai report METRIC[,METRIC…] ------------------------------------------------------------------------------

class _AnyName(Mapping):
    """The ``choices`` of ``chuhai report``: the report subparsers (a live view, without the hidden metric
    report), but any first word is accepted (anything else is a metric list)."""

    def __init__(self, names: dict):
        self.names = names

    def __contains__(self, value) -> bool:
        return True

    def __getitem__(self, key):
        if key == METRIC_REPORT:
            raise KeyError(key)
        return self.names[key]

    def __iter__(self):
        return (name for name in self.names if name != METRIC_REPORT)

    def __len__(self) -> int:
        return sum(1 for _name in self)


class ReportSubcommands(argparse._SubParsersAction):
    """``chuhai report``'s subcommands, falling back to the metric report when the first word is none of them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = _AnyName(self._name_parser_map)

    def __call__(self, parser, namespace, values, option_string=None):
        if values and values[0] not in self._name_parser_map:
            values = [METRIC_REPORT, *values]
        super().__call__(parser, namespace, values, option_string)


def register_report(commands) -> None:
    """Add the hidden metric report to ``chuhai report``'s subparsers (made with :class:`ReportSubcommands`)."""
    parser = commands.add_parser(
        METRIC_REPORT, prog="chuhai report",
        description="Metrics from the metric layer (see `chuhai metrics list`), grouped by dimensions, over a "
                    "period of company-local days, in the base currency or --currency (converted at each day's "
                    "rate). JSON: {\"currency\": ..., \"rows\": [...]} with money as strings.")
    parser.add_argument("metrics", metavar="METRIC[,METRIC…]", help="metric ids, comma-separated")
    add_report_arguments(parser)
    parser.add_argument("--by", default="", metavar="DIM[,DIM]", help="group by these dimensions")
    parser.add_argument("--filter", dest="filters", action="append", default=[], metavar="K=V",
                        help="only rows whose dimension K is V (V may be a comma-separated list); repeatable: "
                             "account, channel, marketplace, ship_country, sku, category")
    parser.add_argument("--sort", metavar="ID", help="order rows by a metric or dimension id ('-' first: "
                                                     "descending, written --sort=-net_sales)")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="only the first N rows")
    parser.set_defaults(run=run_report)


def _usage_error(message: str) -> int:
    print(f"chuhai: error: {message}", file=sys.stderr)
    return 2


def run_report(args) -> int:
    from django.utils.translation import activate

    from chuhai.analytics.metric_layer import MetricError, run

    from ..errors import CliError

    activate("en")
    filters: dict[str, list[str]] = {}
    for item in args.filters:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            return _usage_error(f"--filter {item!r}: write it as KEY=VALUE (e.g. ship_country=DE)")
        filters.setdefault(key.strip(), []).extend(v.strip() for v in value.split(","))
    if args.format == "xlsx" and not args.output:
        raise CliError("--format xlsx needs --output FILE")
    try:
        result = run(args.metrics, by=args.by, date_from=args.date_from, date_to=args.date_to, filters=filters,
                     currency=args.currency, sort=args.sort, limit=args.limit)
    except MetricError as exc:
        return _usage_error(str(exc))
    if args.format == "json":
        text = json.dumps(result.as_json(), ensure_ascii=False, indent=2, default=_default)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            print(text)
        return 0
    write_report(result.spec(), result.rows, args.format, args.output)
    return 0
