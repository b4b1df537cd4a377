"""Run the ``chuhai`` CLI in-process on the test database and collect what it printed."""

from __future__ import annotations

import pytest

from chuhai.cli.main import main

from .support import Run


@pytest.fixture
def chuhai(capsys):
    """``chuhai("accounts", "list", "--json")`` → Run(code, out, err)."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
