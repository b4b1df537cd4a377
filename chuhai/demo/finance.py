"""The demo seller's money: Amazon settlements, Sponsored Products reports, payouts received through PingPong,
landed costs of the inbound shipments — and the profit computed from them, so the finance pages open full.

Everything is written the way the imports and services would leave it:

- every Amazon account is paid fortnightly. A settlement holds, for each order shipped (purchase + 2 days) in its
  period, the lines Amazon's V2 flat file carries — Principal, Shipping, Tax and the marketplace-facilitator tax
  withheld (US), Promotion, Commission (15 %), the FBA fulfilment fee by weight — plus the refunds of returned
  orders, storage and subscription fees, the period's advertising and the odd reimbursement. Its total is the sum
  of its lines, so every demo settlement reconciles to 0.00. Orders shipped in the current, open period are not
  settled yet: their fees are estimates;
- Sponsored Products rows per advertised SKU and day, with spend and attributed sales drawn from the SKU's sales;
- each closed settlement was withdrawn in CNY through PingPong a day after its deposit, at a rate a little worse
  than the ECB's (the spread), minus PingPong's fee — which gives the FX gain/loss page something to show;
- freight and duty on the inbound shipments, the cost layers rebuilt from the stock ledger, base-currency amounts
  of every ledger line, and the profit of the year.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.analytics.models import AdPerformance
from chuhai.channels.ingest.writers.base import digest
from chuhai.channels.ingest.writers.ledger import LINE_FIELDS
from chuhai.channels.models import ChannelAccount
from chuhai.core.bulk import insert_rows
from chuhai.core.money import quantize
from chuhai.finance.categorise import Categoriser
from chuhai.finance.fx import FxConverter, FxRateMissing
from chuhai.finance.models import LedgerLine, Settlement
from chuhai.orders.models import Order, OrderLine

PERIOD_DAYS = 14
SHIP_DELAY = dt.timedelta(days=2)
REFUND_DELAY = dt.timedelta(days=12)
COMMISSION = Decimal("0.15")
#: FBA fulfilment fee per unit: (base, per 100 g) in each marketplace currency, roughly Amazon's small-standard tiers.
FBA_FEE = {"USD": (Decimal("3.22"), Decimal("0.40")), "EUR": (Decimal("2.70"), Decimal("0.35")),
           "GBP": (Decimal("2.35"), Decimal("0.30")), "JPY": (Decimal("290"), Decimal("40"))}
SUBSCRIPTION = {"USD": Decimal("39.99"), "EUR": Decimal("39.00"), "GBP": Decimal("25.00"), "JPY": Decimal("4900")}
SOURCE = "amazon-settlement"
#: PingPong: the rate it gives is this much worse than the ECB's, and it charges this share of the amount.
SPREAD, PINGPONG_FEE = Decimal("0.004"), Decimal("0.003")
SETTLED_STATUSES = ("shipped", "delivered", "returned", "refunded")


def _periods(start: dt.date, today: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Fortnights from the demo's first day whose deposit (two days after the end) is past; the one still open
    today is not settled."""
    out = []
    begin = dt.datetime.combine(start, dt.time(), dt.UTC)
    end_of_data = dt.datetime.combine(today, dt.time(), dt.UTC)
    while begin + dt.timedelta(days=PERIOD_DAYS + 2) <= end_of_data:
        out.append((begin, begin + dt.timedelta(days=PERIOD_DAYS)))
        begin += dt.timedelta(days=PERIOD_DAYS)
    return out


def _money(amount: Decimal, currency: str) -> Decimal:
    return quantize(amount, currency)


class _Settlements:
    """Builds one Amazon account's settlements as ledger rows (tuples of :data:`LINE_FIELDS` and the order id:
    the demo knows each line's order, as an import finds it)."""

    def __init__(self, account: ChannelAccount, rng: random.Random, categorise: Categoriser, ad_spend: dict):
        self.account, self.rng, self.categorise, self.ad_spend = account, rng, categorise, ad_spend
        self.currency = account.currency
        self.rows: list[tuple] = []
        self.settlements: list[Settlement] = []

    def line(self, settlement_ref: str, n: int, transaction_type: str, amount_type: str, description: str,
             amount: Decimal, posted_at: dt.datetime, order_ref: str = "", sku: str = "",
             quantity: int | None = None, order_id: int | None = None) -> tuple:
        category = self.categorise("amazon", transaction_type, amount_type, description or order_ref)
        return (self.account.pk, None, settlement_ref, SOURCE, digest("demo", self.account.pk, settlement_ref, n),
                transaction_type, order_ref, sku, quantity, amount_type, description, amount, self.currency,
                posted_at, f"Amazon.{self.account.marketplace.lower()}", "AFN" if amount_type else "",
                "", category, None, order_id)

    def build(self, periods, orders_by_period, refunds_by_period, weights) -> None:
        for number, (begin, end) in enumerate(periods):
            settlement_ref = f"{self.account.pk:02d}{begin:%y%m%d}{number:04d}"
            lines: list[tuple] = []

            def add(*args, _ref=settlement_ref, _lines=lines, **kwargs):
                _lines.append(self.line(_ref, len(_lines), *args, **kwargs))

            for order, order_lines, posted in orders_by_period.get(number, ()):
                self._order_lines(add, order, order_lines, posted, weights)
            for order, order_lines, posted in refunds_by_period.get(number, ()):
                self._refund_lines(add, order, order_lines, posted)
            closing = end - dt.timedelta(hours=1)
            storage = _money(Decimal(self.rng.uniform(0.004, 0.009)) * self._principal(lines), self.currency)
            if storage:
                add("other-transaction", "other-transaction", "Storage Fee", -storage, closing)
            if number % 2 == 0:
                add("other-transaction", "other-transaction", "Subscription Fee", -SUBSCRIPTION[self.currency],
                    begin + dt.timedelta(hours=3))
            spend = _money(sum((s for day, s in self.ad_spend.items() if begin.date() <= day < end.date()),
                               Decimal(0)), self.currency)
            if spend:
                add("Cost of Advertising", "Cost of Advertising", "TransactionTotalAmount", -spend, closing)
            if self.rng.random() < 0.15:
                add("FBA Inventory Reimbursement", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE",
                    _money(Decimal(self.rng.uniform(8, 30)) * (150 if self.currency == "JPY" else 1),
                           self.currency), closing)
            if not lines:
                continue
            total = sum((row[LINE_FIELDS.index("amount")] for row in lines), Decimal(0))
            self.settlements.append(Settlement(
                account=self.account, settlement_id=settlement_ref, start_at=begin, end_at=end,
                deposit_at=end + dt.timedelta(days=2), total_amount=total, currency=self.currency, lines_total=total))
            self.rows.extend(lines)

    @staticmethod
    def _principal(lines) -> Decimal:
        at, desc = LINE_FIELDS.index("amount"), LINE_FIELDS.index("amount_description")
        return sum((row[at] for row in lines if row[desc] == "Principal" and row[at] > 0), Decimal(0))

    def _commission(self, line) -> Decimal:
        return _money((line["gross_amount"] - line["discount"] + line["shipping"]) * COMMISSION, self.currency)

    def _order_lines(self, add, order, order_lines, posted, weights) -> None:
        ref, ccy = order["external_id"], self.currency
        for line in order_lines:
            sku, qty = line["channel_sku"], line["quantity"]
            kw = {"order_ref": ref, "sku": sku, "quantity": qty, "order_id": order["id"]}
            add("Order", "ItemPrice", "Principal", line["gross_amount"], posted, **kw)
            if line["shipping"]:
                add("Order", "ItemPrice", "Shipping", line["shipping"], posted, **kw)
            if line["item_tax"]:
                add("Order", "ItemPrice", "Tax", line["item_tax"], posted, **kw)
                if order["tax_model"] == "marketplace":
                    add("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -line["item_tax"], posted,
                        **kw)
            if line["discount"]:
                add("Order", "Promotion", "Principal", -line["discount"], posted, **kw)
            add("Order", "ItemFees", "Commission", -self._commission(line), posted, **kw)
            if order["fulfilment_channel"] == "fba":
                base, per_100g = FBA_FEE[ccy]
                grams = weights.get(line["product_id"]) or 200
                fee = _money(base + per_100g * (Decimal(grams) / 100), ccy) * qty
                add("Order", "ItemFees", "FBAPerUnitFulfillmentFee", -fee, posted, **kw)

    def _refund_lines(self, add, order, order_lines, posted) -> None:
        ref = order["external_id"]
        for line in order_lines:
            kw = {"order_ref": ref, "sku": line["channel_sku"], "quantity": line["quantity"], "order_id": order["id"]}
            commission = self._commission(line)
            add("Refund", "ItemPrice", "Principal", -(line["gross_amount"] - line["discount"]), posted, **kw)
            add("Refund", "ItemFees", "Commission", _money(commission * Decimal("0.8"), self.currency), posted, **kw)
            add("Refund", "ItemFees", "RefundCommission",
                -min(_money(commission * Decimal("0.2"), self.currency), _money(Decimal(5), self.currency)),
                posted, **kw)


def _amazon_orders(account, periods):
    """(orders per settlement period, refunds per period) of one account, each order with its lines."""
    orders = {o["id"]: o for o in Order.objects.filter(account=account, status__in=SETTLED_STATUSES,
                                                       document_type="order")
              .values("id", "external_id", "purchased_at", "fulfilment_channel", "tax_model", "status")}
    lines = defaultdict(list)
    for line in (OrderLine.objects.filter(order__account=account, order__status__in=SETTLED_STATUSES,
                                          order__document_type="order").exclude(quantity=0)
                 .values("order_id", "product_id", "channel_sku", "quantity", "gross_amount", "discount", "item_tax",
                         "shipping").order_by("order_id", "line_no")):
        lines[line["order_id"]].append(line)
    starts = [begin for begin, _end in periods]
    last_end = periods[-1][1] if periods else None

    def period_of(when: dt.datetime) -> int | None:
        if last_end is None or when >= last_end or when < starts[0]:
            return None
        return min(int((when - starts[0]).days // PERIOD_DAYS), len(starts) - 1)

    by_period, refunds = defaultdict(list), defaultdict(list)
    for order_id, order in orders.items():
        posted = order["purchased_at"] + SHIP_DELAY
        number = period_of(posted)
        if number is not None and lines.get(order_id):
            by_period[number].append((order, lines[order_id], posted))
        if order["status"] in ("returned", "refunded"):
            refunded = posted + REFUND_DELAY
            number = period_of(refunded)
            if number is not None and lines.get(order_id):
                refunds[number].append((order, lines[order_id], refunded))
    return by_period, refunds


def _ads(account, rng: random.Random, start: dt.date) -> tuple[list[AdPerformance], dict[dt.date, Decimal]]:
    """Sponsored Products rows for the account's 15 best-selling SKUs: spend ~8–14 % of their sales, a third to a
    half of those sales attributed to the ads. Returns the rows and the spend per day."""
    per_day = defaultdict(lambda: [Decimal(0), 0])
    sales_by_sku = defaultdict(Decimal)
    for sku, purchased_at, amount, qty in (OrderLine.objects.filter(
            order__account=account, order__status__in=SETTLED_STATUSES, order__purchased_at__date__gte=start)
            .values_list("channel_sku", "order__purchased_at", "gross_amount", "quantity").iterator(chunk_size=5000)):
        key = (sku, purchased_at.date())
        per_day[key][0] += amount
        per_day[key][1] += qty
        sales_by_sku[sku] += amount
    advertised = {sku for sku, _ in sorted(sales_by_sku.items(), key=lambda kv: -kv[1])[:15]}
    rows, spend_by_day = [], defaultdict(Decimal)
    ccy = account.currency
    for (sku, day), (sales, units) in sorted(per_day.items()):
        if sku not in advertised:
            continue
        spend = _money(sales * Decimal(str(round(rng.uniform(0.08, 0.14), 3))), ccy)
        share = Decimal(str(round(rng.uniform(0.33, 0.5), 3)))
        clicks = max(1, int(float(spend) / (0.9 if ccy != "JPY" else 130)))
        rows.append(AdPerformance(
            account=account, start_date=day, end_date=day, campaign=f"SP - {sku} - auto", ad_group="auto",
            advertised_sku=sku, currency=ccy, impressions=clicks * rng.randint(40, 90), clicks=clicks, spend=spend,
            sales=_money(sales * share, ccy), orders=max(1, int(units * float(share))),
            units=max(1, int(units * float(share)))))
        spend_by_day[day] += spend
    return rows, spend_by_day


def _payouts(settlements: list[Settlement], today: dt.date, converter: FxConverter) -> int:
    from chuhai.finance.payout_fx import record_payout

    count = 0
    for settlement in settlements:
        received_on = (settlement.deposit_at + dt.timedelta(days=1)).date()
        if received_on >= today or settlement.total_amount <= 0:
            continue
        try:
            rate = converter.rate(settlement.currency, "CNY", received_on)
        except FxRateMissing:
            continue
        gross = settlement.total_amount * rate * (1 - SPREAD)
        fee = _money(gross * PINGPONG_FEE, "CNY")
        record_payout(settlement.account, "pingpong", f"PP-{settlement.settlement_id}", received_on,
                      _money(gross, "CNY") - fee, "CNY", fee=fee, settlement=settlement, converter=converter,
                      note=_("Withdrawn to the company's CNY account"))
        count += 1
    return count


def _landed_charges(rng: random.Random, today: dt.date) -> int:
    from chuhai.finance.landed_cost import add_charge
    from chuhai.inventory.inbound import InboundShipment

    count = 0
    for shipment in InboundShipment.objects.all():
        units = sum(line.qty_shipped for line in shipment.lines.all())
        if not units:
            continue
        day = min(today, timezone.localdate(shipment.shipped_at or shipment.created_at))
        add_charge(shipment, "freight", _money(Decimal(units) * Decimal(rng.uniform(3.5, 6.0)), "CNY"), "CNY", day,
                   basis="weight", note=_("Sea freight, Shenzhen → destination (forwarder's invoice)"))
        add_charge(shipment, "duty", _money(Decimal(units) * Decimal(rng.uniform(0.4, 0.9)), "USD"), "USD", day,
                   basis="value", note=_("Import duty (customs entry)"))
        count += 2
    return count


def load_demo_finance(rng: random.Random, report: Callable[[str, int, int], None], *, start: dt.date,
                      today: dt.date) -> dict:
    """Write the demo's money (see the module docstring); returns counts for the demo's summary."""
    from chuhai.catalog.models import Product
    from chuhai.finance.base_amounts import convert_lines
    from chuhai.finance.cogs import rebuild_costs
    from chuhai.finance.profit import recompute

    stage = _("Writing settlements, advertising and payouts")
    accounts = list(ChannelAccount.objects.filter(platform="amazon").order_by("code"))
    weights = dict(Product.objects.values_list("pk", "weight_g"))
    categorise = Categoriser()
    periods = _periods(start, today)
    converter = FxConverter()
    ads_rows = ledger_rows = 0
    settlements: list[Settlement] = []
    for account in accounts:
        ads, spend_by_day = _ads(account, rng, start)
        AdPerformance.objects.bulk_create(ads, batch_size=2000)
        ads_rows += len(ads)
        builder = _Settlements(account, rng, categorise, spend_by_day)
        builder.build(periods, *_amazon_orders(account, periods), weights)
        Settlement.objects.bulk_create(builder.settlements, batch_size=500)
        ids = dict(Settlement.objects.filter(account=account).values_list("settlement_id", "pk"))
        at, ref = LINE_FIELDS.index("settlement_id"), LINE_FIELDS.index("settlement_ref")
        insert_rows(LedgerLine, (*LINE_FIELDS, "order_id"),
                    [row[:at] + (ids[row[ref]],) + row[at + 1:] for row in builder.rows])
        ledger_rows += len(builder.rows)
        settlements.extend(Settlement.objects.filter(account=account))
        report(stage, 1, len(accounts))

    convert_lines()
    payouts = _payouts(settlements, today, converter)
    charges = _landed_charges(rng, today)
    report(_("Costing stock and computing profit"), 0, 1)
    rebuild_costs()
    profit = recompute()
    report(_("Costing stock and computing profit"), 1, 1)
    return {"settlements": len(settlements), "ledger_lines": ledger_rows, "ad_rows": ads_rows,
            "payouts_received": payouts, "landed_charges": charges,
            "profit_lines": profit.lines}

