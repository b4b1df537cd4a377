"""Shelf prices as sellers set them: charm endings per market (.99 in the US/EU/UK, .90 on Shopee, ¥2,980 in Japan).

A marketplace price is the Amazon.com reference price times a market factor (price level, VAT included or not,
exchange rate), then given the ending buyers in that market expect. Results are exact in the currency's minor unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from chuhai.core.money import quantize

ENDINGS = {
    "99": Decimal("0.01"),  # 29.99
    "95": Decimal("0.05"),  # 29.95 (eBay sellers)
    "90": Decimal("0.10"),  # 12.90 (Shopee SG / MY)
}


def charm_price(amount: Decimal, currency: str, style: str) -> Decimal:
    """Round ``amount`` to a believable shelf price in ``currency``: ``style`` is 99, 95, 90 or ``jp``
    (hundreds minus 20 yen: ¥1,480, ¥2,980). Never below the smallest sensible price of the style."""
    if style == "jp":
        hundreds = max(int((amount / 100).to_integral_value(ROUND_HALF_UP)), 3)
        return quantize(Decimal(hundreds * 100 - 20), currency)
    whole = max(int(amount.to_integral_value(ROUND_HALF_UP)), 1)
    return quantize(Decimal(whole) - ENDINGS[style], currency)


def market_price(usd_reference: Decimal, factor: Decimal, currency: str, style: str) -> Decimal:
    return charm_price(usd_reference * factor, currency, style)
