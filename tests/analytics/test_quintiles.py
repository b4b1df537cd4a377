"""The cut-key quintiles (chuhai.analytics.quintiles) give exactly DuckDB's own NTILE(5) — on tiny relations, on
ties, on negative values, and on groups large enough to be banded by percentiles."""

from __future__ import annotations

import random

import duckdb
import pytest

from chuhai.analytics import quintiles


def _scores(con, group, value):
    ctes = quintiles.quintile_ctes("s", "rel", group, value)
    score = quintiles.quintile_score("s", group, value)
    order = ", ".join(c for c in (group, value, "customer_ref") if c)
    got = con.execute(f"WITH {ctes} SELECT customer_ref, {score} FROM rel, s_keys ORDER BY customer_ref").fetchall()
    want = con.execute(f"SELECT customer_ref, NTILE(5) OVER (ORDER BY {order}) AS s FROM rel "
                       f"ORDER BY customer_ref").fetchall()
    return got, want


def _relation(rows):
    con = duckdb.connect()
    con.execute("CREATE TABLE rel (customer_ref VARCHAR, frequency UINTEGER, monetary DECIMAL(38, 18), "
                "last_day DATE)")
    if rows:
        con.executemany("INSERT INTO rel VALUES (?, ?, ?, ?)", rows)
    return con


def _rows(n, *, seed, frequencies, money, days):
    rnd = random.Random(seed)
    return [(f"C{rnd.randrange(10 ** 9):09d}-{i}", rnd.choice(frequencies), rnd.choice(money),
             f"2025-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, days + 1):02d}") for i in range(n)]


SHAPES = [("last_day", None), ("frequency", "monetary"), (None, "monetary")]


@pytest.mark.parametrize("group,value", SHAPES)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 24])
def test_small_relations_score_as_ntile(n, group, value):
    con = _relation(_rows(n, seed=n, frequencies=[1, 2], money=["1.5", "2.5", "-3", "10"], days=3))
    got, want = _scores(con, group, value)
    assert got == want
    if n >= 5:
        assert {s for _ref, s in got} == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("group,value", SHAPES)
def test_banded_groups_with_ties_score_as_ntile(group, value):
    # ≈ 6,000 rows: the frequency-1 group holds more than SMALL_GROUP rows, so its cuts come from percentile
    # bands; money from a short list makes long runs of equal values around the cuts (ties broken by reference).
    money = [f"{m}.{c:02d}" for m in range(0, 40, 3) for c in (0, 99)] + ["0.000000000000000001", "-12.5"]
    rows = _rows(6000, seed=7, frequencies=[1, 1, 1, 2, 2, 3, 7], money=money, days=28)
    assert sum(1 for r in rows if r[1] == 1) > quintiles.SMALL_GROUP
    got, want = _scores(_relation(rows), group, value)
    assert got == want


def test_distinct_values_in_large_groups_score_as_ntile():
    rnd = random.Random(3)
    rows = [(f"R{i:06d}", rnd.choice([1, 2]), f"{rnd.randrange(10 ** 8)}.{rnd.randrange(10 ** 6):06d}",
             "2025-06-01") for i in range(9001)]
    con = _relation(rows)
    for group, value in SHAPES:
        got, want = _scores(con, group, value)
        assert got == want, (group, value)
