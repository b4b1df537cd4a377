"""Allocation rules per channel account: ``GET /allocation-rules``, ``GET /allocation-rules/{account}``,
``PUT /allocation-rules/{account}`` (the whole rule), ``DELETE /allocation-rules/{account}`` (back to the default).

Validation lives in :mod:`chuhai.inventory.rule_services`; a refused rule is a 422 naming the field and changes
nothing.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from chuhai.channels.models import ChannelAccount
from chuhai.inventory import rule_services
from chuhai.inventory.models import Warehouse

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import AUTH_ERRORS, WRITE_ERRORS, ErrorOut

router = Router(tags=["inventory"])


class StepOut(Schema):
    position: int
    warehouse: str
    countries: list[str] = Field(..., description="Ship-to countries this step serves; empty: any.")


class RuleOut(Schema):
    account: str
    is_default: bool = Field(..., description="The account has no rule: it draws on every active non-FBA "
                                              "warehouse and is shown its full available stock.")
    allow_split: bool
    fba_warehouse: str | None
    safety_buffer: int
    ats_percent: int
    ats_max: int | None
    ats_min: int
    steps: list[StepOut]
    updated_at: dt.datetime | None


class StepIn(Schema):
    warehouse: str = Field(..., examples=["US-3PL"])
    countries: list[str] = Field(default_factory=list, examples=[["US", "CA"]])


class RuleIn(Schema):
    steps: list[StepIn] = Field(default_factory=list, description="Warehouses in order of preference.")
    allow_split: bool = False
    fba_warehouse: str | None = Field(None, description="Code of the FBA warehouse holding this account's "
                                                        "Amazon-fulfilled stock.")
    safety_buffer: int = Field(0, description="Units per SKU held back from the channel.")
    ats_percent: int = Field(100, description="Share of the available stock shown (0–100).")
    ats_max: int | None = Field(None, description="Never show more than this (null: no cap).")
    ats_min: int = Field(0, description="Show 0 when fewer units than this are available.")


def _account(code: str) -> ChannelAccount:
    return get_or_404(ChannelAccount.objects, f"No channel account with code {code!r}.", code=code)


def _warehouses(codes: set[str]) -> dict[str, Warehouse]:
    found = {w.code: w for w in Warehouse.objects.filter(code__in=codes)}
    missing = sorted(codes - found.keys())
    if missing:
        raise ValueError(f"unknown warehouse {', '.join(repr(c) for c in missing)}")
    return found


@router.get("/allocation-rules", response={200: list[RuleOut], **AUTH_ERRORS},
            auth=needs("inventory.view_allocationrule"))
def list_rules(request):
    """Every channel account with its rule (or ``is_default``), by account code.
    Requires ``inventory.view_allocationrule``."""
    from chuhai.inventory.channel_rules import AllocationRule

    rules = {r.account_id: r for r in AllocationRule.objects.select_related("fba_warehouse")
             .prefetch_related("steps__warehouse")}
    return [rule_services.describe(account, rules.get(account.pk), look_up=False)
            for account in ChannelAccount.objects.order_by("code")]


@router.get("/allocation-rules/{account}", response={200: RuleOut, **AUTH_ERRORS, 404: ErrorOut},
            auth=needs("inventory.view_allocationrule"))
def get_rule(request, account: str):
    """One account's rule. Requires ``inventory.view_allocationrule``."""
    return rule_services.describe(_account(account))


@router.put("/allocation-rules/{account}", response={200: RuleOut, **WRITE_ERRORS, 404: ErrorOut},
            auth=needs("inventory.change_allocationrule"))
def put_rule(request, account: str, payload: RuleIn):
    """Create or replace the account's whole rule. Requires ``inventory.change_allocationrule``; 422 (nothing
    saved) for an FBA warehouse among the steps, a non-FBA ``fba_warehouse``, an unknown country or warehouse,
    or a limit out of range."""
    channel_account = _account(account)
    with service_errors("The rule changed meanwhile; try again."):
        codes = {step.warehouse for step in payload.steps} | ({payload.fba_warehouse} if payload.fba_warehouse
                                                              else set())
        warehouses = _warehouses(codes)
        rule_services.save_rule(
            channel_account, [(warehouses[s.warehouse], s.countries) for s in payload.steps],
            allow_split=payload.allow_split,
            fba_warehouse=warehouses[payload.fba_warehouse] if payload.fba_warehouse else None,
            safety_buffer=payload.safety_buffer, ats_percent=payload.ats_percent, ats_max=payload.ats_max,
            ats_min=payload.ats_min, user=request.user)
    return rule_services.describe(channel_account)


@router.delete("/allocation-rules/{account}", response={204: None, **AUTH_ERRORS, 404: ErrorOut},
               auth=needs("inventory.change_allocationrule"))
def delete_rule(request, account: str):
    """Remove the account's rule: it falls back to the default. Requires ``inventory.change_allocationrule``."""
    rule_services.delete_rule(_account(account), user=request.user)
    return Status(204, None)
