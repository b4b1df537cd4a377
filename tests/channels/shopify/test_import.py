"""End to end through the runner: the real CLP rows land as orders with Shopify's own totals; a re-import
changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates, set_manual_rate
from chuhai.orders.models import Order

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.django_db
def test_import_real_clp_orders_then_reimport_changes_nothing():
    load_ecb_rates(since=dt.date(2025, 9, 20), until=dt.date(2025, 10, 15))
    set_manual_rate("CLP", "USD", Decimal("0.00105"), dt.date(2025, 1, 1))  # the ECB does not publish CLP
    account = create_account("SHOP-CL", "shopify", "CL", currency="CLP")

    result = import_file("shopify-orders", FIXTURES / "orders_clp_real.csv", account)
    assert result.status == "succeeded", result.errors
    assert (result.created, result.updated, result.lines_created) == (2, 0, 2)
    order = Order.objects.get(account=account, external_id="1044")
    assert (order.items_total, order.discount_total, order.shipping_total, order.tax_total, order.order_total) == (
        168056, 5000, 1, 30981, 194038)
    assert order.lines.get().gross_amount == 168056 and order.status == "shipped"
    assert Order.objects.get(external_id="1045").order_total == 140001

    again = import_file("shopify-orders", FIXTURES / "orders_clp_real.csv", account)
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 2)
    assert Order.objects.filter(account=account).count() == 2


@pytest.mark.django_db
def test_import_of_a_file_with_a_bad_cell_writes_nothing(tmp_path):
    load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31))
    account = create_account("SHOP-US", "shopify", "US")
    text = (FIXTURES / "orders_multi_item_statuses.csv").read_text().replace("2024-03-19 09:58:00 -0400", "soon")
    path = tmp_path / "orders_export.csv"
    path.write_text(text)
    result = import_file("shopify-orders", path, account)
    assert result.status == "rejected"
    assert [(e.line, e.column, e.value) for e in result.errors] == [(8, "Created at", "soon")]
    assert not Order.objects.exists()
    ok = import_file("shopify-orders", FIXTURES / "orders_multi_item_statuses.csv", account)
    assert (ok.status, ok.created, ok.lines_created) == ("succeeded", 6, 8)
    assert Order.objects.get(external_id="#1001").order_total == Decimal("53.60")
