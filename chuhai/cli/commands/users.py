"""``chuhai users add|token|list``: people and scripts that may use chuhai, each with one role."""

from __future__ import annotations

import getpass
import sys

from ..errors import CliError
from ..output import print_json, print_table


def register(subparsers) -> None:
    from chuhai.core.roles import ROLES

    parser = subparsers.add_parser("users", help="add users, issue API tokens, list users",
                                   description="Manage users and their API tokens.")
    commands = parser.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)

    add = commands.add_parser(
        "add", help="add a user with one role",
        description="Add a user with one role. The password is asked twice in a terminal, or read from the "
                    "first line of standard input with --password-stdin.",
    )
    add.add_argument("username", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES, help="the user's role")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    secret.add_argument("--no-password", action="store_true",
                        help="no password: the user cannot sign in, only use API tokens")
    add.add_argument("--email", default="", help="e-mail address")
    add.set_defaults(run=run_add)

    token = commands.add_parser(
        "token", help="print a new API token for a user",
        description="Create an API token for NAME and print it (only the token, on standard output). "
                    "It is shown once: chuhai stores only its hash. Use it as `Authorization: Bearer TOKEN`.",
    )
    token.add_argument("username", metavar="NAME")
    token.add_argument("--name", default="", metavar="LABEL", help="what the token is for (e.g. 'erp sync')")
    token.set_defaults(run=run_token)

    listing = commands.add_parser("list", help="list users and their roles", description="List users.")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(run=run_list)


def read_password(args) -> str | None:
    """The new user's password from stdin, from two prompts in a terminal, or None with --no-password."""
    from django.contrib.auth.password_validation import validate_password

    if args.no_password:
        return None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CliError("no password on standard input")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CliError("the passwords do not match")
    else:
        raise CliError("no password given: use --password-stdin (or --no-password for an API-only user)")
    validate_password(password)
    return password


def run_add(args) -> int:
    from chuhai.core.users import create_user

    password = read_password(args)
    user = create_user(args.username, args.role, password=password, email=args.email)
    print(f"Added user {user.username} ({args.role}).")
    return 0


def run_token(args) -> int:
    from chuhai.core.users import issue_token

    print(issue_token(args.username, name=args.name))
    return 0


def run_list(args) -> int:
    from django.contrib.auth import get_user_model

    from chuhai.core.roles import role_of

    users = get_user_model().objects.order_by("username").prefetch_related("groups")
    rows = [
        {
            "username": u.username,
            "role": role_of(u),
            "email": u.email,
            "is_active": u.is_active,
            "last_login": u.last_login,
        }
        for u in users
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(["USERNAME", "ROLE", "EMAIL", "ACTIVE", "LAST LOGIN"], [
            (r["username"], r["role"] or "-", r["email"], "yes" if r["is_active"] else "no",
             r["last_login"].strftime("%Y-%m-%d %H:%M") if r["last_login"] else "never")
            for r in rows
        ])
    return 0
