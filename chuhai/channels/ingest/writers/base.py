"""What every writer receives and reports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..errors import ErrorCollector


@dataclass
class WriteStats:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    lines_created: int = 0
    summary: dict = field(default_factory=dict)


@dataclass
class WriteContext:
    """The account the file belongs to, its ImportRun row (to stamp what it creates), where to report located
    errors, and the counters. Writers run inside the file's transaction; a dry run is rolled back afterwards."""

    account: object
    run: object
    errors: ErrorCollector
    stats: WriteStats
    dry_run: bool = False


def digest(*parts) -> str:
    """A stable 32-hex digest of values (for fingerprints and change detection)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]
