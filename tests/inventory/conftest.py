"""Products and warehouses for the stock tests, and the in-process ``chuhai`` CLI runner."""

from __future__ import annotations

import pytest

from chuhai.catalog.models import BundleComponent, Product
from chuhai.cli.main import main
from chuhai.inventory.models import Warehouse

from ..api.conftest import api_as  # noqa: F401 - the API client fixture, for the allocation API tests
from ..cli.support import Run


@pytest.fixture
def product(db):
    return Product.objects.create(sku="MUG-01", name_en="Mug")


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(code="SZ-MAIN", name="Shenzhen", type="domestic", country="CN",
                                    time_zone="Asia/Shanghai")


@pytest.fixture
def other_warehouse(db):
    return Warehouse.objects.create(code="US-3PL", name="LA 3PL", type="overseas_3pl", country="US",
                                    time_zone="America/Los_Angeles")


@pytest.fixture
def bundle(product):
    """GIFT-SET = 2 × MUG-01 (``product``) + 1 × LID-01."""
    mug = product
    lid = Product.objects.create(sku="LID-01", name_en="Lid")
    gift = Product.objects.create(sku="GIFT-SET", name_en="Gift set", is_bundle=True)
    BundleComponent.objects.create(bundle=gift, component=mug, quantity=2)
    BundleComponent.objects.create(bundle=gift, component=lid, quantity=1)
    return gift


@pytest.fixture
def chuhai(capsys):
    """``chuhai("stock", "show", "SKU", "--json")`` → Run(code, out, err)."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
