"""What the ledger already knows about the seller, for the operating-model advisor: the stage, how long and how
much it sells, on which channels and markets — so the questionnaire asks only what the data cannot answer.

Every figure is the metric layer's (:func:`chuhai.analytics.metric_layer.run`) or the stage inference's
(:func:`chuhai.analytics.stage.infer_stage`, itself over the layer); nothing is recomputed from rows here, so
"net sales" means what it means on every other page. All relative to ``today`` (company time zone):

- *window*: the 12 full calendar months before today's month (the stage's window, ``StageEvidence.window_*``);
- ``stage``: :func:`chuhai.analytics.stage.current_stage`'s answer — the seller's override when set, else the
  inferred stage (seeds 004 §1.2) — taken from the one inference made here;
- ``months_active``: calendar months from the first to the last month with a sale order, both included;
- ``monthly_revenue_cny``: the stage's monthly average (window net sales ÷ the window's months since the first
  sale month) × the rate base → CNY of today, or of the latest day with an ECB rate
  (:func:`rate_today`); None when no rate is known (then :func:`fill_answers` leaves the answer to the seller);
  a seller whose first sale is in today's month has no full month yet: 0;
- ``channel_shares``: per channel, Σ over its accounts of the layer's ``net_sales_share`` by account over the
  window ÷ 100 (a fraction 0..1; the layer rounds each share to 0.01 %, so the shares add up to 1 within
  0.0001 per account). A *channel* is :func:`channel_key` of the account: ``own_site`` for an account whose
  operating model is the own site (Shopify, WooCommerce…), ``distribution`` for a distribution account
  (dropship partner, distributor), else its platform id (``amazon``, ``shopee``…) — the ids the questionnaire's
  ``channels_now`` takes;
- ``channels_now``: the channels with at least one order in the window, largest share first;
- ``largest_channel`` / ``largest_share``: the channel with the largest share (ties: the first id), and it;
- ``markets``: the **marketplaces** (the country of the channel account's store: Amazon.de is DE) with net sales
  above zero in the window, largest first. Chosen over the ship-to countries because the seller chooses a
  marketplace — an EU store ships to a dozen countries a seller never targeted — and the questionnaire's
  ``markets`` are the markets the seller sells *in*;
- ``skus_active``: SKUs with an order in the window (the stage's ``active_skus``);
- ``repeat_purchase_rate``: the layer's ``repeat_purchase_rate`` over the window (percent);
- ``margin_percent``: the layer's ``margin_percent`` (contribution ÷ net revenue × 100) over the window; None
  for a ``user`` without ``finance.access_finance`` (profit figures are finance's) or without profit rows;
- ``trend_percent``: net sales of the last 3 full months against the 3 before, in percent (the stage's trend);
- ``months``: (``YYYY-MM``, net sales in the base currency) of the stage's chart series (up to 24 full months).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)
FINANCE_PERMISSION = "finance.access_finance"
#: The answer keys the ledger can give (chuhai.strategy.answers), in the questionnaire's order.
LEDGER_KEYS = ("months_selling", "monthly_revenue_cny", "markets", "channels_now")
OWN_SITE, DISTRIBUTION = "own_site", "distribution"


@dataclass
class Evidence:
    stage: str
    months_active: int
    monthly_revenue_cny: Decimal | None
    channels_now: tuple[str, ...]
    markets: tuple[str, ...]
    channel_shares: dict[str, Decimal]
    largest_channel: str | None
    largest_share: Decimal | None
    skus_active: int
    repeat_purchase_rate: Decimal | None
    margin_percent: Decimal | None
    trend_percent: Decimal | None
    months: list[tuple[str, Decimal]] = field(default_factory=list)
    #: The base currency of ``months`` (not part of the advisor's interface; for showing the series).
    currency: str = ""


# -- helpers shared by the advisor's ledger modules ----------------------------------------------------------------

def channel_key(account) -> str:
    """The advisor's channel id of a channel account: ``own_site``, ``distribution`` or the platform id."""
    from chuhai.channels.models import OperatingModel

    if account.operating_model == OperatingModel.OWN_SITE:
        return OWN_SITE
    if account.operating_model == OperatingModel.DISTRIBUTION:
        return DISTRIBUTION
    return account.platform


def account_channels() -> dict[str, str]:
    """Account code → :func:`channel_key`, for every channel account."""
    from chuhai.channels.models import ChannelAccount

    return {a.code: channel_key(a) for a in ChannelAccount.objects.only("code", "platform", "operating_model")}


def rate_today(fx, base: str, quote: str, today: dt.date) -> Decimal | None:
    """1 ``base`` in ``quote`` at ``today``, else at the latest day with an ECB rate; None when neither has one.
    ``fx`` is a :class:`chuhai.finance.fx.FxConverter`."""
    from chuhai.finance.fx import FxRateMissing

    if base == quote:
        return Decimal(1)
    for day in (today, fx.last_ecb_day()):
        if day is None:
            continue
        try:
            return fx.rate(base, quote, day)
        except FxRateMissing:
            continue
    return None


def may_see_finance(user) -> bool:
    """Profit figures need ``finance.access_finance``; ``None`` (the command line, a background job) sees all."""
    return user is None or user.has_perm(FINANCE_PERMISSION)


# -- the evidence ----------------------------------------------------------------------------------------------------

def gather_evidence(*, today: dt.date | None = None, user=None) -> Evidence | None:
    """The ledger's evidence (module docstring), or None when the ledger has no sale order yet."""
    from chuhai.analytics.dashboards import company_today
    from chuhai.analytics.metric_layer import run
    from chuhai.analytics.stage import infer_stage, stage_override
    from chuhai.core.money import quantize
    from chuhai.finance.fx import FxConverter

    today = today or company_today()
    inferred = infer_stage(today)
    if inferred.first_month is None:
        return None
    base = inferred.currency
    window = {"date_from": inferred.window_start, "date_to": inferred.window_end}

    rate = rate_today(FxConverter(), base, "CNY", today)
    monthly_cny = None if rate is None else quantize(inferred.monthly_average * rate, "CNY")

    keys = account_channels()
    shares: dict[str, Decimal] = {}
    selling: set[str] = set()
    for row in run("orders,net_sales_share", by="account", **window).rows:
        key = keys.get(row["account"], row["account"])
        if (row["orders"] or 0) > 0:
            selling.add(key)
        if row["net_sales_share"] is not None:
            shares[key] = shares.get(key, ZERO) + row["net_sales_share"] / HUNDRED
    ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    largest = ranked[0] if ranked and ranked[0][1] > 0 else None
    channels_now = tuple([k for k, _share in ranked if k in selling] + sorted(selling - shares.keys()))

    markets = run("net_sales", by="marketplace", sort="-net_sales", **window).rows
    return Evidence(
        stage=stage_override() or inferred.stage,
        months_active=inferred.months_active,
        monthly_revenue_cny=monthly_cny,
        channels_now=channels_now,
        markets=tuple(str(r["marketplace"]) for r in markets if r["marketplace"] and (r["net_sales"] or 0) > 0),
        channel_shares=dict(ranked),
        largest_channel=largest[0] if largest else None,
        largest_share=largest[1] if largest else None,
        skus_active=inferred.active_skus,
        repeat_purchase_rate=inferred.repeat_purchase_rate,
        margin_percent=inferred.margin_percent if may_see_finance(user) else None,
        trend_percent=inferred.trend_percent,
        months=[(m["month"], m["net_sales"]) for m in inferred.monthly],
        currency=base,
    )


def _left_out(partial: Mapping, key: str) -> bool:
    value = partial.get(key)
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def fill_answers(partial: Mapping, evidence: Evidence) -> tuple[dict, list[str]]:
    """``partial`` (the questionnaire's YAML shape) with the answers the ledger can give filled in where the
    seller left them out (missing, empty or null), and the keys so filled, in :data:`LEDGER_KEYS` order.

    What the seller typed always wins; an answer the ledger does not know (no exchange rate to CNY, no market
    with sales) stays out, so the questionnaire asks for it."""
    answers = dict(partial)
    values = {
        "months_selling": evidence.months_active,
        "monthly_revenue_cny": None if evidence.monthly_revenue_cny is None else str(evidence.monthly_revenue_cny),
        "markets": list(evidence.markets) or None,
        "channels_now": list(evidence.channels_now) or None,
    }
    filled = []
    for key in LEDGER_KEYS:
        if _left_out(partial, key) and values[key] is not None:
            answers[key] = values[key]
            filled.append(key)
    return answers, filled
