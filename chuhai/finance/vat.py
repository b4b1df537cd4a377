"""VAT in marketplace prices: standard rates with their dates, which country's rate applies, and the exact split.

**Rates** (percent, standard rate only — reduced rates depend on the product and are not modelled): EU-27 + GB + NO
+ CH as of autumn 2026 from ``/work/shared/reference/compliance.md`` §B1 ("Standard VAT rates, EU-27", verified
there against the EC TEDB data of ``eu-vat-rates-data`` 2026.9.29 and ``duty27-eu-vat`` 0.1.0), with the dated
changes it lists — EE 24 from 2025-07-01, FI 25.5 from 2024-09-01, RO 21 from 2025-08-01, SK 23 from 2025-01-01 —
and the earlier values they replaced: EE 20 until 2023-12-31 and 22 in 2024 – 2025-06-30, FI 24, RO 19, SK 20.
Other changes since 2020 not in §B1, from the national announcements: DE 16 from 2020-07-01 to 2020-12-31 (the
COVID cut), IE 21 from 2020-09-01 to 2021-02-28, LU 16 in 2023, CH 7.7 until 2023-12-31 (8.1 since 2024-01-01).
Greece is ``GR`` (ISO 3166) here; ``EL`` (its VAT prefix) is accepted too.

**Which prices include VAT** (:func:`prices_include_vat`): marketplaces in the EU, GB, NO and CH. A cross-border
seller selling there is registered for VAT from the first sale (compliance.md §B1: non-EU sellers owe destination
VAT from the first euro; §B2 for the UK) and the consumer price includes it, so net revenue is the price less the
VAT. GST markets (AU, JP, SG, NZ…) also show GST-inclusive prices, but ``False`` is returned for them: a small
overseas seller is often not registered there (JP exempts sellers under ¥10 M, SG overseas vendors under S$100k),
and the low-value-goods GST those marketplaces collect arrives as separate marketplace-tax lines, which profit
already excludes. A GST-registered seller adds the country to :data:`EXTRA_INCLUSIVE_MARKETS` (one line).

**Which country's rate** (:func:`sale_vat_rate`): for an EU marketplace, the ship-to country's when it is in the EU
and the sale is on or after 2021-07-01 (destination principle of the e-commerce package, §B1), else the
marketplace's; for GB/NO/CH, the marketplace's. A delivery leaving the VAT area (an EU marketplace shipping to CH,
GB shipping to the EU…) is an export, zero-rated: rate 0. Before 2021-07-01 the distance-selling thresholds decided
per seller; the marketplace's rate is used then (a simplification, stated).

:func:`split_vat` is exact: ``vat = gross × rate / (100 + rate)`` in :class:`~decimal.Decimal` (28 significant
digits), ``net = gross − vat``, so ``net + vat == gross`` always; rounding happens when a figure is shown.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

D = Decimal
HUNDRED = D(100)
ZERO = D(0)
#: The EU e-commerce VAT package: destination VAT for B2C distance sales from this day (compliance.md §B1).
DESTINATION_PRINCIPLE_FROM = dt.date(2021, 7, 1)

EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "GR", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
#: VAT areas outside the EU with VAT-inclusive consumer prices (LI is in the Swiss VAT area).
OTHER_VAT_AREAS = {"GB": frozenset({"GB"}), "NO": frozenset({"NO"}), "CH": frozenset({"CH", "LI"})}
#: Markets a registered seller adds to the VAT-inclusive ones (see the module docstring); empty by default.
EXTRA_INCLUSIVE_MARKETS: frozenset[str] = frozenset()

_START = dt.date(1900, 1, 1)

#: country → ((valid from, standard rate %), …) oldest first; a rate holds until the next row.
STANDARD_RATES: dict[str, tuple[tuple[dt.date, Decimal], ...]] = {
    "AT": ((_START, D(20)),),
    "BE": ((_START, D(21)),),
    "BG": ((_START, D(20)),),
    "CY": ((_START, D(19)),),
    "CZ": ((_START, D(21)),),
    "DE": ((_START, D(19)), (dt.date(2020, 7, 1), D(16)), (dt.date(2021, 1, 1), D(19))),
    "DK": ((_START, D(25)),),
    "EE": ((_START, D(20)), (dt.date(2024, 1, 1), D(22)), (dt.date(2025, 7, 1), D(24))),
    "GR": ((_START, D(24)),),
    "ES": ((_START, D(21)),),
    "FI": ((_START, D(24)), (dt.date(2024, 9, 1), D("25.5"))),
    "FR": ((_START, D(20)),),
    "HR": ((_START, D(25)),),
    "HU": ((_START, D(27)),),
    "IE": ((_START, D(23)), (dt.date(2020, 9, 1), D(21)), (dt.date(2021, 3, 1), D(23))),
    "IT": ((_START, D(22)),),
    "LT": ((_START, D(21)),),
    "LU": ((_START, D(17)), (dt.date(2023, 1, 1), D(16)), (dt.date(2024, 1, 1), D(17))),
    "LV": ((_START, D(21)),),
    "MT": ((_START, D(18)),),
    "NL": ((_START, D(21)),),
    "PL": ((_START, D(23)),),
    "PT": ((_START, D(23)),),
    "RO": ((_START, D(19)), (dt.date(2025, 8, 1), D(21))),
    "SE": ((_START, D(25)),),
    "SI": ((_START, D(22)),),
    "SK": ((_START, D(20)), (dt.date(2025, 1, 1), D(23))),
    "GB": ((_START, D(20)),),
    "NO": ((_START, D(25)),),
    "CH": ((_START, D("7.7")), (dt.date(2024, 1, 1), D("8.1"))),
}
ALIASES = {"EL": "GR", "UK": "GB", "LI": "CH"}


def _country(code: str | None) -> str:
    code = (code or "").strip().upper()
    return ALIASES.get(code, code)


def vat_rate(country: str | None, day: dt.date) -> Decimal | None:
    """The standard VAT rate (percent) of ``country`` on ``day``; None for a country not in :data:`STANDARD_RATES`."""
    periods = STANDARD_RATES.get(_country(country))
    if periods is None:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    rate = periods[0][1]
    for start, value in periods:
        if start <= day:
            rate = value
        else:
            break
    return rate


def _area(country: str) -> frozenset[str] | None:
    if country in EU_COUNTRIES:
        return EU_COUNTRIES
    return OTHER_VAT_AREAS.get(country)


def prices_include_vat(marketplace_country: str | None) -> bool:
    """Whether consumer prices on this marketplace include VAT the seller owes (EU, GB, NO, CH; see the docstring)."""
    country = _country(marketplace_country)
    return _area(country) is not None or country in EXTRA_INCLUSIVE_MARKETS


def vat_country(marketplace: str | None, ship_country: str | None, day: dt.date) -> str | None:
    """The country whose VAT is in the price of a sale on ``marketplace`` delivered to ``ship_country``; None for an
    export out of the marketplace's VAT area (zero-rated) or a marketplace without VAT-inclusive prices."""
    market, ship = _country(marketplace), _country(ship_country)
    area = _area(market)
    if area is None:
        return market if market in EXTRA_INCLUSIVE_MARKETS else None
    if not ship:
        return market
    if ship not in area:
        return None  # export: zero-rated
    if area is EU_COUNTRIES and day >= DESTINATION_PRINCIPLE_FROM:
        return ship
    return market


def sale_vat_rate(marketplace: str | None, ship_country: str | None, day: dt.date) -> Decimal | None:
    """The VAT rate (percent) inside the prices of such a sale: 0 for an export, None when prices exclude VAT (or
    no rate is known for the country)."""
    if not prices_include_vat(marketplace):
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    country = vat_country(marketplace, ship_country, day)
    if country is None:
        return ZERO
    return vat_rate(country, day)


def split_vat(gross: Decimal, rate: Decimal | None) -> tuple[Decimal, Decimal]:
    """(net, vat) of a VAT-inclusive ``gross`` at ``rate`` percent: exact, ``net + vat == gross``.

    ``119.00`` at ``19`` → ``(100.00, 19.00)``. No rate (or 0): everything is net."""
    gross = Decimal(gross)
    if not rate:
        return gross, ZERO
    vat = gross * rate / (HUNDRED + rate)
    return gross - vat, vat


def vat_on(net: Decimal, rate: Decimal | None) -> Decimal:
    """The VAT charged on top of a net amount (``100`` at ``19`` → ``19``)."""
    if not rate:
        return ZERO
    return Decimal(net) * rate / HUNDRED
