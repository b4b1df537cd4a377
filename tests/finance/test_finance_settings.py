"""Finance settings: finance reads and changes them (history with who), others are refused; API and command line;
the page in Chromium."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from chuhai.core.users import issue_token
from chuhai.finance.finance_settings import FinanceSettings
from chuhai.finance.settings_service import last_change, update_finance_settings

pytestmark = pytest.mark.django_db

FORM = {"costing_method": "moving_average", "fee_allocation_basis": "units", "vat_on_fees_recoverable": "",
        "unsettled_after_days": "30"}


@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("admin", 200), ("operations", 403),
                                              ("viewer", 403), ("purchasing", 403)])
def test_who_sees_the_page(client_as, role, status):
    assert client_as(role).get("/finance/settings/").status_code == status


@pytest.mark.parametrize("role", ["operations", "viewer", "purchasing"])
def test_others_cannot_change(client_as, role):
    assert client_as(role).post("/finance/settings/", FORM).status_code == 403
    assert FinanceSettings.load().costing_method == "fifo"


def test_anonymous_is_sent_to_login(client):
    response = client.get("/finance/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_finance_changes_with_history(client_as):
    client = client_as("finance")
    response = client.post("/finance/settings/", FORM)
    assert response.status_code == 302
    settings = FinanceSettings.load()
    assert (settings.costing_method, settings.fee_allocation_basis, settings.vat_on_fees_recoverable,
            settings.unsettled_after_days) == ("moving_average", "units", False, 30)
    when, who = last_change(settings)
    assert who == "finance_user"
    page = client.get("/finance/settings/").content.decode()
    assert "Last changed by finance_user" in page
    assert "Moving average per warehouse" in page  # the change history names the new choice
    bad = client.post("/finance/settings/", {**FORM, "unsettled_after_days": "0"})
    assert bad.status_code == 200 and FinanceSettings.load().unsettled_after_days == 30


def test_service_validates():
    with pytest.raises(ValidationError) as err:
        update_finance_settings({"costing_method": "lifo"})
    assert "costing_method" in err.value.error_dict
    with pytest.raises(ValidationError):
        update_finance_settings({"colour": "blue"})
    count = FinanceSettings.load().history.count()
    update_finance_settings({"costing_method": "fifo"})  # unchanged: no history entry
    assert FinanceSettings.load().history.count() == count


def test_api(role_users):
    def api(role):
        return Client(headers={"Authorization": f"Bearer {issue_token(role_users[role])}"})

    assert api("finance").get("/api/v1/finance/settings").json()["costing_method"] == "fifo"
    changed = api("finance").patch("/api/v1/finance/settings", json.dumps({"vat_on_fees_recoverable": False,
                                                                          "fee_allocation_basis": "volume"}),
                                   content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["vat_on_fees_recoverable"] is False and changed.json()["fee_allocation_basis"] == "volume"
    assert last_change()[1] == "finance_user"
    bad = api("finance").patch("/api/v1/finance/settings", json.dumps({"costing_method": "lifo"}),
                               content_type="application/json")
    assert bad.status_code == 422
    assert api("operations").get("/api/v1/finance/settings").status_code == 403
    assert api("viewer").patch("/api/v1/finance/settings", "{}", content_type="application/json").status_code == 403


def test_cli(capsys):
    from chuhai.cli.main import main

    assert main(["finance", "settings"]) == 0
    assert "costing_method: fifo" in capsys.readouterr().out
    assert main(["finance", "settings", "--costing-method", "moving_average", "--vat-on-fees-recoverable", "no",
                 "--unsettled-after-days", "14", "--allocation-basis", "units"]) == 0
    out = capsys.readouterr().out
    assert "costing_method: moving_average" in out and "vat_on_fees_recoverable: no" in out
    assert "unsettled_after_days: 14" in out and "fee_allocation_basis: units" in out


@pytest.mark.browser
def test_settings_page_in_the_browser(logged_in_page, live_server):
    page = logged_in_page("finance")
    page.goto(f"{live_server.url}/finance/settings/")
    assert "Never changed" in page.locator("#finance-settings-last-change").inner_text()
    page.select_option("select[name=costing_method]", "moving_average")
    page.uncheck("input[name=vat_on_fees_recoverable]")
    page.fill("input[name=unsettled_after_days]", "28")
    page.click("#finance-settings-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "finance_user" in page.locator("#finance-settings-last-change").inner_text()
    assert "Moving average per warehouse" in page.locator("#change-history").inner_text()
    settings = FinanceSettings.load()
    assert (settings.costing_method, settings.vat_on_fees_recoverable, settings.unsettled_after_days) == (
        "moving_average", False, 28)
    # the nav has both new entries for finance
    assert page.locator("nav a[href='/payouts/']").count() == 1
    assert page.locator("nav a[href='/finance/settings/']").count() == 1
