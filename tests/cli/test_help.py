"""Every command and subcommand explains itself; bad usage exits 2; the installed script runs."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chuhai.cli.main import build_parser


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from command_paths(sub, (*prefix, name))


ALL_COMMANDS = list(command_paths(build_parser()))


def test_the_issue_commands_exist():
    expected = {("init",), ("serve",), ("demo",), ("users", "add"), ("users", "token"), ("users", "list"),
                ("accounts", "add"), ("accounts", "list"), ("warehouses", "add"), ("warehouses", "list"),
                ("products", "add"), ("products", "import"), ("products", "list"), ("stats",),
                ("fx", "convert"), ("fx", "set"), ("fx", "load"), ("manage",)}
    assert expected <= set(ALL_COMMANDS)


@pytest.mark.parametrize("path", [(), *ALL_COMMANDS], ids=lambda p: " ".join(p) or "chuhai")
def test_help_on_every_command(chuhai, path):
    result = chuhai(*path, "--help")
    assert result.code == 0
    assert result.out.startswith("usage: " + " ".join(("chuhai", *path)))


@pytest.mark.parametrize("argv", [
    [],
    ["no-such-command"],
    ["users"],
    ["users", "add", "bob", "--role", "boss"],
    ["accounts", "add", "AMZ-US", "--platform", "amazom", "--marketplace", "US"],
    ["products", "add", "SKU-1", "--name", "x", "--cost", "12.5"],
    ["products", "add", "SKU-1"],
    ["fx", "convert", "ten", "USD", "CNY"],
    ["fx", "convert", "10", "USD", "CNY", "--date", "2026-02-30"],
    ["serve", "--port", "70000"],
    ["demo", "--orders", "0"],
], ids=lambda argv: " ".join(argv) or "(nothing)")
def test_usage_errors_exit_2(chuhai, argv):
    result = chuhai(*argv)
    assert result.code == 2
    assert "usage: chuhai" in result.err and "Traceback" not in result.err


def test_installed_console_script(tmp_path):
    script = Path(sys.executable).with_name("chuhai")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "CHUHAI_DATABASE_URL")}
    env["CHUHAI_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: chuhai" in result.stdout and "products" in result.stdout
