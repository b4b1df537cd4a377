from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chuhai.core.money import Money, minor_units, normalize_currency, parse_decimal, quantize


@pytest.mark.parametrize(("code", "digits"), [("JPY", 0), ("USD", 2), ("KWD", 3), ("CNY", 2), ("KRW", 0)])
def test_minor_units_come_from_cldr(code, digits):
    assert minor_units(code) == digits


def test_quantize_rounds_half_up_to_minor_unit():
    assert quantize(Decimal("1.005"), "USD") == Decimal("1.01")
    assert quantize(Decimal("1499.5"), "JPY") == Decimal("1500")
    assert quantize(Decimal("2.0005"), "KWD") == Decimal("2.001")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "USD")
    with pytest.raises(TypeError):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "EUR")
    assert (Money(Decimal("19.99"), "usd") + Money(Decimal("0.01"), "USD")).amount == Decimal("20.00")


def test_unknown_currency_and_non_numbers_are_rejected():
    with pytest.raises(ValidationError):
        normalize_currency("XYZ")
    with pytest.raises(ValidationError):
        parse_decimal("nan")
    with pytest.raises(ValidationError):
        parse_decimal("12,5x")


def test_money_formats_with_locale():
    assert Money(Decimal("1234.5"), "EUR").format("de_DE") == "1.234,50\xa0€"
