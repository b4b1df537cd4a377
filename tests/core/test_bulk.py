"""chuhai.core.bulk.sqlite_secondary_indexes_dropped: indexes come back after the block, and after a rollback."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from chuhai.core.bulk import sqlite_secondary_indexes_dropped
from chuhai.finance.profit_facts import ProfitFact

pytestmark = pytest.mark.django_db


def indexes() -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ProfitFact._meta.db_table)
    return sorted(name for name, info in constraints.items() if info["index"] and not info["unique"]
                  and not info["primary_key"])


def test_indexes_are_dropped_in_the_block_and_built_again_after():
    before = indexes()
    assert "profit_fact_day_idx" in before
    with transaction.atomic(), sqlite_secondary_indexes_dropped(ProfitFact):
        inside = indexes()
    assert indexes() == before
    if connection.vendor == "sqlite":
        assert inside == []
    else:  # PostgreSQL: dropping would lock readers out; nothing happens
        assert inside == before


def test_a_rollback_brings_the_indexes_back():
    before = indexes()
    with pytest.raises(RuntimeError, match="boom"):
        with transaction.atomic(), sqlite_secondary_indexes_dropped(ProfitFact):
            raise RuntimeError("boom")
    assert indexes() == before

