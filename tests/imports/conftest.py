"""Fixtures of the import interface tests: the test sources registered, an Amazon US account with March 2024 ECB
rates (orders store their rate to the base currency), and a product listed under one channel SKU."""

from __future__ import annotations

import datetime as dt

import pytest

from chuhai.channels.ingest import registry


@pytest.fixture(autouse=True)
def test_sources(monkeypatch):
    monkeypatch.setitem(registry.SOURCE_CLASSES, "test-orders", "tests.imports.support:CsvOrders")
    monkeypatch.setitem(registry.SOURCE_CLASSES, "test-broken", "tests.imports.support:BrokenOrders")


@pytest.fixture
def account(db):
    from chuhai.channels.services import create_account
    from chuhai.finance.fx import load_ecb_rates

    load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31))
    return create_account("AMZ-US", "amazon", "US")


@pytest.fixture
def cable(account):
    from chuhai.catalog.services import create_listing, create_product

    product = create_product("CABLE-USB-C", name_en="USB-C cable")
    create_listing(account, product, "CBL-1")
    return product


@pytest.fixture
def write(tmp_path):
    def make(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make
