"""The seller's business stage (survival / growth / stable / scale) and the KPIs the seeds name for each.

Seeds: article 004 §1.2 ("跨境电商的四大发展阶段", seeds-digest §3) names four stages by months of selling —
生存期 survival 0–6 months, 增长期 growth 6–18, 稳定期 stable 18–36, 规模期 scale 36+ — with a goal, the key
metrics and a trap for each; 004 §5.1 (the KPI pyramid) adds net margin, AOV, repeat rate and inventory turnover.

**Evidence** (:func:`infer_stage`) comes from the metric layer only (:func:`chuhai.analytics.metric_layer.run`,
no SQL here), in the base currency, relative to ``today`` (company time zone):

- *months active*: calendar months from the first to the last month with a sale order, both included;
- *window*: the :data:`WINDOW_MONTHS` full calendar months before today's month; *annual net sales* = net sales
  over the window; *monthly average* = annual net sales ÷ the window's months since the first sale month;
- *trend*: net sales of the last :data:`TREND_MONTHS` full months against the :data:`TREND_MONTHS` before them,
  (recent − prior) ÷ |prior| × 100 (:func:`chuhai.analytics.dashboards.change_percent`; none when prior is 0);
- *active SKUs*, *channels* (platforms) and *channel accounts*: those with at least one order in the window;
- *repeat purchase rate* and *margin %* over the window (margin only when profit rows have revenue).

**Rules** (:data:`RULES`) are evaluated in order; each says whether it fires and why; the first that fires
decides. The months come from the seed (004 §1.2); the money and growth thresholds are ours (the seeds give none):
they are in US dollars (:data:`THRESHOLD_CURRENCY`) and converted to the base currency at today's rate (or the
latest rate known); without a rate the revenue rules cannot fire and say so.

1. ``no_sales`` → survival: no sale order yet.
2. ``young`` → survival: months active < :data:`SURVIVAL_MAX_MONTHS` (004 §1.2: survival is months 0–6).
3. ``small`` → survival: monthly average < :data:`SURVIVAL_MONTHLY_SALES_USD` — product–market fit not yet
   shown in revenue (004 §1.2 survival goal "验证产品市场匹配度"), whatever the age.
4. ``scale`` → scale: months active ≥ :data:`SCALE_MIN_MONTHS` (004 §1.2: 36+) *and* annual net sales ≥
   :data:`SCALE_ANNUAL_SALES_USD` *and* ≥ :data:`SCALE_MIN_CHANNELS` channels (全球化布局 — a global,
   multi-platform footprint) *and* ≥ :data:`SCALE_MIN_SKUS` active SKUs (打造生态系统 — a product range).
5. ``growing`` → growth: trend > :data:`GROWTH_TREND_PERCENT` % (004 §1.2 growth goal: 扩大 — expansion).
6. ``early`` → growth: months active < :data:`GROWTH_MAX_MONTHS` (004 §1.2: growth is months 6–18).
7. ``established`` → stable: 18 months or more, not at scale and not growing fast (004 §1.2: stable 18–36,
   and the "comfort zone" trap of a business that stays there).

:func:`current_stage` is the override (``CompanySettings.seller_stage``) when set, else the inferred stage;
:func:`set_stage_override` changes it (audited by simple-history). :data:`STAGE_KPIS` lists, per stage, the seeds'
KPIs mapped to metric-layer ids (:func:`stage_kpis` keeps those defined at run time and visible to a user).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .dashboards import change_percent, company_today
from .metric_layer import METRICS, run

SURVIVAL, GROWTH, STABLE, SCALE = "survival", "growth", "stable", "scale"
STAGES = (SURVIVAL, GROWTH, STABLE, SCALE)
STAGE_NAMES = {SURVIVAL: _("Survival"), GROWTH: _("Growth"), STABLE: _("Stable"), SCALE: _("Scale")}
#: Months of selling per stage, goal and trap (seeds 004 §1.2).
STAGE_MONTHS = {SURVIVAL: _("0–6 months"), GROWTH: _("6–18 months"), STABLE: _("18–36 months"),
                SCALE: _("36+ months")}
STAGE_GOALS = {
    SURVIVAL: _("Validate product–market fit and build basic operations."),
    GROWTH: _("Widen the SKU range, strengthen the supply chain, run more efficiently."),
    STABLE: _("Build a brand moat and spread sales over several platforms."),
    SCALE: _("Go global, own the supply chain, build an ecosystem."),
}
STAGE_TRAPS = {
    SURVIVAL: _("Chasing volume at the expense of account health."),
    GROWTH: _("Expanding too fast until the cash runs out."),
    STABLE: _("Staying in the comfort zone and missing new platforms."),
    SCALE: _("Management complexity eating efficiency."),
}

# -- thresholds ---------------------------------------------------------------------------------------------------
#: 004 §1.2: survival is months 0–6.
SURVIVAL_MAX_MONTHS = 6
#: 004 §1.2: growth is months 6–18.
GROWTH_MAX_MONTHS = 18
#: 004 §1.2: scale is 36 months and more (stable 18–36).
SCALE_MIN_MONTHS = 36
#: Our choice (the seeds give no revenue figure): below US$5,000 net sales a month the product–market fit the
#: survival stage is about (004 §1.2) is not shown yet.
SURVIVAL_MONTHLY_SALES_USD = Decimal("5000")
#: Our choice: last 3 months more than 20 % above the 3 before (≈ 6 % a month compounded) is the "expansion" of
#: the growth stage (004 §1.2).
GROWTH_TREND_PERCENT = Decimal("20")
#: Our choice: US$1 M net sales over 12 months as the size of a scale business (004 §1.2 gives only months).
SCALE_ANNUAL_SALES_USD = Decimal("1000000")
#: 004 §1.2 scale: 全球化布局 (a global footprint); stable already means 多平台布局 (several platforms), so scale
#: asks for at least three platforms.
SCALE_MIN_CHANNELS = 3
#: 004 §1.2 scale: 打造生态系统 (an ecosystem), growth: 扩大SKU矩阵 (widen the SKU range) — our number.
SCALE_MIN_SKUS = 10
THRESHOLD_CURRENCY = "USD"
TREND_MONTHS = 3
WINDOW_MONTHS = 12
#: Months of the monthly net sales series (chart).
SERIES_MONTHS = 24


# -- months -------------------------------------------------------------------------------------------------------

def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_index(key: str) -> int:
    year, month = (int(p) for p in key.split("-"))
    return year * 12 + month - 1


def months_between(first: str, last: str) -> int:
    """Calendar months from ``first`` to ``last`` ("YYYY-MM"), both included."""
    return month_index(last) - month_index(first) + 1


def _keys(start: dt.date, end: dt.date) -> list[str]:
    """Month keys from ``start``'s month to ``end``'s, inclusive."""
    keys, day = [], start.replace(day=1)
    while day <= end:
        keys.append(month_key(day))
        day = add_months(day, 1)
    return keys


# -- evidence and rules -------------------------------------------------------------------------------------------

@dataclass
class Rule:
    """One rule's verdict: ``fired`` or not, with the reason in the active language (:attr:`reason`)."""

    id: str
    stage: str
    fired: bool
    message: Any
    params: dict = field(default_factory=dict)

    @property
    def name(self):
        return RULE_NAMES[self.id]

    @property
    def reason(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass
class StageEvidence:
    today: dt.date
    currency: str
    first_month: str | None = None
    last_month: str | None = None
    months_active: int = 0
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    #: [{"month": "2026-01", "net_sales": Decimal}] for the chart: the last SERIES_MONTHS full months (from the
    #: first sale month when later); today's month, still running, is left out as in the trend.
    monthly: list[dict] = field(default_factory=list)
    recent_sales: Decimal = Decimal(0)
    prior_sales: Decimal = Decimal(0)
    trend_percent: Decimal | None = None
    annual_sales: Decimal = Decimal(0)
    monthly_average: Decimal = Decimal(0)
    orders: int = 0
    active_skus: int = 0
    channels: int = 0
    accounts: int = 0
    repeat_purchase_rate: Decimal | None = None
    margin_percent: Decimal | None = None
    #: The US-dollar thresholds in the base currency (None: no exchange rate).
    survival_monthly_threshold: Decimal | None = None
    scale_annual_threshold: Decimal | None = None
    rules: list[Rule] = field(default_factory=list)
    stage: str = SURVIVAL
    deciding_rule: str = ""

    @property
    def decisive(self) -> Rule | None:
        return next((r for r in self.rules if r.id == self.deciding_rule), None)


def _money(value) -> str:
    return f"{value:,.2f}"


def rule_no_sales(ev: StageEvidence) -> Rule:
    fired = ev.first_month is None
    msg = (_("No sale order yet: a business without sales is in survival.") if fired else
           _("Sales since %(first)s.") )
    return Rule("no_sales", SURVIVAL, fired, msg, {} if fired else {"first": ev.first_month})


def rule_young(ev: StageEvidence) -> Rule:
    fired = ev.first_month is not None and ev.months_active < SURVIVAL_MAX_MONTHS
    return Rule("young", SURVIVAL, fired,
                _("Selling for %(months)d months; survival is below %(limit)d months (seeds 004 §1.2)."),
                {"months": ev.months_active, "limit": SURVIVAL_MAX_MONTHS})


def rule_small(ev: StageEvidence) -> Rule:
    if ev.survival_monthly_threshold is None:
        return Rule("small", SURVIVAL, False,
                    _("No %(usd)s → %(currency)s exchange rate: the revenue threshold cannot be checked."),
                    {"usd": THRESHOLD_CURRENCY, "currency": ev.currency})
    fired = ev.first_month is not None and ev.monthly_average < ev.survival_monthly_threshold
    return Rule("small", SURVIVAL, fired,
                _("Average monthly net sales %(value)s %(currency)s over the last 12 months; survival is below "
                  "%(limit)s %(currency)s (US$%(usd)s) — product–market fit not yet shown (seeds 004 §1.2)."),
                {"value": _money(ev.monthly_average), "limit": _money(ev.survival_monthly_threshold),
                 "currency": ev.currency, "usd": _money(SURVIVAL_MONTHLY_SALES_USD)})


def rule_scale(ev: StageEvidence) -> Rule:
    big = ev.scale_annual_threshold is not None and ev.annual_sales >= ev.scale_annual_threshold
    fired = (ev.months_active >= SCALE_MIN_MONTHS and big and ev.channels >= SCALE_MIN_CHANNELS
             and ev.active_skus >= SCALE_MIN_SKUS)
    return Rule("scale", SCALE, fired,
                _("%(months)d months selling (scale: %(min_months)d+), %(sales)s %(currency)s net sales in 12 "
                  "months (scale: %(min_sales)s), %(channels)d channels (scale: %(min_channels)d+), %(skus)d "
                  "active SKUs (scale: %(min_skus)d+) (seeds 004 §1.2)."),
                {"months": ev.months_active, "min_months": SCALE_MIN_MONTHS, "sales": _money(ev.annual_sales),
                 "currency": ev.currency,
                 "min_sales": "—" if ev.scale_annual_threshold is None else _money(ev.scale_annual_threshold),
                 "channels": ev.channels, "min_channels": SCALE_MIN_CHANNELS, "skus": ev.active_skus,
                 "min_skus": SCALE_MIN_SKUS})


def rule_growing(ev: StageEvidence) -> Rule:
    fired = ev.trend_percent is not None and ev.trend_percent > GROWTH_TREND_PERCENT
    return Rule("growing", GROWTH, fired,
                _("Net sales of the last 3 months %(recent)s against %(prior)s in the 3 before: %(trend)s; growth "
                  "is above +%(limit)s%% (seeds 004 §1.2: expansion)."),
                {"recent": _money(ev.recent_sales), "prior": _money(ev.prior_sales),
                 "trend": "—" if ev.trend_percent is None else f"{ev.trend_percent:+}%",
                 "limit": GROWTH_TREND_PERCENT})


def rule_early(ev: StageEvidence) -> Rule:
    fired = ev.first_month is not None and ev.months_active < GROWTH_MAX_MONTHS
    return Rule("early", GROWTH, fired,
                _("Selling for %(months)d months; growth is %(low)d to %(limit)d months (seeds 004 §1.2)."),
                {"months": ev.months_active, "low": SURVIVAL_MAX_MONTHS, "limit": GROWTH_MAX_MONTHS})


def rule_established(ev: StageEvidence) -> Rule:
    fired = ev.first_month is not None and ev.months_active >= GROWTH_MAX_MONTHS
    return Rule("established", STABLE, fired,
                _("Selling for %(months)d months (stable: %(limit)d+) without fast growth or scale: stable "
                  "(seeds 004 §1.2)."),
                {"months": ev.months_active, "limit": GROWTH_MAX_MONTHS})


#: In evaluation order: the first rule that fires decides.
RULES: tuple[Callable[[StageEvidence], Rule], ...] = (
    rule_no_sales, rule_young, rule_small, rule_scale, rule_growing, rule_early, rule_established)
RULE_NAMES = {
    "no_sales": _("No sales"), "young": _("Young business"), "small": _("Small revenue"),
    "scale": _("Large multi-channel business"), "growing": _("Fast-growing revenue"),
    "early": _("Under 18 months"), "established": _("Established"),
}


def decide(ev: StageEvidence) -> StageEvidence:
    """Evaluate :data:`RULES` on ``ev`` and set its ``rules``, ``stage`` and ``deciding_rule``."""
    ev.rules = [rule(ev) for rule in RULES]
    first = next(r for r in ev.rules if r.fired) if any(r.fired for r in ev.rules) else None
    ev.stage, ev.deciding_rule = (first.stage, first.id) if first else (SURVIVAL, "")
    return ev


def _threshold_rate(base: str, today: dt.date) -> Decimal | None:
    """1 USD in ``base`` at ``today``, else at the latest day with an ECB rate; None when there is none."""
    from chuhai.finance.fx import FxConverter, FxRateMissing

    fx = FxConverter()
    for day in (today, fx.last_ecb_day()):
        if day is None:
            continue
        try:
            return fx.rate(THRESHOLD_CURRENCY, base, day)
        except FxRateMissing:
            continue
    return None


def _count(result, metric: str = "orders") -> int:
    return sum(1 for row in result.rows if (row.get(metric) or 0) > 0)


def infer_stage(today: dt.date | None = None) -> StageEvidence:
    """The evidence from the orders (and profit rows) and the stage the rules infer from it (module doc)."""
    from chuhai.core.models import CompanySettings
    from chuhai.core.money import quantize

    today = today or company_today()
    base = CompanySettings.load().base_currency
    ev = StageEvidence(today=today, currency=base)
    this_month = today.replace(day=1)
    ev.window_start = add_months(this_month, -WINDOW_MONTHS)
    ev.window_end = this_month - dt.timedelta(days=1)

    by_month = run("orders,net_sales", by="month", date_to=today)
    sold = sorted(str(r["month"]) for r in by_month.rows if (r["orders"] or 0) > 0)
    sales = {str(r["month"]): r["net_sales"] or Decimal(0) for r in by_month.rows}
    if sold:
        ev.first_month, ev.last_month = sold[0], sold[-1]
        ev.months_active = months_between(sold[0], sold[-1])
    series_start = add_months(this_month, -SERIES_MONTHS)
    if ev.first_month:
        first = dt.date.fromisoformat(f"{ev.first_month}-01")
        series_start = max(series_start, first)
    ev.monthly = [{"month": key, "net_sales": sales.get(key, Decimal(0))}
                  for key in _keys(series_start, this_month - dt.timedelta(days=1))]

    recent = [month_key(add_months(this_month, -i)) for i in range(1, TREND_MONTHS + 1)]
    prior = [month_key(add_months(this_month, -i)) for i in range(TREND_MONTHS + 1, 2 * TREND_MONTHS + 1)]
    ev.recent_sales = sum((sales.get(k, Decimal(0)) for k in recent), Decimal(0))
    ev.prior_sales = sum((sales.get(k, Decimal(0)) for k in prior), Decimal(0))
    ev.trend_percent = change_percent(ev.recent_sales, ev.prior_sales)

    window = {"date_from": ev.window_start, "date_to": ev.window_end}
    totals = run("net_sales,orders,repeat_purchase_rate", **window).rows[0]
    ev.annual_sales = totals["net_sales"] or Decimal(0)
    ev.orders = totals["orders"] or 0
    ev.repeat_purchase_rate = totals["repeat_purchase_rate"]
    if ev.first_month:
        months_in_window = min(WINDOW_MONTHS, month_index(month_key(ev.window_end)) - month_index(ev.first_month) + 1)
        if months_in_window > 0:
            ev.monthly_average = quantize(ev.annual_sales / months_in_window, base)
    ev.active_skus = _count(run("orders", by="sku", **window))
    ev.channels = _count(run("orders", by="channel", **window))
    ev.accounts = _count(run("orders", by="account", **window))
    if "margin_percent" in METRICS:
        ev.margin_percent = run("margin_percent", **window).rows[0]["margin_percent"]

    rate = _threshold_rate(base, today)
    if rate is not None:
        ev.survival_monthly_threshold = quantize(SURVIVAL_MONTHLY_SALES_USD * rate, base)
        ev.scale_annual_threshold = quantize(SCALE_ANNUAL_SALES_USD * rate, base)
    return decide(ev)


# -- current stage and override -----------------------------------------------------------------------------------

@dataclass
class CurrentStage:
    stage: str
    overridden: bool
    inferred: StageEvidence

    @property
    def name(self):
        return STAGE_NAMES[self.stage]


def stage_override() -> str:
    """The stage the seller set, or "" (inferred)."""
    from chuhai.core.models import CompanySettings

    return CompanySettings.load().seller_stage or ""


def current_stage(today: dt.date | None = None) -> str:
    """The override when set, else the inferred stage."""
    return stage_override() or infer_stage(today).stage


def stage_status(today: dt.date | None = None) -> CurrentStage:
    """The current stage with the inferred evidence (which the page shows even when overridden)."""
    evidence = infer_stage(today)
    override = stage_override()
    return CurrentStage(override or evidence.stage, bool(override), evidence)


def set_stage_override(stage: str, user=None) -> None:
    """Set the stage (one of :data:`STAGES`) or go back to the inferred one (``""``); the change is kept in the
    company settings' history (with ``user`` when given)."""
    from chuhai.core.models import CompanySettings

    if stage not in ("", *STAGES):
        raise ValueError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)} or '' (inferred)")
    settings = CompanySettings.load()
    if settings.seller_stage == stage:
        return
    settings.seller_stage = stage
    if user is not None:
        settings._history_user = user
    settings.save(update_fields=["seller_stage"])


# -- the KPIs per stage -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageKpi:
    """A KPI of a stage: ``metric`` is a metric-layer id, or None when chuhai has no data for it (then only the
    ``label`` shows); ``why`` says why it matters at that stage; ``seed`` the section naming it."""

    metric: str | None
    why: Any
    seed: str = "004 §1.2"
    label: Any = None


STAGE_KPIS: dict[str, tuple[StageKpi, ...]] = {
    SURVIVAL: (
        StageKpi("orders", _("First orders are the proof of product–market fit.")),
        StageKpi("net_sales", _("Revenue shows whether the product sells at all.")),
        StageKpi("order_defect_rate", _("Account health: a young account is suspended for defects before it can "
                                        "grow.")),
        StageKpi("late_shipment_rate", _("Account health: late shipments hurt the account and the first ratings.")),
        StageKpi("return_rate", _("Returns are the earliest sign of a quality problem and of poor first "
                                  "ratings.")),
        StageKpi("days_of_cover", _("Days of inventory: too much stock ties up the little cash there is.")),
        StageKpi("contribution_margin", _("Cash survival: each order must pay for itself."), "004 §5.1"),
        StageKpi(None, _("Initial ratings come from the platforms' review pages; chuhai does not import them."),
                 label=_("Initial rating")),
    ),
    GROWTH: (
        StageKpi("net_sales", _("Growth is measured in revenue.")),
        StageKpi("roas", _("ROI: every advertising yuan must bring back more than it costs.")),
        StageKpi("tacos", _("Advertising against total sales: growth bought with ads eats the cash.")),
        StageKpi("repeat_purchase_rate", _("Repeat buyers cost far less than new ones (seeds 000 §6.3).")),
        StageKpi("aov", _("A higher order value pays for the traffic.")),
        StageKpi("new_customers", _("New buyers show the market is widening.")),
        StageKpi("margin_percent", _("Expanding too fast until the cash runs out is this stage's trap."),
                 "004 §5.1"),
        StageKpi("sell_through", _("A wider SKU range needs stock that sells through.")),
    ),
    STABLE: (
        StageKpi("channel_concentration", _("Channel dispersion: less dependence on a single platform.")),
        StageKpi("returning_customers", _("Private-traffic conversion: buyers who come back on their own.")),
        StageKpi("repeat_purchase_rate", _("The brand moat shows in repeat purchases.")),
        StageKpi("margin_percent", _("Net margin tops the KPI pyramid."), "004 §5.1"),
        StageKpi("contribution_margin", _("Profit, not volume, is the goal once growth slows."), "004 §5.1"),
        StageKpi("net_sales", _("Watch for the comfort-zone stall.")),
        StageKpi(None, _("Brand search volume comes from the platforms' brand analytics; chuhai does not import "
                         "it."), label=_("Brand search volume")),
    ),
    SCALE: (
        StageKpi("net_sales", _("The size of the business across markets.")),
        StageKpi("contribution_margin", _("Net profit at scale: complexity must not eat the margin."),
                 "004 §5.1"),
        StageKpi("margin_percent", _("Net margin tops the KPI pyramid."), "004 §5.1"),
        StageKpi("channel_concentration", _("A global footprint spreads the risk of any one platform.")),
        StageKpi("days_of_cover", _("Inventory turnover: an own supply chain must keep stock lean."), "004 §5.1"),
        StageKpi("sell_through", _("Stock that sells through is what supplier leverage buys.")),
        StageKpi("orders", _("Team efficiency: orders handled as the team grows.")),
        StageKpi(None, _("Supplier leverage, global market share and team efficiency have no data in chuhai "
                         "yet."), label=_("Market share")),
    ),
}


def stage_kpis(stage: str, user=None, measured: bool = True) -> list[StageKpi]:
    """The stage's KPIs whose metric exists in the metric layer now (and ``user`` may see); with ``measured``
    False, the ones without data instead."""
    if not measured:
        return [k for k in STAGE_KPIS[stage] if k.metric is None]
    return [k for k in STAGE_KPIS[stage] if k.metric in METRICS
            and (user is None or user.has_perm(METRICS[k.metric].permission))]


@dataclass
class KpiFigure:
    kpi: StageKpi
    name: Any
    unit: str
    definition: Any
    value: Any
    previous: Any
    change: Decimal | None


def _run_totals(ids: list[str], start: dt.date, end: dt.date, currency: str | None) -> tuple[str | None, dict]:
    """One row of ``ids`` over [start, end]; metrics that fail alone (no data source, no rate) are left out."""
    from chuhai.finance.fx import FxRateMissing

    from .metric_layer import MetricError

    try:
        result = run(ids, date_from=start, date_to=end, currency=currency)
        return result.currency, result.rows[0]
    except (MetricError, FxRateMissing):
        pass
    row, found = {}, None
    for metric in ids:
        try:
            result = run([metric], date_from=start, date_to=end, currency=currency)
        except (MetricError, FxRateMissing):
            continue
        found = result.currency
        row[metric] = result.rows[0][metric]
    return found, row


def kpi_figures(stage: str, period, user=None, currency: str | None = None) -> tuple[str, list[KpiFigure]]:
    """(currency, the stage's KPIs over ``period`` against the previous period of equal length)."""
    from chuhai.core.models import CompanySettings

    from .dashboards import previous_period

    kpis = stage_kpis(stage, user)
    ids = [k.metric for k in kpis]
    if not ids:
        return currency or CompanySettings.load().base_currency, []
    before = previous_period(period)
    cur, now = _run_totals(ids, period.start, period.end, currency)
    _cur, prev = _run_totals(ids, before.start, before.end, currency)
    figures = []
    for k in kpis:
        if k.metric not in now:
            continue
        metric = METRICS[k.metric]
        value, previous = now.get(k.metric), prev.get(k.metric)
        figures.append(KpiFigure(k, metric.name, metric.unit, metric.definition, value, previous,
                                 change_percent(value, previous)))
    return cur or currency or CompanySettings.load().base_currency, figures
