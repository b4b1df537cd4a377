"""chuhai.strategy.economics: unit economics per channel and per SKU on the hand-worked hybrid seller
(ledger_builders), then on the demo business against an independent sum of its profit facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from chuhai.analytics.metric_layer import engine
from chuhai.strategy.economics import unit_economics

from .ledger_builders import LOOKBACK, fact_sums, hybrid_seller, in_lookback

D = Decimal
CENT = D("0.01")


@pytest.fixture
def db_engine(transactional_db):
    yield
    engine.close()


def money(value) -> Decimal:
    return D(value).quantize(CENT)


def test_by_channel_folds_accounts_and_sums_every_part(db_engine):
    hybrid_seller()
    rows = {r.key: r for r in unit_economics("channel", date_from=LOOKBACK[0], date_to=LOOKBACK[1])}
    assert set(rows) == {"amazon", "own_site"}

    amazon = fact_sums(lambda r: in_lookback(r) and r[1] in ("AMZ-US", "AMZ-DE"))
    a = rows["amazon"]
    # by hand: revenue 210 + 140 + 70 + 210 + 240 = 870; contribution 115.5 + 77 + 45.5 + 78.5 − 56 + 117.16 − 6
    assert amazon["revenue"] == D("870") and amazon["profit"] == D("371.66")
    assert a.revenue == amazon["revenue"] and a.platform_fees == amazon["platform_fees"] == D("-137.34")
    assert a.advertising == D("-35") and a.logistics == D("-20") and a.cogs == D("-230")
    assert a.refunds == D("-70") and a.other == D("-6")
    assert a.contribution == amazon["profit"]
    # orders: A3, A1, A2, D1 (the credit note is no order); units 3 + 2 + 1 + 1 + 1 − 1
    assert (a.orders, a.units) == (4, 7)
    assert money(a.contribution_per_order) == money(D("371.66") / 4) == D("92.92")
    assert money(a.contribution_per_unit) == money(D("371.66") / 7)
    assert a.margin_percent.quantize(CENT) == (D("371.66") * 100 / 870).quantize(CENT)

    site = rows["own_site"]
    assert (site.orders, site.units) == (2, 3)
    assert site.contribution == D("136.18") == fact_sums(lambda r: in_lookback(r) and r[1] == "SHOP-US")["profit"]
    assert money(site.contribution_per_order) == D("68.09")
    # largest revenue first
    assert [r.key for r in unit_economics("channel", date_from=LOOKBACK[0], date_to=LOOKBACK[1])] == [
        "amazon", "own_site"]


def test_by_sku_and_to_dict(db_engine):
    hybrid_seller()
    rows = {r.key: r for r in unit_economics("sku", date_from=LOOKBACK[0], date_to=LOOKBACK[1])}
    cable = fact_sums(lambda r: in_lookback(r) and r[2] == "CABLE")
    c = rows["CABLE"]
    # CABLE: 176 on amazon (incl. the −6 period fee) + 136.18 on the site; units 5 + 3; orders A3 A1 A2 S1 S2
    assert c.contribution == cable["profit"] == D("312.18")
    assert (c.orders, c.units) == (5, 8)
    assert c.per_unit("revenue") == D("672") / 8
    data = c.to_dict()
    assert data["contribution"] == "312.18" and data["contribution_per_order"] == "62.44"
    assert data["contribution_per_unit"] == str(money(D("312.18") / 8))
    assert data["margin_percent"] == str((D("312.18") * 100 / 672).quantize(CENT))
    assert data["currency"] == "CNY" and data["orders"] == 5

    # one definition: the metric layer's contribution margin by SKU is the same figure
    from chuhai.analytics.metric_layer import run

    layer = {r["sku"]: r["contribution_margin"] for r in run("contribution_margin", by="sku",
                                                              date_from=LOOKBACK[0], date_to=LOOKBACK[1]).rows}
    assert {key: money(row.contribution) for key, row in rows.items()} == layer

    lamp = rows["LAMP"]
    assert lamp.contribution == D("78.5") + D("117.16") and (lamp.orders, lamp.units) == (2, 2)
    # the March sale is outside September–November
    whole = {r.key: r for r in unit_economics("sku", date_from=None, date_to=None)}
    assert whole["CABLE"].contribution == D("312.18") + D("45.5") and whole["CABLE"].units == 9


def test_no_units_no_ratios_and_bad_arguments(db_engine, role_users):
    hybrid_seller()
    rows = unit_economics("channel", date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))
    assert rows == []
    with pytest.raises(ValueError, match="choose one of channel, sku"):
        unit_economics("warehouse", date_from=None, date_to=None)
    with pytest.raises(PermissionDenied):
        unit_economics("sku", date_from=None, date_to=None, user=role_users["viewer"])
    assert unit_economics("sku", date_from=None, date_to=None, user=role_users["finance"])


# -- the demo business ------------------------------------------------------------------------------------------------

DEMO_NOW = dt.datetime(2026, 12, 10, 4, 0, tzinfo=dt.UTC)


def test_demo_business_stage_and_unit_economics(db_engine):
    """A small demo (300 orders): the ledger-fed stage and unit economics, contribution per order checked
    against the profit facts and sale orders counted here with the ORM."""
    from chuhai.analytics.stage import infer_stage
    from chuhai.demo.loader import load_demo
    from chuhai.finance.profit_facts import ProfitFact
    from chuhai.orders.models import SALE_STATUSES, Order
    from chuhai.strategy.evidence import channel_key, gather_evidence

    load_demo(orders=300, seed=7, now=DEMO_NOW)
    today = dt.date(2026, 12, 10)
    evidence = gather_evidence(today=today)
    inferred = infer_stage(today)
    assert evidence is not None
    assert evidence.stage == inferred.stage and evidence.months_active == inferred.months_active >= 12
    assert evidence.skus_active == inferred.active_skus > 0
    assert abs(sum(evidence.channel_shares.values()) - 1) < D("0.001")
    assert set(evidence.channels_now) >= {"amazon", "own_site"}

    rows = {r.key: r for r in unit_economics("channel", date_from=None, date_to=None)}
    profit: dict[str, Decimal] = {}
    for fact in ProfitFact.objects.select_related("account"):
        key = channel_key(fact.account)
        profit[key] = profit.get(key, D(0)) + fact.profit
    orders: dict[str, int] = {}
    for order in (Order.objects.filter(status__in=SALE_STATUSES, document_type="order", base_currency="CNY")
                  .exclude(lines=None).select_related("account").prefetch_related("lines")):
        if all(line.item_status == "cancelled" for line in order.lines.all()):
            continue
        key = channel_key(order.account)
        orders[key] = orders.get(key, 0) + 1
    assert set(rows) == set(profit)
    for key, row in rows.items():
        assert money(row.contribution) == money(profit[key]), key
        assert row.orders == orders.get(key, 0), key
        if row.orders:
            assert money(row.contribution_per_order) == money(profit[key] / orders[key]), key
