"""Building blocks every API area shares: validated code types, money as text, pages and the error body.

Money leaves the API as a decimal *string* next to its ISO currency code (``"12.50"`` + ``"USD"``), never a JSON
number, so no client ever parses it into a float. Money comes in the same way: a string or an integer; a JSON
number with a fraction is refused rather than silently rounded through a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from chuhai.core.countries import normalize_country
from chuhai.core.money import normalize_currency, parse_decimal, quantize
from chuhai.core.validation import validation_message

T = TypeVar("T")
MAX_PAGE = 500


def _django_to_value_error(func):
    """Pydantic reports ``ValueError`` under the field's name; Django's ``ValidationError`` it would not catch."""

    def check(value: str) -> str:
        try:
            return func(value)
        except DjangoValidationError as exc:
            raise ValueError(validation_message(exc)) from None

    return check


def _decimal_text(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError('send money as a string such as "12.50", never as a JSON number with a fraction')
    if isinstance(value, bool):
        raise ValueError("not a number")
    return _django_to_value_error(parse_decimal)(value)


#: ISO 4217 code, upper-cased (``usd`` → ``USD``); anything else is a 422 naming the field.
CurrencyCode = Annotated[
    str,
    AfterValidator(_django_to_value_error(normalize_currency)),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{3}$", "examples": ["USD"]}),
]
#: ISO 3166-1 alpha-2 code, with the aliases sellers type (``UK`` → ``GB``).
CountryCode = Annotated[
    str,
    AfterValidator(_django_to_value_error(normalize_country)),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}$", "examples": ["US"]}),
]
#: A decimal amount sent as a string (or an integer): ``"12.50"``.
DecimalText = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["12.50"]}),
]


def plain(value: Decimal | None) -> str | None:
    """A decimal as fixed-point text without trailing zeros (``0.918273000000`` → ``0.918273``)."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def stored_money(amount: Decimal | None, currency: str) -> str | None:
    """A stored amount as text: at least the currency's minor unit (``12.50``), but never dropping the extra
    precision a unit cost may carry (``0.0375`` USD stays ``0.0375``)."""
    if amount is None:
        return None
    if not currency:
        return plain(amount)
    rounded = quantize(amount, currency)
    return str(rounded) if rounded == amount else plain(amount)


def money(amount: Decimal, currency: str) -> str:
    """A computed amount rounded once, here at the edge, to the currency's minor unit."""
    return str(quantize(amount, currency))


class ErrorOut(Schema):
    """Every error body: ``detail`` is one sentence naming what is wrong (and the field, for invalid input)."""

    detail: str
    errors: list[dict[str, str]] | None = Field(
        None, description="For invalid input: one entry per bad field, {field, message}."
    )


class PageParams(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE, description=f"Items per page (at most {MAX_PAGE}).")
    offset: int = Field(0, ge=0, description="Items to skip.")


class Page(Schema, Generic[T]):
    """One page of a list; ``count`` is the total number of matching items."""

    count: int
    limit: int
    offset: int
    items: list[T]


def paginate(queryset, params: PageParams, convert=None) -> dict:
    """Slice an *ordered* queryset into a :class:`Page`; ``convert`` turns each row into its output dict."""
    rows = list(queryset[params.offset:params.offset + params.limit])
    return {
        "count": queryset.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": [convert(row) for row in rows] if convert else rows,
    }


#: Responses every authenticated endpoint can give besides its success.
AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut}
WRITE_ERRORS = {**AUTH_ERRORS, 409: ErrorOut, 422: ErrorOut}
