"""Shipping KPIs and account-health figures on small data sets whose answers are worked out by hand in each test.

Every window ends at ``END`` (2026-04-01 00:00 UTC) so the windows are fixed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics import fulfilment
from chuhai.analytics.fulfilment import KPIS, breach_order_ids, breach_rows, compute, transit_days
from chuhai.orders.models import Order

from .fulfilment_builders import END, account, carrier, days_before_end, defect, order, ship, warehouse

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def ids(rows) -> set[int]:
    return {row.pk for row in rows}


# -- no data ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kpi_id", list(KPIS))
def test_no_rows_gives_no_rate_rather_than_zero(kpi_id):
    acct = account()
    result = compute(kpi_id, account=acct, end=END)
    assert (result.numerator, result.denominator) == (0, 0)
    assert result.value is None and result.status == fulfilment.NO_DATA
    assert not breach_rows(kpi_id, account=acct, end=END).exists()


def test_windows_default_to_amazons():
    acct = account()
    spans = {kpi_id: (END - compute(kpi_id, account=acct, end=END).start).days for kpi_id in KPIS}
    assert spans == {"order_defect_rate": 60, "cancel_rate": 7, "late_shipment_rate": 30, "valid_tracking_rate": 30,
                     "on_time_delivery_rate": 30}
    assert (END - compute("cancel_rate", account=acct, end=END, days=30).start).days == 30


def test_unknown_kpi_and_empty_window_are_refused():
    with pytest.raises(ValueError, match="unknown KPI"):
        compute("buy_box_rate", end=END)
    with pytest.raises(ValueError, match="start before"):
        compute("cancel_rate", start=END, end=END)


# -- order defect rate ------------------------------------------------------------------------------------------

def test_order_defect_rate_counts_each_order_once_in_60_days():
    acct, other = account(), account("AMZ-CA", marketplace="CA")
    twice = order(acct, days_before_end(10), status="shipped", channel="fba")
    defect(twice, "negative_feedback")
    defect(twice, "chargeback")
    order(acct, days_before_end(20), status="shipped")
    order(acct, days_before_end(59), status="cancelled")
    order(acct, days_before_end(30), status="delivered")
    defect(order(acct, days_before_end(61), status="shipped"), "a_to_z_claim")  # outside the window
    order(acct, days_before_end(5), status="pending")  # awaiting payment: not an order yet
    defect(order(acct, days_before_end(5), status="refunded", document_type="credit"))  # a credit note
    defect(order(other, days_before_end(5), status="shipped"))  # another account

    result = compute("order_defect_rate", account=acct, end=END)
    assert (result.numerator, result.denominator) == (1, 4)
    assert result.value == Decimal(25) and result.status == fulfilment.BREACH
    assert ids(breach_rows("order_defect_rate", account=acct, end=END)) == {twice.pk}
    assert [kinds for kinds in ({d.kind for d in row.defects.all()}
                                for row in breach_rows("order_defect_rate", account=acct, end=END))] == [
        {"negative_feedback", "chargeback"}]
    everyone = compute("order_defect_rate", end=END)
    assert (everyone.numerator, everyone.denominator) == (2, 5)


@pytest.mark.parametrize("orders_total,status", [(100, fulfilment.BREACH), (101, fulfilment.PASS)])
def test_order_defect_rate_of_exactly_one_percent_is_a_breach(orders_total, status):
    acct = account()
    orders = [order(acct, days_before_end(1 + i % 50), status="shipped") for i in range(orders_total)]
    defect(orders[0])
    result = compute("order_defect_rate", account=acct, end=END)
    assert result.numerator == 1 and result.denominator == orders_total
    assert result.status == status


# -- pre-fulfilment cancel rate ---------------------------------------------------------------------------------

def test_cancel_rate_counts_merchant_orders_cancelled_before_shipping():
    acct = account()
    cancelled = order(acct, days_before_end(1), status="cancelled")
    after_shipping = order(acct, days_before_end(2), status="cancelled")
    ship(after_shipping, days_before_end(1.5))
    order(acct, days_before_end(3), status="unshipped")
    order(acct, days_before_end(3), status="cancelled", channel="fba")  # Amazon's to cancel, not the seller's
    order(acct, days_before_end(8), status="cancelled")  # outside the 7 days
    result = compute("cancel_rate", account=acct, end=END)
    assert (result.numerator, result.denominator) == (1, 3)
    assert result.status == fulfilment.BREACH
    assert ids(breach_rows("cancel_rate", account=acct, end=END)) == {cancelled.pk}
    # Over 30 days the older cancellation counts too.
    assert compute("cancel_rate", account=acct, end=END, days=30).numerator == 2


# -- late shipment rate -----------------------------------------------------------------------------------------

@pytest.fixture
def late_shipment_orders():
    acct = account()
    t = days_before_end(10)
    o = {
        "exactly_at_ship_by": order(acct, t, status="shipped", ship_by=t + 24 * H),
        "a_second_late": order(acct, t, status="shipped", ship_by=t + 24 * H),
        "default_handling_on_time": order(acct, t, status="shipped"),
        "default_handling_late": order(acct, t, status="shipped"),
        "unshipped_past_ship_by": order(acct, days_before_end(3), status="unshipped", ship_by=days_before_end(1)),
        "unshipped_not_due": order(acct, days_before_end(1), status="unshipped", ship_by=END + H),
        "fba_late": order(acct, t, status="shipped", channel="fba", ship_by=t + H),
        "cancelled": order(acct, t, status="cancelled", ship_by=t + H),
        "shipped_without_record": order(acct, t, status="shipped", ship_by=t + H),
        "first_parcel_on_time": order(acct, t, status="shipped", ship_by=t + 24 * H),
        "outside_window": order(acct, days_before_end(31), status="unshipped", ship_by=days_before_end(30)),
    }
    ship(o["exactly_at_ship_by"], t + 24 * H)
    ship(o["a_second_late"], t + 24 * H + dt.timedelta(seconds=1))
    ship(o["default_handling_on_time"], t + dt.timedelta(days=fulfilment.DEFAULT_HANDLING_DAYS))
    ship(o["default_handling_late"], t + dt.timedelta(days=fulfilment.DEFAULT_HANDLING_DAYS) + H)
    ship(o["fba_late"], t + 48 * H)
    ship(o["first_parcel_on_time"], t + 2 * H)
    ship(o["first_parcel_on_time"], t + 72 * H)
    return acct, o


def test_late_shipment_rate_against_the_ship_by_date(late_shipment_orders):
    acct, o = late_shipment_orders
    result = compute("late_shipment_rate", account=acct, end=END)
    # Counted: exactly_at_ship_by, a_second_late, the two default-handling orders, unshipped_past_ship_by and
    # first_parcel_on_time; late: a_second_late, default_handling_late, unshipped_past_ship_by.
    assert (result.numerator, result.denominator) == (3, 6)
    assert result.value == Decimal(50) and result.status == fulfilment.BREACH
    rows = list(breach_rows("late_shipment_rate", account=acct, end=END))
    assert ids(rows) == {o["a_second_late"].pk, o["default_handling_late"].pk, o["unshipped_past_ship_by"].pk}
    by_pk = {row.pk: row for row in rows}
    late = by_pk[o["a_second_late"].pk]
    assert late.first_shipped_at - late.ship_by_at == dt.timedelta(seconds=1)
    assert by_pk[o["unshipped_past_ship_by"].pk].first_shipped_at is None


def test_late_shipment_rate_uses_the_handling_time_given(late_shipment_orders):
    acct, o = late_shipment_orders
    result = compute("late_shipment_rate", account=acct, end=END, handling_days=3)
    assert (result.numerator, result.denominator) == (2, 6)
    assert o["default_handling_late"].pk not in ids(
        breach_rows("late_shipment_rate", account=acct, end=END, handling_days=3))


def test_late_shipment_below_four_percent_passes():
    acct = account()
    t = days_before_end(5)
    for i in range(25):
        ship(order(acct, t, status="shipped", ship_by=t + 24 * H), t + (25 * H if i == 0 else H))
    result = compute("late_shipment_rate", account=acct, end=END)
    assert (result.numerator, result.denominator) == (1, 25)
    assert result.value == Decimal(4) and result.status == fulfilment.BREACH  # 4 % is not below 4 %
    ship(order(acct, t, status="shipped", ship_by=t + 24 * H), t + H)
    assert compute("late_shipment_rate", account=acct, end=END).status == fulfilment.PASS


# -- valid tracking rate ----------------------------------------------------------------------------------------

def test_valid_tracking_rate_needs_a_number_the_carrier_knows():
    acct = account()
    t = days_before_end(5)
    scanned = ship(order(acct, t, status="shipped"), t, status="pending", events=("info_received",))
    in_transit = ship(order(acct, t, status="shipped"), t, status="in_transit")
    never_scanned = ship(order(acct, t, status="shipped"), t, status="pending", events=("pending",))
    no_number = ship(order(acct, t, status="shipped"), t, status="in_transit", tracking="")
    ship(order(acct, t, status="shipped", channel="fba"), t, tracking="")  # Amazon's parcel
    ship(order(acct, days_before_end(40), status="shipped"), days_before_end(31), tracking="")  # before the window
    result = compute("valid_tracking_rate", account=acct, end=END)
    assert (result.numerator, result.denominator) == (2, 4)
    assert result.status == fulfilment.BREACH
    rows = breach_rows("valid_tracking_rate", account=acct, end=END)
    assert ids(rows) == {never_scanned.pk, no_number.pk}
    assert {pk for pk, _ext in breach_order_ids("valid_tracking_rate", account=acct, end=END)} == {
        never_scanned.order_id, no_number.order_id}
    assert scanned.pk not in ids(rows) and in_transit.pk not in ids(rows)


@pytest.mark.parametrize("valid,status", [(19, fulfilment.BREACH), (20, fulfilment.PASS)])
def test_valid_tracking_rate_must_be_above_95_percent(valid, status):
    acct = account()
    t = days_before_end(2)
    for i in range(20):
        ship(order(acct, t, status="shipped"), t, status="in_transit" if i < valid else "pending")
    result = compute("valid_tracking_rate", account=acct, end=END)
    assert result.value == Decimal(valid * 5) and result.status == status


# -- on-time delivery -------------------------------------------------------------------------------------------

def test_on_time_delivery_against_ship_by_plus_transit_days():
    acct = account()
    t = days_before_end(20)
    promise = t + 24 * H + dt.timedelta(days=fulfilment.DEFAULT_TRANSIT_DAYS)
    at_promise = ship(order(acct, t, ship_by=t + 24 * H), t + H, status="delivered", delivered_at=promise)
    a_minute_late = ship(order(acct, t, ship_by=t + 24 * H), t + H, status="delivered",
                         delivered_at=promise + dt.timedelta(minutes=1))
    default_promise = t + dt.timedelta(days=fulfilment.DEFAULT_HANDLING_DAYS + fulfilment.DEFAULT_TRANSIT_DAYS)
    ship(order(acct, t), t + H, status="delivered", delivered_at=default_promise)
    ship(order(acct, t), t + H, status="in_transit")  # not delivered: not counted
    result = compute("on_time_delivery_rate", account=acct, end=END)
    assert (result.numerator, result.denominator) == (2, 3)
    assert ids(breach_rows("on_time_delivery_rate", account=acct, end=END)) == {a_minute_late.pk}
    assert at_promise.pk not in ids(breach_rows("on_time_delivery_rate", account=acct, end=END))
    assert compute("on_time_delivery_rate", account=acct, end=END, transit_days=6).numerator == 0


# -- transit days -----------------------------------------------------------------------------------------------

def _delivered(acct, via, origin, days: float, country: str = "US"):
    shipped = days_before_end(25)
    ship(order(acct, shipped - H, status="delivered", ship_country=country), shipped, via=via, origin=origin,
         status="delivered", delivered_at=shipped + dt.timedelta(days=days))


def test_transit_days_median_and_p90_by_carrier_and_route():
    acct = account()
    yun, ups = carrier("yunexpress", "YunExpress"), carrier("ups", "UPS")
    cn, us = warehouse("SZ-MAIN", "CN"), warehouse("US-3PL", "US", "overseas_3pl")
    for d in (3, 10, 5, 7):  # even count: median = (5 + 7) / 2, p90 = rank ⌈3.6⌉ = 4th = 10
        _delivered(acct, yun, cn, d)
    for d in range(1, 11):  # 1 … 10: median 5.5, p90 = rank 9 = 9
        _delivered(acct, ups, cn, d)
    for d in (1.5, 2, 4):  # odd count: median 2, p90 = rank ⌈2.7⌉ = 3rd = 4
        _delivered(acct, ups, us, d)
    _delivered(acct, ups, None, 6, country="GB")  # no warehouse recorded: origin unknown
    rows = {(r.carrier_code, r.origin, r.destination): r for r in transit_days(account=acct, end=END)}
    assert {key: (r.shipments, r.median_days, r.p90_days) for key, r in rows.items()} == {
        ("yunexpress", "CN", "US"): (4, Decimal("6.0"), Decimal("10.0")),
        ("ups", "CN", "US"): (10, Decimal("5.5"), Decimal("9.0")),
        ("ups", "US", "US"): (3, Decimal("2.0"), Decimal("4.0")),
        ("ups", "", "GB"): (1, Decimal("6.0"), Decimal("6.0")),
    }
    assert rows[("ups", "", "GB")].route == "? → GB"
    assert [r.carrier_code for r in transit_days(account=acct, end=END)][0] == "ups"  # most shipments first
    assert transit_days(account=acct, end=END, days=14) == []  # all delivered 15 or more days before END


# -- scope and helpers ------------------------------------------------------------------------------------------

def test_orders_queryset_narrows_the_population():
    acct = account()
    de = order(acct, days_before_end(1), status="cancelled", ship_country="DE")
    order(acct, days_before_end(1), status="unshipped", ship_country="US")
    result = compute("cancel_rate", orders=Order.objects.filter(ship_country="DE"), end=END)
    assert (result.numerator, result.denominator) == (1, 1)
    assert ids(breach_rows("cancel_rate", orders=Order.objects.filter(ship_country="DE"), end=END)) == {de.pk}


def test_date_window_is_calendar_days_in_the_company_time_zone():
    start, end = fulfilment.date_window(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "Asia/Shanghai")
    assert start == dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        fulfilment.date_window(dt.date(2026, 3, 2), dt.date(2026, 3, 1), "UTC")


def test_account_health_gives_amazons_four_figures():
    acct = account()
    account("SHOPIFY-1", platform="shopify")
    assert list(fulfilment.amazon_accounts()) == [acct]
    results = fulfilment.account_health(acct, end=END)
    assert [r.kpi.id for r in results] == list(fulfilment.ACCOUNT_HEALTH_KPIS)
    assert all(r.end == END for r in results)
