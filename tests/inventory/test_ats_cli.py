"""``chuhai stock ats``: the table, --changed, --json, and --export writing the upload file and recording the push."""

from __future__ import annotations

import json

import pytest

from chuhai.inventory import stock
from chuhai.inventory.channel_rules import ListingStockPush

from ..cli.support import assert_user_error
from .test_ats import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return build_shop()


def test_table_lists_every_listing(shop, chuhai):
    result = chuhai("stock", "ats")
    assert result.code == 0, result.err
    lines = {line.split()[1]: line.split() for line in result.out.splitlines()[1:]}
    assert lines["MUG-A"][2:5] == ["MUG", "35", "35"]
    assert lines["GIFT-A"][2:5] == ["GIFT", "7", "7"]
    assert "FBA" in lines["MUG-FBA"]


def test_json_changed_and_account(shop, chuhai):
    result = chuhai("stock", "ats", "--json", "--account", "SHOP")
    rows = json.loads(result.out)
    assert {r["channel_sku"]: r["quantity"] for r in rows} == {"LID-S": 7, "MUG-S": 35}
    assert all(r["changed"] and r["last_pushed"] is None for r in rows)

    ListingStockPush.objects.create(listing=shop["MUG-S"], quantity=35)
    ListingStockPush.objects.create(listing=shop["LID-S"], quantity=7)
    assert chuhai("stock", "ats", "--changed", "--account", "SHOP").out.strip() == (
        "No listing changed since the last push.")
    stock.adjust(shop["mug"], shop["us"], -4, "damaged")
    rows = json.loads(chuhai("stock", "ats", "--changed", "--json", "--account", "SHOP").out)
    assert [(r["channel_sku"], r["last_pushed"], r["quantity"]) for r in rows] == [("MUG-S", 35, 31)]


def test_export_amazon_writes_the_file_and_records_the_push(shop, chuhai, tmp_path):
    target = tmp_path / "amz.txt"
    result = chuhai("stock", "ats", "--account", "AMZ-US", "--export", "amazon", "--output", str(target))
    assert result.code == 0, result.err
    assert "2 listing(s)" in result.out
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("sku\tprice\t") and len(lines) == 3
    assert dict(ListingStockPush.objects.values_list("listing__channel_sku", "quantity")) == {"GIFT-A": 7,
                                                                                            "MUG-A": 35}
    assert json.loads(chuhai("stock", "ats", "--changed", "--json", "--account", "AMZ-US").out) == []


def test_export_shopify_with_location(shop, chuhai, tmp_path):
    target = tmp_path / "shop.csv"
    assert chuhai("stock", "ats", "--account", "SHOP", "--export", "shopify", "--output", str(target),
                  "--location", "LA warehouse").code == 0
    assert "LA warehouse" in target.read_text(encoding="utf-8")


def test_export_errors_are_one_line(shop, chuhai, tmp_path):
    assert_user_error(chuhai("stock", "ats", "--export", "amazon", "--output", str(tmp_path / "x")), "--account")
    assert_user_error(chuhai("stock", "ats", "--account", "AMZ-US", "--export", "amazon"), "--output")
    assert_user_error(chuhai("stock", "ats", "--account", "SHOP", "--export", "amazon", "--output",
                             str(tmp_path / "x")), "sells on Shopify")
    assert_user_error(chuhai("stock", "ats", "--account", "NOPE"), "unknown channel account")
    assert_user_error(chuhai("stock", "ats", "--account", "AMZ-US", "--export", "amazon", "--output",
                             str(tmp_path / "missing-dir" / "x.txt")), "cannot write")
    assert not ListingStockPush.objects.exists()  # nothing recorded when no file was written
