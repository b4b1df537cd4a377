"""Warehouses: ``/warehouses`` (stock levels arrive with the inventory issue)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from chuhai.inventory.models import Warehouse, WarehouseType
from chuhai.inventory.services import create_warehouse

from .auth import needs
from .errors import service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, CountryCode, Page, PageParams, paginate

router = Router(tags=["inventory"])


class WarehouseOut(Schema):
    code: str
    name: str
    type: WarehouseType
    country: str
    time_zone: str
    is_active: bool
    created_at: dt.datetime


def _known_zone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise ValueError(f"unknown IANA time zone {name!r}, e.g. Asia/Shanghai")
    return name


TimeZoneName = Annotated[str, AfterValidator(_known_zone)]


class WarehouseIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", examples=["SZ-MAIN"])
    type: WarehouseType
    country: CountryCode
    time_zone: TimeZoneName | None = Field(None, description="IANA zone; defaults to the country's main zone.",
                                  examples=["Asia/Shanghai"])
    name: str = Field("", max_length=200)


class WarehouseFilters(Schema):
    type: WarehouseType | None = None
    country: CountryCode | None = None
    active: bool | None = None


@router.get("/warehouses", response={200: Page[WarehouseOut], **AUTH_ERRORS}, auth=needs("inventory.view_warehouse"))
def list_warehouses(request, filters: Query[WarehouseFilters], page: Query[PageParams]):
    """Warehouses by code. Requires ``inventory.view_warehouse``."""
    qs = Warehouse.objects.order_by("code")
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return paginate(qs, page)


@router.post("/warehouses", response={201: WarehouseOut, **WRITE_ERRORS}, auth=needs("inventory.add_warehouse"))
def add_warehouse(request, payload: WarehouseIn):
    """Create a warehouse. Requires ``inventory.add_warehouse``; an existing code is a 409."""
    with service_errors(f"A warehouse with code {payload.code!r} already exists."):
        warehouse = create_warehouse(payload.code, payload.type.value, payload.country,
                                     time_zone=payload.time_zone, name=payload.name)
    return Status(201, warehouse)
