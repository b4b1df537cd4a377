"""Channel stock: ``GET /ats`` (what each listing should show) and ``GET /ats/export`` (the Amazon / Shopify
upload file of one account, remembered as pushed). Computation: :mod:`chuhai.inventory.ats`."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from chuhai.channels.models import ChannelAccount
from chuhai.inventory import ats

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut, Page, PageParams

router = Router(tags=["inventory"])


class AtsOut(Schema):
    account: str
    channel_sku: str
    sku: str
    listing_status: str
    available: int = Field(..., description="Free units (on hand − reserved) in the warehouses the account may "
                                            "draw on; for a bundle, complete kits.")
    quantity: int = Field(..., description="What the channel should show, after the buffer and channel limits.")
    last_pushed: int | None = Field(None, description="Quantity last exported / pushed to the channel.")
    pushed_at: dt.datetime | None = None
    changed: bool = Field(..., description="The channel should be sent the new quantity.")
    fulfilled_by_amazon: bool = Field(..., description="Amazon sets this listing's quantity (never exported).")


class AtsFilters(Schema):
    account: str | None = Field(None, description="Channel account code.")
    changed: bool = Field(False, description="Only listings whose quantity changed since the last push.")
    sku: str | None = Field(None, description="SKU or channel SKU contains this.")


class ExportParams(Schema):
    account: str = Field(..., description="Channel account code (one file per account).")
    format: Literal["amazon", "shopify"]
    changed: bool = Field(False, description="Only listings whose quantity changed since the last push.")
    location: str = Field("", max_length=200, description="Shopify location name (default: the account's name).")
    record: bool = Field(True, description="Remember the file's quantities as pushed (false: a preview).")


def _account(code: str) -> ChannelAccount:
    return get_or_404(ChannelAccount.objects, f"No channel account with code {code!r}.", code=code)


@router.get("/ats", response={200: Page[AtsOut], **AUTH_ERRORS, 404: ErrorOut},
            auth=needs("inventory.view_stockbalance"))
def list_ats(request, filters: Query[AtsFilters], page: Query[PageParams]):
    """Available-to-sell per listing, by account and channel SKU. Requires ``inventory.view_stockbalance``."""
    account = _account(filters.account) if filters.account else None
    rows = (ats.changed_since_last_push if filters.changed else ats.compute)(account, filters.sku or "")
    return {"count": len(rows), "limit": page.limit, "offset": page.offset,
            "items": [row.as_dict() for row in rows[page.offset:page.offset + page.limit]]}


@router.get("/ats/export", response={**WRITE_ERRORS, 404: ErrorOut},
            auth=needs("inventory.add_listingstockpush"))
def export_ats(request, params: Query[ExportParams]):
    """One account's inventory upload file: Amazon's tab-delimited Price & Quantity file or Shopify's inventory
    CSV, quantities from ``/ats``. Unless ``record=false`` the quantities are remembered as pushed, so ``/ats``
    stops reporting them as changed. Requires ``inventory.add_listingstockpush``; 422 when the format does not
    match the account's platform."""
    account = _account(params.account)
    with service_errors("The push could not be recorded; try again."):
        file = ats.export(account, params.format, changed_only=params.changed, location=params.location,
                          user=request.user, record=params.record)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["X-Chuhai-Rows"] = str(file.rows)
    return response
