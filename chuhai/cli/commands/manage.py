"""``chuhai manage …``: Django's management commands, for administrators (``chuhai manage help`` lists them)."""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "manage",
        help="run a Django management command (admins)",
        description="Pass the remaining arguments to Django's management commands, with chuhai's settings. "
                    "Examples: `chuhai manage help`, `chuhai manage changepassword demo`, "
                    "`chuhai manage migrate --help`.",
    )
    parser.add_argument("arguments", nargs=argparse.REMAINDER, metavar="ARGS",
                        help="the Django command and its arguments")
    parser.set_defaults(run=run)


def run(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chuhai manage", *(args.arguments or ["help"])])
    return 0
