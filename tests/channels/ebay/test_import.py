"""End to end through the runner: the US report lands with eBay's totals and the marketplace's tax kept apart;
a re-import changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.django_db
def test_import_us_report_then_reimport_changes_nothing():
    load_ecb_rates(since=dt.date(2025, 7, 1), until=dt.date(2025, 7, 31))
    account = create_account("EBAY-US", "ebay", "US")
    result = import_file("ebay-orders", FIXTURES / "orders_us.csv", account)
    assert result.status == "succeeded", result.errors
    assert (result.created, result.lines_created) == (3, 4)
    multi = Order.objects.get(account=account, external_id="12-34567-89013")
    assert (multi.items_total, multi.shipping_total, multi.tax_total, multi.order_total, multi.tax_model) == (
        Decimal("1385.00"), Decimal("20.00"), Decimal("28.66"), Decimal("1433.66"), "marketplace")
    assert list(multi.lines.values_list("channel_sku", "quantity")) == [("LAMP-WAL", 1), ("BULB-E27", 5)]
    assert Order.objects.get(external_id="12-34567-89012").order_total == Decimal("57.99")

    again = import_file("ebay-orders", FIXTURES / "orders_us.csv", account)
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 3)
