"""`chuhai demo`: loads the demo business once, shows progress on stderr, prints what it made and the logins."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import authenticate

from chuhai.orders.models import Order

from .support import assert_user_error

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_prints_logins(chuhai):
    assert_user_error(chuhai("demo", "--logins"), "chuhai demo")

    loaded = chuhai("demo", "--orders", "150", "--seed", "7")

    assert loaded.code == 0
    assert Order.objects.count() == 150
    assert "orders: 150" in loaded.out
    assert "demo / demo  (admin)" in loaded.out and "chuhai serve" in loaded.out
    assert "Generating orders" in loaded.err and "100%" in loaded.err  # tqdm bars on stderr, not stdout
    assert authenticate(username="demo", password="demo").is_superuser
    counts = json.loads(chuhai("stats", "--json").out)
    assert counts["orders"] == 150 and counts["products"] > 0 and counts["accounts"] > 0

    again = chuhai("demo", "--orders", "150")
    assert again.code == 0 and "already loaded" in again.out
    assert Order.objects.count() == 150

    logins = chuhai("demo", "--logins")
    assert logins.code == 0 and "demo / demo  (admin)" in logins.out and logins.err == ""
