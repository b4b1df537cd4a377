"""Answers for the advisor's tests: one neutral questionnaire and variations of it."""

from __future__ import annotations

import copy
import datetime as dt

from chuhai.strategy.answers import Answers, parse_answers

#: A seller 8 months in, a year of runway, someone on the platform and on logistics, average supply chain, mixed
#: mid-price goods, on Amazon and eBay, no goals: few rules beyond the stage ones fire.
NEUTRAL = {
    "months_selling": 8,
    "monthly_revenue_cny": "80000",
    "cash_runway_months": 12,
    "team": {"platform_ops": True, "content_brand": False, "tech_data": False, "overseas_logistics": True},
    "supply_chain": "average",
    "category": {"kind": "mixed", "avg_price_usd": "50", "repeat_potential": "medium"},
    "markets": ["US"],
    "channels_now": ["amazon", "ebay"],
    "goals": [],
}


def answers_dict(**changes) -> dict:
    """NEUTRAL with top-level keys replaced; ``team``/``category`` dicts are merged into the neutral ones."""
    data = copy.deepcopy(NEUTRAL)
    for key, value in changes.items():
        if key in ("team", "category"):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def answers(**changes) -> Answers:
    return parse_answers(answers_dict(**changes))


def recent_sales() -> None:
    """Orders in the last three full months before today: Amazon US (three orders of 10 × 20.00 USD) far ahead of
    Shopee SG (one of 8.00 SGD), base CNY — the ledger holds sales, whatever day the tests run."""
    from chuhai.analytics.dashboards import company_today
    from chuhai.analytics.stage import add_months
    from chuhai.catalog.services import create_product
    from chuhai.channels.services import create_account

    from ..analytics.ml_builders import company, make_order

    company()
    us = create_account("AMZ-US", "amazon", "US")
    sg = create_account("SHOPEE-SG", "shopee", "SG")
    cable = create_product("CABLE-1", name_en="USB-C cable", name_zh="USB-C 数据线")
    this_month = company_today().replace(day=1)

    def at(months_back: int, day: int) -> dt.datetime:
        first = add_months(this_month, -months_back)
        return dt.datetime(first.year, first.month, day, 4, tzinfo=dt.UTC)

    for i in range(1, 4):
        make_order(us, f"A{i}", at(i, 10), "7.0", [(cable, 10, "20.00")], customer=f"c{i}", ship="US")
    make_order(sg, "S1", at(1, 13), "5.3", [(cable, 1, "8.00")], ship="SG")


def growing_ledger() -> dt.date:
    """Two accounts (Amazon, eBay) of test_stage_builders' seller with 14 months of growing sales in USD, and
    USD and CNY ECB rates for today and yesterday (so the ledger's revenue converts to CNY). Returns today."""
    from decimal import Decimal

    from chuhai.analytics.dashboards import company_today
    from chuhai.finance.models import FxRate
    from tests.analytics.test_stage_builders import seller

    today = company_today()
    seller(today, [1000 * (i + 1) for i in range(14)], accounts=2, skus=3)
    for day in (today, today - dt.timedelta(days=1)):
        FxRate.objects.create(date=day, currency="USD", per_eur=Decimal("1.10"))
        FxRate.objects.create(date=day, currency="CNY", per_eur=Decimal("7.70"))
    return today
