"""In Chromium: the reconciliation page lists the differences and applies the one ticked, with a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chuhai.inventory import stock
from chuhai.inventory.ledger import MovementKind, StockMovement

from .test_fba_reconciliation import fba, ledger, snapshot  # noqa: F401  (fixture)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reconciliation_page_applies_a_ticked_correction(logged_in_page, live_server, fba):  # noqa: F811
    f = fba
    stock.receive(f["mug"], f["warehouse"], 10)
    snapshot(f["account"], "MUG-AMZ", fulfillable=6, unsellable=1)
    page = logged_in_page("operations")
    page.goto(f"{live_server.url}/fba/reconciliation/?account=AMZ-US")
    rows = page.locator("#fba-differences tbody tr")
    expect(rows).to_have_count(2)
    lost = page.locator("#fba-differences tr[data-state=on_hand]")
    expect(lost).to_contain_text("Lost")
    expect(lost).to_contain_text("-4")

    lost.locator("input[type=checkbox]").check()
    page.fill("#id_reason", "Counted with Amazon support")
    page.get_by_role("button", name="Apply selected corrections").click()

    expect(page.locator(".messages")).to_contain_text("1 correction(s) posted")
    expect(rows).to_have_count(1)
    expect(page.locator("#fba-differences tr[data-state=unsellable]")).to_have_count(1)
    assert ledger(f["mug"], f["warehouse"]) == (6, 0, 0, 0)
    move = StockMovement.objects.get(kind=MovementKind.FBA_CORRECTION)
    assert (move.user.username, move.reference) == ("operations_user", "fba-recon:AMZ-US:2026-03-08")
