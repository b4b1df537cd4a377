"""Model fields every app uses: money, currency, country, and encrypted secrets."""

from __future__ import annotations

import json

from django.db import models

from .countries import validate_country
from .crypto import decrypt_text, encrypt_text
from .money import MONEY_DIGITS, MONEY_PLACES, validate_currency


class MoneyField(models.DecimalField):
    """A money amount. Always paired with a :class:`CurrencyField` on the same row."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MONEY_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class CurrencyField(models.CharField):
    """ISO 4217 code (validated against CLDR's list)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("validators", [validate_currency])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, "chuhai.core.fields.CurrencyField", args, kwargs


class CountryField(models.CharField):
    """ISO 3166-1 alpha-2 code (``GB``, not ``UK``; :func:`normalize_country` maps the aliases)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("validators", [validate_country])
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, "chuhai.core.fields.CountryField", args, kwargs


class EncryptedJSONField(models.TextField):
    """A JSON object stored Fernet-encrypted; the database only ever sees ciphertext."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return {}
        return json.loads(decrypt_text(value))

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        if value in (None, ""):
            return {}
        return json.loads(value)

    def get_prep_value(self, value):
        if value in (None, {}, ""):
            return ""
        return encrypt_text(json.dumps(value, sort_keys=True))
