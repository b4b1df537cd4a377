"""The profit engine: rebuilds :class:`~chuhai.finance.profit_facts.ProfitFact` from orders, the fee ledger, the
fee estimates and the costs of sale.

:func:`recompute` deletes and rebuilds, in one transaction, the rows of the orders purchased in a date range and of
the period fees posted in it. The range is widened to whole months (a period fee is spread over its month's sales,
so a month is always rebuilt whole); no range means everything. Imports do **not** recompute profit yet: run
``chuhai profit rebuild`` (or call :func:`recompute`) after importing orders, settlements or costs.

**Speed.** A big run (a million order lines) is computed by worker processes (one more than the CPUs) while the
calling process stores the rows (:mod:`chuhai.finance.profit_workers`), and on SQLite the profit table's indexes are built once
after the rows are written instead of being kept in order row by row. Inputs are read per chunk of orders with a
plain cursor; every lookup (rates, VAT rates, local dates, fee schedules) is cached for the run; the cycle
collector is paused while it runs. Figures: ``benchmarks/README.md``.

**Day and money.** A row's ``day`` is the purchase date in the company's time zone (period rows: the first day of
the month the fee was posted in, also in that zone). Amounts are in the base currency, unrounded except for the
storage's six decimal places: each part is stored to six places and ``profit`` is the plain sum of the stored
:data:`~chuhai.analytics.metrics.CONTRIBUTION_PARTS`, so it ties out exactly. Order amounts convert at the order's
``fx_rate`` (its purchase date); ledger lines at their ``base_amount``, else at the rate of their posting date
(:class:`~chuhai.finance.fx.FxConverter`).

**Revenue** is the goods value *before* promotions — the line amount (``gross_amount``) or the settlement's
``principal`` — less the VAT in it; discounts and promotions are their own negative column (``promotions``), as the
settlements report them, so an estimated row and the settled row that replaces it are comparable and margin % is
contribution ÷ net revenue (:func:`chuhai.analytics.metrics.margin_percent`). Credit documents (negative quantities)
go to ``refunds``. ``gross_sales`` is what the buyer was charged for goods and shipping less promotions, VAT
included where prices include it, other taxes excluded. Pending and cancelled orders and cancelled items have a row
with no sales (and whatever their ledger lines say).

**Settled or estimated.** An order with at least one ledger line linked to it (any category but reserve and
transfer) is *settled*: every money figure comes from its lines and nothing is estimated (so a Shopify order
settles with its payments fee, although it has no referral or fulfilment fee; :func:`chuhai.finance.estimates.
is_settled` only looks at those two). A line with a SKU goes to the order's line(s) of that channel SKU, otherwise
it is spread over the order's lines by goods value (then units, then evenly). An order without lines is
*estimated*: revenue from the order, fees from the fee schedules by the rules of
:class:`~chuhai.finance.estimates.FeeEstimator` (:class:`Estimates` applies them with every lookup cached; negated:
estimates are positive, costs negative); the estimates are replaced by the actuals as soon as a settlement is
imported and profit recomputed. Ledger lines are linked to orders imported after them first
(:func:`chuhai.finance.categorise.link_orders`).

**Columns by fee category** (``fees`` keeps every category's amount as a decimal string, as it counts in the row):

- ``revenue``: principal; ``shipping_income``: shipping_income, gift_wrap_income; ``promotions``: promotion;
  ``refunds``: refund (and credit documents); ``reimbursements``: reimbursement;
- ``platform_fees``: referral_fee, refund_commission, fulfilment_fee, transaction_fee, service_fee, coupon_deal;
- ``advertising``: advertising; ``logistics``: shipping_label (postage bought through the platform is the
  carrier's cost, not the platform's);
- ``other_fees``: storage_fee, inbound_fee, subscription, withdrawal_fee, fx_spread, other, unknown, and the
  VAT on fees when it is not recoverable (``fees["fee_vat"]``);
- in no column (never revenue, never profit): tax_collected, marketplace_tax, reserve, transfer — kept in ``fees``.

**VAT** (:mod:`chuhai.finance.vat`). On a marketplace whose prices include VAT (EU, GB, NO, CH) the principal,
shipping, promotions and refunds are split at the sale's rate (ship-to country in the EU since 2021-07-01, else
the marketplace's; exports 0) and only the net counts; the VAT goes to ``vat`` (not a contribution part). When the
settlement reports the order's tax on separate lines (``tax_collected``), the principal is taken as net already
and those lines are the VAT. Marketplace-collected tax (``marketplace_tax``, the US facilitator tax, UK/EU
marketplace VAT) is never revenue. Elsewhere the order's tax cells are outside the line amounts and are ignored.
Fees on such a marketplace are charged plus VAT at the marketplace's rate (:data:`FEE_LINES_INCLUDE_VAT`): the
ledger's fee lines are split into net fee and VAT; the fee schedules are net, so estimates add the VAT. When
``FinanceSettings.vat_on_fees_recoverable`` the VAT is reclaimed and excluded; otherwise it is a cost in
``other_fees``. (The taxonomy has no category for separate fee-VAT lines; a line mapped to ``other`` counts as
another fee.)

**Cost of goods** is minus the sum of the line's :class:`~chuhai.finance.cost_layers.CostOfSale` rows
(``cogs_estimated`` when one has no layer); without rows, the product's standard cost (``purchase_cost`` in
``cost_currency`` × quantity, at the purchase date's rate) and ``cogs_estimated``; an unmapped SKU or a product
without cost has COGS 0, estimated. Logistics other than platform labels (own-carrier postage) is not known here.

**Period fees**: ledger lines of no order (no order and no order id: storage, subscription, advertising, inbound,
service fees, reimbursements…) are grouped per channel account × posting month. A line with a SKU goes to that SKU;
the others are spread over the SKUs the account sold that month by ``FinanceSettings.fee_allocation_basis``:
net revenue, units, or volume (units × the product's length × width × height; a basis that sums to zero falls back
to units). Advertising is spread by each SKU's Sponsored Products spend that month
(:class:`~chuhai.analytics.models.AdPerformance`, by advertised SKU) when there is any, else by the basis. Ad spend
counts as the ledger bills it (Cost of Advertising); the ads report only gives the shares. Each SKU gets one
ALLOCATED row per account × month (units 0, ``settled`` true); a month with no sales to carry its fees gets one
UNALLOCATED row. Lines with an order id whose order is not imported are left out and counted
(``unlinked_ledger_lines``).
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from chuhai.analytics.metrics import CONTRIBUTION_PARTS
from chuhai.core import bulk
from chuhai.orders.models import SALE_STATUSES

from .cost_layers import COST_PLACES
from .estimates import ORDER_LEVEL_KINDS, UNKNOWN_TIER, pick_schedule, size_info
from .fees import FeeCategory as C
from .fees import FeeScheduleKind
from .fx import FxConverter, FxRateMissing
from .profit_facts import FactKind, ProfitFact
from .vat import prices_include_vat, sale_vat_rate, split_vat, vat_on, vat_rate

ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ONE_WEIGHT = (Decimal(1),)
# plain strings: comparing with an enum member costs an attribute lookup through the enum machinery per call
REFERRAL, FULFILMENT, TRANSACTION = str(C.REFERRAL_FEE), str(C.FULFILMENT_FEE), str(C.TRANSACTION_FEE)
PRINCIPAL, TAX_COLLECTED, UNKNOWN = str(C.PRINCIPAL), str(C.TAX_COLLECTED), str(C.UNKNOWN)
REFUND, SHIPPING_INCOME, PROMOTION = str(C.REFUND), str(C.SHIPPING_INCOME), str(C.PROMOTION)
PLACES = Decimal(1).scaleb(-COST_PLACES)
#: Orders read per chunk (their lines, ledger lines and costs are read per chunk too).
CHUNK = 4000
#: A run over fewer orders keeps the profit table's indexes in order as it writes (see :func:`_rebuild_indexes`).
INDEX_REBUILD_MIN_ORDERS = 50_000
#: Fee lines of marketplaces with VAT-inclusive prices include the VAT the platform charges on its fees.
FEE_LINES_INCLUDE_VAT = True

COLUMN = {
    C.PRINCIPAL: "revenue",
    C.SHIPPING_INCOME: "shipping_income", C.GIFT_WRAP_INCOME: "shipping_income",
    C.PROMOTION: "promotions",
    C.REFUND: "refunds",
    C.REIMBURSEMENT: "reimbursements",
    C.REFERRAL_FEE: "platform_fees", C.REFUND_COMMISSION: "platform_fees", C.FULFILMENT_FEE: "platform_fees",
    C.TRANSACTION_FEE: "platform_fees", C.SERVICE_FEE: "platform_fees", C.COUPON_DEAL: "platform_fees",
    C.ADVERTISING: "advertising",
    C.SHIPPING_LABEL: "logistics",
    C.STORAGE_FEE: "other_fees", C.INBOUND_FEE: "other_fees", C.SUBSCRIPTION: "other_fees",
    C.WITHDRAWAL_FEE: "other_fees", C.FX_SPREAD: "other_fees", C.OTHER: "other_fees", C.UNKNOWN: "other_fees",
}
COLUMN = {str(k): v for k, v in COLUMN.items()}
#: In ``fees`` only: never revenue, never profit.
EXCLUDED = frozenset(str(c) for c in (C.TAX_COLLECTED, C.MARKETPLACE_TAX, C.RESERVE, C.TRANSFER))
#: Lines of these categories do not make an order settled (they are not about the sale).
NOT_SETTLING = frozenset(str(c) for c in (C.RESERVE, C.TRANSFER))
#: Buyer-paid amounts that carry VAT on VAT-inclusive marketplaces.
VAT_INCLUSIVE = frozenset(str(c) for c in (C.PRINCIPAL, C.SHIPPING_INCOME, C.GIFT_WRAP_INCOME, C.PROMOTION,
                                           C.REFUND))
#: Charged on top of the price: gross_sales counts them.
CHARGED = frozenset(str(c) for c in (C.PRINCIPAL, C.SHIPPING_INCOME, C.GIFT_WRAP_INCOME, C.PROMOTION))
#: What the platform charges us (VAT on fees applies to these).
FEE_CATEGORIES = frozenset(k for k, v in COLUMN.items()
                           if v in ("platform_fees", "advertising", "logistics")
                           or k in (C.STORAGE_FEE, C.INBOUND_FEE, C.SUBSCRIPTION))
#: Lines of no order that are not period fees (revenue without an order, taxes, money movements).
NOT_PERIOD = frozenset(str(c) for c in (C.PRINCIPAL, C.SHIPPING_INCOME, C.GIFT_WRAP_INCOME, C.PROMOTION, C.REFUND,
                                        C.TAX_COLLECTED, C.MARKETPLACE_TAX, C.RESERVE, C.TRANSFER))
ORDER_LINE = FactKind.ORDER_LINE.value
SALE = frozenset(str(s) for s in SALE_STATUSES)
AMOUNT_FIELDS = ("gross_sales", "vat", *CONTRIBUTION_PARTS)

FACT_FIELDS = ("kind", "order_line_id", "order_id", "account_id", "product_id", "sku", "listing_sku", "marketplace",
               "ship_country", "day", "month", "units", "currency", *AMOUNT_FIELDS, "profit", "fees", "settled",
               "cogs_estimated", "computed_at")


@dataclass
class Summary:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    orders: int = 0
    lines: int = 0
    settled_lines: int = 0
    cogs_estimated: int = 0
    allocated_rows: int = 0
    unallocated_rows: int = 0
    unallocated_amount: Decimal = ZERO
    period_fees: Decimal = ZERO
    unlinked_ledger_lines: int = 0
    fees_not_estimated: int = 0
    fx_missing: list[str] = field(default_factory=list)
    currency: str = ""
    seconds: float = 0.0
    workers: int = 1  # processes that computed the order rows

    def merge(self, other: Summary) -> None:
        """Add the counts of ``other`` (a worker's share of the run) to these."""
        for name in ("orders", "lines", "settled_lines", "cogs_estimated", "fees_not_estimated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.fx_missing.extend(item for item in other.fx_missing if item not in self.fx_missing)

    @property
    def estimated_lines(self) -> int:
        return self.lines - self.settled_lines

    @property
    def settled_percent(self) -> Decimal | None:
        return None if not self.lines else Decimal(self.settled_lines) * 100 / Decimal(self.lines)


def q6(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_EVEN)


def spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` split in proportion to ``weights`` (≥ 0, not all 0), each share to six places, the rounding
    remainder on the last share: the shares sum to ``amount`` (to six places) exactly."""
    if len(weights) == 1:
        return [amount]
    total = sum(weights, ZERO)
    if not total:
        weights, total = [Decimal(1)] * len(weights), Decimal(len(weights))
    shares = [q6(amount * w / total) for w in weights[:-1]]
    shares.append(amount - sum(shares, ZERO))
    return shares


def _weights(values: list[Decimal], fallback: list[Decimal]) -> list[Decimal]:
    for candidate in (values, fallback):
        if any(v > 0 for v in candidate):
            return [v if v > 0 else ZERO for v in candidate]
    return [Decimal(1)] * len(values)


LUMP_SUM_REPORTED = frozenset(str(c) for c in (C.SHIPPING_INCOME, C.GIFT_WRAP_INCOME, C.PROMOTION,
                                              C.TAX_COLLECTED, C.MARKETPLACE_TAX))


def _lump_sum(ledger, order_total: Decimal, goods: Decimal) -> bool:
    """Whether the ledger reports the buyer's whole payment as one principal amount (a Shopify Payments
    ``charge``: goods, shipping and tax together, less discounts). Then revenue, shipping, promotions and VAT are
    taken from the order, and the ledger gives the fees and refunds. Recognised when the order's principal lines
    sum to its order total (within a cent, both in the order's currency) but not to its goods value (``goods``: the lines' amounts, so the
    total has shipping, tax or discounts in it), and it has no shipping, promotion or tax lines of its own."""
    if not order_total:
        return False
    principal = ZERO
    found = False
    for category, _sku, _base, amount in ledger:
        if category in LUMP_SUM_REPORTED:
            return False
        if category == PRINCIPAL:
            principal += amount
            found = True
    if not found:
        return False
    return abs(principal - order_total) <= CENT and abs(principal - goods) > CENT


class Estimates:
    """The fees :class:`~chuhai.finance.estimates.FeeEstimator` would estimate, by the same rules (see
    :mod:`chuhai.finance.estimates`: the same :func:`~chuhai.finance.estimates.pick_schedule` and
    :func:`~chuhai.finance.estimates.size_info`), without building the explanation texts and with every lookup
    cached: schedules read once, the chosen schedule per (platform, day, market, category, size), the size tier per
    product, the FX rate per (currency pair, day). A million-line recompute cannot afford the per-order version."""

    def __init__(self, fx: FxConverter):
        from .fees import FeeSchedule

        self.fx = fx
        self.schedules = list(FeeSchedule.objects.all())
        self.referral_platforms = {s.platform for s in self.schedules if s.kind == FeeScheduleKind.REFERRAL_PERCENT}
        self._day: dict[tuple, dict[str, list]] = {}
        self._picks: dict[tuple, object] = {}
        self._sizes: dict[int, object] = {}
        self._rates: dict[tuple, Decimal | None] = {}

    def _rows(self, platform: str, day: dt.date) -> dict[str, list]:
        key = (platform, day)
        found = self._day.get(key)
        if found is None:
            found = self._day[key] = defaultdict(list)
            for row in self.schedules:
                if (row.platform == platform and row.valid_from <= day
                        and (row.valid_to is None or row.valid_to >= day)):
                    found[row.kind].append(row)
        return found

    def _pick(self, platform, day, kind, marketplace, category="", tier=None, grams=None, order_level=False):
        key = (platform, day, kind, marketplace, category, tier, grams)
        if key not in self._picks:
            rows = self._rows(platform, day).get(kind, [])
            if order_level:
                rows = [r for r in rows if not r.category]
            self._picks[key] = pick_schedule(rows, marketplace, category, tier, grams)
        return self._picks[key]

    def _in(self, amount: Decimal, schedule, currency: str, day: dt.date) -> Decimal | None:
        if schedule.currency == currency:
            return amount
        key = (schedule.currency, currency, day)
        if key not in self._rates:
            try:
                self._rates[key] = self.fx.rate(schedule.currency, currency, day)
            except FxRateMissing:
                self._rates[key] = None
        rate = self._rates[key]
        return None if rate is None else amount * rate

    def size(self, product):
        found = self._sizes.get(product.pk)
        if found is None:
            found = self._sizes[product.pk] = size_info(product)
        return found

    def order(self, platform, marketplace, currency, day, fba, order_total, lines, products):
        """[(line_no or None, category, positive amount)] and the number of fees that could not be estimated.
        ``lines``: the order's line tuples (see ``LINE_FIELDS``)."""
        fees, skipped = [], 0
        referral = platform in self.referral_platforms
        for ln in lines:
            line_no, product_id, quantity, item_status = ln[1], ln[2], ln[5], ln[6]
            if item_status == "cancelled" or quantity <= 0:
                continue
            product = products.get(product_id)
            category = product.category if product is not None else ""
            if referral:
                schedule = self._pick(platform, day, FeeScheduleKind.REFERRAL_PERCENT, marketplace, category)
                if schedule is None:
                    skipped += 1
                else:
                    fee = (ln[7] - ln[11] + ln[9]) * schedule.percent / HUNDRED
                    if schedule.minimum:
                        minimum = self._in(schedule.minimum, schedule, currency, day)
                        if minimum is None:
                            skipped += 1
                            fee = None
                        elif minimum * quantity > fee:
                            fee = minimum * quantity
                    if fee is not None:
                        fees.append((line_no, REFERRAL, fee))
            if fba:
                info = self.size(product) if product is not None else None
                if info is None or info.tier == UNKNOWN_TIER:
                    skipped += 1
                    continue
                schedule = self._pick(platform, day, FeeScheduleKind.FULFILMENT_PER_UNIT, marketplace, category,
                                      info.tier, info.shipping_weight_g)
                per_unit = None if schedule is None else self._in(schedule.amount, schedule, currency, day)
                if per_unit is None:
                    skipped += 1
                else:
                    fees.append((line_no, FULFILMENT, per_unit * quantity))
        charged = order_total or sum((ln[7] - ln[11] + ln[9] + ln[8] + ln[10] for ln in lines
                                      if ln[6] != "cancelled"), ZERO)
        for kind in ORDER_LEVEL_KINDS:
            schedule = self._pick(platform, day, kind, marketplace, order_level=True)
            if schedule is None:
                continue
            if kind == FeeScheduleKind.PAYMENT_FIXED:
                fee = self._in(schedule.amount, schedule, currency, day)
                if fee is None:
                    skipped += 1
                    continue
            else:
                fee = charged * schedule.percent / HUNDRED
            fees.append((None, TRANSACTION, fee))
        return fees, skipped


class _Row:
    """One fact being built: amounts by column and by category."""

    __slots__ = ("cols", "fees")

    def __init__(self):
        self.cols = dict.fromkeys(AMOUNT_FIELDS, ZERO)
        self.fees: dict[str, Decimal] = {}

    def add(self, column: str | None, category: str, amount: Decimal) -> None:
        if column is not None:
            self.cols[column] += amount
        self.fees[category] = self.fees.get(category, ZERO) + amount

    def finish(self) -> tuple[list[Decimal], Decimal, str]:
        places = PLACES  # quantize's default context rounds half-even, as q6 does
        amounts = [v.quantize(places) if v else ZERO for v in self.cols.values()]  # in AMOUNT_FIELDS order
        profit = sum(amounts[2:], ZERO)  # the CONTRIBUTION_PARTS, as stored
        # JSON by hand (category names need no escaping): json.dumps costs more than the rest of the row
        fees = self.fees
        keys = sorted(fees) if len(fees) > 1 else fees
        fees = "{" + ", ".join([f'"{k}": "{fees[k].quantize(places):f}"' for k in keys]) + "}"
        return amounts, profit, fees


class Engine:
    """One recompute: settings, rates, products and schedules read once."""

    def __init__(self, summary: Summary, now=None):
        from chuhai.catalog.models import Product
        from chuhai.channels.models import ChannelAccount
        from chuhai.core.models import CompanySettings

        from .finance_settings import FinanceSettings

        company = CompanySettings.load()
        settings = FinanceSettings.load()
        self.base = company.base_currency
        self.tz = ZoneInfo(company.time_zone)
        self.basis = settings.fee_allocation_basis
        self.fee_vat_recoverable = settings.vat_on_fees_recoverable
        self.fx = FxConverter()
        self.estimates = Estimates(self.fx)
        self.products = {p.pk: p for p in Product.objects.all()}
        self.product_by_sku = {p.sku: p for p in self.products.values()}
        self.volumes = {p.pk: Decimal(p.length_mm * p.width_mm * p.height_mm) for p in self.products.values()
                        if p.length_mm and p.width_mm and p.height_mm}
        self.accounts = {a[0]: a for a in ChannelAccount.objects.values_list("pk", "code", "platform", "marketplace",
                                                                             "currency")}
        self.summary = summary
        self.summary.currency = self.base
        self._rates: dict[tuple[str, dt.date], Decimal | None] = {}
        self._days: dict[tuple, dt.date | bool] = {}
        self._vat: dict[tuple, tuple] = {}
        self._iso: dict[dt.date, str] = {}
        self.now = now if now is not None else bulk.datetime_adapter()(bulk.now())
        self.sqlite = connection.vendor == "sqlite"
        self.decimals = SqliteDecimals()
        # (account, month) → sku key → [net revenue, units, volume, product id, sku, {listing skus}]
        self.month_basis: dict[tuple[int, dt.date], dict[tuple, list]] = defaultdict(dict)

    # -- helpers --------------------------------------------------------------------------------------------------
    def local_day(self, moment) -> dt.date:
        """The date in the company's time zone of a datetime — aware, or naive UTC as SQLite's raw reads return
        it — cached per UTC hour: when an hour's first and last instants fall on the same local date (always, but
        across the local midnight of a zone with a fractional offset), every instant in it does."""
        if moment.__class__ is str:  # SQLite's text, naive UTC: "2026-03-10 15:00:00[.ffffff]"
            key = moment[:13]
            found = self._days.get(key)
            if found is None:
                found = self._days[key] = self._hour_day(dt.datetime.fromisoformat(key + ":00").replace(
                    tzinfo=dt.UTC))
            if found is False:
                return dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC).astimezone(self.tz).date()
            return found
        if moment.tzinfo is not None:
            return moment.astimezone(self.tz).date()
        key = (moment.year, moment.month, moment.day, moment.hour)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = self._hour_day(dt.datetime(*key, tzinfo=dt.UTC))
        if found is False:
            return moment.replace(tzinfo=dt.UTC).astimezone(self.tz).date()
        return found

    def _hour_day(self, start: dt.datetime):
        """The local date of every instant of the UTC hour from ``start``, or False when it spans two."""
        first = start.astimezone(self.tz).date()
        last = (start + dt.timedelta(minutes=59, seconds=59, microseconds=999999)).astimezone(self.tz).date()
        return first if first == last else False

    def rate(self, currency: str, day: dt.date) -> Decimal | None:
        key = (currency, day)
        if key not in self._rates:
            try:
                self._rates[key] = self.fx.rate(currency, self.base, day)
            except FxRateMissing:
                self._rates[key] = None
                self.summary.fx_missing.append(f"{currency} {day.isoformat()}")
        return self._rates[key]

    def ledger_base(self, amount, currency, base_amount, day) -> Decimal | None:
        """A ledger line in the base currency: its ``base_amount``, else converted at ``day``'s rate."""
        if base_amount is not None:
            return base_amount
        rate = self.rate(currency, day)
        return None if rate is None else amount * rate

    def fee_vat_rate(self, marketplace: str, day: dt.date) -> Decimal | None:
        if not prices_include_vat(marketplace):
            return None
        return vat_rate(marketplace, day)

    def add_fee(self, row: _Row, category: str, amount: Decimal, fee_rate: Decimal | None, inclusive: bool) -> None:
        """A fee as charged (``inclusive``: the amount includes the VAT on it) or as published (net)."""
        if not fee_rate or category not in FEE_CATEGORIES:
            row.add(COLUMN.get(category, "other_fees"), category, amount)
            return
        if inclusive:
            net, fee_vat = split_vat(amount, fee_rate) if FEE_LINES_INCLUDE_VAT else (amount, ZERO)
        else:
            net, fee_vat = amount, vat_on(amount, fee_rate)
        row.add(COLUMN[category], category, net)
        if fee_vat and not self.fee_vat_recoverable:
            row.add("other_fees", "fee_vat", fee_vat)

    def row_tuple(self, kind, row: _Row, order_line_id, order_id, account_id, product_id, sku, listing_sku,
                  marketplace, ship_country, day, month, units, settled, cogs_estimated):
        amounts, profit, fees = row.finish()
        if self.sqlite:
            amounts = [str(a) if a else "0" for a in amounts]  # what Django binds for a Decimal on SQLite
            profit = str(profit)
            iso = self._iso
            day = iso.get(day) or iso.setdefault(day, day.isoformat())
            month = iso.get(month) or iso.setdefault(month, month.isoformat())
        return (kind, order_line_id, order_id, account_id, product_id, sku[:100], listing_sku[:100], marketplace,
                ship_country, day, month, units, self.base, *amounts, profit, fees, settled, cogs_estimated,
                self.now)

    # -- orders ---------------------------------------------------------------------------------------------------
    def order_rows(self, order, lines, ledger, costs) -> list[tuple]:
        (order_id, account_id, marketplace, day, status, fulfilment, document_type, tax_model,
         ship_country, currency, fx_rate, base_currency, order_total) = order
        month = day.replace(day=1)
        if base_currency == self.base:
            rate = fx_rate
        else:
            rate = self.rate(currency, day) or fx_rate
        credit = document_type == "credit"
        sale = status in SALE or credit
        active = [sale and ln[6] != "cancelled" and ln[5] != 0 for ln in lines]
        if len(lines) == 1:  # most orders: nothing to spread
            weights = ONE_WEIGHT
        else:
            goods = [abs(ln[7] - ln[11]) if a else ZERO for ln, a in zip(lines, active, strict=True)]
            units = [abs(ln[5]) if a else ZERO for ln, a in zip(lines, active, strict=True)]
            weights = _weights(goods, units)
        key = (marketplace, ship_country, day)
        rates = self._vat.get(key)
        if rates is None:
            rates = self._vat[key] = (sale_vat_rate(marketplace, ship_country, day),
                                      self.fee_vat_rate(marketplace, day))
        sale_rate, fee_rate = rates
        rows = [_Row() for _ in lines]
        settled = any(entry[0] not in NOT_SETTLING for entry in ledger)
        if settled:
            lump = _lump_sum(ledger, order_total, sum((ln[7] for ln in lines), ZERO))
            self._settled(rows, lines, ledger, weights, sale_rate, fee_rate, lump)
            if lump:
                self._order_revenue(rows, lines, active, rate, sale_rate, credit)
        elif sale:
            self._estimated(rows, lines, active, weights, order, day, rate, sale_rate, fee_rate, credit)
        out = []
        basis = self.month_basis[(account_id, month)]
        products, volumes, row_tuple = self.products, self.volumes, self.row_tuple
        cogs_estimated_count = 0
        for ln, row, is_active in zip(lines, rows, active, strict=True):
            line_id, _line_no, product_id, channel_sku, _order_id, quantity = ln[:6]
            product = products.get(product_id)
            cogs_estimated = False
            cost = costs.get(line_id)
            if cost is not None:
                row.cols["cogs"] -= cost[0]
                cogs_estimated = cost[1]
            elif is_active:
                cogs_estimated = True
                if product is not None and product.purchase_cost is not None:
                    cost_rate = self.rate(product.cost_currency, day) if product.cost_currency else None
                    if cost_rate is not None:
                        row.cols["cogs"] -= product.purchase_cost * quantity * cost_rate
            sku = product.sku if product is not None else channel_sku
            line_units = quantity if is_active else 0
            cogs_estimated_count += cogs_estimated
            out.append(row_tuple(ORDER_LINE, row, line_id, order_id, account_id, product_id, sku, channel_sku,
                                 marketplace, ship_country, day, month, line_units, settled, cogs_estimated))
            key = (product_id, sku)
            entry = basis.get(key)
            if entry is None:
                entry = basis[key] = [ZERO, 0, ZERO, product_id, sku, set()]
            entry[0] += row.cols["revenue"]
            if line_units:
                entry[1] += line_units
                volume = volumes.get(product_id)
                if volume:
                    entry[2] += volume * line_units
            entry[5].add(channel_sku)
        summary = self.summary
        summary.lines += len(lines)
        if settled:
            summary.settled_lines += len(lines)
        summary.cogs_estimated += cogs_estimated_count
        return out

    def chunk_rows(self, chunk: list) -> list[tuple]:
        """The rows of a chunk of orders (tuples of ``ORDER_FIELDS``, by id): their lines, ledger lines and costs
        read in three range reads, then each order's rows."""
        lines_by_order, ledger, costs = _read_chunk(self, chunk)
        return self.rows_of(chunk, lines_by_order, ledger, costs)

    def rows_of(self, chunk: list, lines_by_order, ledger, costs) -> list[tuple]:
        out: list[tuple] = []
        for order in chunk:
            lines = lines_by_order.get(order[0])
            if not lines:
                continue
            self.summary.orders += 1
            out.extend(self.order_rows(order, lines, ledger.get(order[0], ()), costs))
        return out

    def merge_basis(self, month_basis: dict) -> None:
        """Add a worker's sales per account × month × SKU (the period fees' allocation basis) to these."""
        for key, skus in month_basis.items():
            mine = self.month_basis[key]
            for sku_key, (revenue, units, volume, product_id, sku, listings) in skus.items():
                entry = mine.get(sku_key)
                if entry is None:
                    mine[sku_key] = [revenue, units, volume, product_id, sku, set(listings)]
                else:
                    entry[0] += revenue
                    entry[1] += units
                    entry[2] += volume
                    entry[5].update(listings)

    def _settled(self, rows, lines, ledger, weights, sale_rate, fee_rate, lump):
        by_sku: dict[str, list[int]] = defaultdict(list)
        for i, ln in enumerate(lines):
            by_sku[ln[3]].append(i)
        tax_shown = sale_rate is not None and any(entry[0] == TAX_COLLECTED and entry[2] for entry in ledger)
        for category, sku, base, _amount in ledger:
            targets = by_sku.get(sku) if sku else None
            if not targets:
                targets = list(range(len(lines)))
            parts = spread(base, [weights[i] for i in targets]) if len(targets) > 1 else [base]
            for i, part in zip(targets, parts, strict=True):
                row = rows[i]
                if lump and category == PRINCIPAL:
                    row.add(None, "charged", part)  # the order's own figures are the revenue (see _lump_sum)
                elif category in VAT_INCLUSIVE:
                    if sale_rate and not tax_shown:
                        net, vat = split_vat(part, sale_rate)
                    else:
                        net, vat = part, ZERO
                    row.add(COLUMN[category], category, net)
                    row.cols["vat"] += vat
                    if category in CHARGED:
                        row.cols["gross_sales"] += part
                elif category in EXCLUDED:
                    row.add(None, category, part)
                    if category == TAX_COLLECTED and tax_shown:
                        row.cols["vat"] += part
                        row.cols["gross_sales"] += part
                else:
                    self.add_fee(row, category, part, fee_rate, inclusive=True)

    def _order_revenue(self, rows, lines, active, rate, sale_rate, credit):
        """Revenue, shipping, promotions and VAT of the order's lines, from the order (in base currency)."""
        for ln, row, is_active in zip(lines, rows, active, strict=True):
            if not is_active:
                continue
            gross, _item_tax, shipping, _shipping_tax, discount = (v * rate for v in ln[7:12])
            net_goods, vat_goods = split_vat(gross, sale_rate)
            net_ship, vat_ship = split_vat(shipping, sale_rate)
            net_disc, vat_disc = split_vat(discount, sale_rate)
            if credit:
                row.add("refunds", REFUND, net_goods - net_disc + net_ship)
            else:
                row.add("revenue", PRINCIPAL, net_goods)
                if shipping:
                    row.add("shipping_income", SHIPPING_INCOME, net_ship)
                if discount:
                    row.add("promotions", PROMOTION, -net_disc)
            row.cols["vat"] += vat_goods + vat_ship - vat_disc
            row.cols["gross_sales"] += gross - discount + shipping

    def _estimated(self, rows, lines, active, weights, order, day, rate, sale_rate, fee_rate, credit):
        account = self.accounts[order[1]]
        self._order_revenue(rows, lines, active, rate, sale_rate, credit)
        if credit:
            return
        estimated, skipped = self.estimates.order(account[2], order[2], order[9], day, order[5] == "fba", order[12],
                                                  lines, self.products)
        self.summary.fees_not_estimated += skipped
        index = {ln[1]: i for i, ln in enumerate(lines)}
        for line_no, category, fee in estimated:
            amount = -fee * rate
            if line_no is not None and line_no in index:
                targets = [index[line_no]]
            else:
                targets = [i for i, a in enumerate(active) if a] or list(range(len(lines)))
            parts = spread(amount, [weights[i] for i in targets]) if len(targets) > 1 else [amount]
            for i, part in zip(targets, parts, strict=True):
                self.add_fee(rows[i], category, part, fee_rate, inclusive=False)

    # -- period fees ----------------------------------------------------------------------------------------------
    def sku_key(self, listing_products, account_id: int, sku: str) -> tuple:
        """(product id, SKU) of a channel SKU: the account's listing, else our own SKU, else the SKU unmapped."""
        product = listing_products.get((account_id, sku)) or self.product_by_sku.get(sku)
        return (product.pk, product.sku) if product is not None else (None, sku)

    def period_rows(self, lines_by_key, ad_spend, listing_products) -> list[tuple]:
        out = []
        for (account_id, month), lines in sorted(lines_by_key.items()):
            account = self.accounts[account_id]
            marketplace = account[3]
            basis = self.month_basis.get((account_id, month), {})
            keys = sorted(basis, key=lambda k: (k[1], k[0] or 0))
            if self.basis == "units":
                values = [Decimal(basis[k][1]) for k in keys]
            elif self.basis == "volume":
                values = [basis[k][2] for k in keys]
            else:
                values = [basis[k][0] for k in keys]
            units = [Decimal(basis[k][1]) for k in keys]
            has_sales = any(v > 0 for v in values) or any(u > 0 for u in units)
            weights = _weights(values, units) if has_sales else []
            spend = ad_spend.get((account_id, month), {})
            rows: dict[tuple, _Row] = {}
            unallocated = _Row()
            fee_rate = self.fee_vat_rate(marketplace, month)

            totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
            for category, sku, amount in lines:
                totals[(category, sku)] += amount
            for (category, sku), amount in sorted(totals.items()):
                self.summary.period_fees += amount
                if sku:
                    targets, parts = [self.sku_key(listing_products, account_id, sku)], [amount]
                elif not has_sales:
                    self.add_fee(unallocated, category, amount, fee_rate, inclusive=True)
                    continue
                else:
                    targets, shares = keys, weights
                    if category == C.ADVERTISING and spend:
                        ad_keys = sorted(spend)
                        ad_weights = [spend[k] for k in ad_keys]
                        if any(w > 0 for w in ad_weights):
                            targets, shares = ad_keys, _weights(ad_weights, ad_weights)
                    parts = spread(amount, shares)
                for key, part in zip(targets, parts, strict=True):
                    row = rows.get(key)
                    if row is None:
                        row = rows[key] = _Row()
                    self.add_fee(row, category, part, fee_rate, inclusive=True)
            for key, row in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0)):
                listing = basis.get(key, [None] * 5 + [set()])[5]
                out.append(self.row_tuple(
                    FactKind.ALLOCATED.value, row, None, None, account_id, key[0], key[1],
                    next(iter(listing)) if len(listing) == 1 else "", marketplace, "", month, month, 0, True, False))
                self.summary.allocated_rows += 1
            if unallocated.fees:
                amounts, _profit, _fees = unallocated.finish()
                self.summary.unallocated_rows += 1
                self.summary.unallocated_amount += sum(amounts[2:], ZERO)
                out.append(self.row_tuple(
                    FactKind.UNALLOCATED.value, unallocated, None, None, account_id, None, "", "", marketplace, "",
                    month, month, 0, True, False))
        return out


# -- the run ----------------------------------------------------------------------------------------------------------

def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _account_ids(accounts) -> list[int] | None:
    if accounts is None:
        return None
    from chuhai.channels.models import ChannelAccount

    ids, codes = [], []
    for item in accounts if not isinstance(accounts, (str, int)) else [accounts]:
        if isinstance(item, ChannelAccount):
            ids.append(item.pk)
        elif isinstance(item, int):
            ids.append(item)
        else:
            codes.append(str(item))
    if codes:
        found = dict(ChannelAccount.objects.filter(code__in=codes).values_list("code", "pk"))
        missing = sorted(set(codes) - set(found))
        if missing:
            raise ValueError(f"no channel account {', '.join(missing)}")
        ids.extend(found.values())
    return ids


ORDER_FIELDS = ("id", "account_id", "marketplace", "purchased_at", "status", "fulfilment_channel", "document_type",
                "tax_model", "ship_country", "currency", "fx_rate", "base_currency", "order_total")
LINE_FIELDS = ("id", "line_no", "product_id", "channel_sku", "order_id", "quantity", "item_status", "gross_amount",
               "item_tax", "shipping", "shipping_tax", "discount")


class SqliteDecimals(dict):
    """Decimals from the values SQLite returns for a ``decimal`` column (an INTEGER, a REAL, or TEXT when the text
    would not convert without loss; None stays None), read as Django reads them: a REAL to 15 significant digits,
    which gives back the amount that was stored. ``decimals[value]``: a dict lookup (in C) for every value seen
    before — prices and fees repeat, and this runs for millions of cells."""

    LIMIT = 200_000

    def __missing__(self, value):
        if len(self) >= self.LIMIT:
            self.clear()
        found = self[value] = sqlite_decimal(value)
        return found


def sqlite_decimal(value) -> Decimal | None:
    """One value of a SQLite ``decimal`` column as Django reads it (see :class:`SqliteDecimals`), uncached."""
    if value is None:
        return None
    return Decimal(format(value, ".15g") if value.__class__ is float else value)


def _same(value):
    return value


def _fetch(queryset, fields) -> list[tuple]:
    """``queryset.values_list(*fields)`` as the cursor returns it, without Django's converters."""
    sql, params = queryset.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _raw(queryset, fields, decimals=(), days=(), engine=None, limit=None, texts=()) -> list:
    """``queryset.values_list(*fields)`` read with a plain cursor: Django's per-value converters cost more than
    the whole computation. ``decimals``: positions made Decimal (on SQLite by the engine's
    :class:`SqliteDecimals`); ``days``: datetime positions replaced by their date in the company's time zone (on
    SQLite a timestamp is read as naive UTC text, which needs no parsing)."""
    sqlite = connection.vendor == "sqlite"
    if sqlite and (days or texts):
        # as text: Django's SQLite connection would parse a datetime column into a datetime, by regular expression
        # (``texts``: datetime positions left as that text, naive UTC, for the caller to convert when it needs to)
        cast = {fields[i] for i in (*days, *texts)}
        queryset = queryset.annotate(**{f"text_{name}": Cast(name, output_field=CharField()) for name in cast})
        fields = [f"text_{name}" if name in cast else name for name in fields]
    queryset = queryset.values_list(*fields)
    if limit is not None:
        queryset = queryset[:limit]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not days and not (decimals and sqlite):
        return rows
    local_day = engine.local_day if engine is not None else None
    to_decimal = engine.decimals if engine is not None else SqliteDecimals()
    if not sqlite:
        decimals = ()
    out = []
    append = out.append
    for row in rows:
        row = list(row)
        for i in decimals:
            row[i] = to_decimal[row[i]]
        for i in days:
            value = row[i]
            if value is not None:
                row[i] = local_day(value)
        append(row)
    return out


def _read_chunk(engine: Engine, chunk: list) -> tuple:
    """The lines, ledger lines (in base currency) and costs of sale of a chunk of orders, in three range reads."""
    from chuhai.orders.models import OrderLine

    from .cost_layers import CostOfSale
    from .models import LedgerLine

    ids = [o[0] for o in chunk]
    low, high = ids[0], ids[-1]
    sqlite = engine.sqlite
    decimal = engine.decimals.__getitem__ if sqlite else _same
    lines_by_order: dict[int, list] = defaultdict(list)
    line_ids = []
    for ln in _fetch(OrderLine.objects.filter(order_id__gte=low, order_id__lte=high).order_by("order_id", "line_no"),
                     LINE_FIELDS):
        if sqlite:  # the amounts (LINE_FIELDS[7:]) as Decimals
            ln = (*ln[:7], *map(decimal, ln[7:]))
        lines_by_order[ln[4]].append(ln)
        line_ids.append(ln[0])
    ledger: dict[int, list] = defaultdict(list)
    days = {o[0]: o[3] for o in chunk}
    local_day, ledger_base = engine.local_day, engine.ledger_base
    for (order_id, category, sku, amount, currency, base_amount, posted_at) in _raw(
            LedgerLine.objects.filter(order_id__gte=low, order_id__lte=high).order_by(),
            ("order_id", "category", "sku", "amount", "currency", "base_amount", "posted_at"), texts=(6,)):
        if sqlite:  # base amounts hardly repeat: converted without the cache
            amount, base_amount = decimal(amount), sqlite_decimal(base_amount)
        purchased = days.get(order_id)
        if purchased is None:
            continue
        if base_amount is None:  # converted at the posting date (the order's when it has none)
            base_amount = ledger_base(amount, currency, None, local_day(posted_at) if posted_at else purchased)
            if base_amount is None:
                continue
        ledger[order_id].append((category or UNKNOWN, sku, base_amount, amount))
    costs: dict[int, list] = {}
    if line_ids:
        for line_id, amount, layer_id in _raw(CostOfSale.objects.filter(
                order_line_id__gte=min(line_ids), order_line_id__lte=max(line_ids)).order_by(),
                ("order_line_id", "amount", "layer_id"), decimals=(1,)):
            entry = costs.setdefault(line_id, [ZERO, False])
            entry[0] += amount
            entry[1] = entry[1] or layer_id is None
    return lines_by_order, ledger, costs


def orders_query(start: dt.datetime | None, end: dt.datetime | None, account_ids: list[int] | None):
    """The orders purchased from ``start`` (inclusive) to ``end`` (exclusive) of ``account_ids`` (None: all)."""
    from chuhai.orders.models import Order

    orders = Order.objects.filter(_in_range("purchased_at", start, end))
    if account_ids is not None:
        orders = orders.filter(account_id__in=account_ids)
    return orders


def _in_range(field_name: str, start, end) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{field_name}__gte": start})
    if end is not None:
        q &= Q(**{f"{field_name}__lt": end})
    return q


def read_orders(engine: Engine, orders, limit: int | None = None) -> list:
    """Tuples of ``ORDER_FIELDS`` of ``orders``, by id."""
    return _raw(orders.order_by("pk"), ORDER_FIELDS, decimals=(10, 12), days=(3,), engine=engine, limit=limit)


def recompute(date_from: dt.date | None = None, date_to: dt.date | None = None,
              accounts: Iterable | None = None,
              progress: Callable[[int, int], None] | None = None,
              workers: int | None = None) -> Summary:
    """Rebuild the profit rows of the orders purchased from ``date_from`` to ``date_to`` (inclusive, company time
    zone, widened to whole months; None: no bound) and of the period fees posted then, for ``accounts`` (codes,
    ids or ChannelAccount objects; None: all). ``progress(lines_done, lines_total)`` is called per chunk.

    ``workers``: processes computing the order rows (None: one more than the CPUs, at most
    :data:`~chuhai.finance.profit_workers.MAX_WORKERS`; 1: this process only). Worker processes are used only
    for a run of at least :data:`~chuhai.finance.profit_workers.PARALLEL_MIN_ORDERS` orders outside any
    transaction (they read committed data through their own connections; see
    :mod:`chuhai.finance.profit_workers`). Either way the same rows come out and the old rows are replaced in one
    transaction. Ledger lines that arrived before their orders are linked to them first, in a transaction of
    their own. Returns a :class:`Summary`."""
    from chuhai.orders.models import OrderLine

    from .categorise import link_orders
    from .models import LedgerLine

    started = time.monotonic()
    if date_from is not None:
        date_from = _month_start(date_from)
    if date_to is not None:
        date_to = _month_end(date_to)
    summary = Summary(date_from=date_from, date_to=date_to)
    account_ids = _account_ids(accounts)

    # ledger lines that arrived before their orders find them now
    with transaction.atomic():
        unlinked = LedgerLine.objects.filter(order__isnull=True).exclude(order_ref="")
        if account_ids is not None:
            unlinked = unlinked.filter(account_id__in=account_ids)
        link_orders(unlinked)

    from chuhai.core.models import CompanySettings

    tz = ZoneInfo(CompanySettings.load().time_zone)
    start = dt.datetime.combine(date_from, dt.time(), tz) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tz) if date_to else None
    orders = orders_query(start, end, account_ids)
    total = OrderLine.objects.filter(order__in=orders.values("pk")).count() if progress else 0
    rebuild_indexes = _rebuild_indexes(orders)
    with _cycle_collector_paused():
        _rebuild(summary, orders, workers, start, end, account_ids, date_from, date_to, rebuild_indexes, progress,
                 total)
    summary.seconds = time.monotonic() - started
    return summary


@contextmanager
def _cycle_collector_paused():
    """The run makes millions of short-lived tuples, Decimals and lists and no reference cycles worth waiting for:
    without the cycle collector's passes over them it takes about a seventh less CPU (measured). It runs again
    after, over whatever the run left."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rebuild(summary, orders, workers, start, end, account_ids, date_from, date_to, rebuild_indexes, progress,
             total) -> None:
    """Replace the rows (see :func:`recompute`), in one transaction."""
    from . import profit_workers

    pool = profit_workers.start(workers, orders, start, end, account_ids)
    if pool is not None:
        summary.workers = len(pool.processes)
    try:
        with transaction.atomic(), bulk.sqlite_secondary_indexes_dropped(ProfitFact, rebuild_indexes,
                                                                         keep=("profit_fact_order_idx",)):
            engine = Engine(summary, now=pool.now if pool is not None else None)
            old = ProfitFact.objects.all()
            if date_from is not None:
                old = old.filter(day__gte=date_from)
            if date_to is not None:
                old = old.filter(day__lte=date_to)
            if account_ids is not None:
                old = old.filter(account_id__in=account_ids)
            old.delete()
            if date_from is not None or date_to is not None:
                # rows of the orders in range stored under a day outside it (the company's time zone changed)
                ProfitFact.objects.filter(order__in=orders.values("pk")).delete()

            inserts = bulk.BackgroundInserts()
            try:
                def on_chunk() -> None:
                    if progress:
                        progress(summary.lines, total)

                if pool is not None:
                    for rows in pool.results(engine):
                        inserts.insert([(ProfitFact, FACT_FIELDS, rows)])
                        on_chunk()
                else:
                    _serial(engine, orders, inserts, on_chunk)
                inserts.wait()
                _period(engine, start, end, account_ids)
            finally:
                inserts.close()
    finally:
        if pool is not None:
            pool.close()


def _rebuild_indexes(orders) -> bool:
    """Whether to drop the profit table's indexes and build them again after the run (SQLite only, see
    :func:`chuhai.core.bulk.sqlite_secondary_indexes_dropped`): when the run rewrites at least
    :data:`INDEX_REBUILD_MIN_ORDERS` orders and about half the table or more."""
    if connection.vendor != "sqlite":
        return False
    count = orders.count()
    return count >= INDEX_REBUILD_MIN_ORDERS and 2 * count >= ProfitFact.objects.count()


def _serial(engine: Engine, orders, inserts: bulk.BackgroundInserts, on_chunk: Callable[[], None]) -> None:
    """Compute and insert the rows of ``orders`` in this process, chunk by chunk. On SQLite the previous chunk's
    rows are inserted on a worker thread while this one is computed, but the connection is free for reads only
    between ``inserts.wait()`` and ``inserts.insert()``."""
    last = 0
    pending: list[tuple] = []
    while True:
        inserts.wait()
        chunk = read_orders(engine, orders.filter(pk__gt=last), limit=CHUNK)
        data = _read_chunk(engine, chunk) if chunk else None
        if pending:
            inserts.insert([(ProfitFact, FACT_FIELDS, pending)])
        if not chunk:
            return
        last = chunk[-1][0]
        pending = engine.rows_of(chunk, *data)
        on_chunk()


def _period(engine: Engine, start, end, account_ids) -> None:
    """The period fees' rows (see the module docstring), after every order's rows (they need the month basis)."""
    from chuhai.analytics.models import AdPerformance
    from chuhai.catalog.models import Listing

    from .models import LedgerLine

    summary = engine.summary
    period = LedgerLine.objects.filter(_in_range("posted_at", start, end), order__isnull=True, order_ref="",
                                       posted_at__isnull=False).exclude(category__in=NOT_PERIOD)
    unlinked_count = LedgerLine.objects.filter(_in_range("posted_at", start, end), order__isnull=True).exclude(
        order_ref="")
    if account_ids is not None:
        period = period.filter(account_id__in=account_ids)
        unlinked_count = unlinked_count.filter(account_id__in=account_ids)
    summary.unlinked_ledger_lines = unlinked_count.count()
    lines_by_key: dict[tuple, list] = defaultdict(list)
    for account_id, category, sku, amount, currency, base_amount, posted_at in period.values_list(
            "account_id", "category", "sku", "amount", "currency", "base_amount", "posted_at"):
        day = engine.local_day(posted_at)
        base = engine.ledger_base(amount, currency, base_amount, day)
        if base is not None:
            lines_by_key[(account_id, _month_start(day))].append((category or C.UNKNOWN, sku, base))
    ad_spend: dict[tuple, dict] = defaultdict(lambda: defaultdict(Decimal))
    listing_products: dict[tuple, object] = {}
    if lines_by_key:
        for account_id, product_id, channel_sku in Listing.objects.filter(
                account_id__in={k[0] for k in lines_by_key}).values_list("account_id", "product_id",
                                                                         "channel_sku"):
            listing_products[(account_id, channel_sku)] = engine.products.get(product_id)
        months = {k[1] for k in lines_by_key}
        ads = AdPerformance.objects.filter(account_id__in={k[0] for k in lines_by_key},
                                           start_date__gte=min(months),
                                           start_date__lte=_month_end(max(months)))
        for account_id, sku, start_date, spend in ads.exclude(advertised_sku="").values_list(
                "account_id", "advertised_sku", "start_date", "spend"):
            key = (account_id, _month_start(start_date))
            if key in lines_by_key:
                ad_spend[key][engine.sku_key(listing_products, account_id, sku)] += spend
    bulk.insert_rows(ProfitFact, FACT_FIELDS, engine.period_rows(lines_by_key, ad_spend, listing_products),
                     adapted=True)
