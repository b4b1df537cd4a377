"""The CLI commands against the real test database: what they print, what they store, how they fail."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import unicodedata
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from chuhai.catalog.models import Product
from chuhai.channels.models import ChannelAccount
from chuhai.core.models import ApiToken
from chuhai.finance.models import FxRate
from chuhai.inventory.models import Warehouse

from .support import assert_user_error

pytestmark = pytest.mark.django_db


def screen_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def feed_stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


# -- users -----------------------------------------------------------------------------------------------------
def test_users_add_with_password_from_stdin(chuhai, monkeypatch):
    feed_stdin(monkeypatch, "correct-horse-battery\n")

    result = chuhai("users", "add", "mei", "--role", "finance", "--password-stdin", "--email", "mei@example.com")

    assert result.code == 0
    user = get_user_model().objects.get(username="mei")
    assert user.check_password("correct-horse-battery") and user.email == "mei@example.com"
    assert user.has_perm("finance.add_manualfxrate") and not user.has_perm("catalog.change_product")


def test_users_add_refuses_weak_missing_or_duplicate_passwords(chuhai, monkeypatch):
    feed_stdin(monkeypatch, "123\n")
    assert_user_error(chuhai("users", "add", "weak", "--role", "viewer", "--password-stdin"), "too short")

    feed_stdin(monkeypatch, "")  # not a terminal and no --password-stdin: never create a user silently
    assert_user_error(chuhai("users", "add", "nopw", "--role", "viewer"), "--password-stdin")
    assert not get_user_model().objects.filter(username__in=["weak", "nopw"]).exists()

    assert chuhai("users", "add", "bot", "--role", "viewer", "--no-password").code == 0
    assert_user_error(chuhai("users", "add", "bot", "--role", "admin", "--no-password"), "already exists")


def test_users_token_prints_only_a_working_token(chuhai):
    chuhai("users", "add", "erp", "--role", "operations", "--no-password")

    result = chuhai("users", "token", "erp", "--name", "erp sync")

    assert result.code == 0
    token = result.out.strip()
    assert result.out == token + "\n" and " " not in token
    assert ApiToken.objects.authenticate(token).username == "erp"
    assert ApiToken.objects.get(user__username="erp").name == "erp sync"
    assert_user_error(chuhai("users", "token", "ghost"), "ghost")


def test_users_list_json(chuhai, role_users):
    rows = json.loads(chuhai("users", "list", "--json").out)
    assert {r["username"]: r["role"] for r in rows} == {f"{role}_user": role for role in role_users}
    assert set(rows[0]) == {"username", "role", "email", "is_active", "last_login"}


# -- accounts and warehouses -----------------------------------------------------------------------------------
def test_accounts_add_defaults_and_list(chuhai):
    assert chuhai("accounts", "add", "AMZ-UK", "--platform", "amazon", "--marketplace", "uk").code == 0
    assert chuhai("accounts", "add", "SHOP-EU", "--platform", "shopify", "--marketplace", "DE",
                  "--name", "Own site EU").code == 0
    assert chuhai("accounts", "add", "DIST-1", "--platform", "distributor", "--marketplace", "US",
                  "--currency", "eur", "--model", "platform").code == 0

    rows = {r["code"]: r for r in json.loads(chuhai("accounts", "list", "--json").out)}

    assert rows["AMZ-UK"] == {"code": "AMZ-UK", "name": "AMZ-UK", "platform": "amazon", "marketplace": "GB",
                              "currency": "GBP", "operating_model": "platform", "is_active": True}
    assert (rows["SHOP-EU"]["currency"], rows["SHOP-EU"]["operating_model"]) == ("EUR", "own_site")
    assert (rows["DIST-1"]["currency"], rows["DIST-1"]["operating_model"]) == ("EUR", "platform")
    table = chuhai("accounts", "list").out.splitlines()
    assert table[0].split() == ["CODE", "NAME", "PLATFORM", "MARKETPLACE", "CURRENCY", "MODEL", "ACTIVE"]
    assert len(table) == 4


def test_accounts_add_user_errors(chuhai):
    assert_user_error(chuhai("accounts", "add", "X-1", "--platform", "ebay", "--marketplace", "XX"), "XX")
    chuhai("accounts", "add", "EBAY-US", "--platform", "ebay", "--marketplace", "US")
    assert_user_error(chuhai("accounts", "add", "EBAY-US", "--platform", "ebay", "--marketplace", "US"),
                      "already exists")
    assert ChannelAccount.objects.count() == 1


def test_warehouses_add_and_list(chuhai):
    assert chuhai("warehouses", "add", "SZ-MAIN", "--type", "domestic", "--country", "CN",
                  "--name", "深圳仓").code == 0
    assert chuhai("warehouses", "add", "US-WEST", "--type", "overseas_3pl", "--country", "US",
                  "--time-zone", "America/Los_Angeles").code == 0
    assert_user_error(chuhai("warehouses", "add", "MOON", "--type", "fba", "--country", "US",
                             "--time-zone", "Moon/Base"), "time zone")

    rows = json.loads(chuhai("warehouses", "list", "--json").out)

    assert [(r["code"], r["type"], r["country"], r["time_zone"]) for r in rows] == [
        ("SZ-MAIN", "domestic", "CN", "Asia/Shanghai"), ("US-WEST", "overseas_3pl", "US", "America/Los_Angeles")]
    # The human table aligns columns even with Chinese (double-width) names.
    lines = chuhai("warehouses", "list").out.splitlines()
    type_columns = {screen_width(line[:line.index(word)]) for line, word in zip(
        lines, ("TYPE", "domestic", "overseas_3pl"), strict=True)}
    assert len(type_columns) == 1
    assert Warehouse.objects.count() == 2


# -- products --------------------------------------------------------------------------------------------------
def test_products_add_and_list_money_as_strings(chuhai):
    assert chuhai("products", "add", "CBL-1", "--name", "USB-C cable", "--name-zh", "数据线",
                  "--cost", "12.5", "--cost-currency", "cny", "--weight-g", "35").code == 0
    assert chuhai("products", "add", "PIN-1", "--name-zh", "顶针", "--cost", "0.0375",
                  "--cost-currency", "USD").code == 0
    assert_user_error(chuhai("products", "add", "CBL-1", "--name", "again"), "already exists")

    rows = {r["sku"]: r for r in json.loads(chuhai("products", "list", "--json").out)}

    assert rows["CBL-1"]["purchase_cost"] == "12.50" and rows["CBL-1"]["cost_currency"] == "CNY"
    assert rows["CBL-1"]["weight_g"] == 35 and rows["CBL-1"]["name_zh"] == "数据线"
    assert rows["PIN-1"]["purchase_cost"] == "0.0375"  # sub-cent unit costs are not rounded away
    assert Product.objects.get(sku="CBL-1").purchase_cost == Decimal("12.5")


def test_products_import_reports_counts_and_errors(chuhai, tmp_path):
    good = tmp_path / "list.csv"
    good.write_bytes("\ufeff货号,品名,采购价,币种\nA-1,Cable,12.5,CNY\nA-2,Stand,30,CNY\n".encode())

    dry = chuhai("products", "import", str(good), "--dry-run")
    assert dry.code == 0 and "would create 2" in dry.out and not Product.objects.exists()
    first = chuhai("products", "import", str(good))
    assert first.code == 0 and "created 2, updated 0, unchanged 0" in first.out
    again = chuhai("products", "import", str(good))
    assert "created 0, updated 0, unchanged 2" in again.out

    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,cost,currency\nA-1,Renamed,1,CNY\nA-3,x,-4,CNY\n")
    result = chuhai("products", "import", str(bad))
    assert result.code == 1 and "Traceback" not in result.err
    assert "bad.csv, line 3, column 'cost', value '-4'" in result.err
    assert result.err.strip().splitlines()[-1] == f"chuhai: error: 1 error in {bad}; nothing was imported"
    assert Product.objects.get(sku="A-1").name_en == "Cable"

    assert_user_error(chuhai("products", "import", str(tmp_path / "missing.csv")), "no such file")


# -- stats -----------------------------------------------------------------------------------------------------
def test_stats_counts_what_the_database_holds(chuhai):
    chuhai("accounts", "add", "AMZ-US", "--platform", "amazon", "--marketplace", "US")
    chuhai("products", "add", "S-1", "--name", "one")
    chuhai("products", "add", "S-2", "--name", "two")

    counts = json.loads(chuhai("stats", "--json").out)

    assert {"products", "listings", "accounts", "warehouses", "orders", "order_lines"} <= set(counts)
    assert (counts["products"], counts["accounts"], counts["orders"]) == (2, 1, 0)
    table = dict(line.rsplit(None, 1) for line in chuhai("stats").out.splitlines()[1:])
    assert table["products"] == "2"


# -- fx --------------------------------------------------------------------------------------------------------
@pytest.fixture
def ecb_rates(db):
    """Friday 2026-02-27 and Monday 2026-03-02 (units per EUR), chosen so results are easy to check by hand."""
    for day, usd, cny, jpy in ((dt.date(2026, 2, 27), "1.25", "8.75", "187.5"),
                               (dt.date(2026, 3, 2), "1.10", "8.00", "165")):
        for code, value in (("USD", usd), ("CNY", cny), ("JPY", jpy)):
            FxRate.objects.create(date=day, currency=code, per_eur=Decimal(value), source="ECB")


def test_fx_convert_rounds_to_the_target_minor_unit(chuhai, ecb_rates):
    result = chuhai("fx", "convert", "100", "USD", "CNY", "--date", "2026-03-02", "--json")

    data = json.loads(result.out)
    assert data == {"amount": "100", "from": "USD", "to": "CNY", "date": "2026-03-02", "converted": "727.27",
                    "rate": "7.272727273", "source": "ECB", "as_of": "2026-03-02", "provisional": False}
    # Sunday carries Friday's rate forward; JPY has no minor unit.
    sunday = json.loads(chuhai("fx", "convert", "10.01", "USD", "JPY", "--date", "2026-03-01", "--json").out)
    assert (sunday["converted"], sunday["as_of"]) == ("1502", "2026-02-27")
    text = chuhai("fx", "convert", "100", "USD", "CNY", "--date", "2026-03-02").out
    assert text.splitlines()[0] == "100 USD = 727.27 CNY"


def test_fx_set_manual_rate_wins_and_fills_gaps(chuhai, ecb_rates):
    assert_user_error(chuhai("fx", "convert", "1000", "VND", "CNY", "--date", "2026-03-02"),
                      "VND", "chuhai fx set")

    assert chuhai("fx", "set", "USD", "CNY", "7", "--from", "2026-03-01", "--note", "bank").code == 0
    assert chuhai("fx", "set", "VND", "CNY", "0.0003", "--from", "2026-01-01").code == 0
    assert_user_error(chuhai("fx", "set", "USD", "CNY", "0", "--from", "2026-03-01"), "positive")

    usd = json.loads(chuhai("fx", "convert", "100", "USD", "CNY", "--date", "2026-03-02", "--json").out)
    assert (usd["converted"], usd["source"]) == ("700.00", "manual")
    vnd = json.loads(chuhai("fx", "convert", "100000", "VND", "CNY", "--date", "2026-03-02", "--json").out)
    assert vnd["converted"] == "30.00"


def test_fx_load_adds_bundled_ecb_rates(chuhai):
    result = chuhai("fx", "load", "--since", "2026-01-01")

    assert result.code == 0
    assert FxRate.objects.filter(date__gte=dt.date(2026, 1, 1), currency="USD").exists()
    assert not FxRate.objects.filter(date__lt=dt.date(2026, 1, 1)).exists()
    assert "Loaded 0 new" in chuhai("fx", "load", "--since", "2026-01-01").out


# -- init and manage -------------------------------------------------------------------------------------------
def test_init_is_complete_then_quick(chuhai):
    from chuhai.core.models import CompanySettings

    first = chuhai("init")

    assert first.code == 0
    assert CompanySettings.objects.count() == 1
    assert FxRate.objects.filter(currency="USD", date=dt.date(2024, 1, 2)).exists()
    count = FxRate.objects.count()
    second = chuhai("init")
    assert second.code == 0 and "0 added" in second.out
    assert FxRate.objects.count() == count and CompanySettings.objects.count() == 1


def test_init_categorises_ledger_lines_of_an_earlier_version(chuhai):
    """Lines imported before the fee taxonomy existed have no category: init gives them one and their order."""
    from chuhai.channels.services import create_account
    from chuhai.finance.models import LedgerLine
    from chuhai.orders.models import Order

    account = create_account("AMZ-US", "amazon", "US")
    order = Order.objects.create(account=account, external_id="111-1", purchased_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
                                 status="shipped", fulfilment_channel="fba", currency="USD", base_currency="CNY",
                                 fx_rate=Decimal("7.1"))
    line = LedgerLine.objects.create(account=account, source="amazon-settlement", fingerprint="f1",
                                     transaction_type="Order", order_ref="111-1", amount_type="ItemFees",
                                     amount_description="Commission", amount=Decimal("-1.50"), currency="USD",
                                     posted_at=dt.datetime(2024, 3, 15, 12, tzinfo=dt.UTC))
    assert line.category == "" and line.order_id is None

    result = chuhai("init")

    assert result.code == 0 and "1 categorised, 1 linked" in result.out
    line.refresh_from_db()
    assert line.category == "referral_fee" and line.order_id == order.pk
    from chuhai.finance.fx import FxConverter

    rate = FxConverter().rate("USD", "CNY", dt.date(2024, 3, 15))  # ECB, loaded by the same init
    assert abs(line.base_amount - Decimal("-1.50") * rate) < Decimal("0.000001")
    assert "categorised" not in chuhai("init").out  # nothing left to upgrade


def test_manage_passes_through_to_django(chuhai):
    result = chuhai("manage", "check")
    assert result.code == 0 and "no issues" in result.out
    assert chuhai("manage", "no_such_command").code == 1
