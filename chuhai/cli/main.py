"""Entry point of the ``chuhai`` console script: set up Django, parse arguments, dispatch to a command module.

Exit codes: 0 success, 1 a user error (one clear line on stderr, no traceback), 2 a usage error (argparse).
Each command group lives in :mod:`chuhai.cli.commands` and only parses, calls services and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .errors import CliError

PROG = "chuhai"
DEFAULT_SETTINGS = "chuhai.settings.production"


def setup_django() -> None:
    """Production settings unless the caller chose others (tests, development)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    from chuhai import __version__

    from .commands import COMMANDS

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="chuhai (出海): self-hosted operations hub for cross-border e-commerce sellers.",
        epilog="Run `chuhai COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def _user_error_message(exc: BaseException) -> str | None:
    """The one-line message for exceptions that mean "the input or setup is wrong", else None (a bug)."""
    from django.core.exceptions import ImproperlyConfigured, ValidationError
    from django.core.management import CommandError
    from django.db import DatabaseError

    from chuhai.core.validation import validation_message

    if isinstance(exc, CliError | CommandError | ImproperlyConfigured):
        return str(exc)
    if isinstance(exc, ValidationError):
        return validation_message(exc)
    if isinstance(exc, DatabaseError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"database error: {first} (is the database reachable and set up? run `chuhai init`)"
    from chuhai.finance.fx import FxRateMissing

    if isinstance(exc, FxRateMissing | ValueError):  # services raise ValueError for bad input, with a clear message
        return str(exc)
    return None


def _fail(message: str) -> int:
    text = " ".join(message.split("\n")[0].split()) if "\n" in message else message
    print(f"{PROG}: error: {text}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        setup_django()
    except Exception as exc:  # settings refuse to load: that is the operator's to fix, not a crash
        message = _user_error_message(exc)
        if message is None:
            raise
        return _fail(message)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return int(args.run(args) or 0)
    except SystemExit as exc:  # a command reporting a usage error through its parser
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `chuhai products list | head`: the reader left; stay quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        message = _user_error_message(exc)
        if message is None:
            raise
        return _fail(message)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
