"""chuhai.analytics.stage: each rule alone on hand-built evidence (no database), then the inference on sellers built
in the database (test_stage_builders: base USD, one order a month per account, today = 2026-12-01, so the window
is December 2025 – November 2026, the trend compares September–November against June–August), the override and
its history, and the stage KPIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics import stage
from chuhai.analytics.metric_layer import METRICS, engine
from chuhai.core.models import CompanySettings
from chuhai.finance.fx import set_manual_rate

from .test_stage_builders import TODAY, seller

D = Decimal


def evidence(**values) -> stage.StageEvidence:
    """Evidence of a business that, by default, fires only ``established`` (24 months, flat, mid-size, USD)."""
    base = dict(today=TODAY, currency="USD", first_month="2024-12", last_month="2026-11", months_active=24,
                trend_percent=D("0.00"), annual_sales=D("240000"), monthly_average=D("20000"), active_skus=3,
                channels=1, accounts=1, survival_monthly_threshold=D("5000"),
                scale_annual_threshold=D("1000000"))
    base.update(values)
    return stage.StageEvidence(**base)


def fired(ev) -> set[str]:
    return {r.id for r in stage.decide(ev).rules if r.fired}


# -- each rule alone ----------------------------------------------------------------------------------------------

def test_the_default_evidence_fires_only_established():
    ev = stage.decide(evidence())
    assert fired(ev) == {"established"}
    assert (ev.stage, ev.deciding_rule) == ("stable", "established")


def test_rule_no_sales():
    ev = evidence(first_month=None, last_month=None, months_active=0, annual_sales=D(0), monthly_average=D(0))
    assert stage.rule_no_sales(ev).fired
    assert not stage.rule_no_sales(evidence()).fired
    assert stage.decide(ev).stage == "survival" and ev.deciding_rule == "no_sales"


def test_rule_young_at_its_six_month_boundary():
    # 004 §1.2: survival is months 0–6 → 5 months fires, 6 does not
    assert stage.rule_young(evidence(months_active=5)).fired
    assert not stage.rule_young(evidence(months_active=6)).fired
    rule = stage.rule_young(evidence(months_active=5))
    assert rule.reason == "Selling for 5 months; survival is below 6 months (seeds 004 §1.2)."


def test_rule_small_at_its_threshold_and_without_a_rate():
    assert stage.rule_small(evidence(monthly_average=D("4999.99"))).fired
    assert not stage.rule_small(evidence(monthly_average=D("5000.00"))).fired
    no_rate = stage.rule_small(evidence(monthly_average=D("1"), survival_monthly_threshold=None))
    assert not no_rate.fired and "exchange rate" in no_rate.reason
    assert "4,999.99 USD" in stage.rule_small(evidence(monthly_average=D("4999.99"))).reason


def test_rule_scale_needs_all_four_conditions():
    big = dict(months_active=36, annual_sales=D("1000000"), channels=3, active_skus=10)
    assert stage.rule_scale(evidence(**big)).fired
    for missing in (dict(months_active=35), dict(annual_sales=D("999999.99")), dict(channels=2),
                    dict(active_skus=9), dict(scale_annual_threshold=None)):
        assert not stage.rule_scale(evidence(**{**big, **missing})).fired, missing


def test_rule_growing_above_twenty_percent():
    assert stage.rule_growing(evidence(trend_percent=D("20.01"))).fired
    assert not stage.rule_growing(evidence(trend_percent=D("20.00"))).fired
    assert not stage.rule_growing(evidence(trend_percent=None)).fired


def test_rule_early_below_eighteen_months():
    assert stage.rule_early(evidence(months_active=17)).fired
    assert not stage.rule_early(evidence(months_active=18)).fired


def test_rule_established_from_eighteen_months():
    assert stage.rule_established(evidence(months_active=18)).fired
    assert not stage.rule_established(evidence(months_active=17)).fired


def test_first_rule_that_fires_decides():
    # young and growing both fire: survival comes first
    ev = stage.decide(evidence(months_active=4, trend_percent=D("50")))
    assert {"young", "growing", "early"} <= fired(ev)
    assert (ev.stage, ev.deciding_rule) == ("survival", "young")
    # growing beats established
    ev = stage.decide(evidence(trend_percent=D("30")))
    assert (ev.stage, ev.deciding_rule) == ("growth", "growing")
    # scale beats growing
    ev = stage.decide(evidence(months_active=40, annual_sales=D("2000000"), channels=3, active_skus=12,
                               trend_percent=D("30")))
    assert (ev.stage, ev.deciding_rule) == ("scale", "scale")


def test_reasons_follow_the_language():
    from django.utils import translation

    rule = stage.rule_young(evidence(months_active=5))
    with translation.override("zh-hans"):
        text = rule.reason
    assert "5" in text and "004 §1.2" in text


# -- inference from the database ----------------------------------------------------------------------------------

@pytest.fixture
def db_engine(transactional_db):
    yield
    engine.close()


def test_no_orders_is_survival(db_engine):
    seller(TODAY, [])
    ev = stage.infer_stage(TODAY)
    assert (ev.stage, ev.deciding_rule, ev.months_active, ev.first_month) == ("survival", "no_sales", 0, None)


def test_three_months_of_orders_is_survival(db_engine):
    # September, October, November 2026: 20,000 each
    seller(TODAY, [20000, 20000, 20000])
    ev = stage.infer_stage(TODAY)
    assert (ev.first_month, ev.last_month, ev.months_active) == ("2026-09", "2026-11", 3)
    # average over the window's months since the first sale: 60,000 / 3 = 20,000 (not small)
    assert ev.annual_sales == D("60000.00") and ev.monthly_average == D("20000.00")
    # trend: prior 3 months have no sales → no percentage
    assert ev.recent_sales == D("60000.00") and ev.prior_sales == 0 and ev.trend_percent is None
    assert [m["month"] for m in ev.monthly] == ["2026-09", "2026-10", "2026-11"]
    assert (ev.stage, ev.deciding_rule) == ("survival", "young")


def test_small_revenue_after_a_year_is_survival(db_engine):
    seller(TODAY, [1000] * 12)
    ev = stage.infer_stage(TODAY)
    assert ev.months_active == 12 and ev.monthly_average == D("1000.00")
    assert (ev.stage, ev.deciding_rule) == ("survival", "small")


def test_ten_flat_months_is_growth_by_age(db_engine):
    seller(TODAY, [20000] * 10)
    ev = stage.infer_stage(TODAY)
    assert ev.trend_percent == D("0.00")
    assert (ev.stage, ev.deciding_rule) == ("growth", "early")


def test_eighteen_months_growing_fast_is_growth(db_engine):
    # June 2025 … November 2026, each month 10 % above the last, rounded to whole dollars
    amounts, value = [], D(10000)
    for _ in range(18):
        amounts.append(value)
        value = (value * D("1.1")).quantize(D(1))
    seller(TODAY, amounts)
    ev = stage.infer_stage(TODAY)
    assert ev.months_active == 18  # so the age rule "early" does not fire
    recent, prior = sum(amounts[-3:]), sum(amounts[-6:-3])
    assert ev.recent_sales == recent and ev.prior_sales == prior
    # ≈ 1.1³ − 1 = 33.1 %
    assert ev.trend_percent == ((recent - prior) * 100 / prior).quantize(D("0.01"))
    assert ev.trend_percent > D("33") and ev.trend_percent < D("34")
    assert (ev.stage, ev.deciding_rule) == ("growth", "growing")
    assert not any(r.fired for r in ev.rules if r.id in ("young", "small", "scale", "early"))


def test_flat_three_years_is_stable(db_engine):
    # December 2023 … November 2026: 36 months of 20,000, one account on one platform, 2 SKUs
    seller(TODAY, [20000] * 36, skus=2)
    ev = stage.infer_stage(TODAY)
    assert (ev.first_month, ev.months_active) == ("2023-12", 36)
    assert ev.annual_sales == D("240000.00") and ev.trend_percent == D("0.00")
    assert (ev.active_skus, ev.channels, ev.accounts) == (2, 1, 1)
    # 12 monthly orders by c1..c0 rotating over five customers: each bought 2 or 3 times → 100 % repeat
    assert ev.repeat_purchase_rate == D("100.00")
    assert (ev.stage, ev.deciding_rule) == ("stable", "established")
    # the chart: the 24 full months December 2024 … November 2026
    assert len(ev.monthly) == 24 and ev.monthly[0]["month"] == "2024-12"
    assert ev.monthly[-1] == {"month": "2026-11", "net_sales": D("20000.00")}


def test_large_multi_channel_is_scale(db_engine):
    # 37 months, 3 accounts on amazon / ebay / shopify, 40,000 each a month, 10 SKUs in the window:
    # 12 × 3 × 40,000 = 1,440,000 ≥ 1,000,000
    seller(TODAY, [40000] * 37, accounts=3, skus=10)
    ev = stage.infer_stage(TODAY)
    assert ev.months_active == 37 and ev.annual_sales == D("1440000.00")
    assert (ev.channels, ev.accounts, ev.active_skus) == (3, 3, 10)
    assert (ev.stage, ev.deciding_rule) == ("scale", "scale")


def test_thresholds_convert_to_the_base_currency(db_engine):
    seller(TODAY, [])
    settings = CompanySettings.load()
    settings.base_currency = "CNY"
    settings.save()
    set_manual_rate("USD", "CNY", D("7.1"), dt.date(2020, 1, 1))
    ev = stage.infer_stage(TODAY)
    # 5,000 × 7.1 = 35,500; 1,000,000 × 7.1 = 7,100,000
    assert ev.survival_monthly_threshold == D("35500.00") and ev.scale_annual_threshold == D("7100000.00")
    assert ev.currency == "CNY"


# -- override -----------------------------------------------------------------------------------------------------

def test_override_wins_and_is_kept_in_history(db_engine, role_users):
    seller(TODAY, [20000, 20000, 20000])
    assert stage.current_stage(TODAY) == "survival"
    admin = role_users["admin"]
    stage.set_stage_override("scale", admin)
    assert stage.current_stage(TODAY) == "scale"
    status = stage.stage_status(TODAY)
    assert (status.stage, status.overridden, status.inferred.stage) == ("scale", True, "survival")
    stage.set_stage_override("")
    assert stage.current_stage(TODAY) == "survival" and not stage.stage_status(TODAY).overridden
    history = list(CompanySettings.history.order_by("history_date", "history_id").values_list(
        "seller_stage", "history_user_id"))
    assert history[-2:] == [("scale", admin.pk), ("", None)]
    with pytest.raises(ValueError):
        stage.set_stage_override("mature")


# -- KPIs ---------------------------------------------------------------------------------------------------------

def test_stage_kpis_use_only_metrics_that_exist():
    for name in stage.STAGES:
        measured = stage.stage_kpis(name)
        assert measured, name
        assert all(k.metric in METRICS for k in measured)
        expected = [k.metric for k in stage.STAGE_KPIS[name] if k.metric in METRICS]
        assert [k.metric for k in measured] == expected
        assert all(k.metric is None and k.label for k in stage.stage_kpis(name, measured=False))
    growth = [k.metric for k in stage.stage_kpis("growth")]
    assert {"net_sales", "repeat_purchase_rate", "aov"} <= set(growth)  # 004 §1.2: ROI, 复购率, 客单价
    assert ("roas" in growth) == ("roas" in METRICS)


def test_profit_kpis_need_the_finance_permission(db, role_users):
    viewer = [k.metric for k in stage.stage_kpis("stable", role_users["viewer"])]
    finance = [k.metric for k in stage.stage_kpis("stable", role_users["finance"])]
    assert "margin_percent" not in viewer and "margin_percent" in finance


def test_kpi_figures_compare_with_the_previous_period(db_engine):
    seller(TODAY, [20000] * 35 + [30000], skus=2)
    from chuhai.analytics.dashboards import Period

    currency, figures = stage.kpi_figures("stable", Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    by_id = {f.kpi.metric: f for f in figures}
    assert currency == "USD"
    # November 30,000 against 1–31 October 20,000 (previous 30 days: 2026-10-02 … 10-31 holds the 15th): +50 %
    assert (by_id["net_sales"].value, by_id["net_sales"].previous) == (D("30000.00"), D("20000.00"))
    assert by_id["net_sales"].change == D("50.00")
