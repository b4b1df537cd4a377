"""Creating and listing channel accounts."""

from __future__ import annotations

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
