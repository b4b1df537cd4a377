"""Money rules: amounts are ``Decimal`` with an ISO 4217 code, rounded once, at the edge, to the currency's minor unit.

Minor units come from babel's CLDR data (JPY 0, KWD 3, ...), never from a hand-written table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: Storage precision for money columns: wide enough for unit costs such as 0.0375 USD before rounding.
MONEY_DIGITS = 20
MONEY_PLACES = 6


@lru_cache(maxsize=1)
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalize_currency(code: str) -> str:
    """Upper-case and check an ISO 4217 code; raise ``ValidationError`` for anything unknown."""
    value = (code or "").strip().upper()
    if value not in known_currencies():
        raise ValidationError(_("%(code)s is not an ISO 4217 currency code"), params={"code": code})
    return value


def validate_currency(code: str) -> None:
    normalize_currency(code)


@lru_cache(maxsize=512)
def minor_units(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (JPY → 0, USD → 2, KWD → 3)."""
    return get_currency_precision(currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` half-up to the currency's minor unit. Call this once, where a figure leaves the system."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def parse_decimal(text: str | int | Decimal) -> Decimal:
    """Parse a plain decimal number (``12.50``); reject floats' text forms like ``nan``/``inf``."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("%(value)s is not a number"), params={"value": text}) from exc
    if not value.is_finite():
        raise ValidationError(_("%(value)s is not a number"), params={"value": text})
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency. Arithmetic across currencies is an error, not a silent mix."""

    amount: Decimal
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, float):
            raise TypeError("Money takes Decimal, never float")
        object.__setattr__(self, "amount", Decimal(self.amount))
        object.__setattr__(self, "currency", normalize_currency(self.currency))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise TypeError(f"cannot combine {self.currency} with {getattr(other, 'currency', other)!r}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float):
            raise TypeError("Money takes Decimal, never float")
        return Money(self.amount * factor, self.currency)

    def rounded(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def format(self, locale: str = "en_US") -> str:
        return format_currency(quantize(self.amount, self.currency), self.currency, locale=locale)

    def __str__(self) -> str:
        return f"{quantize(self.amount, self.currency)} {self.currency}"
