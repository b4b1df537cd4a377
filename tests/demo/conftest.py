"""One demo load per test module, rolled back when the module is done (loading takes a second or two)."""

from __future__ import annotations

import pytest
from django.db import transaction

from .fixed import NOW, ORDERS


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from chuhai.demo.loader import load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        summary = load_demo(orders=ORDERS, seed=42, now=NOW)
        yield summary
        transaction.set_rollback(True)
