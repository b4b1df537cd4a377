"""Errors a person can fix: printed as one line on stderr, exit code 1, never a traceback."""

from __future__ import annotations


class CliError(Exception):
    """A user error detected by a command (bad input, missing prerequisite). The message is shown as is."""
