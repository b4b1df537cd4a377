"""VAT rates with their dates (compliance.md §B1), which country's rate a sale takes, and the exact split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.finance.vat import (
    EU_COUNTRIES,
    STANDARD_RATES,
    prices_include_vat,
    sale_vat_rate,
    split_vat,
    vat_country,
    vat_on,
    vat_rate,
)

D = Decimal
AUTUMN_2026 = dt.date(2026, 10, 1)


def test_autumn_2026_rates_are_those_of_compliance_b1():
    expected = {"AT": 20, "BE": 21, "BG": 20, "CY": 19, "CZ": 21, "DE": 19, "DK": 25, "EE": 24, "GR": 24, "ES": 21,
                "FI": D("25.5"), "FR": 20, "HR": 25, "HU": 27, "IE": 23, "IT": 22, "LT": 21, "LU": 17, "LV": 21,
                "MT": 18, "NL": 21, "PL": 23, "PT": 23, "RO": 21, "SE": 25, "SI": 22, "SK": 23,
                "GB": 20, "NO": 25, "CH": D("8.1")}
    assert {c: vat_rate(c, AUTUMN_2026) for c in expected} == {c: D(v) for c, v in expected.items()}
    assert len(EU_COUNTRIES) == 27 and set(STANDARD_RATES) == set(expected)


@pytest.mark.parametrize(("country", "day", "rate"), [
    ("EE", dt.date(2025, 6, 30), "22"), ("EE", dt.date(2025, 7, 1), "24"), ("EE", dt.date(2023, 12, 31), "20"),
    ("FI", dt.date(2024, 8, 31), "24"), ("FI", dt.date(2024, 9, 1), "25.5"),
    ("RO", dt.date(2025, 7, 31), "19"), ("RO", dt.date(2025, 8, 1), "21"),
    ("SK", dt.date(2024, 12, 31), "20"), ("SK", dt.date(2025, 1, 1), "23"),
    ("DE", dt.date(2020, 6, 30), "19"), ("DE", dt.date(2020, 7, 1), "16"), ("DE", dt.date(2020, 12, 31), "16"),
    ("DE", dt.date(2021, 1, 1), "19"),
    ("CH", dt.date(2023, 12, 31), "7.7"), ("CH", dt.date(2024, 1, 1), "8.1"),
])
def test_dated_changes(country, day, rate):
    assert vat_rate(country, day) == D(rate)


def test_codes_and_unknown_countries():
    assert vat_rate("EL", AUTUMN_2026) == D(24)  # Greece's VAT prefix
    assert vat_rate("uk", AUTUMN_2026) == D(20)
    assert vat_rate("US", AUTUMN_2026) is None and vat_rate("", AUTUMN_2026) is None


def test_which_marketplaces_include_vat():
    assert all(prices_include_vat(c) for c in ("DE", "FR", "GB", "NO", "CH", "PL", "SE"))
    # GST markets: not split by default (see chuhai.finance.vat); sales-tax markets never
    assert not any(prices_include_vat(c) for c in ("US", "CA", "JP", "AU", "SG", "MX", ""))


def test_split_is_exact():
    # 119.00 at 19 %: VAT = 119 × 19 / 119 = 19.00, net 100.00
    assert split_vat(D("119.00"), D(19)) == (D("100.00"), D("19.00"))
    # 100.00 at 19 %: VAT 100 × 19 / 119 = 15.966386…, net 84.033613…: the two add up to 100.00
    net, vat = split_vat(D("100.00"), D(19))
    assert net + vat == D("100.00") and vat.quantize(D("0.01")) == D("15.97")
    # FI 25.5 %: 125.50 → 100.00 + 25.50
    assert split_vat(D("125.50"), D("25.5")) == (D("100.00"), D("25.50"))
    assert split_vat(D("10"), None) == (D("10"), D(0)) and split_vat(D("10"), D(0)) == (D("10"), D(0))
    assert vat_on(D("100"), D(19)) == D(19) and vat_on(D("100"), None) == 0


def test_destination_principle_and_exports():
    after, before = dt.date(2026, 3, 10), dt.date(2021, 6, 30)
    # an Amazon.de order shipped to France after 2021-07-01 carries French VAT; before, the marketplace's
    assert vat_country("DE", "FR", after) == "FR" and sale_vat_rate("DE", "FR", after) == D(20)
    assert vat_country("DE", "FR", before) == "DE" and sale_vat_rate("DE", "FR", before) == D(19)
    # no ship-to country known: the marketplace's
    assert sale_vat_rate("DE", "", after) == D(19)
    # leaving the VAT area is an export, zero-rated
    assert sale_vat_rate("DE", "CH", after) == 0 and sale_vat_rate("GB", "DE", after) == 0
    assert sale_vat_rate("CH", "LI", after) == D("8.1")  # Liechtenstein is in the Swiss VAT area
    # prices exclude tax: no rate at all
    assert sale_vat_rate("US", "US", after) is None
