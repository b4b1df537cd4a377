"""``chuhai import SOURCE PATH... --account CODE``: take in platform report files, one transaction per file.

Exit codes (issue 3): 0 when every file was imported (or dry-run checked), 2 when a file was rejected (nothing of
that file was written; its errors are printed as ``file:line: column 'X': message (value 'v')``), 1 when the request
itself is wrong (unknown account, bad mapping file…) or a file failed on an internal error.
``--json`` prints one JSON object per file per line, the same shape as the API's results.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from ..arguments import iso_date
from ..errors import CliError

STATUS_TEXT = {
    "succeeded": "imported",
    "dry_run": "dry run (nothing was changed)",
    "rejected": "REJECTED, nothing was imported",
    "failed": "FAILED, nothing was imported",
}


def register(subparsers) -> None:
    from chuhai.channels.ingest.registry import SOURCE_CLASSES

    sources = textwrap.fill(", ".join(sorted(SOURCE_CLASSES)), width=78, initial_indent="  ",
                            subsequent_indent="  ", break_on_hyphens=False)
    parser = subparsers.add_parser(
        "import", help="import platform report files (orders, settlements, FBA stock, returns, ads)",
        description="Import report files downloaded from a sales platform into a channel account.\nEach file "
                    "is one transaction: all of it or, when any row is wrong, nothing.\nRe-importing a file "
                    "changes nothing; a newer report updates what it touches.",
        epilog=f"report types (SOURCE):\n{sources}\n\nexit codes: 0 imported (or checked, with --dry-run), 2 a file "
               "was rejected\n(its errors are listed), 1 an internal error or a wrong request (unknown account,\n"
               "bad mapping file).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("source", metavar="SOURCE", choices=sorted(SOURCE_CLASSES),
                        help="report type (listed below)")
    parser.add_argument("paths", metavar="PATH", nargs="+", help="report file(s); .gz and single-file .zip are read "
                                                                  "transparently")
    parser.add_argument("--account", required=True, metavar="CODE", help="channel account code, e.g. AMZ-US")
    parser.add_argument("--mapping", metavar="FILE.yaml", help="column mapping (YAML) for generic-orders")
    parser.add_argument("--dry-run", action="store_true", help="check the files and report what would change")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file per line")
    parser.add_argument("--snapshot-date", metavar="YYYY-MM-DD", type=iso_date,
                        help="amazon-fba-inventory: the day the report was taken (default: today in the "
                             "marketplace's time zone)")
    parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                        help="record the import as done by this user (shown in the import history)")
    parser.set_defaults(run=run)


def _load_mapping(path: str) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"cannot read mapping file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CliError(f"mapping file {path} is not UTF-8 text") from None
    from chuhai.channels.ingest.uploads import parse_mapping_yaml

    return parse_mapping_yaml(text, path)


def _user(username: str | None):
    if not username:
        return None
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except get_user_model().DoesNotExist:
        raise CliError(f"no active user {username!r} (see `chuhai users list`)") from None


def error_line(file_name: str, error) -> str:
    """``orders.txt:12: column 'quantity': not a whole number (value 'x')`` — the editor-friendly form."""
    text = f"{file_name}:{error.line}:" if error.line is not None else f"{file_name}:"
    if error.column:
        text += f" column {error.column!r}:"
    text += f" {error.message}"
    if error.value not in (None, ""):
        text += f" (value {error.value!r})"
    return text


def summary_line(result) -> str:
    counts = result.as_dict()
    if result.kind == "orders":
        parts = [f"rows {result.rows_read}", f"orders created {counts['orders_created']}",
                 f"updated {counts['orders_updated']}", f"unchanged {result.unchanged}",
                 f"lines created {result.lines_created}"]
    else:
        parts = [f"rows {result.rows_read}", f"created {result.created}", f"updated {result.updated}",
                 f"unchanged {result.unchanged}"]
    for key, value in sorted(result.summary.items()):
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            parts.append(f"{key.replace('_', ' ')} {value}")
    if result.errors:
        parts.append(f"{len(result.errors)} error{'s' if len(result.errors) != 1 else ''}")
    return f"{result.file}: {STATUS_TEXT.get(result.status, result.status)} — {', '.join(parts)}"


def exit_code(results) -> int:
    statuses = {r.status for r in results}
    if "failed" in statuses:
        return 1
    if "rejected" in statuses:
        return 2
    return 0


def run(args) -> int:
    from tqdm import tqdm

    from chuhai.channels.ingest.runner import ImportRefused, import_file, resolve_account

    missing = [p for p in args.paths if not Path(p).is_file()]
    if missing:
        raise CliError(f"no such file: {', '.join(missing)}")
    try:
        account = resolve_account(args.account)
        mapping = _load_mapping(args.mapping) if args.mapping else None
    except ImportRefused as exc:
        raise CliError(str(exc)) from None
    user = _user(args.as_user)

    results = []
    bar = tqdm(args.paths, desc="import", unit="file", file=sys.stderr, disable=not sys.stderr.isatty(),
               leave=False)
    for path in bar:
        bar.set_postfix_str(Path(path).name, refresh=True)
        try:
            options = {"snapshot_date": args.snapshot_date} if args.snapshot_date else None
            result = import_file(args.source, path, account, user=user, dry_run=args.dry_run, mapping=mapping,
                                 options=options)
        except ImportRefused as exc:
            bar.close()
            raise CliError(str(exc)) from None
        results.append(result)
        if args.json:
            tqdm.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str), file=sys.stdout)
            continue
        tqdm.write(summary_line(result), file=sys.stdout)
        for error in result.errors:
            tqdm.write(error_line(result.file, error), file=sys.stderr)
    bar.close()
    return exit_code(results)
