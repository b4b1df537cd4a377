"""COGS: cost layers and costs of sale replayed from the stock ledger, every figure worked by hand.

The base currency is CNY (the default). Rates are the seller's manual rates set in each test, so the arithmetic
does not depend on the bundled ECB history.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from chuhai.catalog.models import BundleComponent
from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.core.models import CompanySettings
from chuhai.finance.cogs import inventory_value, line_costs, rebuild_costs, record_receipt_cost
from chuhai.finance.cost_layers import AllocationBasis, CostLayer, CostOfSale, LayerSource
from chuhai.finance.finance_settings import CostingMethod, FinanceSettings
from chuhai.finance.fx import set_manual_rate
from chuhai.finance.landed_cost import add_charge, allocate, allocation_preview
from chuhai.inventory import stock, transfers
from chuhai.inventory.allocation import reference_of
from chuhai.inventory.ledger import MovementKind, StockMovement, StockState
from chuhai.inventory.services import create_warehouse
from chuhai.orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db
D = Decimal
UTC = dt.UTC
DAY_A = dt.date(2026, 3, 2)
DAY_B = dt.date(2026, 3, 9)
DAY_C = dt.date(2026, 3, 16)
DAY_D = dt.date(2026, 3, 23)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def move(product, warehouse, kind, qty, when, reference="", state=StockState.ON_HAND, group=None):
    """One ledger row written as the stock services write them (the replay reads only the ledger)."""
    return StockMovement.objects.create(product=product, warehouse=warehouse, kind=kind, state=state, quantity=qty,
                                        reference=reference, created_at=when, group=group or uuid.uuid4())


def ship(product, warehouse, qty, when, order):
    """A shipment as allocation writes it: −reserved and −on_hand, one group, the order's reference."""
    group = uuid.uuid4()
    move(product, warehouse, MovementKind.SHIPMENT, -qty, when, reference_of(order), StockState.RESERVED, group)
    move(product, warehouse, MovementKind.SHIPMENT, -qty, when, reference_of(order), StockState.ON_HAND, group)
    return group


def make_order(account, external_id, day, lines):
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace=account.marketplace, purchased_at=at(day, 8),
        status="shipped", fulfilment_channel="merchant", currency=account.currency, order_total=D(0),
        base_currency="CNY", fx_rate=D("7.1"))
    made = []
    for no, (product, qty) in enumerate(lines, start=1):
        made.append(OrderLine.objects.create(order=order, line_no=no, product=product, channel_sku=product.sku,
                                             quantity=qty, unit_price=D("19.99")))
    return order, made


@pytest.fixture
def setup(db):
    assert CompanySettings.load().base_currency == "CNY"
    set_manual_rate("USD", "CNY", D("7.10"), DAY_A)
    set_manual_rate("USD", "CNY", D("7.20"), DAY_C)
    return {
        "sz": create_warehouse("SZ-01", "domestic", "CN"),
        "us": create_warehouse("US-3PL", "overseas_3pl", "US"),
        "account": create_account("SHOP-US", "shopify", "US"),
        "cable": create_product("CABLE", name_en="Cable", cost=D("28"), cost_currency="CNY", weight_g=100,
                                length_mm=100, width_mm=100, height_mm=10),
    }


def two_batches(s):
    """10 @ 30 CNY on day A (recorded explicitly) and 10 @ 4.20 USD on day B."""
    cable, sz = s["cable"], s["sz"]
    first = move(cable, sz, MovementKind.RECEIPT, 10, at(DAY_A), "PO-1")
    second = move(cable, sz, MovementKind.RECEIPT, 10, at(DAY_B), "PO-2")
    record_receipt_cost(cable, sz, 10, D("30"), "CNY", DAY_A, reference="PO-1")
    record_receipt_cost(cable, sz, 10, D("4.20"), "USD", DAY_B, movement_group=second.group)
    return first, second


def test_fifo_across_batches_bought_in_two_currencies(setup):
    s = setup
    two_batches(s)
    order, (line,) = make_order(s["account"], "1001", DAY_C, [(s["cable"], 15)])
    ship(s["cable"], s["sz"], 15, at(DAY_C), order)

    summary = rebuild_costs()

    # batch A: 30 CNY × 1 = 30.000000 CNY; batch B: 4.20 USD × 7.10 (the day-B rate, not day C's 7.20) = 29.82 CNY
    layers = list(CostLayer.objects.order_by("received_at"))
    assert [(x.purchase_currency, x.unit_cost, x.purchase_fx_rate) for x in layers] == [
        ("CNY", D("30"), D("1")), ("USD", D("29.82"), D("7.10"))]
    # selling 15 takes all 10 of A and 5 of B: 10 × 30 + 5 × 29.82 = 300 + 149.10 = 449.10
    rows = list(CostOfSale.objects.order_by("layer__received_at").values_list("quantity", "unit_cost", "amount"))
    assert rows == [(10, D("30"), D("300")), (5, D("29.82"), D("149.1"))]
    assert line_costs([line.pk]) == {line.pk: (D("449.10"), False)}
    assert set(CostOfSale.objects.values_list("at", flat=True)) == {at(DAY_C)}
    # 5 left of B: 5 × 29.82 = 149.10
    (value,) = inventory_value()
    assert (value.units, value.value, value.unit_cost, value.warehouse) == (5, D("149.10"), D("29.82"), "SZ-01")
    assert summary.explicit_layers_used == 2 and summary.receipts_without_cost == 0


def test_moving_average(setup):
    s = setup
    settings = FinanceSettings.load()
    settings.costing_method = CostingMethod.MOVING_AVERAGE
    settings.save()
    two_batches(s)
    order, (line,) = make_order(s["account"], "1002", DAY_C, [(s["cable"], 15)])
    ship(s["cable"], s["sz"], 15, at(DAY_C), order)
    rebuild_costs()
    # average of 10 × 30 and 10 × 29.82 = (300 + 298.20) / 20 = 29.91; 15 sold × 29.91 = 448.65
    assert line_costs([line.pk]) == {line.pk: (D("448.65"), False)}
    assert set(CostOfSale.objects.values_list("unit_cost", flat=True)) == {D("29.91")}
    # 5 left at the average: 5 × 29.91 = 149.55 (FIFO would say 149.10)
    (value,) = inventory_value()
    assert (value.units, value.value) == (5, D("149.55"))


def test_receipt_without_explicit_cost_takes_the_product_cost_and_no_cost_counts(setup):
    s = setup
    usd_item = create_product("USD-ITEM", cost=D("2.50"), cost_currency="USD")
    no_cost = create_product("NO-COST")
    move(usd_item, s["sz"], MovementKind.RECEIPT, 4, at(DAY_C))
    move(no_cost, s["sz"], MovementKind.RECEIPT, 3, at(DAY_C))
    summary = rebuild_costs()
    # 2.50 USD at the day-C rate 7.20 = 18.00 CNY
    assert CostLayer.objects.get(product=usd_item).unit_cost == D("18")
    assert CostLayer.objects.get(product=no_cost).unit_cost == 0
    assert summary.receipts_without_cost == 1


def test_landed_charge_by_weight_over_two_products_with_the_remainder_on_the_last_line(setup):
    s = setup
    create_product("HEAVY", cost=D("50"), cost_currency="CNY", weight_g=200)
    shipment = transfers.create(s["sz"], s["us"], "sea", {"CABLE": 3, "HEAVY": 3}, reference="IB-1")
    add_charge(shipment, "freight", D("100"), "CNY", DAY_B, AllocationBasis.WEIGHT)
    # weights: CABLE 100 g × 3 = 300, HEAVY 200 g × 3 = 600, total 900.
    # CABLE: 100 × 300/900 = 33.333333 (six places); HEAVY, the last line, takes the rest: 100 − 33.333333 = 66.666667
    preview = allocation_preview(shipment)
    assert [(p.sku, p.allocated, p.per_unit) for p in preview] == [
        ("CABLE", D("33.333333"), D("11.111111")), ("HEAVY", D("66.666667"), D("22.222222"))]
    assert sum(p.allocated for p in preview) == D("100")
    # the pure rule: 10 split 1:1:1 → 3.333333, 3.333333 and the remainder 3.333334
    assert allocate(D("10"), [D(1), D(1), D(1)]) == [D("3.333333"), D("3.333333"), D("3.333334")]


def test_transfer_carries_the_cost_and_the_landed_cost(setup):
    s = setup
    cable = s["cable"]
    received = stock.receive(cable, s["sz"], 4, reference="PO-9")  # real time: the transfer services follow
    record_receipt_cost(cable, s["sz"], 4, D("30"), "CNY", DAY_A, reference="PO-9",
                        movement_group=received[0].group)
    shipment = transfers.create(s["sz"], s["us"], "air", {"CABLE": 4}, reference="IB-2")
    add_charge(shipment, "freight", D("10"), "USD", DAY_C, AllocationBasis.QUANTITY)
    add_charge(shipment, "duty", D("8"), "CNY", DAY_C, AllocationBasis.VALUE)
    transfers.ship(shipment)
    transfers.receive(shipment, {"CABLE": 4})
    order, (line,) = make_order(s["account"], "2001", DAY_D, [(cable, 1)])
    ship(cable, s["us"], 1, at(DAY_D) + dt.timedelta(days=365), order)  # after the real-time transfer rows
    rebuild_costs()

    moved = CostLayer.objects.get(warehouse=s["us"])
    # freight 10 USD × 7.20 (day C) = 72 CNY over 4 units = 18 per unit; duty 8 CNY / 4 = 2 per unit → landed 20
    # unit cost = 30 purchase + 20 landed = 50
    assert moved.source == LayerSource.TRANSFER and moved.source_layer.reference == "PO-9"
    assert (moved.landed_unit_cost, moved.unit_cost, moved.remaining) == (D("20"), D("50"), 3)
    assert CostLayer.objects.get(warehouse=s["sz"]).remaining == 0
    assert line_costs([line.pk]) == {line.pk: (D("50"), False)}


def test_return_restocks_at_the_original_cost_even_after_a_dearer_batch(setup):
    s = setup
    cable, sz = s["cable"], s["sz"]
    move(cable, sz, MovementKind.RECEIPT, 2, at(DAY_A), "PO-1")
    record_receipt_cost(cable, sz, 2, D("30"), "CNY", DAY_A, reference="PO-1")
    order, (line,) = make_order(s["account"], "3001", DAY_B, [(cable, 2)])
    ship(cable, sz, 2, at(DAY_B), order)
    dear = move(cable, sz, MovementKind.RECEIPT, 5, at(DAY_C), "PO-2")
    record_receipt_cost(cable, sz, 5, D("45"), "CNY", DAY_C, movement_group=dear.group)
    # one unit comes back sellable (reference = the order id, as returns processing writes it), one unsellable
    move(cable, sz, MovementKind.CUSTOMER_RETURN, 1, at(DAY_D), "3001")
    move(cable, sz, MovementKind.CUSTOMER_RETURN, 1, at(DAY_D), "3001", StockState.UNSELLABLE)
    rebuild_costs()

    back = CostLayer.objects.get(source=LayerSource.RETURN)
    assert (back.unit_cost, back.remaining, back.source_layer.reference) == (D("30"), 1, "PO-1")  # not 45
    refund = CostOfSale.objects.get(is_return=True)
    assert (refund.quantity, refund.amount, refund.order_line_id) == (-1, D("-30"), line.pk)
    # sold 2 × 30 = 60, one restocked −30 → 30; the unsellable unit stays a cost
    assert line_costs([line.pk]) == {line.pk: (D("30"), False)}
    # stock value: the return 1 × 30 + the dear batch 5 × 45 = 255
    assert sum(r.value for r in inventory_value()) == D("255")


def test_rebuild_twice_changes_nothing(setup):
    s = setup
    two_batches(s)
    move(s["cable"], s["sz"], MovementKind.ADJUSTMENT, -2, at(DAY_C, 9))
    order, _lines = make_order(s["account"], "4001", DAY_C, [(s["cable"], 3)])
    ship(s["cable"], s["sz"], 3, at(DAY_C), order)
    first = rebuild_costs()
    snapshot = sorted(CostLayer.objects.values_list("source", "reference", "quantity", "remaining", "unit_cost"))
    costs = sorted(CostOfSale.objects.values_list("order_line_id", "quantity", "amount", "is_return"))
    second = rebuild_costs()
    assert sorted(CostLayer.objects.values_list("source", "reference", "quantity", "remaining",
                                                "unit_cost")) == snapshot
    assert sorted(CostOfSale.objects.values_list("order_line_id", "quantity", "amount", "is_return")) == costs
    assert CostLayer.objects.count() == 2  # the explicit layers are kept, never duplicated
    # the write-off took 2 of batch A: 2 × 30 = 60
    assert first.written_off_value == second.written_off_value == D("60")
    # nothing new since DAY_D: a scheduled run with `since` does nothing
    assert rebuild_costs(since=dt.datetime.now(UTC) + dt.timedelta(days=1)).skipped


def test_units_beyond_the_layers_cost_the_standard_cost_as_an_estimate(setup):
    s = setup
    cable, sz = s["cable"], s["sz"]
    move(cable, sz, MovementKind.ADJUSTMENT, 1, at(DAY_A))  # stock counted before any receipt: opening balance
    order, (line,) = make_order(s["account"], "5001", DAY_B, [(cable, 3)])
    ship(cable, sz, 3, at(DAY_B), order)
    summary = rebuild_costs()
    opening = CostLayer.objects.get()
    assert (opening.source, opening.unit_cost) == (LayerSource.OPENING, D("28"))  # the product's 28 CNY
    # 1 from the opening layer at 28 + 2 not covered by any layer at the standard 28 = 84, marked estimated
    assert line_costs([line.pk]) == {line.pk: (D("84"), True)}
    assert CostOfSale.objects.get(layer__isnull=True).quantity == 2
    assert summary.estimated_units == 2


def test_bundle_components_cost_onto_the_bundle_line(setup):
    s = setup
    charger = create_product("CHARGER", cost=D("12"), cost_currency="CNY")
    kit = create_product("KIT", is_bundle=True)
    BundleComponent.objects.create(bundle=kit, component=s["cable"], quantity=2)
    BundleComponent.objects.create(bundle=kit, component=charger, quantity=1)
    move(s["cable"], s["sz"], MovementKind.RECEIPT, 10, at(DAY_A))
    move(charger, s["sz"], MovementKind.RECEIPT, 10, at(DAY_A))
    order, (line,) = make_order(s["account"], "6001", DAY_B, [(kit, 1)])
    ship(s["cable"], s["sz"], 2, at(DAY_B), order)
    ship(charger, s["sz"], 1, at(DAY_B), order)
    rebuild_costs()
    # 2 cables × 28 + 1 charger × 12 = 68 on the kit's line
    assert line_costs([line.pk]) == {line.pk: (D("68"), False)}


def test_a_ledger_longer_than_one_chunk_streams_and_reruns_identically(setup):
    """12 000 shipments plus receipts: several read chunks and a write flush, groups never split."""
    s = setup
    cable, sz = s["cable"], s["sz"]
    start = at(DAY_A)
    rows = []
    for i in range(12):  # 12 receipts of 1 000 units: batch i costs 28 CNY (the product) — the standard path
        rows.append(StockMovement(product=cable, warehouse=sz, kind=MovementKind.RECEIPT, state=StockState.ON_HAND,
                                  quantity=1000, reference=f"PO-{i}", created_at=start + dt.timedelta(hours=i)))
    explicit = rows[5]
    order = Order.objects.create(account=s["account"], external_id="BIG", marketplace="US", purchased_at=start,
                                 status="shipped", fulfilment_channel="merchant", currency="USD", order_total=D(0),
                                 base_currency="CNY", fx_rate=D("7.1"))
    line = OrderLine.objects.create(order=order, line_no=1, product=cable, channel_sku="CABLE", quantity=12000,
                                    unit_price=D("1"))
    later = start + dt.timedelta(days=1)
    for i in range(12000):
        group = uuid.uuid4()
        for state in (StockState.RESERVED, StockState.ON_HAND):
            rows.append(StockMovement(product=cable, warehouse=sz, kind=MovementKind.SHIPMENT, state=state,
                                      quantity=-1, reference=reference_of(order), group=group,
                                      created_at=later + dt.timedelta(seconds=i)))
    StockMovement.objects.bulk_create(rows, batch_size=2000)
    # batch PO-5 cost 35 CNY instead of 28
    record_receipt_cost(cable, sz, 1000, D("35"), "CNY", DAY_A, reference="PO-5")
    assert explicit.reference == "PO-5"
    summary = rebuild_costs()
    # 11 batches × 1 000 × 28 + 1 000 × 35 = 308 000 + 35 000 = 343 000
    assert line_costs([line.pk]) == {line.pk: (D("343000"), False)}
    assert summary.movements == 12 + 12000  # reserved rows are not read
    assert CostOfSale.objects.count() == 12000  # each shipment group takes its one unit from one layer
    assert inventory_value() == []  # every unit received was shipped
    again = rebuild_costs()
    assert (again.cost_of_sale_rows, again.layers_created) == (12000, 11)  # 11 made, PO-5's recorded one kept
    assert line_costs([line.pk]) == {line.pk: (D("343000"), False)}
