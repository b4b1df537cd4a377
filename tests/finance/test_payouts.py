"""Payouts received: the FX gain worked by hand, the fee kept out of the gain, duplicate references, the CSV import
(all or nothing, errors with line and column), the summary, the page, the API and the command line."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from chuhai.channels.ingest.errors import FileRejected
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.core.money import quantize
from chuhai.core.users import issue_token
from chuhai.finance.fx import FxRateMissing, set_manual_rate
from chuhai.finance.models import LedgerLine, Settlement
from chuhai.finance.payout_fx import fx_summary, import_payouts_csv, record_payout
from chuhai.finance.payouts import PayoutReceipt

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def set_company(base="CNY"):
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = base, "Asia/Shanghai"
    settings.save()


@pytest.fixture
def settled(db):
    """Settlement S-100 of 10,000.00 USD from lines on three days; USD/CNY 7.10 from March 1st, 7.20 from the 10th."""
    set_company("CNY")
    account = create_account("AMZ-US", "amazon", "US")
    set_manual_rate("USD", "CNY", Decimal("7.10"), dt.date(2026, 3, 1))
    set_manual_rate("USD", "CNY", Decimal("7.20"), dt.date(2026, 3, 10))
    settlement = Settlement.objects.create(account=account, settlement_id="S-100", currency="USD",
                                           total_amount=Decimal("10000.00"), lines_total=Decimal("10000.00"),
                                           deposit_at=dt.datetime(2026, 3, 16, tzinfo=UTC))
    for n, (amount, posted) in enumerate([
        ("6000.00", dt.datetime(2026, 3, 5, 10, tzinfo=UTC)),   # 5 March → 7.10
        ("3000.00", dt.datetime(2026, 3, 9, 20, tzinfo=UTC)),   # 10 March 04:00 in Shanghai → 7.20
        ("-500.00", dt.datetime(2026, 3, 12, 8, tzinfo=UTC)),   # → 7.20
        ("1500.00", dt.datetime(2026, 3, 12, 9, tzinfo=UTC)),   # → 7.20
    ]):
        LedgerLine.objects.create(account=account, settlement=settlement, source="amazon-settlement",
                                  fingerprint=f"s100-{n}", amount=Decimal(amount), currency="USD", posted_at=posted)
    # a transaction-report line linked to the same settlement describes the same money again: not in the book
    LedgerLine.objects.create(account=account, settlement=settlement, source="amazon-transactions",
                              fingerprint="s100-tx", amount=Decimal("6000.00"), currency="USD",
                              posted_at=dt.datetime(2026, 3, 5, 10, tzinfo=UTC))
    return account, settlement


def test_fx_gain_worked_by_hand(settled):
    account, settlement = settled
    # Book value: 6,000.00 × 7.10 = 42,600.00; (3,000.00 − 500.00 + 1,500.00) = 4,000.00 × 7.20 = 28,800.00
    #             → 71,400.00 CNY (lines not converted yet are converted by record_payout).
    # PingPong credits 71,634.45 CNY after its 0.3 % fee of 215.55: gross 71,850.00 CNY (7.185 per USD).
    # Received (gross, CNY is the base currency) 71,850.00 − book 71,400.00 = FX gain 450.00 CNY.
    receipt = record_payout(account, "pingpong", "PP-2026-0001", dt.date(2026, 3, 17), Decimal("71634.45"), "CNY",
                            fee=Decimal("215.55"), settlement=settlement)
    assert receipt.base_amount == Decimal("71850.00")
    assert receipt.book_amount == Decimal("71400.00")
    assert receipt.fx_gain == Decimal("450.00")
    assert LedgerLine.objects.filter(settlement=settlement, base_amount__isnull=True).count() == 1  # the tx line

    summary = fx_summary(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    row = summary.rows[0]
    assert (row.account, row.provider, row.payouts) == ("AMZ-US", "pingpong", 1)
    assert (row.received, row.book, row.gain) == (Decimal("71850.00"), Decimal("71400.00"), Decimal("450.00"))
    assert quantize(row.fees, "CNY") == Decimal("215.55")  # the fee is a cost of its own, not in the gain
    assert summary.monthly == [("2026-03", Decimal("450.00"))]
    assert fx_summary(dt.date(2026, 4, 1), dt.date(2026, 4, 30)).rows == []


def test_received_in_another_currency_than_the_base(settled):
    account, settlement = settled
    set_company("USD")
    LedgerLine.objects.update(base_amount=None, fx_rate=None)  # the base changed: convert again
    # Base USD: the USD lines' book value is 10,000.00 at rate 1.
    # 71,850.00 CNY gross on 17 March at 1 / 7.20 USD per CNY = 9,979.1666… USD → loss of 20.8333… ≈ −20.83 USD.
    receipt = record_payout(account, "pingpong", "PP-2", dt.date(2026, 3, 17), Decimal("71850.00"), "CNY",
                            settlement="S-100")
    assert receipt.book_amount == Decimal("10000.00")
    assert quantize(receipt.base_amount, "USD") == Decimal("9979.17")
    assert quantize(receipt.fx_gain, "USD") == Decimal("-20.83")


def test_duplicate_reference_is_a_clear_error(settled):
    account, settlement = settled
    record_payout(account, "pingpong", "PP-1", dt.date(2026, 3, 17), Decimal("100"), "CNY")
    with pytest.raises(ValidationError) as err:
        record_payout(account, "pingpong", "PP-1", dt.date(2026, 3, 18), Decimal("200"), "CNY")
    assert "already recorded" in str(err.value) and "reference" in err.value.error_dict
    # the same reference through another provider is another payout
    record_payout(account, "lianlian", "PP-1", dt.date(2026, 3, 18), Decimal("200"), "CNY")
    assert PayoutReceipt.objects.count() == 2


def test_settlement_paid_once_and_missing_rates_refused(settled):
    account, settlement = settled
    with pytest.raises(FxRateMissing):  # no CNY/VND rate: nothing guessed, nothing written
        record_payout(account, "bank", "B-1", dt.date(2026, 3, 17), Decimal("100"), "VND", settlement=settlement)
    assert PayoutReceipt.objects.count() == 0
    record_payout(account, "bank", "B-1", dt.date(2026, 3, 17), Decimal("71850"), "CNY", settlement=settlement)
    with pytest.raises(ValidationError) as err:
        record_payout(account, "bank", "B-2", dt.date(2026, 3, 18), Decimal("1"), "CNY", settlement=settlement)
    assert "settlement" in err.value.error_dict


def test_without_settlement_no_book_value(settled):
    account, _settlement = settled
    receipt = record_payout(account.code, "payoneer", "PY-9", dt.date(2026, 3, 17), Decimal("500.00"), "CNY")
    assert (receipt.base_amount, receipt.book_amount, receipt.fx_gain) == (Decimal("500.00"), None, None)


HEADER = "provider,reference,received_on,amount,currency,fee,account,settlement_id\n"


def test_csv_import_all_or_nothing(settled, tmp_path):
    good = tmp_path / "payouts.csv"
    good.write_text(HEADER + "pingpong,PP-10,2026-03-17,71634.45,CNY,215.55,AMZ-US,S-100\n"
                             "bank,B-11,2026-03-18,1000,CNY,,AMZ-US,\n", encoding="utf-8")
    result = import_payouts_csv(good)
    assert result.created == 2
    assert PayoutReceipt.objects.get(reference="PP-10").fx_gain == Decimal("450.00")


def test_csv_errors_name_line_and_column_and_change_nothing(settled, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "pingpong,PP-20,2026-03-17,100,CNY,0,AMZ-US,\n"       # line 2 fine
                            "pingpong,PP-21,2026-13-01,100,CNY,0,AMZ-US,\n"       # line 3 bad date
                            "pingpong,PP-22,2026-03-17,lots,CNY,0,AMZ-US,\n"      # line 4 bad amount
                            "bank,B-23,2026-03-17,100,CNY,0,AMZ-US,NOPE\n"        # line 5 unknown settlement
                            "pingpong,PP-20,2026-03-18,5,CNY,0,AMZ-US,\n",        # line 6 duplicate of line 2
                   encoding="utf-8")
    with pytest.raises(FileRejected) as err:
        import_payouts_csv(bad)
    where = {(e.line, e.column) for e in err.value.errors}
    assert (3, "received_on") in where and (4, "amount") in where
    # the first pass stops at cell errors; fixed cells, then the service's checks are reported the same way
    assert PayoutReceipt.objects.count() == 0
    bad.write_text(HEADER + "pingpong,PP-20,2026-03-17,100,CNY,0,AMZ-US,\n"
                            "bank,B-23,2026-03-17,100,CNY,0,AMZ-US,NOPE\n"
                            "pingpong,PP-20,2026-03-18,5,CNY,0,AMZ-US,\n", encoding="utf-8")
    with pytest.raises(FileRejected) as err:
        import_payouts_csv(bad)
    where = {(e.line, e.column) for e in err.value.errors}
    assert where == {(3, "settlement_id"), (4, "reference")}
    assert "bad.csv" in str(err.value) and "line 3" in str(err.value)
    assert PayoutReceipt.objects.count() == 0  # line 2 was valid but the file is one transaction


# -- page, API, CLI -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("admin", 200), ("operations", 403),
                                              ("viewer", 403), ("purchasing", 403)])
def test_payouts_page_roles(client_as, role, status):
    assert client_as(role).get("/payouts/").status_code == status


def test_payouts_page_record_list_and_export(client_as, settled):
    account, settlement = settled
    client = client_as("finance")
    form = client.get("/payouts/new/", {"account": "AMZ-US"})
    assert form.status_code == 200 and "S-100" in form.content.decode()
    response = client.post("/payouts/new/", {
        "account": "AMZ-US", "provider": "pingpong", "reference": "PP-WEB", "received_on": "2026-03-17",
        "amount": "71634.45", "currency": "cny", "fee": "215.55", "settlement": settlement.pk, "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    receipt = PayoutReceipt.objects.get(reference="PP-WEB")
    assert receipt.fx_gain == Decimal("450.00") and receipt.created_by.username == "finance_user"
    again = client.post("/payouts/new/", {
        "account": "AMZ-US", "provider": "pingpong", "reference": "PP-WEB", "received_on": "2026-03-17",
        "amount": "1", "currency": "CNY", "fee": "0", "settlement": "", "note": ""})
    assert again.status_code == 200 and "already recorded" in again.content.decode()
    page = client.get("/payouts/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    text = page.content.decode()
    assert "PP-WEB" in text and "450.00" in text and 'id="payout-fx-chart"' in text
    csv = client.get("/payouts/", {"export": "csv"})
    assert csv.status_code == 200 and b"PP-WEB" in csv.content and b"450.00" in csv.content
    xlsx = client.get("/payouts/", {"export": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_operations_cannot_record(client_as, settled):
    assert client_as("operations").post("/payouts/new/", {}).status_code == 403
    assert client_as("viewer").get("/payouts/new/").status_code == 403


@pytest.fixture
def api(role_users):
    def make(role="finance"):
        return Client(headers={"Authorization": f"Bearer {issue_token(role_users[role])}"})

    return make


def test_api_payouts(api, settled):
    client = api()
    created = client.post("/api/v1/payouts", json.dumps({
        "account": "AMZ-US", "provider": "pingpong", "reference": "PP-API", "received_on": "2026-03-17",
        "amount": "71634.45", "currency": "CNY", "fee": "215.55", "settlement_id": "S-100"}),
        content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["fx_gain"], body["book_amount"], body["base_amount"]) == ("450.00", "71400.00", "71850.00")
    duplicate = client.post("/api/v1/payouts", json.dumps({
        "account": "AMZ-US", "provider": "pingpong", "reference": "PP-API", "received_on": "2026-03-17",
        "amount": "1", "currency": "CNY"}), content_type="application/json")
    assert duplicate.status_code == 409 and "already recorded" in duplicate.json()["detail"]
    listed = client.get("/api/v1/payouts", {"date_from": "2026-03-01"}).json()
    assert listed["count"] == 1 and listed["items"][0]["reference"] == "PP-API"
    assert api("operations").get("/api/v1/payouts").status_code == 403
    assert api("viewer").post("/api/v1/payouts", "{}", content_type="application/json").status_code == 403


def test_cli_payouts(settled, tmp_path, capsys):
    from chuhai.cli.main import main

    assert main(["finance", "convert"]) == 0
    assert "Converted 5 ledger lines" in capsys.readouterr().out
    assert main(["finance", "payout", "add", "AMZ-US", "--provider", "pingpong", "--reference", "PP-CLI",
                 "--date", "2026-03-17", "--amount", "71634.45", "--currency", "CNY", "--fee", "215.55",
                 "--settlement", "S-100"]) == 0
    assert "gain 450.00 CNY" in capsys.readouterr().out
    assert main(["finance", "payout", "add", "AMZ-US", "--provider", "pingpong", "--reference", "PP-CLI",
                 "--date", "2026-03-17", "--amount", "1", "--currency", "CNY"]) == 1
    assert "already recorded" in capsys.readouterr().err
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "bank,B-CLI,2026-03-18,oops,CNY,,AMZ-US,\n", encoding="utf-8")
    assert main(["finance", "payout", "import", str(path)]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["finance", "payouts", "--from", "2026-03-01", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["gain"] == "450.00" and data["rows"][0]["provider"] == "pingpong"


@pytest.mark.browser
def test_payouts_page_in_the_browser(logged_in_page, live_server, settled):
    page = logged_in_page("finance")
    page.goto(f"{live_server.url}/payouts/")
    page.click("#payout-create")
    page.select_option("select[name=account]", "AMZ-US")  # the account choice reloads the form with its settlements
    page.wait_for_selector("#payout-form")
    page.select_option("select[name=provider]", "pingpong")
    page.fill("input[name=reference]", "PP-BROWSER")
    page.fill("input[name=received_on]", "2026-03-17")
    page.fill("input[name=amount]", "71634.45")
    page.fill("input[name=currency]", "CNY")
    page.fill("input[name=fee]", "215.55")
    page.select_option("select[name=settlement]", label="S-100 · 2026-03-16 · 10,000.00 USD")
    page.click("#payout-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/payouts/")
    assert "450.00" in page.locator(".msg-success").inner_text()
    assert page.locator("#total-gain").inner_text() == "450.00 CNY"
    assert "PP-BROWSER" in page.locator("#table-region").inner_text()
    page.wait_for_selector("#payout-fx-chart[data-chart-ready='1']")
    option = page.evaluate("sel => echarts.getInstanceByDom(document.querySelector(sel)).getOption()",
                           "#payout-fx-chart")
    assert option["xAxis"][0]["data"] == ["2026-03"]
    assert option["series"][0]["data"][0]["value"] == 450.0
    # the filters drive the totals and the chart too, not only the table
    page.select_option("#payout-filters select[name=provider]", "bank")
    page.wait_for_url("**provider=bank**")
    assert page.locator("#total-gain").inner_text() == "0.00 CNY"
    assert page.locator("#payout-fx-chart-empty").count() == 1
