"""Helpers for the CLI tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Run:
    code: int
    out: str
    err: str


def assert_user_error(result: Run, *fragments: str) -> None:
    """Exit code 1 with exactly one clear line on stderr and no traceback."""
    assert result.code == 1, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chuhai: error: "), result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
