"""A small shop for the shipping tests: carriers, one account, a US 3PL warehouse with stock, and orders whose
stock is reserved the way an import reserves it (``allocation.sync_order``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from chuhai.cli.main import main

from ..api.conftest import ApiClient
from ..cli.support import Run

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def carriers(db):
    from chuhai.logistics.carriers import ensure_default_carriers
    from chuhai.logistics.models import Carrier

    ensure_default_carriers()
    return {c.code: c for c in Carrier.objects.all()}


@pytest.fixture
def shop(db, carriers):
    from chuhai.catalog.models import Product
    from chuhai.channels.services import create_account
    from chuhai.inventory import stock
    from chuhai.inventory.models import Warehouse

    account = create_account("SHOP-US", "shopify", "US")
    warehouse = Warehouse.objects.create(code="US-LA", name="LA 3PL", type="overseas_3pl", country="US",
                                         time_zone="America/Los_Angeles")
    mug = Product.objects.create(sku="MUG-01", name_en="Mug")
    lid = Product.objects.create(sku="LID-01", name_en="Lid")
    stock.receive(mug, warehouse, 10)
    stock.receive(lid, warehouse, 10)
    return {"account": account, "warehouse": warehouse, "mug": mug, "lid": lid, "carriers": carriers}


@pytest.fixture
def make_order(shop):
    """``make_order("1001", [(mug, 2), (lid, 1)])`` → an unshipped merchant order, its stock reserved."""
    from chuhai.inventory import allocation
    from chuhai.orders.models import Order, OrderLine

    def make(external_id: str, lines, status: str = "unshipped", allocate: bool = True):
        order = Order.objects.create(
            account=shop["account"], external_id=external_id, marketplace="US", purchased_at=timezone.now(),
            status=status, fulfilment_channel="merchant", ship_country="US", currency="USD",
            base_currency="USD", fx_rate=Decimal(1))
        for no, (product, qty) in enumerate(lines, start=1):
            OrderLine.objects.create(order=order, line_no=no, product=product, channel_sku=product.sku,
                                     quantity=qty, unit_price=Decimal("10"))
        if allocate:
            allocation.sync_order(order)
        return order

    return make


@pytest.fixture
def chuhai(capsys):
    """``chuhai("shipments", "list", "--json")`` → Run(code, out, err)."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def api_as(role_users):
    from chuhai.core.users import issue_token

    def make(role: str) -> ApiClient:
        return ApiClient(issue_token(role_users[role].username, name="test"))

    return make
