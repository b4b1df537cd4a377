"""Country codes: ISO 3166-1 alpha-2 from pycountry, with the aliases sellers actually type (UK, EL)."""

from __future__ import annotations

from functools import lru_cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALIASES = {"UK": "GB", "EL": "GR"}


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def normalize_country(code: str) -> str:
    value = (code or "").strip().upper()
    value = ALIASES.get(value, value)
    if value not in _codes():
        raise ValidationError(_("%(code)s is not an ISO 3166 country code"), params={"code": code})
    return value


def validate_country(code: str) -> None:
    if code != normalize_country(code):
        raise ValidationError(_("use the ISO code %(iso)s"), params={"iso": normalize_country(code)})


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code
