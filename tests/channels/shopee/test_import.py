"""End to end through the runner: a Shopee XLSX lands with seller-view totals; a re-import changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order

from .test_orders import ROWS, xlsx


@pytest.mark.django_db
def test_import_xlsx_then_reimport_changes_nothing(tmp_path):
    load_ecb_rates(since=dt.date(2024, 7, 1), until=dt.date(2024, 7, 31))
    account = create_account("SHOPEE-PH", "shopee", "PH")
    path = tmp_path / "Order.all.20240701_20240731.xlsx"
    path.write_bytes(xlsx(ROWS))
    result = import_file("shopee-orders", path, account)
    assert result.status == "succeeded", result.errors
    assert (result.created, result.lines_created) == (3, 4)
    mug = Order.objects.get(account=account, external_id="2407151ABCDE23")
    # 2 × 349 + 250 goods, − 60 seller-funded vouchers, + 45 shipping paid by the buyer (VAT inside the prices).
    assert (mug.items_total, mug.discount_total, mug.shipping_total, mug.order_total) == (948, 60, 45, 933)
    assert mug.currency == "PHP" and mug.status == "delivered"

    again = import_file("shopee-orders", path, account)
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 3)
