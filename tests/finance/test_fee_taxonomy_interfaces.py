"""The fee taxonomy's interfaces: ``chuhai finance categorise|unmapped|map``, the Fee types page and
``/api/v1/fee-types/...`` — finance (and admin) may map, operations and viewers see nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from chuhai.channels.services import create_account
from chuhai.cli.main import main
from chuhai.core.users import issue_token
from chuhai.finance.fees import FeeTypeMapping
from chuhai.finance.models import LedgerLine
from tests.api.conftest import ApiClient

from .test_fee_taxonomy import add_line, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def chuhai(capsys):
    def run(*argv: str):
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def ledger(db):
    """An Amazon account with one known line, two lines of a type nobody mapped (EUR), and one not categorised."""
    account = create_account("AMZ-DE", "amazon", "DE")
    add_line(account, 1, "Order", "ItemFees", "Commission", amount="-1.50", currency="EUR", category="referral_fee")
    add_line(account, 2, "Order", "ItemFees", "VineEnrollmentFee", amount="-4.00", currency="EUR",
             category="unknown")
    add_line(account, 3, "Order", "ItemFees", "VineEnrollmentFee", amount="-0.35", currency="EUR",
             category="unknown")
    add_line(account, 4, "Order", "ItemPrice", "Principal", amount="19.99", currency="EUR",
             order_ref="302-0000000-0000001")
    return account


# -- CLI ----------------------------------------------------------------------------------------------------------

def test_cli_categorise_unmapped_map(chuhai, ledger):
    order = make_order(ledger, "302-0000000-0000001")
    code, out, _ = chuhai("finance", "categorise")
    assert code == 0
    assert "Categorised 1 ledger lines; linked 1 lines to their orders." in out
    assert "2 lines of 1 types are not mapped yet" in out
    principal = LedgerLine.objects.get(amount_description="Principal")
    assert (principal.category, principal.order) == ("principal", order)

    code, out, _ = chuhai("finance", "unmapped", "--json")
    assert code == 0
    assert json.loads(out) == [{
        "platform": "amazon", "transaction_type": "Order", "amount_type": "ItemFees",
        "amount_description": "VineEnrollmentFee", "lines": 2,
        "totals": [{"currency": "EUR", "amount": "-4.35", "lines": 2}],  # -4.00 - 0.35
    }]
    code, out, _ = chuhai("finance", "unmapped")
    assert "VineEnrollmentFee" in out and "-4.35 EUR" in out

    code, out, _ = chuhai("finance", "map", "amazon", "--type", "", "--description", "vineenrollmentfee",
                          "--category", "service_fee")
    assert code == 0
    assert "2 ledger lines re-categorised" in out
    assert set(LedgerLine.objects.filter(amount_description="VineEnrollmentFee")
               .values_list("category", flat=True)) == {"service_fee"}
    code, out, _ = chuhai("finance", "unmapped")
    assert out.strip() == "Every ledger line type is mapped."


def test_cli_categorise_all_applies_a_mapping_made_without_recategorising(chuhai, ledger):
    FeeTypeMapping.objects.create(platform="amazon", amount_description="Commission", category="other")
    code, out, _ = chuhai("finance", "categorise")
    assert LedgerLine.objects.get(amount_description="Commission").category == "referral_fee"  # not new: kept
    code, out, _ = chuhai("finance", "categorise", "--all")
    assert code == 0
    assert LedgerLine.objects.get(amount_description="Commission").category == "other"


def test_cli_map_refuses_an_unknown_category(chuhai, ledger):
    code, _, err = chuhai("finance", "map", "amazon", "--type", "Order", "--category", "fees")
    assert code == 1
    assert err.startswith("chuhai: error: Unknown category 'fees'") and "Traceback" not in err
    assert not FeeTypeMapping.objects.exists()


# -- page ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["operations", "viewer", "purchasing"])
def test_page_is_finance_only(client_as, ledger, role):
    client = client_as(role)
    assert client.get("/fee-types/").status_code == 403
    assert client.get("/fee-types/?export=csv").status_code == 403
    response = client.post("/fee-types/map/", {"platform": "amazon", "amount_description": "VineEnrollmentFee",
                                               "category": "service_fee"})
    assert response.status_code == 403
    assert not FeeTypeMapping.objects.exists()


def test_page_lists_unmapped_types_and_maps_one(client_as, ledger):
    client = client_as("finance")
    page = client.get("/fee-types/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-description="VineEnrollmentFee"' in html
    assert "-4.35 EUR" in html
    assert 'data-description="Commission"' not in html  # mapped by default: not listed

    response = client.post("/fee-types/map/", {
        "platform": "amazon", "transaction_type": "Order", "amount_type": "ItemFees",
        "amount_description": "VineEnrollmentFee", "category": "service_fee", "next": "/fee-types/"})
    assert response.status_code == 302
    mapping = FeeTypeMapping.objects.get()
    assert (mapping.platform, mapping.category, mapping.created_by.username) == ("amazon", "service_fee",
                                                                                 "finance_user")
    assert not LedgerLine.objects.filter(category="unknown").exists()
    html = client.get("/fee-types/").content.decode()
    assert "Every ledger line type is mapped to a category." in html
    assert "VineEnrollmentFee" in html  # now in the mappings list

    response = client.post(f"/fee-types/mappings/{mapping.pk}/delete/")
    assert response.status_code == 302
    assert LedgerLine.objects.filter(category="unknown").count() == 2


def test_page_refuses_an_invalid_mapping_with_a_message(client_as, ledger):
    client = client_as("finance")
    response = client.post("/fee-types/map/", {"platform": "amazon", "category": "service_fee"}, follow=True)
    assert "at least one of the transaction type" in response.content.decode()
    assert not FeeTypeMapping.objects.exists()


def test_page_exports(client_as, ledger):
    client = client_as("finance")
    response = client.get("/fee-types/?export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == ["Platform", "Transaction type", "Amount type", "Description", "Lines", "Total",
                           "Currency"]
    assert rows[1][:7] == ["amazon", "Order", "ItemFees", "VineEnrollmentFee", "2", "-4.35", "EUR"]

    FeeTypeMapping.objects.create(platform="ebay", transaction_type="Other fee", category="service_fee")
    response = client.get("/fee-types/?export=xlsx&table=mappings")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:5] == ["ebay", "Other fee", None, None, "service_fee"]
    xlsx = load_workbook(io.BytesIO(client.get("/fee-types/?export=xlsx").content)).active
    assert [c.value for c in list(xlsx.iter_rows())[1]][4:7] == [2, -4.35, "EUR"]  # a number cell, not text


# -- API ----------------------------------------------------------------------------------------------------------

def api(role_users, role: str) -> ApiClient:
    return ApiClient(issue_token(role_users[role].username, name="test"))


def test_api_unmapped_and_mappings(role_users, ledger):
    finance = api(role_users, "finance")
    response = finance.get("/fee-types/unmapped")
    assert response.status_code == 200, response.content
    [item] = response.json()
    assert (item["amount_description"], item["lines"], item["totals"]) == (
        "VineEnrollmentFee", 2, [{"currency": "EUR", "amount": "-4.35", "lines": 2}])

    response = finance.post("/fee-types/mappings", {"platform": "amazon", "amount_description": "VineEnrollmentFee",
                                                    "category": "service_fee", "note": "Vine"})
    assert response.status_code == 200, response.content
    assert (response.json()["lines_recategorised"], response.json()["category"]) == (2, "service_fee")
    assert finance.get("/fee-types/unmapped").json() == []
    listing = finance.get("/fee-types/mappings").json()
    assert listing["count"] == 1 and listing["items"][0]["note"] == "Vine"

    bad = finance.post("/fee-types/mappings", {"platform": "amazon", "transaction_type": "X", "category": "fees"})
    assert bad.status_code == 422 and "Unknown category" in bad.json()["detail"]


@pytest.mark.parametrize("role", ["operations", "viewer"])
def test_api_is_finance_only(role_users, ledger, role):
    client = api(role_users, role)
    assert client.get("/fee-types/unmapped").status_code == 403
    assert client.get("/fee-types/mappings").status_code == 403
    response = client.post("/fee-types/mappings", {"platform": "amazon", "transaction_type": "X",
                                                   "category": "other"})
    assert response.status_code == 403
    assert not FeeTypeMapping.objects.exists()
