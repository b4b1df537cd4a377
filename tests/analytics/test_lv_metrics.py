"""Advertising and service-level metrics of the metric layer, on the hand-checked data of lv_builders, and their
equality with chuhai.analytics.ads and chuhai.analytics.fulfilment (the definitions they reuse).

DuckDB reads through its own connection: the data is committed (``transactional_db``) and the engine closed after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics import ads as ad_report
from chuhai.analytics import fulfilment
from chuhai.analytics.metric_layer import METRICS, MetricError, engine, required_permissions, run
from chuhai.analytics.metric_layer.service_levels import DEFECT_KIND_METRICS, KPI_METRICS, kpi_of, status

from .lv_builders import ads, service

D = Decimal
CENT = D("0.01")
AD_METRICS = "ad_spend,ad_sales,ad_total_sales,acos,tacos,roas,impressions,clicks,ctr,cpc,ad_orders"
SL_METRICS = ",".join((*KPI_METRICS, *DEFECT_KIND_METRICS))
JAN1, FEB28 = dt.date(2026, 1, 1), dt.date(2026, 2, 28)


@pytest.fixture
def ad_shop(transactional_db):
    data = ads()
    yield data
    engine.close()


@pytest.fixture
def sl_shop(transactional_db):
    data = service()
    yield data
    engine.close()


def only(result):
    assert len(result.rows) == 1
    return result.rows[0]


def pct(value):
    return None if value is None else value.quantize(CENT)


# -- advertising ------------------------------------------------------------------------------------------------

def test_ad_totals_hand_worked(ad_shop):
    row = only(run(AD_METRICS, date_from=JAN1, date_to=FEB28))
    # spend 70 + 35 + 144 + 21.60 + 80 = 350.60 CNY (A4, the 14-day twin of A3, is left out)
    assert row["ad_spend"] == D("350.60")
    # sales 280 + 0 + 360 + 43.20 + 160 = 843.20
    assert row["ad_sales"] == D("843.20")
    # total sales 133 + 178.50 + 360 + 72 = 743.50 (credit note, cancelled order, O9 on a day without ads left out)
    assert row["ad_total_sales"] == D("743.50")
    # ACOS 350.60 / 843.20 = 41.579 % → 41.58; TACOS 350.60 / 743.50 = 47.155 % → 47.16
    assert (row["acos"], row["tacos"]) == (D("41.58"), D("47.16"))
    # ROAS 843.20 / 350.60 = 2.40502… (a multiple, exact)
    assert row["roas"].quantize(D("0.0001")) == D("2.4050")
    # impressions 1000 + 500 + 2000 + 100 + 300 = 3900; clicks 20 + 5 + 40 + 4 + 6 = 75; CTR 75 / 3900 = 1.92 %
    assert (row["impressions"], row["clicks"], row["ctr"]) == (3900, 75, D("1.92"))
    # CPC 350.60 / 75 = 4.6746… → 4.67; orders 2 + 1 + 1 = 4
    assert (row["cpc"], row["ad_orders"]) == (D("4.67"), 4)


def test_ad_by_account_equals_the_ad_report(ad_shop):
    rows = {r["account"]: r for r in run(AD_METRICS, by="account", date_from=JAN1, date_to=FEB28).rows}
    # AMZ-US: spend 70 + 35 + 144 + 21.60 = 270.60; sales 683.20; total 743.50
    us = rows["AMZ-US"]
    assert (us["ad_spend"], us["ad_sales"], us["ad_total_sales"]) == (D("270.60"), D("683.20"), D("743.50"))
    # ACOS 270.60 / 683.20 = 39.607 % → 39.61; TACOS 270.60 / 743.50 = 36.395 % → 36.40
    assert (us["acos"], us["tacos"]) == (D("39.61"), D("36.40"))
    # AMZ-DE: 80 / 160 = 50 %; no orders of its SKU: TACOS has nothing to divide by
    de = rows["AMZ-DE"]
    assert (de["ad_spend"], de["acos"], de["tacos"], de["roas"]) == (D("80.00"), D("50.00"), None, D(2))
    report = {r.account: r for r in ad_report.ad_report(JAN1, FEB28, by="account")}
    assert set(report) == set(rows)
    for code, layer in rows.items():
        ref = report[code]
        assert layer["ad_spend"] == ref.spend.quantize(CENT)
        assert layer["ad_sales"] == ref.sales.quantize(CENT)
        assert layer["ad_total_sales"] == ref.total_sales.quantize(CENT)
        assert layer["acos"] == pct(ref.acos)
        assert layer["tacos"] == pct(ref.tacos)
        assert layer["roas"] == ref.roas
        assert (layer["impressions"], layer["clicks"], layer["ad_orders"]) == (ref.impressions, ref.clicks,
                                                                               ref.orders)


@pytest.mark.parametrize("by,layer_by", [("sku", "account,sku"), ("day", "day")])
def test_ad_groupings_equal_the_ad_report(ad_shop, by, layer_by):
    layer = run(AD_METRICS, by=layer_by, date_from=JAN1, date_to=FEB28).rows
    report = ad_report.ad_report(JAN1, FEB28, by=by)
    key = (lambda r: (r["account"], r["sku"])) if by == "sku" else (lambda r: r["day"])
    ref_key = (lambda r: (r.account, r.sku)) if by == "sku" else (lambda r: r.day)
    layer_map = {key(r): r for r in layer}
    assert set(layer_map) == {ref_key(r) for r in report}
    for ref in report:
        row = layer_map[ref_key(ref)]
        assert (row["ad_spend"], row["ad_sales"], row["ad_total_sales"]) == (
            ref.spend.quantize(CENT), ref.sales.quantize(CENT), ref.total_sales.quantize(CENT))
        assert (row["acos"], row["tacos"], row["roas"]) == (pct(ref.acos), pct(ref.tacos), ref.roas)
    total = ad_report.ad_total(JAN1, FEB28)
    row = only(run("acos,tacos,roas", date_from=JAN1, date_to=FEB28))
    assert (row["acos"], row["tacos"], row["roas"]) == (pct(total.acos), pct(total.tacos), total.roas)


def test_ad_by_month_and_filters(ad_shop):
    jan, feb = run("ad_spend,ad_total_sales,acos", by="month", date_from=JAN1, date_to=FEB28).rows
    # January: A1 + A2 = 70 + 35 = 105; sales 280 → ACOS 37.50; total sales 133 + 178.50 = 311.50
    assert (jan["month"], jan["ad_spend"], jan["ad_total_sales"], jan["acos"]) == (
        "2026-01", D("105.00"), D("311.50"), D("37.50"))
    # February: 144 + 21.60 + 80 = 245.60; sales 360 + 43.20 + 160 = 563.20 → 43.61 %; total 360 + 72
    assert (feb["ad_spend"], feb["ad_total_sales"], feb["acos"]) == (D("245.60"), D("432.00"), D("43.61"))
    # sku filter: the cable rows A1 + A5: spend 70 + 21.60 = 91.60, sales 280 + 43.20 = 323.20, total 133 + 72
    cable = only(run("ad_spend,ad_sales,ad_total_sales", filters={"sku": "AMZ-US-CABLE-1"}))
    assert cable == {"ad_spend": D("91.60"), "ad_sales": D("323.20"), "ad_total_sales": D("205.00")}
    # marketplace filter (lower case accepted): only AMZ-DE
    assert only(run("ad_spend", filters={"marketplace": "de"}))["ad_spend"] == D("80.00")
    # the date range keeps A3, A4(ignored), A6 on 02-05 only: 144 + 80 = 224; total sales O3's 360
    day = only(run("ad_spend,ad_total_sales", date_from=dt.date(2026, 2, 5), date_to=dt.date(2026, 2, 5)))
    assert day == {"ad_spend": D("224.00"), "ad_total_sales": D("360.00")}


def test_ad_money_in_another_currency(ad_shop):
    row = only(run("ad_spend,ad_sales,cpc,acos,clicks", currency="EUR", date_from=JAN1, date_to=FEB28))
    # CNY → EUR is 1/8 = 0.125 every day: spend 350.60 × 0.125 = 43.825 → 43.83 (half up);
    # sales 843.20 × 0.125 = 105.40; CPC 43.825 / 75 = 0.5843 → 0.58; ACOS and clicks do not change
    assert row == {"ad_spend": D("43.83"), "ad_sales": D("105.40"), "cpc": D("0.58"), "acos": D("41.58"),
                   "clicks": 75}


def test_ad_definitions_and_permissions():
    assert required_permissions(["acos", "ad_spend", "tacos", "roas"]) == {"finance.access_finance"}
    assert required_permissions(["clicks", "impressions"]) == {"orders.view_order"}
    assert "ship_country" not in METRICS["acos"].dimensions
    with pytest.raises(MetricError, match="cannot be grouped by ship_country"):
        run("acos", by="ship_country")


# -- service levels ---------------------------------------------------------------------------------------------

def _window(first, last):
    start, end = fulfilment.date_window(first, last)
    return {"start": start, "end": end}


def test_service_levels_hand_worked(sl_shop):
    row = only(run(SL_METRICS, date_from=JAN1, date_to=FEB28))
    # ODR: real orders U1 U2 U3 U4 U5 U8 U9 D1 D2 = 9; with a defect U1 U2 U5 D2 = 4 → 44.44 %
    assert row["order_defect_rate"] == D("44.44")
    # negative feedback U1 D2 = 2/9; A-to-z U2 = 1/9; chargeback U2 U5 = 2/9
    assert (row["negative_feedback_rate"], row["a_to_z_claim_rate"], row["chargeback_rate"]) == (
        D("22.22"), D("11.11"), D("22.22"))
    # cancel: merchant orders U1 U2 U3 U4 U8 U9 D1 D2 = 8, cancelled without shipment U3 → 12.50 %
    assert row["cancel_rate"] == D("12.50")
    # late: shipped U1 U2 D1 D2 + unshipped-and-due U4 = 5 (U8 not due, U9 no shipment); late U2 U4 D2 → 60 %
    assert row["late_shipment_rate"] == D("60.00")
    # tracking: shipments of U1 U2 D1 D2; valid U1 (in transit) and D1 (a scan) → 50 %
    assert row["valid_tracking_rate"] == D("50.00")
    # delivered U1 (on time) and U2 (late) → 50 %
    assert row["on_time_delivery_rate"] == D("50.00")


def test_service_levels_equal_fulfilment(sl_shop):
    for first, last in ((JAN1, FEB28), (JAN1, dt.date(2026, 1, 31)), (dt.date(2026, 2, 1), dt.date(2026, 2, 27)),
                        (dt.date(2026, 2, 3), dt.date(2026, 2, 4))):
        row = only(run(",".join(KPI_METRICS), date_from=first, date_to=last))
        by_account = {r["account"]: r for r in run(",".join(KPI_METRICS), by="account", date_from=first,
                                                     date_to=last).rows}
        for kpi in KPI_METRICS:
            expected = fulfilment.compute(kpi, **_window(first, last)).value
            assert row[kpi] == pct(expected), (kpi, first, last)
            for account in (sl_shop["us"], sl_shop["de"]):
                expected = fulfilment.compute(kpi, account=account, **_window(first, last)).value
                got = by_account.get(account.code, {}).get(kpi)
                assert got == pct(expected), (kpi, account.code, first, last)


def test_service_levels_by_month_account_and_filters(sl_shop):
    jan, feb = run("order_defect_rate,late_shipment_rate", by="month", date_from=JAN1, date_to=FEB28).rows
    # January: U1 U2 U3 U9, defects U1 U2 → 50 %; late population U1 U2, late U2 → 50 %
    assert (jan["month"], jan["order_defect_rate"], jan["late_shipment_rate"]) == ("2026-01", D("50.00"),
                                                                                    D("50.00"))
    # February: U4 U5 U8 D1 D2 (U8 bought 02-27 23:00 UTC = 02-28 in Shanghai), defects U5 D2 → 40 %;
    # late population U4 D1 D2, late U4 D2 → 66.67 %
    assert (feb["order_defect_rate"], feb["late_shipment_rate"]) == (D("40.00"), D("66.67"))
    by_account = {r["account"]: r for r in run("order_defect_rate", by="account,channel",
                                               date_from=JAN1, date_to=FEB28).rows}
    # AMZ-US: 3 of 7 = 42.86 %; AMZ-DE: 1 of 2 = 50 %
    assert by_account["AMZ-US"]["order_defect_rate"] == D("42.86")
    assert by_account["AMZ-DE"] == {"account": "AMZ-DE", "channel": "amazon", "order_defect_rate": D("50.00")}
    de = only(run("valid_tracking_rate,order_defect_rate", filters={"marketplace": "DE"}, date_from=JAN1,
                  date_to=FEB28))
    assert de == {"valid_tracking_rate": D("50.00"), "order_defect_rate": D("50.00")}
    # a period with no orders: no rate, not 0 %
    empty = only(run("order_defect_rate,valid_tracking_rate", date_from=dt.date(2025, 1, 1),
                     date_to=dt.date(2025, 1, 31)))
    assert empty == {"order_defect_rate": None, "valid_tracking_rate": None}


def test_service_level_definitions_reuse_fulfilment():
    for kpi in KPI_METRICS:
        assert METRICS[kpi].definition == fulfilment.KPIS[kpi].definition
        assert kpi_of(kpi) is fulfilment.KPIS[kpi]
    assert kpi_of("chargeback_rate") is None and METRICS["chargeback_rate"].extra == {"part_of": "order_defect_rate"}
    # ODR must stay below 1 %: 0.99 passes, 1.00 breaches; tracking must stay above 95 %
    assert (status("order_defect_rate", D("0.99")), status("order_defect_rate", D("1.00"))) == ("pass", "breach")
    assert (status("valid_tracking_rate", D("95.00")), status("valid_tracking_rate", D("95.01"))) == (
        "breach", "pass")
    assert (status("chargeback_rate", D("3")), status("order_defect_rate", None)) == ("no_target", "no_data")
    assert required_permissions(SL_METRICS.split(",")) == {"orders.view_order"}


def test_a_row_covering_several_days(ad_shop):
    from .lv_builders import ad

    # A summary row for the cable over 01-11 … 01-12 (spend 2.00 USD × 7 = 14.00): it belongs to 01-11, and its
    # SKU's total sales are those of both days: O9 on 01-11, CABLE 10.00 USD × 7 = 70.00 (nothing on 01-12).
    row = ad(ad_shop["us"], dt.date(2026, 1, 11), "AMZ-US-CABLE-1", "2.00", "0.00", 10, 1)
    row.end_date = dt.date(2026, 1, 12)
    row.save()
    days = {r["day"]: r for r in run("ad_spend,ad_total_sales,tacos", by="day", date_from=JAN1,
                                     date_to=dt.date(2026, 1, 31)).rows}
    assert (days[dt.date(2026, 1, 11)]["ad_spend"], days[dt.date(2026, 1, 11)]["ad_total_sales"]) == (
        D("14.00"), D("70.00"))
    # TACOS 14 / 70 = 20 %
    assert days[dt.date(2026, 1, 11)]["tacos"] == D("20.00")
    for by, layer_by, key, ref_key in (("day", "day", lambda r: r["day"], lambda r: r.day),
                                       ("sku", "account,sku", lambda r: (r["account"], r["sku"]),
                                        lambda r: (r.account, r.sku))):
        layer = {key(r): r for r in run("ad_spend,ad_total_sales,tacos", by=layer_by, date_from=JAN1,
                                        date_to=FEB28).rows}
        for ref in ad_report.ad_report(JAN1, FEB28, by=by):
            got = layer[ref_key(ref)]
            assert (got["ad_spend"], got["ad_total_sales"], got["tacos"]) == (
                ref.spend.quantize(CENT), ref.total_sales.quantize(CENT), pct(ref.tacos))
