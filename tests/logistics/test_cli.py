"""``chuhai shipments list|add`` and ``chuhai tracking import`` against the real test database."""

from __future__ import annotations

import json

import pytest

from chuhai.inventory.ledger import StockBalance
from chuhai.logistics.models import Shipment

from ..cli.support import assert_user_error
from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_add_then_list(chuhai, shop, make_order, role_users):
    order = make_order("4001", [(shop["mug"], 3)])

    result = chuhai("shipments", "add", "4001", "--account", "SHOP-US", "--carrier", "yunexpress",
                    "--tracking", "YT2412345678901234", "--as", "operations_user")

    assert result.code == 0, result.err
    assert "from US-LA with YunExpress" in result.out and "now shipped" in result.out
    assert "https://www.yuntrack.com/parcelTracking?id=YT2412345678901234" in result.out
    order.refresh_from_db()
    assert order.status == "shipped"
    assert StockBalance.objects.get(product=shop["mug"]).on_hand == 7
    assert Shipment.objects.get().created_by.username == "operations_user"

    rows = json.loads(chuhai("shipments", "list", "--json").out)
    assert [(r["order"], r["carrier"], r["tracking_number"], r["status"]) for r in rows] == [
        ("4001", "yunexpress", "YT2412345678901234", "pending")]
    table = chuhai("shipments", "list").out
    assert "YT2412345678901234" in table and "US-LA" in table


def test_add_refusals_are_one_line_errors(chuhai, shop, make_order):
    make_order("4002", [(shop["mug"], 1)])
    make_order("4003", [(shop["mug"], 1)], status="cancelled", allocate=False)
    base = ("--account", "SHOP-US", "--carrier", "ups", "--tracking")

    assert_user_error(chuhai("shipments", "add", "NOPE", *base, "1Z1"), "NOPE")
    assert_user_error(chuhai("shipments", "add", "4003", *base, "1Z1"), "cancelled")
    assert_user_error(chuhai("shipments", "add", "4002", "--account", "SHOP-US", "--carrier", "pigeon",
                             "--tracking", "1Z1"), "unknown carrier 'pigeon'")
    assert_user_error(chuhai("shipments", "add", "4002", *base, "1Z1", "--line", "4"), "no line 4")
    assert chuhai("shipments", "add", "4002", *base, "1Z1").code == 0
    assert_user_error(chuhai("shipments", "add", "4002", *base, "1Z2"), "no open lines")
    assert chuhai("shipments", "add", "4002", "--account", "SHOP-US").code == 2  # usage error


def test_tracking_import(chuhai, shop, make_order):
    chuhai("shipments", "add", make_order("4004", [(shop["mug"], 1)]).external_id, "--account", "SHOP-US",
           "--carrier", "china-post", "--tracking", "RR123456789CN")

    result = chuhai("tracking", "import", str(FIXTURES / "17track_events.csv"), "--json")
    assert result.code == 0, result.err
    [report] = json.loads(result.out)
    assert (report["status"], report["format"], report["events_created"]) == ("imported", "17track", 3)
    assert report["unknown_tracking_numbers"] == ["LX000000000CN", "YT2412345678901234"]
    assert Shipment.objects.get().status == "returning"

    text = chuhai("tracking", "import", str(FIXTURES / "17track_events.csv"))
    assert text.code == 0 and "0 new events, 3 already known" in text.out

    bad = chuhai("tracking", "import", str(FIXTURES / "bad_status_and_time.csv"), "--format", "17track")
    assert bad.code == 1
    assert "rejected" in bad.out and "line 3, column 'Status'" in bad.out and "Teleported" in bad.out
    assert_user_error(chuhai("tracking", "import", str(FIXTURES / "does-not-exist.csv")), "does-not-exist.csv")
