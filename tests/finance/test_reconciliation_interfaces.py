"""Settlement reconciliation through the pages, the API and ``chuhai report settlements``: finance sees it,
operations / viewers / purchasing get 403; the figures are the service's."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from chuhai.cli.main import main
from chuhai.finance.models import Settlement

from ..api.conftest import ApiClient, api_as  # noqa: F401 - fixture
from ..cli.support import Run
from .test_estimates import make_order, make_product
from .test_reconciliation import import_text, order_line, settlement_text

D = Decimal
PAGES = ("/settlements/", "/settlements/not-settled/", "/settlements/reimbursements/", "/ads/")


@pytest.fixture
def data(us, tmp_path):
    """Settlement 5001 reconciles; 5002 is 2.99 short and has a line of an order chuhai lacks; an old shipped
    order has no settlement line."""
    cable = make_product()
    make_order(us, "111-0000000-0000001", dt.date(2025, 6, 5), [(cable, 1, "20.00")])
    import_text(tmp_path, us, settlement_text("5001", [
        order_line("111-0000000-0000001", "LK-CC100-1M", "ItemPrice", "Principal", D("20.00")),
        order_line("111-0000000-0000001", "LK-CC100-1M", "ItemFees", "Commission", D("-3.00"))], D("17.00")),
        name="a.txt")
    import_text(tmp_path, us, settlement_text("5002", [
        order_line("111-0000000-0000077", "LK-CC100-1M", "ItemPrice", "Principal", D("10.00"))], D("12.99")),
        name="b.txt")
    make_order(us, "111-0000000-0000009", dt.date(2025, 1, 2), [(cable, 1, "9.00")], order_total="9.00")
    return {"ok": Settlement.objects.get(settlement_id="5001"), "bad": Settlement.objects.get(settlement_id="5002")}


@pytest.fixture
def us(db):
    from chuhai.channels.services import create_account

    return create_account("AMZ-US", "amazon", "US")


@pytest.fixture
def chuhai(capsys):
    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


# -- pages ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("admin", 200), ("operations", 403),
                                              ("viewer", 403), ("purchasing", 403)])
@pytest.mark.parametrize("path", PAGES)
def test_only_finance_sees_the_pages(client_as, role, status, path):
    assert client_as(role).get(path).status_code == status


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/settlements/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_shows_status_difference_and_totals(client_as, data):
    client = client_as("finance")
    page = client.get("/settlements/")
    html = page.content.decode()
    statuses = {row["status"] for row in page.context["rows"]}
    assert statuses == {"reconciled", "difference"}
    assert "badge-bad" in html and "badge-ok" in html
    # totals: expected 17.00 + 10.00 = 27.00; paid 17.00 + 12.99 = 29.99; difference 2.99
    [totals] = page.context["totals"]
    assert (totals["expected"], totals["paid"], totals["difference"]) == ("27.00 USD", "29.99 USD", "2.99 USD")
    only_bad = client.get("/settlements/", {"status": "difference"})
    assert [r["status"] for r in only_bad.context["rows"]] == ["difference"]
    csv = client.get("/settlements/", {"export": "csv"}).content.decode("utf-8-sig")
    assert "5002" in csv and "2.99" in csv and "5001" in csv
    assert client.get("/settlements/", {"export": "xlsx"}).content[:2] == b"PK"
    fragment = client.get("/settlements/", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"settlements-table" in fragment.content


def test_detail_lists_categories_and_unmatched_lines(client_as, data):
    client = client_as("finance")
    page = client.get(f"/settlements/{data['bad'].pk}/")
    assert page.context["check"].difference == D("2.99")
    assert page.context["table"].page.paginator.count == 1
    assert "111-0000000-0000077" in page.content.decode()
    ok = client.get(f"/settlements/{data['ok'].pk}/")
    assert {c["category"] for c in ok.context["categories"]} == {"principal", "referral_fee"}
    assert client.get("/settlements/999999/").status_code == 404


def test_not_settled_page(client_as, data):
    page = client_as("finance").get("/settlements/not-settled/", {"as_of": "2025-06-30", "days": "21"})
    rows = page.context["table"].page.object_list
    assert [u.external_id for u in rows] == ["111-0000000-0000009"]  # 5001's order is settled


# -- API -----------------------------------------------------------------------------------------------------
def test_api(api_as, data):  # noqa: F811
    finance = api_as("finance")
    listed = {s["settlement_id"]: s for s in finance.get("/settlements").json()}
    assert listed["5001"]["difference"] == "0.00" and listed["5001"]["status"] == "reconciled"
    assert (listed["5002"]["expected"], listed["5002"]["paid"], listed["5002"]["difference"]) == (
        "10.00", "12.99", "2.99")
    detail = finance.get(f"/settlements/{data['bad'].pk}").json()
    assert [ln["order_ref"] for ln in detail["unmatched"]] == ["111-0000000-0000077"]
    assert detail["by_category"] == [{"category": "principal", "amount": "10.00"}]
    unsettled = finance.get("/settlements/unsettled-orders", as_of="2025-06-30").json()
    assert [(u["external_id"], u["order_total"], u["age_days"]) for u in unsettled] == [
        ("111-0000000-0000009", "9.00", 179)]  # 2025-01-02 → 2025-06-30: 29+28+31+30+31+30 = 179 days
    assert finance.get("/reimbursements-due").json() == []
    assert finance.get("/reports/ads", by="nonsense").status_code == 422
    assert finance.get("/settlements", account="NOPE").status_code == 404
    for path in ("/settlements", f"/settlements/{data['bad'].pk}", "/reimbursements-due", "/reports/ads"):
        assert api_as("operations").get(path).status_code == 403
        assert ApiClient().get(path).status_code == 401


# -- CLI -----------------------------------------------------------------------------------------------------
def test_cli(chuhai, data, tmp_path):
    run = chuhai("report", "settlements", "--format", "json")
    assert run.code == 0, run.err
    rows = {r["settlement_id"]: r for r in json.loads(run.out)}
    assert rows["5002"]["difference"] == "2.99" and rows["5001"]["status"] == "reconciled"
    table = chuhai("report", "settlements")
    assert "1 reconciled, 1 to look at" in table.out
    unmatched = chuhai("report", "settlements", "--unmatched", "--format", "csv")
    assert "111-0000000-0000077" in unmatched.out and "111-0000000-0000001" not in unmatched.out
    unsettled = chuhai("report", "settlements", "--unsettled", "--as-of", "2025-06-30", "--format", "json")
    assert [r["order"] for r in json.loads(unsettled.out)] == ["111-0000000-0000009"]
    out = tmp_path / "s.xlsx"
    assert chuhai("report", "settlements", "--reimbursements", "--format", "xlsx", "--output", str(out)).code == 0
    assert out.read_bytes()[:2] == b"PK"
    bad = chuhai("report", "settlements", "--account", "NOPE")
    assert bad.code == 1 and "NOPE" in bad.err


def test_cli_report_currency(chuhai, data):
    from chuhai.finance.fx import set_manual_rate

    set_manual_rate("USD", "CNY", D("7"), dt.date(2025, 1, 1))
    rows = {r["settlement_id"]: r for r in json.loads(
        chuhai("report", "settlements", "--currency", "CNY", "--format", "json").out)}
    # 5002: paid 12.99, expected 10.00 → difference 2.99 USD × 7 = 20.93 CNY
    assert (rows["5002"]["difference"], rows["5002"]["difference_cny"]) == ("2.99", "20.93")
    missing = chuhai("report", "settlements", "--currency", "VND")
    assert missing.code == 1 and "VND" in missing.err


def test_detail_of_a_settlement_not_paid_yet(client_as, data):
    Settlement.objects.filter(pk=data["ok"].pk).update(total_amount=None)
    page = client_as("finance").get(f"/settlements/{data['ok'].pk}/")
    html = page.content.decode()
    assert page.context["check"].status == "not_paid"
    assert "not paid yet" in html and "Not paid yet" in html
    listed = client_as("finance").get("/settlements/", {"status": "not_paid"})
    assert [r["status"] for r in listed.context["rows"]] == ["not_paid"]
