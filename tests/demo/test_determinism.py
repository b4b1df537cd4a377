"""Same seed, same business; another seed, another business. Each load runs in its own rolled-back transaction."""

from __future__ import annotations

import hashlib

import pytest
from django.db import transaction

from chuhai.catalog.models import Listing
from chuhai.demo.loader import is_demo_loaded, load_demo
from chuhai.orders.models import Order, OrderLine

from .fixed import NOW

pytestmark = pytest.mark.django_db


def _digest() -> str:
    h = hashlib.sha256()
    for row in Order.objects.order_by("account__code", "external_id").values_list(
        "account__code", "external_id", "purchased_at", "status", "fulfilment_channel", "customer_ref",
        "ship_country", "ship_postal", "currency", "items_total", "shipping_total", "tax_total", "discount_total",
        "order_total", "fx_rate",
    ):
        h.update(repr(row).encode())
    for row in OrderLine.objects.order_by("order__account__code", "order__external_id", "line_no").values_list(
        "order__external_id", "line_no", "channel_sku", "quantity", "unit_price", "item_tax", "discount",
    ):
        h.update(repr(row).encode())
    for row in Listing.objects.order_by("account__code", "channel_sku").values_list(
        "account__code", "channel_sku", "external_id", "price", "status",
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def _load_and_digest(seed: int) -> str:
    with transaction.atomic():
        assert not is_demo_loaded()
        summary = load_demo(orders=800, seed=seed, now=NOW)
        assert summary["orders"] == Order.objects.count() == 800
        digest = _digest()
        transaction.set_rollback(True)
    return digest


def test_same_seed_gives_identical_data_and_another_seed_does_not():
    first = _load_and_digest(7)
    second = _load_and_digest(7)
    other = _load_and_digest(8)
    assert first == second
    assert other != first


def test_progress_reports_every_order_once():
    seen: dict[str, list[tuple[int, int]]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        seen.setdefault(stage, []).append((done, total))

    with transaction.atomic():
        load_demo(orders=1200, seed=3, now=NOW, progress=progress)
        transaction.set_rollback(True)
    order_stage = [calls for stage, calls in seen.items() if "order" in stage.lower()]
    assert len(order_stage) == 1
    assert sum(done for done, _total in order_stage[0]) == 1200
    assert {total for _done, total in order_stage[0]} == {1200}
    for calls in seen.values():  # no stage reports more units than its total
        assert sum(done for done, _total in calls) <= calls[0][1]
