"""Channel accounts: ``/accounts``.

Credentials are write-only: accepted when an account is created (stored Fernet-encrypted), never returned.
Responses carry only the names of the credential keys present, enough for a script to see what is configured.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from chuhai.channels.models import ChannelAccount, OperatingModel, Platform
from chuhai.channels.services import create_account

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import (
    AUTH_ERRORS,
    WRITE_ERRORS,
    CountryCode,
    CurrencyCode,
    ErrorOut,
    Page,
    PageParams,
    paginate,
)

router = Router(tags=["channels"])


class AccountOut(Schema):
    code: str
    name: str
    platform: Platform
    marketplace: str
    currency: str
    operating_model: OperatingModel
    is_active: bool
    created_at: dt.datetime
    credential_keys: list[str] = Field(description="Names of the stored credentials; their values are never sent.")

    @staticmethod
    def resolve_credential_keys(obj: ChannelAccount) -> list[str]:
        return sorted((obj.credentials or {}).keys())


class AccountIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", examples=["AMZ-US"])
    platform: Platform
    marketplace: CountryCode
    currency: CurrencyCode | None = Field(None, description="Defaults to the marketplace's currency.")
    operating_model: OperatingModel | None = Field(None, description="Defaults to the platform's usual model.")
    name: str = Field("", max_length=200)
    credentials: dict[str, str] = Field(
        default_factory=dict, description="Write-only: stored encrypted, never returned.",
        json_schema_extra={"writeOnly": True},
    )


class AccountFilters(Schema):
    platform: Platform | None = None
    marketplace: CountryCode | None = None
    active: bool | None = None


@router.get("/accounts", response={200: Page[AccountOut], **AUTH_ERRORS},
            auth=needs("channels.view_channelaccount"))
def list_accounts(request, filters: Query[AccountFilters], page: Query[PageParams]):
    """Channel accounts by code. Requires ``channels.view_channelaccount``."""
    qs = ChannelAccount.objects.order_by("code")
    if filters.platform:
        qs = qs.filter(platform=filters.platform)
    if filters.marketplace:
        qs = qs.filter(marketplace=filters.marketplace)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return paginate(qs, page)


@router.get("/accounts/{code}", response={200: AccountOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs("channels.view_channelaccount"))
def get_account(request, code: str):
    """One channel account. Requires ``channels.view_channelaccount``."""
    return get_or_404(ChannelAccount.objects, f"No channel account with code {code!r}.", code=code)


@router.post("/accounts", response={201: AccountOut, **WRITE_ERRORS}, auth=needs("channels.add_channelaccount"))
def add_account(request, payload: AccountIn):
    """Create a channel account. Requires ``channels.add_channelaccount``; an existing code is a 409."""
    with service_errors(f"A channel account with code {payload.code!r} already exists."):
        account = create_account(
            payload.code,
            payload.platform.value,
            payload.marketplace,
            currency=payload.currency,
            operating_model=payload.operating_model.value if payload.operating_model else None,
            name=payload.name,
            credentials=payload.credentials,
        )
    return Status(201, account)
