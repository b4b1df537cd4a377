"""Available-to-sell per listing: stock of the account's warehouses − reservations − buffer, then the channel's
limits; bundles as complete kits; FBA listings left to Amazon; "changed" against the last push; export files."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuhai.catalog.models import BundleComponent, Product
from chuhai.catalog.services import create_listing
from chuhai.channels.services import create_account
from chuhai.inventory import ats, rule_services, stock
from chuhai.inventory.channel_rules import ListingStockPush
from chuhai.inventory.models import FbaInventorySnapshot, Warehouse

pytestmark = pytest.mark.django_db


def build_shop() -> dict:
    """Warehouses of every type, a mug, a lid and a gift set (2 mugs + 1 lid), an Amazon and a Shopify account.

    MUG free stock: SZ 30 − 5 reserved = 25, US-3PL 10 (sellable by default: 35); FBA 50, dropship 100 and an
    inactive warehouse's 70 are never counted for merchant listings. LID: 7 in SZ.
    """
    sz = Warehouse.objects.create(code="SZ", type="domestic", country="CN")
    us = Warehouse.objects.create(code="US-3PL", type="overseas_3pl", country="US")
    fba = Warehouse.objects.create(code="FBA-US", type="fba", country="US")
    ds = Warehouse.objects.create(code="DS", type="dropship", country="CN")
    old = Warehouse.objects.create(code="OLD", type="domestic", country="CN", is_active=False)
    mug = Product.objects.create(sku="MUG", name_en="Mug", hs_code="6912.00", country_of_origin="CN")
    lid = Product.objects.create(sku="LID", name_en="Lid")
    gift = Product.objects.create(sku="GIFT", name_en="Gift set", is_bundle=True)
    BundleComponent.objects.create(bundle=gift, component=mug, quantity=2)
    BundleComponent.objects.create(bundle=gift, component=lid, quantity=1)
    stock.receive(mug, sz, 30)
    stock.reserve(mug, sz, 5, reference="ORDER-1")
    stock.receive(mug, us, 10)
    stock.receive(mug, fba, 50)
    stock.receive(mug, ds, 100)
    stock.receive(mug, old, 70)
    stock.receive(lid, sz, 7)
    amazon = create_account("AMZ-US", "amazon", "US")
    shop = create_account("SHOP", "shopify", "US", name="My shop")
    listings = {
        "MUG-A": create_listing(amazon, mug, "MUG-A"),
        "GIFT-A": create_listing(amazon, gift, "GIFT-A"),
        "MUG-FBA": create_listing(amazon, mug, "MUG-FBA"),
        "MUG-S": create_listing(shop, mug, "MUG-S", external_id="ceramic-mug"),
        "LID-S": create_listing(shop, lid, "LID-S"),
    }
    FbaInventorySnapshot.objects.create(account=amazon, snapshot_date=dt.date(2026, 3, 1), sku="MUG-FBA",
                                        fulfillable=50)
    return {"sz": sz, "us": us, "fba": fba, "ds": ds, "old": old, "mug": mug, "lid": lid, "gift": gift,
            "amazon": amazon, "shop": shop, **listings}


@pytest.fixture
def shop(db):
    return build_shop()


def by_sku(rows) -> dict[str, ats.ListingAts]:
    return {row.channel_sku: row for row in rows}


def test_default_ats_counts_every_active_stocked_warehouse_less_reservations(shop):
    rows = by_sku(ats.compute())
    assert rows["MUG-A"].available == 35 and rows["MUG-A"].quantity == 35
    assert rows["MUG-S"].quantity == 35  # the same pool for every account without a rule


def test_a_bundle_shows_the_complete_kits_its_components_make(shop):
    rows = by_sku(ats.compute())
    assert rows["GIFT-A"].quantity == 7  # 35 mugs make 17 kits, but only 7 lids
    stock.adjust(shop["lid"], shop["sz"], 20, "found")
    assert by_sku(ats.compute())["GIFT-A"].quantity == 17  # now the mugs limit: floor(35 / 2)


def test_a_reservation_lowers_what_every_channel_is_shown(shop):
    assert stock.reserve(shop["mug"], shop["us"], 4, reference="ORDER-2")
    rows = by_sku(ats.compute())
    assert rows["MUG-A"].quantity == 31 and rows["MUG-S"].quantity == 31


def test_the_rule_limits_warehouses_then_buffer_share_and_cap(shop):
    rule_services.save_rule(shop["amazon"], [(shop["us"], "")], safety_buffer=2, ats_percent=50)
    assert by_sku(ats.compute(shop["amazon"]))["MUG-A"].quantity == 4  # US-3PL only: (10 − 2) × 50 %
    rule_services.save_rule(shop["amazon"], [(shop["us"], ""), (shop["sz"], "")], ats_percent=30, ats_max=8)
    assert by_sku(ats.compute(shop["amazon"]))["MUG-A"].quantity == 8  # 35 × 30 % = 10.5 → 10, capped at 8
    rule_services.save_rule(shop["amazon"], [(shop["us"], "")], ats_percent=33)
    assert by_sku(ats.compute(shop["amazon"]))["MUG-A"].quantity == 3  # 3.3 rounds down: never over-promise
    assert by_sku(ats.compute(shop["shop"]))["MUG-S"].quantity == 35  # another account keeps the default


def test_zero_below_the_minimum(shop):
    rule_services.save_rule(shop["amazon"], [(shop["us"], "")], safety_buffer=1, ats_min=10)
    assert by_sku(ats.compute(shop["amazon"]))["MUG-A"].quantity == 0  # 10 − 1 = 9 < 10
    stock.adjust(shop["mug"], shop["us"], 1, "found")
    assert by_sku(ats.compute(shop["amazon"]))["MUG-A"].quantity == 10


def test_inactive_listings_accounts_and_products_show_zero(shop):
    shop["LID-S"].status = "inactive"
    shop["LID-S"].save()
    shop["mug"].is_active = False
    shop["mug"].save()
    rows = by_sku(ats.compute())
    assert rows["LID-S"].available == 7 and rows["LID-S"].quantity == 0
    assert rows["MUG-A"].quantity == 0 and rows["MUG-S"].quantity == 0


def test_fba_listings_show_the_fba_warehouse_and_are_never_changed(shop):
    rows = by_sku(ats.compute())
    assert rows["MUG-FBA"].fulfilled_by_amazon and rows["MUG-FBA"].quantity == 0  # no FBA warehouse in a rule
    assert not rows["MUG-FBA"].changed
    rule_services.save_rule(shop["amazon"], [(shop["sz"], "")], fba_warehouse=shop["fba"])
    rows = by_sku(ats.compute())
    assert rows["MUG-FBA"].quantity == 50 and rows["MUG-A"].quantity == 25
    assert "MUG-FBA" not in {r.channel_sku for r in ats.changed_since_last_push()}


def test_changed_since_last_push(shop):
    assert {r.channel_sku for r in ats.changed_since_last_push()} == {"MUG-A", "GIFT-A", "MUG-S", "LID-S"}
    rows = by_sku(ats.compute())
    ats.record_push({rows[sku].listing: rows[sku].quantity for sku in ("MUG-A", "GIFT-A", "MUG-S", "LID-S")},
                    "test")
    assert ats.changed_since_last_push() == []
    stock.reserve(shop["lid"], shop["sz"], 2, reference="ORDER-3")  # LID 7 → 5, gift kits 7 → 5
    assert {r.channel_sku: (r.last_pushed, r.quantity) for r in ats.changed_since_last_push()} == {
        "GIFT-A": (7, 5), "LID-S": (7, 5)}


def test_record_push_updates_the_previous_push(shop, role_users):
    ats.record_push({shop["MUG-A"]: 3}, "amazon-file", user=role_users["operations"])
    ats.record_push({shop["MUG-A"].pk: 9}, "shopify-csv")
    push = ListingStockPush.objects.get(listing=shop["MUG-A"])
    assert (push.quantity, push.method) == (9, "shopify-csv")
    assert ListingStockPush.objects.count() == 1
    with pytest.raises(ValueError):
        ats.record_push({shop["MUG-A"]: -1}, "x")


def test_compute_is_set_based(shop):
    """The number of queries does not grow with the number of listings."""
    with CaptureQueriesContext(connection) as few:
        ats.compute()
    extra = create_account("AMZ-CA", "amazon", "CA")
    for index in range(30):
        product = Product.objects.create(sku=f"P{index}")
        stock.receive(product, shop["sz"], index + 1)
        create_listing(extra, product, f"P{index}-CA")
    with CaptureQueriesContext(connection) as many:
        rows = ats.compute()
    assert by_sku(rows)["P29-CA"].quantity == 30
    assert len(many.captured_queries) <= len(few.captured_queries) + 3  # one more account's rule look-ups


def test_amazon_file_quantity_only_without_fba(shop):
    file = ats.export(shop["amazon"], "amazon")
    lines = file.content.decode("utf-8").splitlines()
    assert lines[0].split("\t") == ["sku", "price", "minimum-seller-allowed-price", "maximum-seller-allowed-price",
                                    "quantity", "handling-time", "fulfillment-channel"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert set(rows) == {"GIFT-A", "MUG-A"}  # the FBA listing is never given a quantity
    assert rows["MUG-A"] == ["MUG-A", "", "", "", "35", "", ""]
    assert file.rows == 2
    pushed = dict(ListingStockPush.objects.values_list("listing__channel_sku", "quantity"))
    assert pushed == {"GIFT-A": 7, "MUG-A": 35}
    assert set(ListingStockPush.objects.values_list("method", flat=True)) == {"amazon-file"}


def test_export_changed_only_and_without_recording(shop):
    ats.record_push({shop["MUG-A"]: 35}, "amazon-file")
    file = ats.export(shop["amazon"], "amazon", changed_only=True, record=False)
    assert [line.split("\t")[0] for line in file.content.decode().splitlines()[1:]] == ["GIFT-A"]
    assert not ListingStockPush.objects.filter(listing=shop["GIFT-A"]).exists()


def test_shopify_csv_sets_on_hand_new_per_location(shop):
    file = ats.export(shop["shop"], "shopify", location="Los Angeles")
    reader = list(csv.DictReader(io.StringIO(file.content.decode("utf-8"))))
    assert list(reader[0].keys())[-2:] == ["On hand (current)", "On hand (new)"]
    mug = next(r for r in reader if r["SKU"] == "MUG-S")
    assert (mug["Handle"], mug["Title"], mug["Location"], mug["HS Code"], mug["COO"], mug["On hand (new)"]) == (
        "ceramic-mug", "Mug", "Los Angeles", "6912.00", "CN", "35")
    assert {r["SKU"] for r in reader} == {"MUG-S", "LID-S"}
    default = ats.export(shop["shop"], "shopify", record=False)
    assert "My shop" in default.content.decode()  # the location defaults to the account's name


def test_export_refuses_the_wrong_platform(shop):
    with pytest.raises(ValueError, match="the Shopify file is for Shopify accounts"):
        ats.export(shop["amazon"], "shopify")
    with pytest.raises(ValueError, match="unknown export format"):
        ats.export(shop["amazon"], "ebay")
    assert not ListingStockPush.objects.exists()


@pytest.mark.parametrize(("available", "expected"), [(0, 0), (3, 0), (5, 0), (6, 2), (9, 3), (30, 12)])
def test_channel_limits(available, expected):
    # buffer 2, then zero below 4 units, then 50 %, capped at 12
    limits = ats.ChannelLimits(safety_buffer=2, ats_percent=50, ats_max=12, ats_min=4)
    assert limits.apply(available) == expected


def test_stats_count_pushes(shop):
    from chuhai.core.stats import entity_counts

    assert entity_counts()["listing_stock_pushes"] == 0
    ats.export(shop["amazon"], "amazon")
    assert entity_counts()["listing_stock_pushes"] == 2
