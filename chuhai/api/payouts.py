"""Payouts received and the finance settings: ``GET/POST /payouts``, ``GET/PATCH /finance/settings``.

Reading needs ``finance.access_finance``; recording a payout ``finance.add_payoutreceipt``; changing the settings
``finance.change_financesettings`` (history kept). A payout's ``base_amount`` is the gross received (amount + fee)
in the base currency at the received date's rate, ``book_amount`` the settlement's lines at their own dates' rates,
``fx_gain`` their difference (see :mod:`chuhai.finance.payout_fx`). A reference already recorded through the same
provider is a 409; a missing exchange rate a 422 naming the rate to add.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from chuhai.core.models import CompanySettings
from chuhai.finance.finance_settings import CostingMethod, FeeAllocationBasis, FinanceSettings
from chuhai.finance.payout_fx import receipts, record_payout
from chuhai.finance.payouts import PayoutProvider, PayoutReceipt
from chuhai.finance.settings_service import MAX_UNSETTLED_DAYS, update_finance_settings

from .auth import needs
from .errors import service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, CurrencyCode, DecimalText, Page, PageParams, money, paginate

router = Router(tags=["finance"])

VIEW_PERM = "finance.access_finance"
DUPLICATE = "This payout reference is already recorded for this provider."


class PayoutOut(Schema):
    id: int
    account: str
    provider: PayoutProvider
    reference: str
    received_on: dt.date
    amount: str = Field(description="What reached the account, after the provider fee.")
    fee: str
    currency: str
    settlement_id: str | None
    base_currency: str
    base_amount: str | None = Field(description="Gross received (amount + fee) at the received date's rate.")
    book_amount: str | None = Field(description="The settlement's lines at their own dates' rates (null: none).")
    fx_gain: str | None = Field(description="base_amount − book_amount; negative is a loss.")
    note: str


def _out(receipt: PayoutReceipt, base: str) -> dict:
    def in_base(value):
        return None if value is None else money(value, base)

    return {
        "id": receipt.pk, "account": receipt.account.code, "provider": receipt.provider,
        "reference": receipt.reference, "received_on": receipt.received_on,
        "amount": money(receipt.amount, receipt.currency), "fee": money(receipt.fee, receipt.currency),
        "currency": receipt.currency,
        "settlement_id": receipt.settlement.settlement_id if receipt.settlement_id else None,
        "base_currency": base, "base_amount": in_base(receipt.base_amount),
        "book_amount": in_base(receipt.book_amount), "fx_gain": in_base(receipt.fx_gain), "note": receipt.note,
    }


class PayoutFilters(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    account: str | None = Field(None, description="Channel account code.")
    provider: PayoutProvider | None = None


class PayoutIn(Schema):
    account: str = Field(..., description="Channel account code.", examples=["AMZ-US"])
    provider: PayoutProvider
    reference: str = Field(..., min_length=1, max_length=100)
    received_on: dt.date
    amount: DecimalText
    currency: CurrencyCode
    fee: DecimalText = Field(default=0, description="Provider fee in the currency received.")
    settlement_id: str | None = Field(None, description="The platform's settlement id on this account.")
    note: str = Field("", max_length=300)


@router.get("/payouts", response={200: Page[PayoutOut], **AUTH_ERRORS}, auth=needs(VIEW_PERM))
def list_payouts(request, filters: Query[PayoutFilters], page: Query[PageParams]):
    """Payouts received, newest first. Requires ``finance.access_finance``."""
    base = CompanySettings.load().base_currency
    qs = receipts(filters.date_from, filters.date_to, account=filters.account or None,
                  provider=filters.provider or "")
    return paginate(qs, page, convert=lambda r: _out(r, base))


@router.post("/payouts", response={201: PayoutOut, **WRITE_ERRORS}, auth=needs("finance.add_payoutreceipt"))
def add_payout(request, payload: PayoutIn):
    """Record a payout received and compute its FX gain. Requires ``finance.add_payoutreceipt``."""
    with service_errors(DUPLICATE):
        receipt = record_payout(payload.account, payload.provider, payload.reference, payload.received_on,
                                payload.amount, payload.currency, fee=payload.fee,
                                settlement=payload.settlement_id, note=payload.note, user=request.auth)
    return Status(201, _out(receipt, CompanySettings.load().base_currency))


class FinanceSettingsOut(Schema):
    costing_method: CostingMethod
    fee_allocation_basis: FeeAllocationBasis
    vat_on_fees_recoverable: bool
    unsettled_after_days: int


class FinanceSettingsPatch(Schema):
    costing_method: Literal["fifo", "moving_average"] | None = None
    fee_allocation_basis: Literal["revenue", "units", "volume"] | None = None
    vat_on_fees_recoverable: bool | None = None
    unsettled_after_days: int | None = Field(None, ge=1, le=MAX_UNSETTLED_DAYS)


@router.get("/finance/settings", response={200: FinanceSettingsOut, **AUTH_ERRORS}, auth=needs(VIEW_PERM))
def get_finance_settings(request):
    """The finance settings. Requires ``finance.access_finance``."""
    return FinanceSettings.load()


@router.patch("/finance/settings", response={200: FinanceSettingsOut, **WRITE_ERRORS},
              auth=needs("finance.change_financesettings"))
def change_finance_settings(request, payload: FinanceSettingsPatch):
    """Change some finance settings (history kept). Requires ``finance.change_financesettings``."""
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    with service_errors("conflict"):
        settings = update_finance_settings(changes, user=request.auth)
    return settings
