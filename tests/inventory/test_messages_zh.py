"""The services' refusals reach a Chinese user in Chinese: each message is translated when it is raised, in the
language active then, with the SKU / warehouse / order values filled in (the catalogue's placeholders intact)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from chuhai.catalog.models import Product
from chuhai.channels.services import create_account
from chuhai.inventory import stock
from chuhai.inventory.models import Warehouse
from chuhai.inventory.stock import InsufficientStock
from chuhai.logistics.carriers import ensure_default_carriers
from chuhai.logistics.returns import AlreadyProcessed, process_return, record_return
from chuhai.logistics.shipping import ShipmentRefused, create_shipment
from chuhai.orders.manual import ManualLine, create_manual_order
from chuhai.orders.models import Order, OrderLine

HAN = re.compile(r"[\u4e00-\u9fff]")


def chinese(message: str) -> bool:
    """Han characters and none of the English sentence words (codes such as SKUs stay as they are)."""
    return bool(HAN.search(message)) and not re.search(r"\b(not|enough|stock|order|already|cannot|is)\b", message)


@pytest.fixture
def shop(db):
    account = create_account("SHOP-US", "shopify", "US")
    warehouse = Warehouse.objects.create(code="US-3PL", name="LA 3PL", type="overseas_3pl", country="US",
                                         time_zone="America/Los_Angeles")
    lamp = Product.objects.create(sku="LAMP", name_en="Lamp")
    stock.receive(lamp, warehouse, 2)
    return account, warehouse, lamp


def _order(account, external_id: str, product, qty: int, status: str) -> Order:
    order = Order.objects.create(
        account=account, external_id=external_id, marketplace="US", purchased_at=timezone.now(), status=status,
        fulfilment_channel="merchant", ship_country="US", currency="USD", base_currency="USD", fx_rate=Decimal(1))
    OrderLine.objects.create(order=order, line_no=1, product=product, channel_sku=product.sku, quantity=qty,
                             unit_price=Decimal("10"))
    return order


@pytest.mark.django_db
def test_short_stock_on_a_manual_order_is_explained_in_the_active_language(shop):
    account, _warehouse, _lamp = shop

    with translation.override("zh-hans"), pytest.raises(InsufficientStock) as zh:
        create_manual_order(account, "B2B-1", "US", [ManualLine("LAMP", 5)], currency="CNY")
    message = str(zh.value)
    assert chinese(message), message
    assert "库存不足" in message and "需要 5 件" in message
    assert "LAMP" in message and "US-3PL 2" in message

    with translation.override("en"), pytest.raises(InsufficientStock, match="LAMP: 5 needed"):
        create_manual_order(account, "B2B-1", "US", [ManualLine("LAMP", 5)], currency="CNY")
    assert not Order.objects.filter(external_id="B2B-1").exists()


@pytest.mark.django_db
def test_an_adjustment_below_zero_names_sku_warehouse_and_stock_in_chinese(shop):
    _account, warehouse, lamp = shop

    with translation.override("zh-hans"), pytest.raises(InsufficientStock) as zh:
        stock.adjust(lamp, warehouse, -5, "盘点")
    message = str(zh.value)
    assert chinese(message), message
    assert "LAMP" in message and "US-3PL" in message and "库存不足" in message
    assert "在库 -5" in message and "在库 2" in message and "已预留 0" in message
    with translation.override("zh-hans"), pytest.raises(ValueError) as no_reason:
        stock.adjust(lamp, warehouse, 1, " ")
    assert str(no_reason.value) == "库存调整必须填写原因"


@pytest.mark.django_db
def test_shipping_a_cancelled_order_is_refused_in_chinese(shop):
    account, _warehouse, lamp = shop
    ensure_default_carriers()
    order = _order(account, "1001", lamp, 1, status="cancelled")

    with translation.override("zh-hans"), pytest.raises(ShipmentRefused) as zh:
        create_shipment(order, "ups", "1Z999")
    message = str(zh.value)
    assert chinese(message), message
    assert "1001 (SHOP-US)" in message and "已取消" in message and "无法发货" in message
    assert not order.shipments.exists()


@pytest.mark.django_db
def test_processing_a_return_twice_is_refused_in_chinese(shop):
    account, warehouse, lamp = shop
    order = _order(account, "1002", lamp, 1, status="shipped")
    customer_return = record_return(account, order, "LAMP", 1)
    process_return(customer_return, restock="sellable", warehouse=warehouse)

    with translation.override("zh-hans"), pytest.raises(AlreadyProcessed) as zh:
        process_return(customer_return, restock="sellable", warehouse=warehouse)
    message = str(zh.value)
    assert chinese(message), message
    assert "已处理" in message and "1002" in message and "LAMP" in message
    assert stock.balances(lamp).get().on_hand == 3  # restocked once, not twice
