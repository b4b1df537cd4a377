"""Creating warehouses (the stock ledger services come with the inventory issue)."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from pathlib import Path

from chuhai.core.countries import normalize_country

from .models import Warehouse, WarehouseType


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, str]:
    """First listed IANA zone per country, from the system's zone.tab (CN → Asia/Shanghai, US → America/New_York)."""
    zones: dict[str, str] = {}
    for folder in zoneinfo.TZPATH:
        tab = Path(folder) / "zone.tab"
        if tab.exists():
            for line in tab.read_text().splitlines():
                if line and not line.startswith("#"):
                    parts = line.split("\t")
                    zones.setdefault(parts[0], parts[2])
            break
    return zones


def default_time_zone(country: str) -> str:
    return _country_zones().get(country, "UTC")


def create_warehouse(code: str, type: str, country: str, time_zone: str | None = None, name: str = "") -> Warehouse:
    if type not in WarehouseType.values:
        raise ValueError(f"unknown warehouse type {type!r}; choose one of {', '.join(WarehouseType.values)}")
    iso = normalize_country(country)
    tz = time_zone or default_time_zone(iso)
    if tz not in zoneinfo.available_timezones():
        raise ValueError(f"unknown time zone {tz!r}")
    warehouse = Warehouse(code=code, name=name or code, type=type, country=iso, time_zone=tz)
    warehouse.full_clean()
    warehouse.save()
    return warehouse
