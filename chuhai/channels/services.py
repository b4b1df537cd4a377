"""Creating and listing channel accounts."""

from __future__ import annotations

from django.db import transaction

from chuhai.core.countries import normalize_country
from chuhai.core.money import normalize_currency

from .models import ChannelAccount, OperatingModel, Platform, default_currency_for, default_model_for


def create_account(code: str, platform: str, marketplace: str, currency: str | None = None,
                   operating_model: str | None = None, name: str = "", credentials: dict | None = None) -> ChannelAccount:
    """Validate and create an account; currency defaults to the marketplace's, model to the platform's."""
    if platform not in Platform.values:
        raise ValueError(f"unknown platform {platform!r}; choose one of {', '.join(Platform.values)}")
    if operating_model and operating_model not in OperatingModel.values:
        raise ValueError(f"unknown model {operating_model!r}; choose one of {', '.join(OperatingModel.values)}")
    country = normalize_country(marketplace)
    account = ChannelAccount(
        code=code,
        name=name or code,
        platform=platform,
        marketplace=country,
        currency=normalize_currency(currency) if currency else default_currency_for(country),
        operating_model=operating_model or default_model_for(platform),
        credentials=credentials or {},
    )
    account.full_clean()
    account.save()
    return account


def merged_credentials(stored: dict, set_values: dict[str, str], remove: set[str]) -> dict:
    """``stored`` with ``set_values`` written over it and the ``remove`` keys dropped (a key in both is removed).

    Edits name only what changes, so a secret is never read back to a page to be re-submitted.
    """
    merged = {**(stored or {}), **set_values}
    for key in remove:
        merged.pop(key, None)
    return merged


@transaction.atomic
def save_account(account: ChannelAccount, set_values: dict[str, str] | None = None,
                 remove: set[str] | None = None) -> ChannelAccount:
    """Validate and save ``account`` (its other fields already assigned) with its credentials updated."""
    account.credentials = merged_credentials(account.credentials, set_values or {}, remove or set())
    account.full_clean()
    account.save()
    return account
