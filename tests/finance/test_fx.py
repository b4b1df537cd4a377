import datetime as dt
from decimal import Decimal

import pytest

from chuhai.core.money import quantize
from chuhai.finance.fx import (
    FxConverter,
    FxRateMissing,
    bundled_ecb_history,
    convert,
    load_ecb_rates,
    quote,
    set_manual_rate,
)
from chuhai.finance.models import FxRate


@pytest.fixture
def ecb_2024(db):
    load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 4, 30))


def test_known_ecb_rate_on_a_known_date(ecb_2024):
    # ECB reference rates of Friday 15 March 2024: 1 EUR = 1.0892 USD = 7.838 CNY = 0.8541 GBP.
    assert FxRate.objects.get(currency="USD", date=dt.date(2024, 3, 15)).per_eur == Decimal("1.0892")
    assert quantize(convert(Decimal(100), "USD", "EUR", dt.date(2024, 3, 15)), "EUR") == Decimal("91.81")
    q = quote("USD", "CNY", dt.date(2024, 3, 15))
    assert q.rate == Decimal("7.838") / Decimal("1.0892") and q.source == "ECB" and not q.provisional


def test_weekend_and_holiday_carry_forward(ecb_2024):
    saturday = quote("USD", "EUR", dt.date(2024, 3, 16))
    assert saturday.as_of == dt.date(2024, 3, 15)
    easter_monday = quote("GBP", "EUR", dt.date(2024, 4, 1))  # Good Friday + Easter Monday: no fixing
    assert easter_monday.as_of == dt.date(2024, 3, 28)


def test_no_rate_before_history_or_for_unpublished_currency(ecb_2024):
    with pytest.raises(FxRateMissing, match="VND"):
        quote("VND", "CNY", dt.date(2024, 3, 15))
    with pytest.raises(FxRateMissing):
        quote("USD", "CNY", dt.date(2023, 1, 2))  # not loaded: no silent stale rate


def test_manual_rate_wins_and_bridges_unpublished_currencies(ecb_2024, django_user_model):
    set_manual_rate("USD", "CNY", Decimal("7.20"), dt.date(2024, 3, 10), note="PingPong")
    assert quote("USD", "CNY", dt.date(2024, 3, 15)).rate == Decimal("7.20")
    assert quote("CNY", "USD", dt.date(2024, 3, 15)).rate == Decimal(1) / Decimal("7.20")
    assert quote("USD", "CNY", dt.date(2024, 3, 8)).source == "ECB"  # before the manual rate starts
    set_manual_rate("USD", "VND", Decimal("24700"), dt.date(2024, 1, 1))
    vnd = FxConverter().quote("VND", "EUR", dt.date(2024, 3, 15))
    # 1 EUR = 1.0892 USD = 1.0892 × 24700 VND
    assert abs(vnd.rate - 1 / (Decimal("1.0892") * Decimal("24700"))) < Decimal("1e-20")
    assert vnd.source == "ECB+manual" and vnd.as_of == dt.date(2024, 1, 1)


def test_dates_after_the_bundled_history_are_provisional(db):
    last_day = max(r[0] for r in bundled_ecb_history())
    load_ecb_rates(since=last_day - dt.timedelta(days=10))
    later = quote("USD", "CNY", last_day + dt.timedelta(days=20))
    assert later.provisional and later.as_of == last_day


def test_loading_is_idempotent(db):
    first = load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31))
    assert first > 0
    assert load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31)) == 0


def test_float_amounts_are_refused(ecb_2024):
    with pytest.raises(TypeError):
        convert(100.0, "USD", "EUR", dt.date(2024, 3, 15))
