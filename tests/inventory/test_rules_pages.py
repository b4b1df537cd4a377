"""The allocation-rules pages: every account with its rule or the default; editing needs
``inventory.change_allocationrule`` (operations yes, viewer no); refused rules show their errors and save nothing."""

from __future__ import annotations

import pytest

from chuhai.channels.services import create_account
from chuhai.inventory import rule_services
from chuhai.inventory.channel_rules import AllocationRule
from chuhai.inventory.models import Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    return {
        "amazon": create_account("AMZ-US", "amazon", "US"),
        "shop": create_account("SHOP", "shopify", "US"),
        "sz": Warehouse.objects.create(code="SZ", type="domestic", country="CN"),
        "us": Warehouse.objects.create(code="US-3PL", type="overseas_3pl", country="US"),
        "fba": Warehouse.objects.create(code="FBA-US", type="fba", country="US"),
    }


def form_data(**overrides) -> dict:
    data = {"steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000", "steps-0-warehouse": "US-3PL", "steps-0-countries": "us ca",
            "steps-1-warehouse": "", "steps-1-countries": "", "steps-2-warehouse": "SZ", "steps-2-countries": "",
            "allow_split": "on", "fba_warehouse": "FBA-US", "safety_buffer": "2", "ats_percent": "80",
            "ats_max": "", "ats_min": "0"}
    data.update(overrides)
    return data


def test_list_shows_rules_and_defaults(setup, client_as):
    rule_services.save_rule(setup["amazon"], [(setup["us"], "US"), (setup["sz"], "")], safety_buffer=3)
    response = client_as("viewer").get("/allocation-rules/")
    rows = {row[0].text: [cell.text for cell in row] for row in response.context["table"].rows}
    assert rows["AMZ-US"][2] == "1. US-3PL (US) → 2. SZ" and rows["AMZ-US"][5] == "3"
    assert rows["SHOP"][2].startswith("Default")


def test_operations_saves_a_rule_from_the_form(setup, client_as, role_users):
    client = client_as("operations")
    page = client.get("/allocation-rules/AMZ-US/")
    assert page.status_code == 200 and b"rule-default" in page.content
    response = client.post("/allocation-rules/AMZ-US/", form_data())
    assert response.status_code == 302
    described = rule_services.describe(setup["amazon"])
    assert [(s["position"], s["warehouse"], s["countries"]) for s in described["steps"]] == [
        (1, "US-3PL", ["US", "CA"]), (2, "SZ", [])]  # the empty row is dropped, positions stay 1..n
    assert (described["allow_split"], described["fba_warehouse"], described["ats_percent"]) == (True, "FBA-US", 80)
    assert AllocationRule.objects.get().history.first().history_user == role_users["operations"]
    edit = client.get("/allocation-rules/AMZ-US/")
    assert edit.context["steps"].initial[0]["countries"] == "US CA"


def test_invalid_rule_shows_errors_and_saves_nothing(setup, client_as):
    client = client_as("operations")
    response = client.post("/allocation-rules/AMZ-US/", form_data(**{"steps-0-countries": "US XX"}))
    assert response.status_code == 200
    assert "XX" in " ".join(response.context["step_errors"])
    response = client.post("/allocation-rules/AMZ-US/", form_data(ats_percent="120"))
    assert response.context["form"].errors["ats_percent"]
    assert not AllocationRule.objects.exists()


def test_viewer_reads_but_cannot_save(setup, client_as):
    client = client_as("viewer")
    page = client.get("/allocation-rules/AMZ-US/")
    assert page.status_code == 200 and b'type="submit">Save' not in page.content
    assert all(field.field.disabled for field in page.context["form"])
    assert client.post("/allocation-rules/AMZ-US/", form_data()).status_code == 403
    assert not AllocationRule.objects.exists()


def test_reset_to_default(setup, client_as):
    rule_services.save_rule(setup["amazon"], [(setup["sz"], "")])
    response = client_as("operations").post("/allocation-rules/AMZ-US/", {"action": "reset"})
    assert response.status_code == 302 and not AllocationRule.objects.exists()
