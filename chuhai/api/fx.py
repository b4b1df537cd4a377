"""Exchange rates: ``/fx/convert`` (a read utility for anyone who may see reports) and ``/fx/rates`` (finance).

Conversion uses :class:`chuhai.finance.fx.FxConverter`, the same rules as the reports: the seller's own rate
wins, then ECB cross rates carried over weekends and holidays; dates after the last loaded ECB day are marked
``provisional``. A currency without any usable rate (VND, TWD, AED… until one is added) is a 422 whose message
says how to add one.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ninja import Field, Query, Router, Schema

from chuhai.core.models import CompanySettings
from chuhai.finance.fx import FxConverter
from chuhai.finance.models import FxRate

from .auth import needs
from .schemas import (
    AUTH_ERRORS,
    CurrencyCode,
    DecimalText,
    ErrorOut,
    Page,
    PageParams,
    money,
    paginate,
    plain,
)

router = Router(tags=["fx"])


class ConvertParams(Schema):
    amount: DecimalText = Field(..., examples=["100"])
    from_currency: CurrencyCode = Field(..., alias="from", examples=["USD"])
    to_currency: CurrencyCode = Field(..., alias="to", examples=["CNY"])
    date: dt.date | None = Field(None, description="Transaction day; defaults to today in the company's time zone.")


class ConversionOut(Schema):
    amount: str = Field(description="The converted amount, rounded to the target currency's minor unit.")
    currency: str
    from_amount: str
    from_currency: str
    date: dt.date
    rate: str = Field(description="Units of `currency` per unit of `from_currency`.")
    source: str = Field(description="ECB, manual, ECB+manual or identity.")
    as_of: dt.date = Field(description="The day the rate was published or set (earlier on weekends/holidays).")
    provisional: bool = Field(description="True when the date is after the last loaded ECB day.")


@router.get("/fx/convert", response={200: ConversionOut, 422: ErrorOut, **AUTH_ERRORS},
            auth=needs("analytics.view_dashboard"))
def convert(request, params: Query[ConvertParams]):
    """Convert an amount between currencies at a date. Requires ``analytics.view_dashboard``."""
    day = params.date or dt.datetime.now(zoneinfo.ZoneInfo(CompanySettings.load().time_zone)).date()
    quote = FxConverter().quote(params.from_currency, params.to_currency, day)
    return {
        "amount": money(params.amount * quote.rate, quote.quote),
        "currency": quote.quote,
        "from_amount": plain(params.amount),
        "from_currency": quote.base,
        "date": day,
        "rate": plain(quote.rate),
        "source": quote.source,
        "as_of": quote.as_of,
        "provisional": quote.provisional,
    }


class RateOut(Schema):
    date: dt.date
    currency: str
    per_eur: str = Field(description="Units of `currency` per 1 EUR.")
    source: str

    @staticmethod
    def resolve_per_eur(obj: FxRate) -> str:
        return plain(obj.per_eur)


class RateFilters(Schema):
    currency: CurrencyCode | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to", description="Inclusive.")


@router.get("/fx/rates", response={200: Page[RateOut], **AUTH_ERRORS}, auth=needs("finance.view_fxrate"))
def list_rates(request, filters: Query[RateFilters], page: Query[PageParams]):
    """Loaded ECB reference rates (euro cross rates), by date. Requires ``finance.view_fxrate``."""
    qs = FxRate.objects.order_by("date", "currency")
    if filters.currency:
        qs = qs.filter(currency=filters.currency)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return paginate(qs, page)
