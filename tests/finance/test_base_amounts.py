"""Ledger lines in the base currency: the posting day in the company's time zone, manual rates winning, only empty
lines filled (or all with refresh), missing rates reported and left empty, and the import hook."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.finance.base_amounts import _Days, convert_lines
from chuhai.finance.fx import FxConverter, load_ecb_rates, set_manual_rate
from chuhai.finance.models import LedgerLine, ManualFxRate, Settlement

pytestmark = pytest.mark.django_db

AMAZON_FIXTURES = Path(__file__).parents[1] / "channels" / "amazon" / "fixtures"
UTC = dt.UTC


@pytest.fixture
def company(db):
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = "CNY", "Asia/Shanghai"
    settings.save()
    return settings


@pytest.fixture
def us(company):
    return create_account("AMZ-US", "amazon", "US")


def line(account, amount, currency="USD", posted_at=None, settlement=None, n=[0]):  # noqa: B006
    n[0] += 1
    return LedgerLine.objects.create(account=account, source="test", fingerprint=f"fp{n[0]:030d}",
                                     amount=Decimal(amount), currency=currency, posted_at=posted_at,
                                     settlement=settlement)


def test_posting_day_in_company_time_zone_and_manual_rates(us):
    set_manual_rate("USD", "CNY", Decimal("7.10"), dt.date(2026, 3, 1))
    set_manual_rate("USD", "CNY", Decimal("7.20"), dt.date(2026, 3, 10))
    # 2026-03-09 15:59 UTC is 23:59 in Shanghai: still the 9th → 7.10
    before = line(us, "100.00", posted_at=dt.datetime(2026, 3, 9, 15, 59, tzinfo=UTC))
    # 2026-03-09 16:00 UTC is midnight in Shanghai: the 10th → 7.20
    after = line(us, "100.00", posted_at=dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC))
    cny = line(us, "55.55", currency="CNY", posted_at=dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC))
    converted, missing = convert_lines()
    assert (converted, missing) == (3, [])
    before.refresh_from_db(), after.refresh_from_db(), cny.refresh_from_db()
    assert (before.fx_rate, before.base_amount) == (Decimal("7.10"), Decimal("710.00"))  # 100 × 7.10
    assert (after.fx_rate, after.base_amount) == (Decimal("7.20"), Decimal("720.00"))  # 100 × 7.20
    assert (cny.fx_rate, cny.base_amount) == (Decimal(1), Decimal("55.55"))  # the base currency itself


def test_fills_only_empty_lines_and_reports_missing_currency(us):
    set_manual_rate("USD", "CNY", Decimal("7.00"), dt.date(2026, 1, 1))
    done = line(us, "10.00", posted_at=dt.datetime(2026, 2, 2, 3, tzinfo=UTC))
    LedgerLine.objects.filter(pk=done.pk).update(base_amount=Decimal("1.23"), fx_rate=Decimal("0.123"))
    new = line(us, "-2.50", posted_at=dt.datetime(2026, 2, 2, 3, tzinfo=UTC))
    # VND: the ECB publishes no rate and nobody entered one → left empty and reported, never guessed
    vnd = line(us, "250000", currency="VND", posted_at=dt.datetime(2026, 2, 2, 3, tzinfo=UTC))
    nodate = line(us, "1.00")  # no posting time and no settlement: no day to take a rate from
    converted, missing = convert_lines()
    assert converted == 1
    assert missing == [("USD", None), ("VND", dt.date(2026, 2, 2))]
    done.refresh_from_db(), new.refresh_from_db(), vnd.refresh_from_db(), nodate.refresh_from_db()
    assert done.base_amount == Decimal("1.23")  # untouched
    assert new.base_amount == Decimal("-17.50")  # -2.50 × 7.00
    assert vnd.base_amount is None and vnd.fx_rate is None and nodate.base_amount is None

    # the rate is added: a second run fills the VND line only
    set_manual_rate("CNY", "VND", Decimal("3500"), dt.date(2026, 1, 1))
    assert convert_lines(LedgerLine.objects.filter(currency="VND")) == (1, [])
    vnd.refresh_from_db()
    # 1 VND = 1/3500 CNY = 0.000285714286 (rate kept to 12 places); 250000 × 0.000285714286 = 71.4285715
    assert vnd.fx_rate == Decimal("0.000285714286")
    assert abs(vnd.base_amount - Decimal("71.428572")) <= Decimal("0.000001")

    # refresh recomputes lines converted already (a manual rate was corrected)
    set_manual_rate("USD", "CNY", Decimal("7.50"), dt.date(2026, 1, 1))
    convert_lines(LedgerLine.objects.filter(pk=done.pk), refresh=True)
    done.refresh_from_db()
    assert done.base_amount == Decimal("75.00")  # 10.00 × 7.50

    # a rate that is gone empties the lines it had converted on refresh (never a stale figure)
    ManualFxRate.objects.filter(quote="VND").delete()
    assert convert_lines(LedgerLine.objects.filter(currency="VND"), refresh=True) == (0, [("VND", dt.date(2026, 2, 2))])
    vnd.refresh_from_db()
    assert vnd.base_amount is None and vnd.fx_rate is None


def test_lines_without_posting_time_take_the_settlement_deposit_day(us):
    set_manual_rate("EUR", "CNY", Decimal("7.80"), dt.date(2026, 3, 1))
    set_manual_rate("EUR", "CNY", Decimal("7.90"), dt.date(2026, 3, 18))
    settlement = Settlement.objects.create(account=us, settlement_id="S1", currency="EUR",
                                           end_at=dt.datetime(2026, 3, 15, tzinfo=UTC),
                                           deposit_at=dt.datetime(2026, 3, 17, 16, 30, tzinfo=UTC))
    fee = line(us, "-39.99", currency="EUR", settlement=settlement)
    convert_lines()
    fee.refresh_from_db()
    # deposit 2026-03-17 16:30 UTC = 2026-03-18 00:30 Shanghai → 7.90; -39.99 × 7.90 = -315.921
    assert (fee.fx_rate, fee.base_amount) == (Decimal("7.90"), Decimal("-315.921"))


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Los_Angeles", "Asia/Kathmandu", "Europe/London", "UTC",
                                  "Pacific/Chatham", "America/St_Johns"])
def test_fast_day_lookup_matches_exact_conversion(zone):
    tz = zoneinfo.ZoneInfo(zone)
    days = _Days(tz)
    moment = dt.datetime(2026, 3, 7, tzinfo=UTC)  # spans the US and European daylight-saving changes
    while moment < dt.datetime(2026, 4, 2, tzinfo=UTC):
        for text in (moment.strftime("%Y-%m-%d %H:%M:%S"), moment.strftime("%Y-%m-%d %H:%M:%S.123456+00")):
            assert days(text) == moment.astimezone(tz).date(), (zone, text)
        moment += dt.timedelta(minutes=15)


def test_settlement_import_sets_base_amounts(us):
    """The real Amazon V2 settlement (June 2025, USD) through the normal import: every line converted at the
    ECB rate of its posting day in Shanghai (a Sunday takes Friday's rate)."""
    load_ecb_rates(since=dt.date(2025, 5, 26), until=dt.date(2025, 6, 30))
    result = import_file("amazon-settlement", AMAZON_FIXTURES / "settlement_v2_consistent.txt", us)
    assert result.status == "succeeded", result.errors
    lines = list(LedgerLine.objects.filter(account=us))
    assert len(lines) == 12
    assert all(ln.base_amount is not None and ln.fx_rate is not None for ln in lines)
    converter = FxConverter()
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    for ln in lines:
        day = (ln.posted_at or dt.datetime(2025, 6, 17, tzinfo=UTC)).astimezone(tz).date()
        rate = converter.rate("USD", "CNY", day).quantize(Decimal("1e-12"))
        assert ln.fx_rate == rate
        assert abs(ln.base_amount - ln.amount * rate) <= Decimal("0.000001")
    principal = next(ln for ln in lines if ln.amount_description == "Principal")
    assert principal.posted_at.astimezone(tz).date() == dt.date(2025, 6, 9)
    # the ECB's 2025-06-09 rates: 1 EUR = 1.141 USD = 8.1943 CNY → 1 USD = 8.1943 / 1.141 = 7.1816827344...
    assert principal.fx_rate == Decimal("7.181682734443")
    assert "lines_without_fx_rate" not in result.summary


def test_rejected_import_converts_nothing(us):
    """A file rejected for a bad cell writes nothing, base amounts included."""
    load_ecb_rates(since=dt.date(2025, 6, 1), until=dt.date(2025, 6, 30))
    result = import_file("amazon-settlement", AMAZON_FIXTURES / "settlement_v2_mangled_id.txt", us)
    assert result.status != "succeeded"
    assert LedgerLine.objects.count() == 0


def test_import_reports_missing_rates(us):
    """No rates loaded at all: the lines are stored, stay without base amount, and the run says so."""
    result = import_file("amazon-settlement", AMAZON_FIXTURES / "settlement_v2_consistent.txt", us)
    assert result.status == "succeeded", result.errors
    assert LedgerLine.objects.filter(base_amount__isnull=True).count() == 12
    assert result.summary["lines_without_fx_rate"] == 12
    assert "USD 2025-06-09" in result.summary["missing_fx_rates"]

