"""/fx/convert and /fx/rates against real ECB history (a small date range, loaded into the test database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.finance.fx import load_ecb_rates, set_manual_rate

pytestmark = pytest.mark.django_db

#: ECB reference rate published on Friday 2024-03-15: 1 EUR = 1.0892 USD.
USD_PER_EUR_2024_03_15 = Decimal("1.0892")


@pytest.fixture
def ecb_march_2024(db):
    assert load_ecb_rates(since=dt.date(2024, 3, 11), until=dt.date(2024, 3, 22)) > 0


def test_convert_on_a_known_ecb_date(api_as, ecb_march_2024):
    response = api_as("viewer").get("/fx/convert", amount="100", **{"from": "USD", "to": "EUR"}, date="2024-03-15")
    assert response.status_code == 200, response.content
    body = response.json()
    # 100 / 1.0892 = 91.8105… EUR
    assert (body["amount"], body["currency"], body["from_amount"], body["from_currency"]) == (
        "91.81", "EUR", "100", "USD")
    assert abs(Decimal(body["rate"]) - 1 / USD_PER_EUR_2024_03_15) < Decimal("1e-12")
    assert (body["source"], body["as_of"], body["provisional"]) == ("ECB", "2024-03-15", False)


def test_weekend_uses_fridays_rate(api_as, ecb_march_2024):
    body = api_as("viewer").get("/fx/convert", amount="100", **{"from": "USD", "to": "EUR"},
                                date="2024-03-17").json()
    assert (body["amount"], body["as_of"], body["date"]) == ("91.81", "2024-03-15", "2024-03-17")


def test_missing_rate_is_a_clear_422(api_as, ecb_march_2024):
    response = api_as("viewer").get("/fx/convert", amount="100", **{"from": "VND", "to": "CNY"}, date="2024-03-15")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "VND" in detail and "2024-03-15" in detail


def test_manual_rate_fills_the_gap(api_as, ecb_march_2024):
    set_manual_rate("USD", "VND", Decimal("24700"), dt.date(2024, 3, 1))
    body = api_as("viewer").get("/fx/convert", amount="247000", **{"from": "VND", "to": "USD"},
                                date="2024-03-15").json()
    assert (body["amount"], body["source"]) == ("10.00", "manual")


def test_unknown_currency_is_422_naming_the_field(api_as, ecb_march_2024):
    response = api_as("viewer").get("/fx/convert", amount="100", **{"from": "USX", "to": "EUR"}, date="2024-03-15")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("from:")
    assert "USX" in response.json()["detail"]
    missing = api_as("viewer").get("/fx/convert", amount="100", to="EUR")
    assert missing.status_code == 422 and missing.json()["detail"].startswith("from:")
    bad_amount = api_as("viewer").get("/fx/convert", amount="lots", **{"from": "USD", "to": "EUR"})
    assert bad_amount.status_code == 422 and bad_amount.json()["detail"].startswith("amount:")


def test_rates_list_is_for_finance(api_as, ecb_march_2024):
    response = api_as("finance").get("/fx/rates", currency="usd", **{"from": "2024-03-14", "to": "2024-03-18"})
    assert response.status_code == 200, response.content
    rows = response.json()["items"]
    assert [(r["date"], r["currency"]) for r in rows] == [
        ("2024-03-14", "USD"), ("2024-03-15", "USD"), ("2024-03-18", "USD")]  # no weekend rows
    assert Decimal(rows[1]["per_eur"]) == USD_PER_EUR_2024_03_15
    assert api_as("viewer").get("/fx/rates").status_code == 403
    assert api_as("operations").get("/fx/rates").status_code == 403
