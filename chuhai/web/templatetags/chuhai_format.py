"""Template filters that show numbers the way the reader's language writes them (babel / CLDR).

``{{ amount|money:"CNY" }}`` → "¥1,234.50" (zh-hans) / "CN¥1,234.50" (en), rounded once to the currency's minor
unit; ``{{ n|number }}`` → grouped integer or decimal; ``{{ pct|change }}`` → "+12.3%" / "−4.0%" / "—".
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils.translation import get_language, to_locale

from chuhai.core.money import quantize

register = template.Library()


def _locale() -> str:
    locale = to_locale(get_language() or "en")
    return "zh_Hans_CN" if locale.startswith("zh") else ("en_US" if locale == "en" else locale)


@register.filter
def money(amount, currency: str) -> str:
    """Amount in ``currency``, rounded half-up to its minor unit, formatted for the active language."""
    if amount is None or amount == "":
        return "—"
    return format_currency(quantize(Decimal(amount), currency), currency, locale=_locale())


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    return format_decimal(value, locale=_locale())


@register.filter
def change(pct) -> str:
    """A percent change with its sign, one decimal; an em dash when there is nothing to compare with."""
    if pct is None:
        return "—"
    pct = Decimal(pct).quantize(Decimal("0.1"))
    sign = "+" if pct > 0 else ("−" if pct < 0 else "±")
    return f"{sign}{format_decimal(abs(pct), format='#,##0.0', locale=_locale())}%"


@register.filter
def change_class(pct) -> str:
    """CSS class for a change: ``up``, ``down`` or ``flat``."""
    if pct is None or pct == 0:
        return "flat"
    return "up" if pct > 0 else "down"
