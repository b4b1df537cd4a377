"""Customer analytics (chuhai.analytics.customers) on small hand-checked data, through DuckDB.

DuckDB reads through its own connection: the data must be committed (``transactional_db``), and the engine is
closed at teardown so PostgreSQL can drop the test database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics import customers as cust
from chuhai.analytics.metric_layer import engine
from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account

from .ml_builders import business, company, make_order, utc

D = Decimal


@pytest.fixture
def db(transactional_db):
    yield
    engine.close()


def _shop():
    company()  # base CNY, Asia/Shanghai (UTC+8)
    account = create_account("SHOP-CN", "shopify", "CN", currency="CNY")
    product = create_product("MUG-1", name_en="Mug")
    return account, product


def _order(account, product, ext, customer, day, amount, *, credit=False, ship="CN"):
    # 04:00 UTC = 12:00 in Shanghai: the local day is the UTC day
    qty = -1 if credit else 1
    return make_order(account, ext, utc(day.year, day.month, day.day, 4), "1", [(product, qty, amount)],
                      customer=customer, ship=ship, status="refunded" if credit else "shipped",
                      document_type="credit" if credit else "order")


def test_segment_grid_covers_every_cell():
    assert {cust.segment_of(r, f) for r in range(1, 6) for f in range(1, 6)} == set(cust.SEGMENTS)
    assert (cust.segment_of(5, 5), cust.segment_of(1, 1), cust.segment_of(1, 5), cust.segment_of(5, 1)) == (
        "champions", "lost", "cant_lose", "new")


def test_rfm_quintiles_of_seven_customers(db):
    account, product = _shop()
    # k1..k7: one order each on 1..7 March 2026 for 10, 20, ... 70.00
    for i in range(1, 8):
        _order(account, product, f"K{i}", f"k{i}", dt.date(2026, 3, i), f"{10 * i}.00")
    result = cust.rfm()
    # as of the day after the last order: 8 March
    assert result.as_of == dt.date(2026, 3, 8) and result.customers == 7
    scores = {c.customer_ref: (c.recency, c.r, c.f, c.m) for c in cust.rfm_customers()}
    # NTILE(5) over 7 rows: groups of 2, 2, 1, 1, 1 (the first 7 mod 5 = 2 groups get one more)
    assert scores == {
        "k1": (7, 1, 1, 1), "k2": (6, 1, 1, 1), "k3": (5, 2, 2, 2), "k4": (4, 2, 2, 2),
        "k5": (3, 3, 3, 3), "k6": (2, 4, 4, 4), "k7": (1, 5, 5, 5),
    }
    # cells: R1F1 k1 + k2 (10 + 20), R2F2 k3 + k4 (30 + 40), R3F3 50, R4F4 60, R5F5 70
    cells = {(c.r, c.f): (c.customers, c.monetary) for c in result.grid if c.customers}
    assert cells == {(1, 1): (2, D("30.00")), (2, 2): (2, D("70.00")), (3, 3): (1, D("50.00")),
                     (4, 4): (1, D("60.00")), (5, 5): (1, D("70.00"))}
    assert len(result.grid) == 25 and [(c.r, c.f) for c in result.grid[:2]] == [(5, 1), (5, 2)]
    segments = {s.segment: (s.customers, s.monetary) for s in result.segments if s.customers}
    # R1F1 Lost, R2F2 Hibernating, R3F3 Need attention, R4F4 Loyal, R5F5 Champions
    assert segments == {"lost": (2, D("30.00")), "hibernating": (2, D("70.00")), "need_attention": (1, D("50.00")),
                        "loyal": (1, D("60.00")), "champions": (1, D("70.00"))}
    lost = next(s for s in result.segments if s.segment == "lost")
    # share 2/7 = 28.57 %; avg recency (7 + 6) / 2 = 6.5; avg monetary 30 / 2 = 15.00
    assert (lost.share, lost.avg_recency, lost.avg_frequency, lost.avg_monetary) == (
        D("28.57"), D("6.50"), D("1.00"), D("15.00"))
    # one cell's customers, best first
    assert [c.customer_ref for c in cust.rfm_customers(r=1, f=1)] == ["k2", "k1"]
    assert [c.customer_ref for c in cust.rfm_customers(segment="champions")] == ["k7"]
    # an explicit as-of day moves recency, not the scores
    late = {c.customer_ref: (c.recency, c.r) for c in cust.rfm_customers(as_of=dt.date(2026, 3, 31))}
    assert late["k7"] == (24, 5) and late["k1"] == (30, 1)


def test_rfm_ties_are_broken_by_customer_ref(db):
    account, product = _shop()
    # five identical customers (same day, same amount): quintiles in reference order
    for ref in ("e", "c", "a", "d", "b"):
        _order(account, product, ref.upper(), ref, dt.date(2026, 3, 1), "10.00")
    scores = {c.customer_ref: (c.r, c.f, c.m) for c in cust.rfm_customers()}
    assert scores == {"a": (1, 1, 1), "b": (2, 2, 2), "c": (3, 3, 3), "d": (4, 4, 4), "e": (5, 5, 5)}


def test_frequency_score_breaks_ties_by_monetary(db):
    account, product = _shop()
    # z: 2 orders (5 + 5); y, x: one order each, y bigger than x → F order x (1, 10), y (1, 20), z (2, 10)
    _order(account, product, "Z1", "z", dt.date(2026, 3, 1), "5.00")
    _order(account, product, "Z2", "z", dt.date(2026, 3, 2), "5.00")
    _order(account, product, "Y1", "y", dt.date(2026, 3, 1), "20.00")
    _order(account, product, "X1", "x", dt.date(2026, 3, 1), "10.00")
    scores = {c.customer_ref: (c.frequency, c.f, c.m) for c in cust.rfm_customers()}
    # F: x 1, y 2, z 3; M by monetary (x 10, z 10, y 20; x before z by ref): x 1, z 2, y 3
    assert scores == {"x": (1, 1, 1), "y": (1, 2, 3), "z": (2, 3, 2)}


def test_single_customer(db):
    account, product = _shop()
    _order(account, product, "S1", "solo", dt.date(2026, 3, 1), "12.34")
    _order(account, product, "S2", "solo", dt.date(2026, 3, 3), "0.66")
    result = cust.rfm()
    # one customer: NTILE gives 1-1-1 → Lost; recency 1 day (as of 4 March)
    (only,) = cust.rfm_customers()
    assert (only.recency, only.frequency, only.monetary, only.score, only.segment) == (1, 2, D("13.00"), "111",
                                                                                      "lost")
    assert result.cell(1, 1).customers == 1 and result.cell(1, 1).monetary == D("13.00")
    seg = {s.segment: s for s in result.segments}
    assert seg["lost"].share == D("100.00") and seg["champions"].share == D("0.00")


def test_empty_selection(db):
    _shop()
    result = cust.rfm()
    assert result.as_of is None and result.customers == 0 and len(result.grid) == 25
    assert cust.rfm_customers() == [] and cust.cohorts().rows == []
    value = cust.lifetime_value()
    assert (value.customers, value.aov, value.clv) == (0, None, None)


def test_guests_credits_and_filters_on_the_metric_layer_business(db):
    business()
    # c1: O1 (134.90 + 181.05) Jan 10 and O2 42.40 on 1 Feb (Shanghai); c2: O3 360.00 on 5 Feb, credit O4 −180.00;
    # O7 is a guest's (12 Feb, the last order: as of 13 Feb); cancelled O5 and pending O6 are c3's: not sales.
    result = cust.rfm()
    assert result.as_of == dt.date(2026, 2, 13) and result.customers == 2
    scores = {c.customer_ref: (c.recency, c.frequency, c.monetary, c.r, c.f, c.m, c.segment)
              for c in cust.rfm_customers()}
    # R by last day: c1 (1 Feb) 1, c2 (5 Feb) 2; F: c2 (1 order) 1, c1 (2) 2; M: c2 (180.00) 1, c1 (358.35) 2
    assert scores == {"c1": (12, 2, D("358.35"), 1, 2, 2, "lost"),
                      "c2": (8, 1, D("180.00"), 2, 1, 1, "hibernating")}
    # account filter: only O2 (c1) and the guest O7 on SHOPEE-SG; as of 13 Feb (O7's day + 1)
    (c1,) = cust.rfm_customers(filters={"account": "SHOPEE-SG"})
    assert (c1.customer_ref, c1.frequency, c1.monetary, c1.recency) == ("c1", 1, D("42.40"), 12)
    # ship_country CA: c2 only; marketplace filter (US) and date range (January: O1 only)
    assert [c.customer_ref for c in cust.rfm_customers(filters={"ship_country": "ca"})] == ["c2"]
    jan = cust.rfm_customers(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31),
                             filters={"marketplace": "US"})
    assert [(c.customer_ref, c.monetary, c.recency) for c in jan] == [("c1", D("315.95"), 1)]
    with pytest.raises(ValueError, match="unknown filter"):
        cust.rfm(filters={"sku": "CABLE-1"})

    co = cust.cohorts()
    # c1's cohort is January (active Jan and Feb), c2's February; the last month is February
    assert co.last_month == dt.date(2026, 2, 1)
    assert [(r.month, r.size, [(c.offset, c.active, c.retention) for c in r.cells], r.net_sales) for r in co.rows] == [
        ("2026-01", 1, [(0, 1, D("100.00")), (1, 1, D("100.00"))], D("358.35")),
        ("2026-02", 1, [(0, 1, D("100.00"))], D("180.00")),
    ]
    # from February: c1 first bought in January, so only the February cohort is shown
    assert [r.month for r in cust.cohorts(date_from=dt.date(2026, 2, 1)).rows] == ["2026-02"]


def test_cohort_retention_and_lifetime_value(db):
    account, product = _shop()
    orders = {"p1": [(3, 5), (4, 5), (5, 5)], "p2": [(3, 6), (5, 6)], "p3": [(3, 7)], "p4": [(4, 8), (5, 8)]}
    for ref, days in orders.items():
        for i, (month, day) in enumerate(days):
            _order(account, product, f"{ref}-{i}", ref, dt.date(2026, month, day), "10.00")
    _order(account, product, "GUEST", "", dt.date(2026, 5, 20), "99.00")  # a guest: never counted
    _order(account, product, "P3-CR", "p3", dt.date(2026, 4, 1), "4.00", credit=True)  # p3's partial refund
    co = cust.cohorts()
    march, april = co.rows
    # March cohort p1, p2, p3: active in April p1 (1/3 = 33.33 %), in May p1, p2 (2/3 = 66.67 %)
    assert (march.month, march.size) == ("2026-03", 3)
    assert [(c.active, c.retention) for c in march.cells] == [(3, D("100.00")), (1, D("33.33")), (2, D("66.67"))]
    # April cohort p4: April and May
    assert [(c.active, c.retention) for c in april.cells] == [(1, D("100.00")), (1, D("100.00"))]
    assert co.max_offset == 2 and april.retention(2) is None and march.active(1) == 1

    value = cust.lifetime_value()
    # customers p1..p4; orders 3 + 2 + 1 + 2 = 8; net 80.00 − 4.00 (p3's credit) = 76.00
    assert (value.customers, value.orders, value.net_sales) == (4, 8, D("76.00"))
    # AOV 76 / 8 = 9.50; frequency 8 / 4 = 2.00; repeat p1, p2, p4 = 3 / 4 = 75 %; churn 25 %; lifespan 1 / 0.25 = 4
    assert (value.aov, value.frequency, value.repeat_rate, value.churn_rate, value.lifespan) == (
        D("9.50"), D("2.00"), D("75.00"), D("25.00"), D("4.00"))
    # CLV = 9.50 × 2 × 4 = 76.00
    assert value.clv == D("76.00")
    # March cohort: 30 + 20 + 10 − 4 = 56.00 → 18.67 a customer, 3 observed months → 56 / 3 / 3 = 6.22 a month
    # April cohort: 20.00 → 20.00 a customer, 2 months → 10.00 a month
    assert [(c.month, c.customers, c.net_sales, c.per_customer, c.observed_months, c.per_customer_month)
            for c in value.cohorts] == [("2026-03", 3, D("56.00"), D("18.67"), 3, D("6.22")),
                                        ("2026-04", 1, D("20.00"), D("20.00"), 2, D("10.00"))]


def test_clv_without_churn_is_undefined(db):
    account, product = _shop()
    _order(account, product, "A1", "a", dt.date(2026, 3, 1), "10.00")
    _order(account, product, "A2", "a", dt.date(2026, 3, 2), "10.00")
    value = cust.lifetime_value()
    # every customer repeats: churn 0 → no lifespan, no CLV
    assert (value.repeat_rate, value.churn_rate, value.lifespan, value.clv) == (D("100.00"), D("0.00"), None, None)
