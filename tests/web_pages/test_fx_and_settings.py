"""Exchange-rate page (finance only) and company settings (admin only)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from chuhai.core.models import CompanySettings
from chuhai.finance.models import FxRate, ManualFxRate


@pytest.fixture
def ecb_rates(db):
    from chuhai.finance.fx import load_ecb_rates

    load_ecb_rates(since=dt.date(2025, 10, 1))


def test_converter_uses_the_last_published_rate_over_a_weekend(client_as, ecb_rates):
    friday = FxRate.objects.get(currency="USD", date=dt.date(2026, 3, 6)).per_eur
    html = client_as("finance").get("/fx/", {"amount": "100", "source": "eur", "target": "USD",
                                             "date": "2026-03-07"}).content.decode()
    result = html[html.index('id="fx-result"'):]
    assert f"1 EUR = {friday.normalize():f} USD" in result
    assert "rate as of 2026-03-06" in result and "ECB" in result
    assert 'id="fx-provisional"' not in result


def test_converter_marks_dates_after_the_last_ecb_day_provisional(client_as, ecb_rates):
    last = FxRate.objects.order_by("-date").values_list("date", flat=True).first()
    day = last + dt.timedelta(days=10)
    html = client_as("finance").get("/fx/", {"amount": "1", "source": "USD", "target": "CNY",
                                             "date": day.isoformat()}).content.decode()
    assert 'id="fx-provisional"' in html


def test_missing_rate_is_a_clear_message(client_as, ecb_rates):
    html = client_as("finance").get("/fx/", {"amount": "100", "source": "USD", "target": "VND",
                                             "date": "2026-03-02"}).content.decode()
    missing = re.search(r'id="fx-missing">([^<]*)<', html).group(1)
    assert "VND" in missing and "2026-03-02" in missing
    assert 'id="fx-result"' not in html


def test_add_manual_rate_then_convert_with_it(client_as, ecb_rates):
    client = client_as("finance")
    response = client.post("/fx/", {"base": "usd", "quote": "vnd", "rate": "25400", "valid_from": "2026-01-01",
                                    "note": "Payoneer"})
    assert response.status_code == 302 and response["Location"] == "/fx/"
    rate = ManualFxRate.objects.get()
    assert (rate.base, rate.quote, rate.rate, rate.created_by.username) == ("USD", "VND", Decimal(25400),
                                                                           "finance_user")
    page = client.get("/fx/").content.decode()
    assert "Payoneer" in page and "finance_user" in page
    html = client.get("/fx/", {"amount": "10", "source": "USD", "target": "VND", "date": "2026-03-02"}).content.decode()
    assert 'id="fx-converted">254,000 VND<' in html  # VND has no minor unit
    assert "source: manual" in html


def test_invalid_manual_rate_creates_nothing(client_as, ecb_rates):
    client = client_as("finance")
    same = client.post("/fx/", {"base": "USD", "quote": "USD", "rate": "1", "valid_from": "2026-01-01"})
    assert "Choose two different currencies." in same.content.decode()
    negative = client.post("/fx/", {"base": "USD", "quote": "VND", "rate": "-3", "valid_from": "2026-01-01"})
    assert negative.status_code == 200 and 'class="errorlist' in negative.content.decode()
    unknown = client.post("/fx/", {"base": "USD", "quote": "ABC", "rate": "3", "valid_from": "2026-01-01"})
    assert "ABC is not an ISO 4217 currency code" in unknown.content.decode()
    assert not ManualFxRate.objects.exists()


def test_chart_draws_the_pair_from_ecb_rates(client_as, ecb_rates):
    html = client_as("finance").get("/fx/", {"chart_base": "USD", "chart_quote": "CNY"}).content.decode()
    option = json.loads(re.search(r'<script id="fx-chart-option" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    points = option["series"][0]["data"]
    assert len(points) > 200  # a year of business days
    day, rate = points[-1]
    usd = FxRate.objects.get(currency="USD", date=day).per_eur
    cny = FxRate.objects.get(currency="CNY", date=day).per_eur
    assert Decimal(rate) == (cny / usd).quantize(Decimal("0.000001"))
    assert 'data-chart="fx-chart-option"' in html


def test_company_settings_edit(client_as, db, role_users):
    client = client_as("admin")
    response = client.post("/settings/company/", {"name": "深圳出海科技", "base_currency": "usd",
                                                  "time_zone": "Asia/Shanghai", "country": "cn"})
    assert response.status_code == 302
    settings = CompanySettings.load()
    assert (settings.name, settings.base_currency, settings.country) == ("深圳出海科技", "USD", "CN")
    bad = client.post("/settings/company/", {"name": "x", "base_currency": "CNY", "time_zone": "Mars/Olympus",
                                            "country": "CN"})
    assert bad.status_code == 200 and 'class="errorlist' in bad.content.decode()
    assert CompanySettings.load().base_currency == "USD"


def test_base_currency_is_locked_once_orders_exist(client_as, business):
    client = client_as("admin")
    before = CompanySettings.load().base_currency
    page = client.get("/settings/company/").content.decode()
    assert "Locked because orders exist" in page
    response = client.post("/settings/company/", {"name": "Renamed", "base_currency": "EUR",
                                                  "time_zone": "Europe/Berlin", "country": "DE"})
    assert response.status_code == 302
    settings = CompanySettings.load()
    assert settings.name == "Renamed" and settings.time_zone == "Europe/Berlin"
    assert settings.base_currency == before
