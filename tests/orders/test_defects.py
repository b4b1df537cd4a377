"""Recording buyers' defects against orders: once per order and kind, with clear refusals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from chuhai.orders.defects import find_order, record_defect
from chuhai.orders.models import OrderDefect
from tests.analytics.fulfilment_builders import account, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def an_order(db):
    return order(account(), timezone.now() - dt.timedelta(days=3), status="shipped", external_id="111-1")


def test_record_defect_is_idempotent_on_order_and_kind(an_order, role_users):
    opened = an_order.purchased_at + dt.timedelta(days=1)
    defect, created = record_defect(an_order, "negative_feedback", opened_at=opened, note=" 1 star ",
                                    user=role_users["operations"])
    assert created and defect.opened_at == opened and defect.note == "1 star"
    assert defect.created_by == role_users["operations"]
    again, created_again = record_defect(an_order, "negative_feedback", note="other text")
    assert not created_again and again.pk == defect.pk and again.note == "1 star"
    other, created_other = record_defect(an_order, "chargeback", opened_at=opened)
    assert created_other and other.pk != defect.pk
    assert OrderDefect.objects.filter(order=an_order).count() == 2


@pytest.mark.parametrize("kwargs,field,fragment", [
    ({"kind": "late_delivery"}, "kind", "Unknown defect late_delivery"),
    ({"kind": "chargeback", "opened_at_days": -4}, "opened_at", "before the order was placed"),
    ({"kind": "chargeback", "opened_at_days": 5}, "opened_at", "future"),
])
def test_record_defect_refuses_impossible_defects(an_order, kwargs, field, fragment):
    days = kwargs.pop("opened_at_days", None)
    opened = timezone.now() + dt.timedelta(days=days) if days is not None else None
    with pytest.raises(ValidationError) as caught:
        record_defect(an_order, kwargs["kind"], opened_at=opened)
    assert field in caught.value.error_dict and fragment in str(caught.value)
    assert not OrderDefect.objects.exists()


def test_record_defect_refuses_credit_documents():
    credit = order(account(), timezone.now() - dt.timedelta(days=1), status="refunded", document_type="credit")
    with pytest.raises(ValidationError, match="credit document"):
        record_defect(credit, "chargeback")


def test_find_order_names_what_is_missing(an_order):
    assert find_order("AMZ-US", " 111-1 ") == an_order
    with pytest.raises(ValidationError, match="No order 111-2 in account AMZ-US"):
        find_order("AMZ-US", "111-2")


@pytest.mark.django_db(transaction=True)
def test_concurrent_recording_creates_one_defect():
    """Two requests recording the same defect at once: the unique constraint decides, both get the one row."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: no race to provoke")
    target = order(account(), timezone.now() - dt.timedelta(days=3), status="shipped")
    barrier, results, errors = threading.Barrier(4), [], []

    def worker():
        from django.db import connections

        try:
            barrier.wait()
            results.append(record_defect(target, "a_to_z_claim"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(created for _defect, created in results) == 1
    assert len({defect.pk for defect, _created in results}) == 1
    assert OrderDefect.objects.filter(order=target).count() == 1
