"""Fee types (finance): the ledger line types no mapping covers, and finance's own mappings.

``GET /fee-types/unmapped`` lists the types of the lines categorised ``unknown`` with their line count and total
per currency; ``GET /fee-types/mappings`` lists finance's mappings; ``POST /fee-types/mappings`` maps a type onto a
category (or changes the mapping of the same type) and re-categorises the lines it covers at once. The rules are
:mod:`chuhai.finance.categorise`'s.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from chuhai.finance.categorise import save_mapping, unmapped_types
from chuhai.finance.fees import FeeTypeMapping

from .auth import needs
from .errors import service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, Page, PageParams, money, paginate

router = Router(tags=["finance"])


class TotalOut(Schema):
    currency: str
    amount: str = Field(description="Sum of the lines, rounded to the currency's minor unit.")
    lines: int


class UnmappedTypeOut(Schema):
    platform: str
    transaction_type: str
    amount_type: str
    amount_description: str = Field(description="The amount description, or the description of a line of no "
                                                "order (Date Range 'Service Fee' rows).")
    lines: int
    totals: list[TotalOut]
    last_posted_at: dt.datetime | None


class UnmappedFilters(Schema):
    platform: str | None = None


@router.get("/fee-types/unmapped", response={200: list[UnmappedTypeOut], **AUTH_ERRORS},
            auth=needs("finance.access_finance"))
def list_unmapped(request, filters: Query[UnmappedFilters]):
    """Line types no mapping covers, most lines first. Requires ``finance.access_finance``."""
    return [{
        "platform": t.platform, "transaction_type": t.transaction_type, "amount_type": t.amount_type,
        "amount_description": t.amount_description, "lines": t.lines, "last_posted_at": t.last_posted_at,
        "totals": [{"currency": c, "amount": money(a, c), "lines": t.lines_by_currency[c]}
                   for c, a in sorted(t.totals.items())],
    } for t in unmapped_types(filters.platform)]


class MappingOut(Schema):
    id: int
    platform: str
    transaction_type: str
    amount_type: str
    amount_description: str
    category: str
    note: str
    updated_at: dt.datetime


class MappingIn(Schema):
    platform: str = Field(..., examples=["amazon"])
    transaction_type: str = Field("", description='"" matches any.', examples=["Service Fee"])
    amount_type: str = Field("", description='"" matches any.')
    amount_description: str = Field("", description='"" matches any.', examples=["Vine Enrollment Fee"])
    category: str = Field(..., examples=["service_fee"])
    note: str = ""


class MappingSaved(MappingOut):
    lines_recategorised: int


class MappingFilters(Schema):
    platform: str | None = None


@router.get("/fee-types/mappings", response={200: Page[MappingOut], **AUTH_ERRORS},
            auth=needs("finance.access_finance"))
def list_mappings(request, filters: Query[MappingFilters], page: Query[PageParams]):
    """Finance's mappings of line types onto categories (they win over chuhai's defaults). Requires
    ``finance.access_finance``."""
    qs = FeeTypeMapping.objects.order_by("platform", "transaction_type", "amount_type", "amount_description", "id")
    if filters.platform:
        qs = qs.filter(platform=filters.platform)
    return paginate(qs, page)


@router.post("/fee-types/mappings", response={200: MappingSaved, **WRITE_ERRORS},
             auth=needs("finance.add_feetypemapping"))
def add_mapping(request, payload: MappingIn):
    """Map a line type onto a category, or change the mapping of the same type (names compared
    case-insensitively); the lines it covers are re-categorised at once. Requires
    ``finance.add_feetypemapping``. 422 for an unknown platform or category, or a mapping naming nothing."""
    with service_errors("This mapping already exists."):
        mapping, changed = save_mapping(payload.platform, payload.transaction_type, payload.amount_type,
                                        payload.amount_description, payload.category, user=request.user,
                                        note=payload.note)
    return {"id": mapping.pk, "platform": mapping.platform, "transaction_type": mapping.transaction_type,
            "amount_type": mapping.amount_type, "amount_description": mapping.amount_description,
            "category": mapping.category, "note": mapping.note, "updated_at": mapping.updated_at,
            "lines_recategorised": changed}
