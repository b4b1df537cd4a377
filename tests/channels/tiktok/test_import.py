"""End to end through the runner: the Thai CSV lands with seller-view totals; a re-import changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chuhai.channels.ingest.runner import import_file
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order

TH_FILE = Path(__file__).parent / "fixtures" / "orders_th.csv"


@pytest.mark.django_db
def test_import_thai_csv_then_reimport_changes_nothing():
    load_ecb_rates(since=dt.date(2026, 5, 1), until=dt.date(2026, 5, 31))
    account = create_account("TTS-TH", "tiktok", "TH")
    result = import_file("tiktok-orders", TH_FILE, account)
    assert result.status == "succeeded", result.errors
    assert (result.created, result.lines_created) == (2, 3)
    order = Order.objects.get(account=account, external_id="583870900000000001")
    # 240 + 38 goods − 28 seller discounts + 20 shipping; TikTok's 12 platform discount is not the seller's cost.
    assert (order.items_total, order.discount_total, order.shipping_total, order.order_total) == (278, 28, 20, 270)
    assert order.fulfilment_channel == "merchant"
    assert Order.objects.get(external_id="583870900000000002").status == "cancelled"

    again = import_file("tiktok-orders", TH_FILE, account)
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 2)
