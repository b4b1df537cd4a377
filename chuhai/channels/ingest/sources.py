"""The contract between the import runner and a platform's parser.

A source parses one file into canonical records (:mod:`.records`) and reports problems to the
:class:`~.errors.ErrorCollector` with line and column, never by raising mid-file (a :class:`~.errors.FileRejected`
for a whole-file problem such as a missing column is fine). It never touches the database: writing, idempotency
and the all-or-nothing transaction are the runner's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar
from zoneinfo import ZoneInfo

from .errors import ErrorCollector
from .reading import Payload, legacy_encoding_for

#: Marketplace time zones for reports that print local times without an offset.
MARKETPLACE_ZONES = {
    "US": "America/Los_Angeles", "CA": "America/Los_Angeles", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
    "GB": "Europe/London", "IE": "Europe/Dublin", "DE": "Europe/Berlin", "FR": "Europe/Paris", "IT": "Europe/Rome",
    "ES": "Europe/Madrid", "NL": "Europe/Amsterdam", "SE": "Europe/Stockholm", "PL": "Europe/Warsaw",
    "BE": "Europe/Brussels", "TR": "Europe/Istanbul", "JP": "Asia/Tokyo", "AU": "Australia/Sydney",
    "SG": "Asia/Singapore", "MY": "Asia/Kuala_Lumpur", "TH": "Asia/Bangkok", "PH": "Asia/Manila",
    "VN": "Asia/Ho_Chi_Minh", "ID": "Asia/Jakarta", "TW": "Asia/Taipei", "IN": "Asia/Kolkata",
    "AE": "Asia/Dubai", "SA": "Asia/Riyadh", "CN": "Asia/Shanghai", "CL": "America/Santiago",
}

#: Markets whose consumer prices include VAT/GST.
VAT_INCLUSIVE_MARKETS = {
    "GB", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "IE", "AT", "JP", "AU", "SG", "MY", "TH", "PH", "VN", "ID",
    "TR", "AE", "SA", "IN", "CL",
}


@dataclass
class ParseContext:
    """What a parser may know about where the file comes from."""

    account: object  # chuhai.channels.models.ChannelAccount
    file_name: str
    mapping: dict | None = None
    options: dict = field(default_factory=dict)

    @property
    def marketplace(self) -> str:
        return self.account.marketplace

    @property
    def currency(self) -> str:
        return self.account.currency

    @property
    def zone(self) -> dt.tzinfo:
        return ZoneInfo(MARKETPLACE_ZONES.get(self.marketplace, "UTC"))

    @property
    def legacy_encoding(self) -> str:
        return legacy_encoding_for(self.marketplace)

    @property
    def prices_include_tax(self) -> bool:
        return self.marketplace in VAT_INCLUSIVE_MARKETS


class Source:
    """Base class of every importable report type."""

    name: ClassVar[str]
    """CLI/API name, e.g. ``amazon-orders``."""
    kind: ClassVar[str]
    """orders | settlement | transactions | fba_inventory | returns | ads — chooses the writer."""
    platforms: ClassVar[tuple[str, ...]] = ()
    """Account platforms the report comes from; empty = any (generic)."""
    label: ClassVar[str] = ""
    needs_mapping: ClassVar[bool] = False

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[object]:
        raise NotImplementedError
