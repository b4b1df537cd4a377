"""What-if scenarios for the operating-model decision: move a SKU from a platform to the own site, dropship it or
hold stock, sell it in a new market. Each is a pure function over explicit assumptions; the ledger only
*prefills* the assumptions it can answer, and every assumption says where its value came from:

- ``user``: typed by the user (always wins);
- ``ledger``: from the seller's own data — the unit economics of :mod:`chuhai.strategy.economics` over the
  *lookback* (the :data:`LOOKBACK_MONTHS` full calendar months before today's month), the product's purchase
  cost, the metric layer's ``days_of_cover``;
- ``reference``: from chuhai's reference tables — fee schedules (:mod:`chuhai.finance.fee_schedule_data`), the
  VAT rates (:mod:`chuhai.finance.vat`), the exchange rate of today or the latest known
  (:func:`chuhai.strategy.evidence.rate_today`), the marketplace's currency;
- ``default``: a stated default (0 days of supplier credit, no duty…), shown like every other assumption.

A missing required assumption, an unknown one or a bad value is a :class:`ScenarioError` (a ``ValueError``) that
names it. Money assumptions are in the base currency unless named ``_local``; percentages are percent (2.9 =
2.9 %). Nothing is rounded until :meth:`ScenarioResult.to_dict` (money to the minor unit, percentages to two
places, counts of orders and units needed rounded *up*: a fraction of an order does not exist).

**move_to_own_site** (seeds 000 §5.3 hybrid playbook; 004 §3.3.1 profit = price − purchase cost − logistics −
commission − ads; CAC: 004 §5.1):

- platform contribution per unit ``P`` (ledger: the SKU's contribution ÷ units on that channel — a platform id,
  or one channel account's code — over the lookback, every fee, ad, logistics, COGS and refund in it) and the platform's monthly contribution ``M`` (the same
  contribution ÷ :data:`LOOKBACK_MONTHS`);
- site contribution per unit before acquisition ``S₀ = price − price × payment fee % − payment fee per order ÷
  units per order − own fulfilment per unit − COGS per unit``; acquisition per unit = CAC per order ÷ units per order; ``S = S₀ − CAC ÷ units per order``;
- site margin % = S ÷ price × 100; platform margin % = P ÷ platform net price × 100;
- break-even CAC = ``S₀ × units per order`` (the site's contribution is zero); matching CAC = ``(S₀ − P) ×
  units per order`` (the site earns per unit what the platform does);
- units a month needed on the site to match the platform's monthly contribution = ``M ÷ S`` (none when S ≤ 0:
  no volume makes up a loss per unit), orders = units ÷ units per order.

Prefills: price on the site = the platform's net price per unit (net revenue ÷ units), COGS per unit and units
per order from the SKU on the channel; the payment fee % and per order from the own-site platform's payment fee
schedules (Shopify US when there is no own-site account; the fixed fee at today's rate); own fulfilment per unit from the own-site channel's logistics per unit when it has any.

**dropship_vs_stock** (seeds 001 FAQ Q4 dropshipping; §1 distribution: almost no capital; 004 §1.2 growth trap:
cash runs out):

- margin per unit, dropship = ``price − selling costs − dropship price (incl. shipping)``;
  holding stock = ``price − selling costs − (purchase cost + freight + storage per unit-month × stock months)``;
  margin % = margin ÷ price × 100;
- cash conversion cycle (days) = days inventory + days receivable − days payable: dropship ``0 + payout delay −
  dropship supplier terms``; stock ``stock months × 30 + payout delay − supplier terms``;
- cash tied up = monthly units × unit cash cost ÷ 30 × cycle days (daily cost of goods × days in the cycle; the
  unit cash cost is the dropship price, or purchase cost + freight); negative when suppliers finance more than
  the cycle needs. Needs ``monthly_units`` (ledger: the SKU's units ÷ lookback months).

Prefills (with ``sku``): price = the SKU's net price per unit; selling costs = −(platform fees + advertising +
logistics) per unit; purchase cost = the product's purchase cost at today's rate; stock months = the layer's
``days_of_cover`` at the end of the lookback ÷ 30.

**add_market** (seeds 000 §5.3 / 001 §二 expansion; VAT: compliance.md §B1 via :mod:`chuhai.finance.vat`):

- price in the base currency = local price × rate; VAT = price × VAT % ÷ (100 + VAT %) (:func:`chuhai.finance.
  vat.split_vat`; VAT % is the market's standard rate where marketplace prices include VAT — EU, GB, NO, CH —
  else 0: US sales tax is added on top and collected by the marketplace); net price = price − VAT;
- referral fee = price × referral % (charged on what the buyer pays, VAT included, as
  :class:`chuhai.finance.estimates.FeeEstimator` does);
- landed cost per unit = (purchase cost + first-leg freight per unit) × (1 + duty % ÷ 100) — duty on the
  cost-and-freight value, as EU customs value it (a US FOB value would be lower: a simplification).
  :mod:`chuhai.finance.landed_cost` spreads the charges of a real inbound shipment over its lines; a market not
  yet shipped to has no shipment, so its per-unit landed cost is the formula above;
- contribution per unit = net price − referral fee − fulfilment per unit − advertising per unit − landed cost;
  margin % = contribution ÷ net price × 100; against the SKU's current market (its largest marketplace by net
  sales over the lookback): its contribution per unit and margin % from the ledger.

Prefills: currency = the market's legal tender; the rate; VAT %; the referral % from the fee schedules (the
platform, market and the product's category, valid today); purchase cost; advertising per unit (the SKU's ads ÷
units); the platform = the SKU's largest platform channel.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from chuhai.analytics import metrics

from .evidence import OWN_SITE, channel_key, may_see_finance, rate_today

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DAYS_PER_MONTH = Decimal(30)
LOOKBACK_MONTHS = 3
USER, LEDGER, REFERENCE, DEFAULT = "user", "ledger", "reference", "default"
SOURCES = (USER, LEDGER, REFERENCE, DEFAULT)
SOURCE_LABELS = {USER: _l("you"), LEDGER: _l("your data"), REFERENCE: _l("reference tables"),
                 DEFAULT: _l("default")}

MONEY, LOCAL_MONEY, PERCENT, DAYS, MONTHS, COUNT, TEXT, COUNTRY, CURRENCY, RATE = (
    "money", "local_money", "percent", "days", "months", "count", "text", "country", "currency", "rate")
NUMERIC = (MONEY, LOCAL_MONEY, PERCENT, DAYS, MONTHS, COUNT, RATE)


class ScenarioError(ValueError):
    """A bad, missing or unknown assumption, or an unknown scenario; the message names it."""


@dataclass(frozen=True)
class Field:
    key: str
    label: Any
    kind: str
    required: bool = True
    default: Any = None
    #: Signed amounts (a contribution can be negative); every other number must be ≥ 0.
    signed: bool = False


@dataclass
class Assumption:
    key: str
    label: Any
    kind: str
    value: Any
    source: str

    def to_dict(self, currency: str, local_currency: str | None = None) -> dict:
        """``value`` rounded for showing (money to its currency's minor unit, rates to six places, the rest to
        two), ``exact`` as used in the computation."""
        from chuhai.core.money import quantize

        money = {MONEY: currency, LOCAL_MONEY: local_currency or currency}.get(self.kind)
        shown = self.value
        if isinstance(self.value, Decimal):
            shown = (quantize(self.value, money) if money else
                     self.value.quantize(Decimal("0.000001") if self.kind == RATE else Decimal("0.01")))
        return {"key": self.key, "label": str(self.label), "kind": self.kind, "value": _json(shown),
                "exact": _json(self.value), "source": self.source,
                "source_label": str(SOURCE_LABELS[self.source]), "currency": money}


@dataclass
class ScenarioResult:
    kind: str
    currency: str
    assumptions: dict[str, Assumption]
    figures: dict[str, Any]

    def value(self, key: str):
        return self.assumptions[key].value

    def to_dict(self) -> dict:
        """JSON-ready: money rounded to the base currency's minor unit, percentages to two places, counts of
        orders and units needed rounded up, all numbers as strings (None stays None)."""
        figures = {}
        for key, value in self.figures.items():
            figures[key] = {"value": _edge(value, FIGURE_KINDS.get(key, MONEY), self.currency),
                            "label": str(FIGURE_LABELS.get(key, key)), "kind": FIGURE_KINDS.get(key, MONEY)}
        local = self.assumptions.get("local_currency")
        return {"kind": self.kind, "currency": self.currency,
                "assumptions": [a.to_dict(self.currency, local.value if local else None)
                                for a in self.assumptions.values()],
                "figures": figures}


def _json(value):
    return str(value) if isinstance(value, Decimal) else value


def _edge(value, kind: str, currency: str):
    from chuhai.core.money import quantize

    if value is None:
        return None
    if kind == COUNT:
        return str(max(math.ceil(value), 0))
    if kind in (PERCENT, DAYS):
        return str(Decimal(value).quantize(Decimal("0.01")))
    if kind == TEXT:
        return value
    return str(quantize(value, currency))


# -- the assumptions of each scenario ------------------------------------------------------------------------------

MOVE_FIELDS = (
    Field("sku", _l("SKU"), TEXT),
    Field("from_channel", _l("Channel it sells on now"), TEXT),
    Field("acquisition_cost_per_order", _l("Acquisition cost per order on the site"), MONEY),
    Field("price_on_site", _l("Price on the site (VAT excluded)"), MONEY),
    Field("payment_fee_percent", _l("Site payment fee %"), PERCENT),
    Field("payment_fee_per_order", _l("Site payment fee per order"), MONEY, default=ZERO),
    Field("own_fulfilment_per_unit", _l("Own fulfilment cost per unit"), MONEY),
    Field("cogs_per_unit", _l("Cost of goods per unit"), MONEY),
    Field("units_per_order", _l("Units per order"), COUNT, default=Decimal(1)),
    Field("platform_contribution_per_unit", _l("Platform contribution per unit"), MONEY, signed=True),
    Field("platform_price_per_unit", _l("Platform net price per unit"), MONEY, required=False),
    Field("platform_monthly_contribution", _l("Platform contribution per month"), MONEY, signed=True),
)
DROPSHIP_FIELDS = (
    Field("sku", _l("SKU"), TEXT, required=False),
    Field("unit_price", _l("Price per unit (VAT excluded)"), MONEY),
    Field("selling_costs_per_unit", _l("Selling costs per unit (fees, ads, postage)"), MONEY, default=ZERO),
    Field("dropship_price", _l("Dropship supplier price per unit, shipping included"), MONEY),
    Field("purchase_cost", _l("Own purchase cost per unit"), MONEY),
    Field("freight_per_unit", _l("Freight per unit"), MONEY),
    Field("storage_per_unit_month", _l("Storage per unit and month"), MONEY),
    Field("stock_months", _l("Months of stock held"), MONTHS),
    Field("supplier_terms_days", _l("Supplier payment terms (days)"), DAYS, default=ZERO),
    Field("dropship_terms_days", _l("Dropship supplier payment terms (days)"), DAYS, default=ZERO),
    Field("payout_delay_days", _l("Platform payout delay (days)"), DAYS),
    Field("monthly_units", _l("Units sold per month"), COUNT, required=False),
)
MARKET_FIELDS = (
    Field("sku", _l("SKU"), TEXT),
    Field("market", _l("Target market"), COUNTRY),
    Field("price_local", _l("Price in the market's currency (as the buyer sees it)"), LOCAL_MONEY),
    Field("local_currency", _l("Market currency"), CURRENCY),
    Field("fx_rate", _l("Exchange rate (base currency per unit of the market's)"), RATE),
    Field("vat_percent", _l("VAT rate in the price (%)"), PERCENT),
    Field("platform", _l("Platform"), TEXT),
    Field("referral_fee_percent", _l("Referral fee %"), PERCENT),
    Field("fulfilment_per_unit", _l("Fulfilment cost per unit in the market"), MONEY),
    Field("purchase_cost", _l("Purchase cost per unit"), MONEY),
    Field("first_leg_freight_per_unit", _l("First-leg freight per unit"), MONEY),
    Field("duty_percent", _l("Import duty %"), PERCENT, default=ZERO),
    Field("advertising_per_unit", _l("Advertising per unit"), MONEY, default=ZERO),
    Field("current_market", _l("Current market"), TEXT, required=False),
    Field("current_contribution_per_unit", _l("Contribution per unit in the current market"), MONEY,
          required=False, signed=True),
    Field("current_margin_percent", _l("Margin in the current market (%)"), PERCENT, required=False, signed=True),
)

FIGURE_LABELS = {
    "platform_contribution_per_unit": _l("Platform contribution per unit"),
    "platform_margin_percent": _l("Platform margin %"),
    "site_contribution_before_acquisition": _l("Site contribution per unit before acquisition"),
    "acquisition_per_unit": _l("Acquisition cost per unit"),
    "site_contribution_per_unit": _l("Site contribution per unit"),
    "site_margin_percent": _l("Site margin %"),
    "difference_per_unit": _l("Site minus platform, per unit"),
    "break_even_acquisition_cost": _l("Break-even acquisition cost per order"),
    "matching_acquisition_cost": _l("Acquisition cost per order at which the site matches the platform"),
    "site_units_per_month": _l("Units a month on the site to match the platform's contribution"),
    "site_orders_per_month": _l("Orders a month on the site to match the platform's contribution"),
    "dropship_margin_per_unit": _l("Dropship margin per unit"),
    "dropship_margin_percent": _l("Dropship margin %"),
    "stock_cost_per_unit": _l("Cost per unit when holding stock"),
    "stock_margin_per_unit": _l("Holding-stock margin per unit"),
    "stock_margin_percent": _l("Holding-stock margin %"),
    "dropship_cash_cycle_days": _l("Dropship cash conversion cycle (days)"),
    "stock_cash_cycle_days": _l("Holding-stock cash conversion cycle (days)"),
    "stock_days_inventory": _l("Days of inventory"),
    "dropship_cash_tied_up": _l("Cash tied up, dropship"),
    "stock_cash_tied_up": _l("Cash tied up, holding stock"),
    "price_base": _l("Price in the base currency"),
    "vat_per_unit": _l("VAT per unit"),
    "net_price": _l("Net price per unit"),
    "referral_fee": _l("Referral fee per unit"),
    "landed_cost": _l("Landed cost per unit"),
    "contribution_per_unit": _l("Contribution per unit"),
    "margin_percent": _l("Margin %"),
    "difference_per_unit_vs_current": _l("Contribution per unit against the current market"),
    "margin_points_vs_current": _l("Margin points against the current market"),
}
FIGURE_KINDS = {key: (PERCENT if key.endswith("percent") or key == "margin_points_vs_current"
                      else DAYS if key.endswith("_days") or key == "stock_days_inventory"
                      else COUNT if key in ("site_units_per_month", "site_orders_per_month") else MONEY)
                for key in FIGURE_LABELS}


# -- pure computations ------------------------------------------------------------------------------------------------

def _div(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or not b else a / b


def compute_move_to_own_site(v: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of moving a SKU to the own site (formulas: module docstring)."""
    price, upo = v["price_on_site"], v["units_per_order"]
    platform = v["platform_contribution_per_unit"]
    before = (price - price * v["payment_fee_percent"] / HUNDRED - v["payment_fee_per_order"] / upo
              - v["own_fulfilment_per_unit"] - v["cogs_per_unit"])
    acquisition = v["acquisition_cost_per_order"] / upo
    site = before - acquisition
    monthly = v["platform_monthly_contribution"]
    units = (max(monthly, ZERO) / site) if site > 0 else None
    return {
        "platform_contribution_per_unit": platform,
        "platform_margin_percent": metrics.margin_percent(platform, v.get("platform_price_per_unit")),
        "site_contribution_before_acquisition": before,
        "acquisition_per_unit": acquisition,
        "site_contribution_per_unit": site,
        "site_margin_percent": metrics.margin_percent(site, price),
        "difference_per_unit": site - platform,
        "break_even_acquisition_cost": before * upo,
        "matching_acquisition_cost": (before - platform) * upo,
        "site_units_per_month": units,
        "site_orders_per_month": None if units is None else units / upo,
    }


def compute_dropship_vs_stock(v: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of dropshipping against holding stock (formulas: module docstring)."""
    price, selling = v["unit_price"], v["selling_costs_per_unit"]
    dropship_margin = price - selling - v["dropship_price"]
    stock_cost = v["purchase_cost"] + v["freight_per_unit"] + v["storage_per_unit_month"] * v["stock_months"]
    stock_margin = price - selling - stock_cost
    days_inventory = v["stock_months"] * DAYS_PER_MONTH
    dropship_cycle = v["payout_delay_days"] - v["dropship_terms_days"]
    stock_cycle = days_inventory + v["payout_delay_days"] - v["supplier_terms_days"]
    monthly = v.get("monthly_units")
    figures = {
        "dropship_margin_per_unit": dropship_margin,
        "dropship_margin_percent": metrics.margin_percent(dropship_margin, price),
        "stock_cost_per_unit": stock_cost,
        "stock_margin_per_unit": stock_margin,
        "stock_margin_percent": metrics.margin_percent(stock_margin, price),
        "stock_days_inventory": days_inventory,
        "dropship_cash_cycle_days": dropship_cycle,
        "stock_cash_cycle_days": stock_cycle,
        "dropship_cash_tied_up": None,
        "stock_cash_tied_up": None,
    }
    if monthly is not None:
        figures["dropship_cash_tied_up"] = monthly * v["dropship_price"] / DAYS_PER_MONTH * dropship_cycle
        figures["stock_cash_tied_up"] = (monthly * (v["purchase_cost"] + v["freight_per_unit"]) / DAYS_PER_MONTH
                                         * stock_cycle)
    return figures


def compute_add_market(v: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of selling the SKU in a new market (formulas: module docstring)."""
    from chuhai.finance.vat import split_vat

    price = v["price_local"] * v["fx_rate"]
    net, vat = split_vat(price, v["vat_percent"])
    referral = price * v["referral_fee_percent"] / HUNDRED
    landed = (v["purchase_cost"] + v["first_leg_freight_per_unit"]) * (1 + v["duty_percent"] / HUNDRED)
    contribution = net - referral - v["fulfilment_per_unit"] - v["advertising_per_unit"] - landed
    margin = metrics.margin_percent(contribution, net)
    current, current_margin = v.get("current_contribution_per_unit"), v.get("current_margin_percent")
    return {
        "price_base": price, "vat_per_unit": vat, "net_price": net, "referral_fee": referral,
        "landed_cost": landed, "contribution_per_unit": contribution, "margin_percent": margin,
        "difference_per_unit_vs_current": None if current is None else contribution - current,
        "margin_points_vs_current": None if current_margin is None or margin is None else margin - current_margin,
    }


# -- prefills from the ledger -----------------------------------------------------------------------------------------

@dataclass
class Context:
    today: dt.date
    finance: bool
    base: str

    @property
    def lookback(self) -> tuple[dt.date, dt.date]:
        from chuhai.analytics.stage import add_months

        this_month = self.today.replace(day=1)
        return add_months(this_month, -LOOKBACK_MONTHS), this_month - dt.timedelta(days=1)


Prefill = dict[str, tuple[Any, str]]


def _economics(by: str, ctx: Context, **filters):
    from .economics import unit_economics

    start, end = ctx.lookback
    return unit_economics(by, date_from=start, date_to=end, filters=filters)


def _product(sku: str):
    from chuhai.catalog.models import Product

    return Product.objects.filter(sku=sku).first()


def _purchase_cost(sku: str, ctx: Context) -> Decimal | None:
    """The product's purchase cost in the base currency at today's rate (or the latest known)."""
    from chuhai.finance.fx import FxConverter

    product = _product(sku)
    if product is None or product.purchase_cost is None or not product.cost_currency:
        return None
    rate = rate_today(FxConverter(), product.cost_currency, ctx.base, ctx.today)
    return None if rate is None else product.purchase_cost * rate


def _sku_channels(sku: str, ctx: Context):
    """The SKU's unit economics per channel over the lookback, largest net revenue first."""
    return [row for row in _economics("channel", ctx, sku=sku) if row.units > 0]


def _platform_ids() -> list[str]:
    """The marketplace platforms' ids (amazon, ebay…): not the own-site or distribution platforms."""
    from chuhai.channels.models import OperatingModel, Platform, default_model_for

    return [p for p in Platform.values if default_model_for(p) == OperatingModel.PLATFORM]


def _check_platform(key: str, channel: str) -> None:
    """``channel`` must be a marketplace platform's id: the own site and distribution have no platform fees to
    compare or to charge."""
    allowed = _platform_ids()
    if channel not in allowed:
        raise ScenarioError(_("%(key)s: %(value)r is not a platform; choose one of %(allowed)s") % {
            "key": key, "value": channel, "allowed": ", ".join(allowed)})


def prefill_move(given: Mapping[str, Any], ctx: Context) -> Prefill:
    from chuhai.channels.models import ChannelAccount, OperatingModel
    from chuhai.finance.estimates import pick_schedule, valid_schedules
    from chuhai.finance.fees import FeeScheduleKind
    from chuhai.finance.fx import FxConverter

    out: Prefill = {}
    sku, channel = given.get("sku"), given.get("from_channel")
    account = ChannelAccount.objects.filter(code=channel).first() if channel else None
    if account is not None:
        _check_platform("from_channel", channel_key(account))
    elif channel:
        _check_platform("from_channel", channel)
    if sku and ctx.finance:
        if account is not None:  # one account of the channel: its own figures
            found = [row for row in _economics("channel", ctx, sku=sku, account=account.code) if row.units > 0]
            rows = {channel: found[0]} if found else {}
        else:
            rows = {row.key: row for row in _sku_channels(sku, ctx)}
        if not channel:
            channel = next((key for key in rows if key in _platform_ids()), None)
            if channel:
                out["from_channel"] = (channel, LEDGER)
        row = rows.get(channel) if channel else None
        if row is not None:
            out["platform_contribution_per_unit"] = (row.contribution_per_unit, LEDGER)
            out["platform_price_per_unit"] = (row.per_unit("revenue"), LEDGER)
            out["platform_monthly_contribution"] = (row.contribution / LOOKBACK_MONTHS, LEDGER)
            out["price_on_site"] = (row.per_unit("revenue"), LEDGER)
            out["cogs_per_unit"] = (-row.per_unit("cogs"), LEDGER)
            if row.orders:
                out["units_per_order"] = (Decimal(row.units) / row.orders, LEDGER)
    if ctx.finance:
        site = next((r for r in _economics("channel", ctx) if r.key == OWN_SITE and r.units > 0), None)
        if site is not None and site.logistics:
            out["own_fulfilment_per_unit"] = (-site.per_unit("logistics"), LEDGER)
    account = ChannelAccount.objects.filter(operating_model=OperatingModel.OWN_SITE, is_active=True).first()
    platform, market = (account.platform, account.marketplace) if account else ("shopify", "US")
    schedule = pick_schedule(list(valid_schedules(ctx.today, platform=platform, marketplace=market,
                                                  kind=FeeScheduleKind.PAYMENT_PERCENT)), market)
    if schedule is not None and schedule.percent is not None:
        out["payment_fee_percent"] = (schedule.percent, REFERENCE)
    fixed = pick_schedule(list(valid_schedules(ctx.today, platform=platform, marketplace=market,
                                               kind=FeeScheduleKind.PAYMENT_FIXED)), market)
    if fixed is not None and fixed.amount is not None:
        rate = rate_today(FxConverter(), fixed.currency, ctx.base, ctx.today)
        if rate is not None:
            out["payment_fee_per_order"] = (fixed.amount * rate, REFERENCE)
    return out


def prefill_dropship(given: Mapping[str, Any], ctx: Context) -> Prefill:
    from chuhai.analytics.metric_layer import MetricError, run

    out: Prefill = {}
    sku = given.get("sku")
    if not sku:
        return out
    cost = _purchase_cost(sku, ctx)
    if cost is not None:
        out["purchase_cost"] = (cost, LEDGER)
    start, end = ctx.lookback
    if ctx.finance:
        rows = [r for r in _economics("sku", ctx, sku=sku) if r.key == sku and r.units > 0]
        if rows:
            row = rows[0]
            out["unit_price"] = (row.per_unit("revenue"), LEDGER)
            out["selling_costs_per_unit"] = (
                -(row.platform_fees + row.advertising + row.logistics) / row.units, LEDGER)
    units = run("units", filters={"sku": [sku]}, date_from=start, date_to=end).rows[0]["units"] or 0
    if units > 0:
        out["monthly_units"] = (Decimal(units) / LOOKBACK_MONTHS, LEDGER)
    try:
        cover = run("days_of_cover", filters={"sku": [sku]}, date_from=start, date_to=end).rows[0]["days_of_cover"]
    except (MetricError, KeyError):
        cover = None
    if cover is not None:
        out["stock_months"] = (Decimal(cover) / DAYS_PER_MONTH, LEDGER)
    return out


def prefill_market(given: Mapping[str, Any], ctx: Context) -> Prefill:
    from chuhai.analytics.metric_layer import run
    from chuhai.channels.models import default_currency_for
    from chuhai.finance.estimates import pick_schedule, valid_schedules
    from chuhai.finance.fees import FeeScheduleKind
    from chuhai.finance.fx import FxConverter
    from chuhai.finance.vat import prices_include_vat, vat_rate

    out: Prefill = {}
    sku, market = given.get("sku"), given.get("market")
    if market:
        currency = given.get("local_currency") or default_currency_for(market)
        if not given.get("local_currency"):
            out["local_currency"] = (currency, REFERENCE)
        rate = rate_today(FxConverter(), currency, ctx.base, ctx.today)
        if rate is not None:
            out["fx_rate"] = (rate, REFERENCE)
        rate_vat = vat_rate(market, ctx.today) if prices_include_vat(market) else ZERO
        if rate_vat is not None:
            out["vat_percent"] = (rate_vat, REFERENCE)
    if not sku:
        return out
    cost = _purchase_cost(sku, ctx)
    if cost is not None:
        out["purchase_cost"] = (cost, LEDGER)
    platform = given.get("platform")
    if platform:
        _check_platform("platform", platform)
    if ctx.finance:
        channels = _sku_channels(sku, ctx)
        if not platform:
            platform = next((r.key for r in channels if r.key in _platform_ids()), None)
            if platform:
                out["platform"] = (platform, LEDGER)
        start, end = ctx.lookback
        markets = run("net_sales", by="marketplace", filters={"sku": [sku]}, date_from=start, date_to=end,
                      sort="-net_sales").rows
        current = next((r["marketplace"] for r in markets if r["marketplace"] and (r["net_sales"] or 0) > 0), None)
        total = [r for r in _economics("sku", ctx, sku=sku) if r.key == sku and r.units > 0]
        if total:
            out["advertising_per_unit"] = (-total[0].per_unit("advertising"), LEDGER)
        if current:
            out["current_market"] = (current, LEDGER)
            here = [r for r in _economics("sku", ctx, sku=sku, marketplace=current) if r.key == sku and r.units > 0]
            if here:
                out["current_contribution_per_unit"] = (here[0].contribution_per_unit, LEDGER)
                if here[0].margin_percent is not None:
                    out["current_margin_percent"] = (here[0].margin_percent, LEDGER)
    if platform and market:
        product = _product(sku)
        rows = list(valid_schedules(ctx.today, platform=platform, marketplace=market,
                                    kind=FeeScheduleKind.REFERRAL_PERCENT))
        schedule = pick_schedule(rows, market, product.category if product else "")
        if schedule is not None and schedule.percent is not None:
            out["referral_fee_percent"] = (schedule.percent, REFERENCE)
    return out


@dataclass(frozen=True)
class Kind:
    fields: tuple[Field, ...]
    prefill: Callable[[Mapping[str, Any], Context], Prefill]
    compute: Callable[[Mapping[str, Any]], dict[str, Any]]


KINDS: dict[str, Kind] = {
    "move_to_own_site": Kind(MOVE_FIELDS, prefill_move, compute_move_to_own_site),
    "dropship_vs_stock": Kind(DROPSHIP_FIELDS, prefill_dropship, compute_dropship_vs_stock),
    "add_market": Kind(MARKET_FIELDS, prefill_market, compute_add_market),
}


def scenario_fields(kind: str) -> tuple[Field, ...]:
    """The assumptions of scenario ``kind`` in the order a form shows them (key, label, kind, required)."""
    if kind not in KINDS:
        raise ScenarioError(_("unknown scenario %(kind)r; choose one of %(choices)s") % {
            "kind": kind, "choices": ", ".join(KINDS)})
    return KINDS[kind].fields


# -- parsing and running ------------------------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_value(f: Field, raw) -> Any:
    """One assumption checked and typed; :class:`ScenarioError` naming it when it is not acceptable."""
    from chuhai.core.countries import normalize_country
    from chuhai.core.money import normalize_currency

    if f.kind == TEXT:
        return str(raw).strip()
    if f.kind == COUNTRY:
        try:
            return normalize_country(str(raw))
        except ValidationError:
            raise ScenarioError(_("%(key)s: %(value)r is not an ISO 3166 country code (US, DE, JP…)") % {
                "key": f.key, "value": raw}) from None
    if f.kind == CURRENCY:
        try:
            return normalize_currency(str(raw))
        except ValidationError:
            raise ScenarioError(_("%(key)s: %(value)r is not an ISO 4217 currency code") % {
                "key": f.key, "value": raw}) from None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ScenarioError(_("%(key)s: %(value)r is not a number") % {"key": f.key, "value": raw})
    try:
        number = Decimal(str(raw).strip().replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise ScenarioError(_("%(key)s: %(value)r is not a number") % {"key": f.key, "value": raw}) from None
    if not number.is_finite():
        raise ScenarioError(_("%(key)s: %(value)r is not a number") % {"key": f.key, "value": raw})
    if number < 0 and not f.signed:
        raise ScenarioError(_("%(key)s: %(value)s cannot be negative") % {"key": f.key, "value": raw})
    if f.kind == PERCENT and not f.signed and number >= HUNDRED:
        raise ScenarioError(_("%(key)s: %(value)s is a percentage and must be below 100") % {
            "key": f.key, "value": raw})
    if f.kind == COUNT and f.required and number == 0:
        raise ScenarioError(_("%(key)s: must be more than 0") % {"key": f.key})
    if f.kind == RATE and number == 0:
        raise ScenarioError(_("%(key)s: an exchange rate must be more than 0") % {"key": f.key})
    return number


def run_scenario(kind: str, assumptions: Mapping, *, today: dt.date | None = None, user=None) -> ScenarioResult:
    """Run scenario ``kind`` on ``assumptions`` (key → string or Decimal; blank = let the ledger or the default
    answer). The ledger's profit figures prefill only for ``user`` None or with ``finance.access_finance``.
    Raises :class:`ScenarioError` for an unknown kind or assumption, a bad value or a missing one."""
    from chuhai.analytics.dashboards import company_today
    from chuhai.analytics.profit import base_currency

    spec = KINDS.get(kind)
    if spec is None:
        raise ScenarioError(_("unknown scenario %(kind)r; choose one of %(choices)s") % {
            "kind": kind, "choices": ", ".join(KINDS)})
    fields = {f.key: f for f in spec.fields}
    unknown = sorted(str(k) for k in assumptions if k not in fields)
    if unknown:
        raise ScenarioError(_("unknown assumption %(keys)s for %(kind)s; allowed: %(allowed)s") % {
            "keys": ", ".join(unknown), "kind": kind, "allowed": ", ".join(fields)})
    given = {key: parse_value(fields[key], raw) for key, raw in assumptions.items() if not _blank(raw)}
    ctx = Context(today=today or company_today(), finance=may_see_finance(user), base=base_currency())
    prefilled = spec.prefill(given, ctx)
    resolved: dict[str, Assumption] = {}
    for f in spec.fields:
        if f.key in given:
            value, source = given[f.key], USER
        elif f.key in prefilled and prefilled[f.key][0] is not None:
            value, source = prefilled[f.key]
        elif f.default is not None:
            value, source = f.default, DEFAULT
        elif f.required:
            raise ScenarioError(_("%(key)s (%(label)s) is missing: your data cannot answer it, enter it") % {
                "key": f.key, "label": f.label})
        else:
            continue
        resolved[f.key] = Assumption(f.key, f.label, f.kind, value, source)
    values = {key: a.value for key, a in resolved.items()}
    return ScenarioResult(kind, ctx.base, resolved, spec.compute(values))


def move_to_own_site(assumptions: Mapping, **kwargs) -> ScenarioResult:
    return run_scenario("move_to_own_site", assumptions, **kwargs)


def dropship_vs_stock(assumptions: Mapping, **kwargs) -> ScenarioResult:
    return run_scenario("dropship_vs_stock", assumptions, **kwargs)


def add_market(assumptions: Mapping, **kwargs) -> ScenarioResult:
    return run_scenario("add_market", assumptions, **kwargs)


def save_scenario(kind: str, name: str, assumptions: Mapping, user, *, today: dt.date | None = None):
    """Run the scenario and keep it: the assumptions as entered and the result (with every assumption resolved
    and its source), as :class:`chuhai.strategy.models.Scenario`. Raises :class:`ScenarioError` (nothing
    stored) for a bad scenario or a blank name, :class:`PermissionDenied` for a user who may not add one."""
    from .models import Scenario

    if user is not None and getattr(user, "is_authenticated", False) and not user.has_perm("strategy.add_scenario"):
        raise PermissionDenied(_("You may not save scenarios."))
    name = (name or "").strip()
    if not name:
        raise ScenarioError(_("name: a saved scenario needs a name"))
    result = run_scenario(kind, assumptions, today=today, user=user)
    entered = {str(k): _json(v) for k, v in assumptions.items() if not _blank(v)}
    return Scenario.objects.create(
        name=name[:200], kind=kind, assumptions=entered, result=result.to_dict(),
        created_by=user if getattr(user, "is_authenticated", False) else None)
