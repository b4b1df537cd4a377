"""In Chromium: the settlement list with its status badges and totals, a settlement's detail, the "Not settled"
tab and the reimbursements due with their evidence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from chuhai.finance.finance_settings import FinanceSettings

from .test_estimates import make_order, make_product
from .test_reconciliation import fba, import_text, order_line, settlement_text, us  # noqa: F401  (fixtures)

D = Decimal
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_settlement_list_detail_and_not_settled(logged_in_page, live_server, us, tmp_path):  # noqa: F811
    cable = make_product()
    make_order(us, "111-0000000-0000001", dt.date(2025, 6, 5), [(cable, 1, "20.00")])
    import_text(tmp_path, us, settlement_text("7001", [
        order_line("111-0000000-0000001", "LK-CC100-1M", "ItemPrice", "Principal", D("20.00"))], D("20.00")),
        name="a.txt")
    import_text(tmp_path, us, settlement_text("7002", [
        order_line("111-0000000-0000077", "LK-CC100-1M", "ItemPrice", "Principal", D("10.00"))], D("12.50")),
        name="b.txt")
    make_order(us, "111-0000000-0000009", dt.date(2025, 1, 2), [(cable, 1, "9.00")], order_total="9.00")

    page = logged_in_page("finance")
    page.click(".sidebar .nav a:has-text('Settlements')")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#settlements-table tr[data-status=reconciled] .badge-ok")).to_have_text("Reconciled")
    bad = page.locator("#settlements-table tr[data-status=difference]")
    expect(bad.locator(".badge-bad")).to_have_text("Difference")
    expect(bad).to_contain_text("2.50")
    expect(page.locator("#settlement-totals")).to_contain_text("2.50 USD")

    page.select_option("select[name=status]", "reconciled")  # the filter swaps the table only
    expect(page.locator("#settlements-table tbody tr")).to_have_count(1)
    expect(page.locator("#settlements-table")).not_to_contain_text("7002")
    page.goto(f"{live_server.url}/settlements/")

    page.click("#settlements-table a:has-text('7002')")
    expect(page.locator("#settlement-status")).to_have_text("Difference")
    expect(page.locator("#settlement-difference")).to_have_text("2.50 USD")
    expect(page.locator("#table-region")).to_contain_text("111-0000000-0000077")

    page.click("#tab-unsettled")
    expect(page.locator("#table-region tbody")).to_contain_text("111-0000000-0000009")
    expect(page.locator("#table-region tbody")).not_to_contain_text("111-0000000-0000001")
    assert FinanceSettings.load().unsettled_after_days == 21
    expect(page.locator("#unsettled-help")).to_contain_text("21 days")


def test_reimbursements_due_with_evidence(logged_in_page, live_server, fba):  # noqa: F811
    from chuhai.inventory import stock
    from chuhai.inventory.models import FbaInventorySnapshot

    stock.receive(fba["mug"], fba["warehouse"], 10)
    FbaInventorySnapshot.objects.create(account=fba["account"], snapshot_date=dt.date(2026, 3, 8), sku="MUG-AMZ",
                                        fnsku="X-MUG", fulfillable=6)
    page = logged_in_page("finance")
    page.goto(f"{live_server.url}/settlements/reimbursements/")
    row = page.locator("#table-region tbody tr").first
    expect(row).to_contain_text("MUG-01")
    expect(row).to_contain_text("Lost")
    expect(row).to_contain_text("12.80 CNY")  # 4 lost units × 3.20 CNY
    expect(row).to_contain_text("fba-recon:AMZ-US:2026-03-08")
    expect(row).to_contain_text("2026-03-08")
