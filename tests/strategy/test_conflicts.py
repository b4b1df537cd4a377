"""chuhai.strategy.conflicts: the hybrid seller's channel conflicts — prices (listing prices and, without them,
the average price of the last 90 days' order lines), the missing site-exclusive SKU, and stock held for one
channel only — on the hand-worked hybrid seller (ledger_builders; today 2026-12-01, recent window 2026-09-02 –
2026-11-30; USD→CNY 7, EUR→CNY 8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.metric_layer import engine
from chuhai.catalog.services import create_listing, create_product
from chuhai.inventory import rule_services, stock
from chuhai.inventory.models import FbaInventorySnapshot, Warehouse
from chuhai.strategy.conflicts import hybrid_conflicts

from .ledger_builders import TODAY, hybrid_seller

D = Decimal


@pytest.fixture
def shop(transactional_db):
    built = hybrid_seller(with_facts=False)
    yield built
    engine.close()


def kinds(conflicts, kind):
    return [c for c in conflicts if c.kind == kind]


def test_prices_from_order_lines_when_listings_have_none(shop):
    found = kinds(hybrid_conflicts(today=TODAY), "price_undercut")
    # CABLE on the site: (84 + 168) ÷ 3 units = 84.00 CNY; on AMZ-US: 210 + 140 + 70 − 70 = 350 ÷ 5 units = 70.00
    # (March's sale is older than 90 days); US prices exclude sales tax
    assert len(found) == 1
    conflict = found[0]
    assert (conflict.sku, conflict.figures["platform_account"]) == ("CABLE", "AMZ-US")
    assert conflict.figures["own_site_price"] == D("84.00") and conflict.figures["platform_price"] == D("70.00")
    assert conflict.figures["platform_price_from"] == "orders"
    # (84 − 70) ÷ 84 = 16.67 %
    assert conflict.figures["percent_below"] == D("16.67")
    assert "AMZ-US" in conflict.text and "70.00 CNY" in conflict.text and "000 §5.3" in conflict.text
    assert conflict.to_dict()["figures"]["platform_price"] == "70.00"


def test_listing_prices_convert_and_lose_their_vat(shop):
    accounts, products = shop["accounts"], shop["products"]
    create_listing(accounts["SHOP-US"], products["CABLE"], "SHOP-US-CABLE", price=D("12.00"))   # 84.00 CNY
    create_listing(accounts["AMZ-US"], products["CABLE"], "AMZ-US-CABLE", price=D("12.50"))     # 87.50 CNY
    # 11.90 EUR incl. 19 % VAT = 10.00 EUR net = 80.00 CNY: cheaper than the site only once the VAT is out
    create_listing(accounts["AMZ-DE"], products["CABLE"], "AMZ-DE-CABLE", price=D("11.90"))
    found = kinds(hybrid_conflicts(today=TODAY), "price_undercut")
    assert [(c.sku, c.figures["platform_account"], c.figures["platform_price"]) for c in found] == [
        ("CABLE", "AMZ-DE", D("80.00"))]
    assert found[0].figures["own_site_price_from"] == "listing"

    # equal after rounding is no conflict
    create_listing(accounts["AMZ-DE"], products["LAMP"], "AMZ-DE-LAMP", price=D("11.90"))
    create_listing(accounts["SHOP-US"], products["LAMP"], "SHOP-US-LAMP", price=D("11.43"))  # 80.01 CNY
    lamp = [c for c in kinds(hybrid_conflicts(today=TODAY), "price_undercut") if c.sku == "LAMP"]
    assert len(lamp) == 1 and lamp[0].figures["own_site_price"] == D("80.01")
    shop_lamp = accounts["SHOP-US"].listings.get(channel_sku="SHOP-US-LAMP")
    shop_lamp.price = D("11.4286")  # 80.0002 CNY → 80.00: not cheaper on Amazon DE
    shop_lamp.save()
    assert not [c for c in kinds(hybrid_conflicts(today=TODAY), "price_undercut") if c.sku == "LAMP"]


def test_no_site_exclusive_sku_until_the_site_has_one(shop):
    found = kinds(hybrid_conflicts(today=TODAY), "no_site_exclusive")
    # the site sells CABLE only, which Amazon sells too
    assert len(found) == 1 and found[0].sku == "" and found[0].figures["site_skus"] == 1
    assert "001 FAQ Q3" in found[0].text
    gift = create_product("GIFT-SET", name_en="Gift set", is_bundle=True)
    create_listing(shop["accounts"]["SHOP-US"], gift, "SHOP-GIFT")
    assert not kinds(hybrid_conflicts(today=TODAY), "no_site_exclusive")


def test_stock_held_for_one_channel_only(shop):
    accounts, cable = shop["accounts"], shop["products"]["CABLE"]
    fba = Warehouse.objects.create(code="FBA-US", type="fba", country="US")
    sz = Warehouse.objects.create(code="SZ", type="domestic", country="CN")
    rule_services.save_rule(accounts["AMZ-US"], [(sz, "")], fba_warehouse=fba)
    create_listing(accounts["AMZ-US"], cable, "AMZ-US-CABLE")
    create_listing(accounts["SHOP-US"], cable, "SHOP-US-CABLE")
    FbaInventorySnapshot.objects.create(account=accounts["AMZ-US"], snapshot_date=dt.date(2026, 11, 30),
                                        sku="AMZ-US-CABLE", fulfillable=50)
    stock.receive(cable, fba, 50)
    found = kinds(hybrid_conflicts(today=TODAY), "stock_split")
    # all 50 in FBA: Amazon shows them, the site (which sold CABLE in October and November) shows none
    assert len(found) == 1
    assert (found[0].sku, found[0].figures["holding"], found[0].figures["starved"]) == (
        "CABLE", ["amazon"], ["own_site"])
    assert found[0].figures["available"] == {"amazon": 50, "own_site": 0}
    assert "50 units" in found[0].text

    stock.receive(cable, sz, 10)  # the site may draw on the Shenzhen warehouse
    assert not kinds(hybrid_conflicts(today=TODAY), "stock_split")


def test_stock_nobody_sells_is_no_conflict(shop):
    lamp = shop["products"]["LAMP"]
    fba = Warehouse.objects.create(code="FBA-US", type="fba", country="US")
    rule_services.save_rule(shop["accounts"]["AMZ-US"], [], fba_warehouse=fba)
    create_listing(shop["accounts"]["AMZ-US"], lamp, "AMZ-US-LAMP")
    create_listing(shop["accounts"]["SHOP-US"], lamp, "SHOP-US-LAMP")
    FbaInventorySnapshot.objects.create(account=shop["accounts"]["AMZ-US"], snapshot_date=dt.date(2026, 11, 30),
                                        sku="AMZ-US-LAMP", fulfillable=5)
    stock.receive(lamp, fba, 5)
    # the site lists LAMP with no stock, but has not sold it: nothing lost yet
    assert not kinds(hybrid_conflicts(today=TODAY), "stock_split")
