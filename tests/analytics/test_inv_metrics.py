"""Inventory metrics of the metric layer (source ``stock``) on a small business worked out by hand.

Company: base CNY, time zone Asia/Shanghai (UTC+8). Period 2026-03-01 … 2026-03-10 (10 days). Warehouses CN-1 and
US-3PL. Ledger rows are written directly (they are the stock truth; their ``created_at`` is the business time).

Ledger (local days):

- CABLE-1 @ CN-1: 02-20 +10 receipt; 03-03 O1 reserve 4 / ship 4; 03-05 O2 reserve 6 / ship 6 (written at
  03-04 17:00 UTC = 03-05 01:00 in Shanghai); 03-08 +5 receipt; 03-09 KIT O4 (bundle of 2 cables) reserve 2 /
  ship 2. Closing on hand 03-01…03-10: 10 10 6 6 0 0 0 5 3 3 (Σ 43 unit-days). Available 0 on 05, 06, 07.
- CABLE-1 @ US-3PL: 03-06 +2. Closing on hand 06…10: 2 (Σ 10 unit-days; not tracked before 03-06).
- CHARGER-2 @ CN-1: 03-02 +3; 03-10 O6 reserves 3 (not shipped). Closing on hand 02…10: 3 (Σ 27 unit-days);
  available 0 on 03-10.

Sales (sale documents in a sale status, cancelled items and credit notes left out):
O1 CABLE 4, O2 CABLE 6, O4 KIT 1 = CABLE 2 (all reserved in CN-1) → CABLE 12 @ CN-1;
O3 CHARGER 1 (FBA, no reservation → warehouse ""), O6 CHARGER 3 reserved @ CN-1 → CHARGER 4.
Left out: O5 cancelled CABLE 5, O7 pending CABLE 4, C1 credit note CABLE −1.

Cost layers: CABLE CN-1 10 @ 12.00 (02-20) and 5 @ 15.00 (03-08) → average 13.00; a layer of 03-20 (after the
period) is ignored. CABLE US-3PL 2 @ 20.00. CHARGER: no layer, purchase cost 50.00 CNY.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.metric_layer import METRICS, MetricError, engine, run
from chuhai.analytics.metric_layer.definitions import DIMENSIONS
from chuhai.catalog.models import BundleComponent
from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.finance.cost_layers import CostLayer
from chuhai.inventory.ledger import StockMovement
from chuhai.inventory.models import Warehouse
from chuhai.inventory.reservations import Reservation

from .ml_builders import company, make_order, utc

D = Decimal
MARCH = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 10)}
ALL = "on_hand,inventory_value,stock_units_sold,sell_through,inventory_turnover,days_of_cover,stock_out_days"


def move(product, warehouse, kind, state, qty, when):
    StockMovement(product=product, warehouse=warehouse, kind=kind, state=state, quantity=qty,
                  reason="test", created_at=when).save()


def ship(product, warehouse, line, qty, when):
    """Reserve then ship ``qty`` for ``line`` (reservation shipped), all at ``when``."""
    move(product, warehouse, "reserve", "reserved", qty, when)
    move(product, warehouse, "shipment", "reserved", -qty, when)
    move(product, warehouse, "shipment", "on_hand", -qty, when)
    Reservation.objects.create(order_line=line, product=product, warehouse=warehouse, quantity=qty, status="shipped")


def layer(product, warehouse, qty, cost, when):
    CostLayer.objects.create(product=product, warehouse=warehouse, source="receipt", received_at=when, quantity=qty,
                             remaining=qty, purchase_unit_cost=D(cost), purchase_currency="CNY",
                             purchase_fx_rate=D(1), unit_cost=D(cost))


def inventory_business() -> dict:
    company()
    us = create_account("AMZ-US", "amazon", "US")
    cn1 = Warehouse.objects.create(code="CN-1", type="domestic", country="CN")
    us3 = Warehouse.objects.create(code="US-3PL", type="overseas_3pl", country="US")
    cable = create_product("CABLE-1", name_en="USB-C cable", category="cables")
    charger = create_product("CHARGER-2", name_en="65W charger", category="chargers", cost=D("50.00"),
                             cost_currency="CNY")
    kit = create_product("KIT-3", name_en="Cable kit", category="kits", is_bundle=True)
    BundleComponent.objects.create(bundle=kit, component=cable, quantity=2)

    move(cable, cn1, "receipt", "on_hand", 10, utc(2026, 2, 20, 4))
    layer(cable, cn1, 10, "12.00", utc(2026, 2, 20, 4))
    _, (l1,) = make_order(us, "O1", utc(2026, 3, 3, 4), "7.1", [(cable, 4, "10.00")])
    ship(cable, cn1, l1, 4, utc(2026, 3, 3, 5))
    # 03-04 17:00 UTC is 03-05 01:00 in Shanghai: the sale and the shipment belong to 03-05.
    _, (l2,) = make_order(us, "O2", utc(2026, 3, 4, 17), "7.1", [(cable, 6, "10.00")])
    ship(cable, cn1, l2, 6, utc(2026, 3, 4, 17))
    move(cable, cn1, "receipt", "on_hand", 5, utc(2026, 3, 8, 4))
    layer(cable, cn1, 5, "15.00", utc(2026, 3, 8, 4))
    layer(cable, cn1, 100, "99.00", utc(2026, 3, 20, 4))  # after the period: ignored
    _, (l4,) = make_order(us, "O4", utc(2026, 3, 9, 4), "7.1", [(kit, 1, "30.00")])
    ship(cable, cn1, l4, 2, utc(2026, 3, 9, 5))

    move(cable, us3, "receipt", "on_hand", 2, utc(2026, 3, 6, 4))
    layer(cable, us3, 2, "20.00", utc(2026, 3, 6, 4))

    move(charger, cn1, "receipt", "on_hand", 3, utc(2026, 3, 2, 4))
    make_order(us, "O3", utc(2026, 3, 9, 6), "7.1", [(charger, 1, "25.00")])  # FBA: nothing reserved
    _, (l6,) = make_order(us, "O6", utc(2026, 3, 10, 4), "7.1", [(charger, 3, "25.00")], status="unshipped")
    move(charger, cn1, "reserve", "reserved", 3, utc(2026, 3, 10, 5))
    Reservation.objects.create(order_line=l6, product=charger, warehouse=cn1, quantity=3, status="reserved")

    # left out: cancelled order, pending order, credit note
    make_order(us, "O5", utc(2026, 3, 4, 4), "7.1", [(cable, 5, "10.00")], status="cancelled")
    make_order(us, "O7", utc(2026, 3, 4, 4), "7.1", [(cable, 4, "10.00")], status="pending")
    make_order(us, "C1", utc(2026, 3, 9, 4), "7.1", [(cable, -1, "10.00")], status="refunded",
               document_type="credit")
    return {"cable": cable, "charger": charger, "kit": kit, "cn1": cn1, "us3": us3}


@pytest.fixture
def stock_shop(transactional_db):
    data = inventory_business()
    yield data
    engine.close()


def by_key(result, key):
    return {row[key]: row for row in result.rows}


def test_definitions_registered():
    assert "warehouse" in DIMENSIONS
    for mid in ALL.split(","):
        metric = METRICS[mid]
        assert metric.source == "stock" and str(metric.definition) and metric.formula
        assert "warehouse" in metric.dimensions and "warehouse" in metric.filters
    assert "month" in METRICS["on_hand"].dimensions
    assert "month" not in METRICS["inventory_value"].dimensions  # value is at the period's end only
    assert METRICS["inventory_value"].permission == "finance.access_finance"
    assert METRICS["on_hand"].permission == "inventory.view_stockbalance"
    # order metrics cannot be grouped by warehouse
    with pytest.raises(MetricError):
        run("orders", by="warehouse")


def test_totals(stock_shop):
    (row,) = run(ALL, **MARCH).rows
    # on hand at 03-10: CABLE 3 (CN-1) + 2 (US-3PL) + CHARGER 3 = 8
    assert row["on_hand"] == 8
    # value: CABLE CN-1 3 × 13.00 = 39.00 ((10 × 12 + 5 × 15) ÷ 15 = 13), US-3PL 2 × 20.00 = 40.00,
    # CHARGER 3 × 50.00 (purchase cost) = 150.00 → 229.00
    assert row["inventory_value"] == D("229.00")
    # sold: CABLE 4 + 6 + 2 (kit) = 12, CHARGER 1 + 3 = 4 → 16 (cancelled, pending, credit left out)
    assert row["stock_units_sold"] == 16
    # sell-through: 16 ÷ (16 + 8) × 100 = 66.67
    assert row["sell_through"] == D("66.67")
    # turnover (units): unit-days 43 + 10 + 27 = 80 → average 8.0; 16 ÷ 8 = 2.00
    assert row["inventory_turnover"] == D("2.00")
    # days of cover: 8 ÷ (16 ÷ 10) = 5.00
    assert row["days_of_cover"] == D("5.00")
    # stock-out SKU-days: CABLE 03-05 (CN-1 empty, US-3PL not stocked yet; 06–07 US-3PL had 2) + CHARGER 03-10
    # (3 on hand, all 3 reserved) = 2; CHARGER 03-01 is before its first movement: not counted
    assert row["stock_out_days"] == 2


def test_by_sku(stock_shop):
    rows = by_key(run(ALL, by="sku", **MARCH), "sku")
    assert set(rows) == {"CABLE-1", "CHARGER-2"}  # the kit sells as its components
    cable, charger = rows["CABLE-1"], rows["CHARGER-2"]
    assert (cable["on_hand"], cable["stock_units_sold"], charger["on_hand"], charger["stock_units_sold"]) == (5, 12,
                                                                                                              3, 4)
    # CABLE 12 ÷ 17 × 100 = 70.588… → 70.59; CHARGER 4 ÷ 7 × 100 = 57.142… → 57.14
    assert cable["sell_through"] == D("70.59") and charger["sell_through"] == D("57.14")
    # CABLE 12 × 10 ÷ 53 = 2.264… → 2.26; CHARGER 4 × 10 ÷ 27 = 1.481… → 1.48
    assert cable["inventory_turnover"] == D("2.26") and charger["inventory_turnover"] == D("1.48")
    # CABLE 5 × 10 ÷ 12 = 4.166… → 4.17; CHARGER 3 × 10 ÷ 4 = 7.50
    assert cable["days_of_cover"] == D("4.17") and charger["days_of_cover"] == D("7.50")
    assert cable["stock_out_days"] == 1 and charger["stock_out_days"] == 1
    assert cable["inventory_value"] == D("79.00") and charger["inventory_value"] == D("150.00")


def test_by_warehouse_and_warehouse_filter(stock_shop):
    rows = by_key(run("on_hand,stock_units_sold,stock_out_days", by="warehouse", **MARCH), "warehouse")
    # "" holds the FBA sale of 1 CHARGER (no reservation), with no stock
    assert rows[""]["stock_units_sold"] == 1 and rows[""]["on_hand"] == 0 and rows[""]["stock_out_days"] == 0
    # CN-1: CABLE out 05, 06, 07 (3) + CHARGER 03-10 (1) = 4; sold 12 + 3 = 15; on hand 3 + 3 = 6
    assert (rows["CN-1"]["stock_out_days"], rows["CN-1"]["stock_units_sold"], rows["CN-1"]["on_hand"]) == (4, 15, 6)
    assert (rows["US-3PL"]["stock_out_days"], rows["US-3PL"]["stock_units_sold"], rows["US-3PL"]["on_hand"]) == (0, 0,
                                                                                                                2)
    cn = by_key(run("sell_through,stock_out_days,days_of_cover", by="sku", filters={"warehouse": "CN-1"}, **MARCH),
                "sku")
    # CN-1 only: CABLE 12 ÷ (12 + 3) = 80.00 %, out 3 days, cover 3 × 10 ÷ 12 = 2.50
    assert (cn["CABLE-1"]["sell_through"], cn["CABLE-1"]["stock_out_days"]) == (D("80.00"), 3)
    assert cn["CABLE-1"]["days_of_cover"] == D("2.50")
    # CHARGER sold 3 in CN-1 (the FBA unit is not in CN-1): 3 ÷ (3 + 3) = 50.00 %
    assert cn["CHARGER-2"]["sell_through"] == D("50.00")


def test_sku_and_category_filters(stock_shop):
    (row,) = run("on_hand,stock_units_sold,inventory_value", filters={"sku": "CHARGER-2"}, **MARCH).rows
    assert (row["on_hand"], row["stock_units_sold"], row["inventory_value"]) == (3, 4, D("150.00"))
    (row,) = run("on_hand,stock_out_days", filters={"category": "cables"}, **MARCH).rows
    assert (row["on_hand"], row["stock_out_days"]) == (5, 1)


def test_by_month_takes_each_months_last_day(stock_shop):
    rows = by_key(run("on_hand,stock_units_sold,days_of_cover", by="month", date_from=dt.date(2026, 2, 25),
                      date_to=dt.date(2026, 3, 10)), "month")
    # February closes (02-28) with the 10 cables received on 02-20; nothing sold → no cover figure
    assert rows["2026-02"]["on_hand"] == 10 and rows["2026-02"]["stock_units_sold"] == 0
    assert rows["2026-02"]["days_of_cover"] is None
    # March (01…10) closes with 8; 8 ÷ (16 ÷ 10) = 5.00
    assert (rows["2026-03"]["on_hand"], rows["2026-03"]["days_of_cover"]) == (8, D("5.00"))


def test_period_end_moves_the_snapshot(stock_shop):
    (row,) = run("on_hand,stock_out_days", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 5)).rows
    # at 03-05: CABLE CN-1 0 (10 − 4 − 6), CHARGER 3 → 3; out: CABLE on 03-05 only → 1
    assert row["on_hand"] == 3 and row["stock_out_days"] == 1


def test_open_start_runs_from_the_first_movement(stock_shop):
    (row,) = run("on_hand,stock_units_sold,inventory_turnover", date_to=dt.date(2026, 3, 10)).rows
    # from 02-20 (first receipt) to 03-10 = 19 days; same stock at the end (8) and the same 16 units sold
    assert (row["on_hand"], row["stock_units_sold"]) == (8, 16)
    # unit-days: March 80 + CABLE CN-1 10 × 9 days (02-20…02-28) = 170; 16 × 19 ÷ 170 = 1.788… → 1.79
    assert row["inventory_turnover"] == D("1.79")
