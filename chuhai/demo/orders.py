"""A year of the demo seller's orders, generated day by day in memory and handed to the loader in batches.

How many orders fall on each day and channel comes from the channel's share, growth trend, seasonality
(:mod:`chuhai.demo.seasons`) and some day-to-day noise, spread over the days with systematic sampling so that the
total is exactly the number asked for. Each order then gets what its platform really produces: the order-id shape,
fulfilment channel, buyer (returning buyers keep their address), 1–3 lines in the marketplace currency, event deal
prices, vouchers, shipping, tax (added on top in the US, the VAT/GST part of the price elsewhere), and a status
that follows its age. All randomness comes from the one ``random.Random`` passed in.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from chuhai.core.money import minor_units, quantize
from chuhai.orders.models import RATE_PLACES, Order, OrderLine

from . import geography, seasons
from .business import MERCHANT_TRANSIT, TRANSIT_DAYS, AccountSpec
from .pricing import charm_price

ZERO = Decimal(0)
ONE = Decimal(1)
RATE_EXPONENT = Decimal(1).scaleb(-RATE_PLACES)
UTC = dt.UTC

AMAZON_PREFIXES = {"US": ("111", "112", "113", "114"), "JP": ("249", "250", "503")}
AMAZON_EU_PREFIXES = ("302", "303", "304", "305", "306", "028")
BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
EBAY_WORDS = ("tech", "deal", "gadget", "mike", "jen", "lucky", "happy", "north", "blue", "river", "maple", "sunny",
              "pixel", "retro", "urban", "coast", "eagle", "ace", "kathy", "dave", "sam", "tony", "lisa", "max")

#: Quantity per line: most buyers take one; cheap consumables (cases, films, cables) sell in twos more often.
QTY = (1, 2, 3, 4, 5)
QTY_CUM = (0.86, 0.96, 0.985, 0.995, 1.0)
QTY_CHEAP_CUM = (0.76, 0.93, 0.975, 0.993, 1.0)


@dataclass(slots=True)
class ListingRef:
    """What order generation needs to know about one listing (kept in memory, no queries)."""

    product_id: int
    channel_sku: str
    price: Decimal
    popularity: float
    index: int
    cheap: bool
    launch_day: int = 0
    retire_day: int | None = None


@dataclass(slots=True)
class Customer:
    ref: str
    country: str
    region: str
    city: str
    postal: str
    sales_tax: Decimal


@dataclass(slots=True)
class _Pool:
    """Listings on sale during one stretch of days, with cumulative popularity for weighted picks."""

    start: int
    listings: list[ListingRef]
    cum: list[float]


@dataclass
class AccountPlan:
    spec: AccountSpec
    account_id: int
    listings: list[ListingRef]
    #: Amazon: the merchant-fulfilled (FBM) offers; orders not fulfilled by Amazon pick from these.
    fbm_listings: list[ListingRef] = field(default_factory=list)


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, items, cum):
    return items[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _pools(listings: list[ListingRef], days: int) -> list[_Pool]:
    """Split the year at every launch and retirement day; each stretch has its own set of listings on sale."""
    cuts = sorted({0} | {min(max(x.launch_day, 0), days) for x in listings}
                  | {x.retire_day for x in listings if x.retire_day is not None and x.retire_day < days})
    pools = []
    for start in cuts:
        live = [x for x in listings if x.launch_day <= start and (x.retire_day is None or start < x.retire_day)]
        if live:
            pools.append(_Pool(start, live, _cumulative(x.popularity for x in live)))
    return pools


def _pool_for(pools: list[_Pool], day: int) -> _Pool | None:
    found = None
    for pool in pools:
        if pool.start <= day:
            found = pool
    return found


class OrderGenerator:
    """Generates ``total`` orders over ``days`` days ending on ``today`` for the planned accounts."""

    def __init__(self, rng: random.Random, plans: list[AccountPlan], total: int, today: dt.date, days: int,
                 now: dt.datetime, company_tz: str, base_currency: str, fx_rate: Callable[[str, dt.date], Decimal]):
        self.rng = rng
        self.plans = plans
        self.total = total
        self.today = today
        self.days = days
        self.start = today - dt.timedelta(days=days - 1)
        self.now = now
        self.tz = ZoneInfo(company_tz)
        self.base_currency = base_currency
        self.fx_rate = fx_rate
        self._fx_cache: dict[tuple[str, dt.date], Decimal] = {}
        self._price_cache: dict[tuple[int, int, int], Decimal] = {}
        self._places = {}
        self._state = {}
        for plan in plans:
            spec = plan.spec
            self._state[spec.code] = {
                "pools": _pools(plan.listings, days),
                "fbm_pools": _pools(plan.fbm_listings, days) if plan.fbm_listings else [],
                "customers": [],
                "ids": set(),
                "line_ids": set(),
                "refs": set(),
                "seq": 1000,
                "hours": self._hour_weights(spec.time_zone),
                "ship_to": ([c for c, _w in spec.ship_to], _cumulative(w for _c, w in spec.ship_to)),
                "fulfilment": ([c for c, _w in spec.fulfilment], _cumulative(w for _c, w in spec.fulfilment)),
                "minor": minor_units(spec.currency),
            }
            for country, _w in spec.ship_to:
                if country not in self._places:
                    places = geography.places(country)
                    self._places[country] = (places, _cumulative(p.weight for p in places))

    # -- calendar ---------------------------------------------------------------------------------------------
    def _hour_weights(self, buyer_tz: str) -> list[float]:
        """Buyers' local hourly profile expressed in the company's hours (both offsets taken mid-year),
        as cumulative weights: entry h is the weight of the hours before h + 1."""
        ref = dt.datetime.combine(self.start + dt.timedelta(days=self.days // 2), dt.time(12), tzinfo=UTC)
        shift = (ZoneInfo(buyer_tz).utcoffset(ref) - self.tz.utcoffset(ref)).total_seconds() / 3600
        return _cumulative(seasons.HOURLY[int(h + shift) % 24] for h in range(24))

    def _today_start(self) -> dt.datetime:
        return dt.datetime.combine(self.today, dt.time(0), tzinfo=self.tz).astimezone(UTC)

    def _elapsed_weight(self, hours_cum: list[float]) -> float:
        """Cumulative hourly weight of today up to ``now``: the part of a full day's orders already placed."""
        elapsed = min(max((self.now - self._today_start()).total_seconds() / 3600, 0.0), 24.0)
        h = min(int(elapsed), 23)
        before = hours_cum[h - 1] if h else 0.0
        return before + (hours_cum[h] - before) * (elapsed - h)

    @staticmethod
    def _time_of_day(x: float, hours_cum: list[float]) -> float:
        """Seconds after midnight for a point ``x`` of the cumulative hourly weights (inverse of the piecewise
        uniform distribution), so a point below today's elapsed weight is always before ``now``."""
        hour = min(bisect.bisect_right(hours_cum, x), 23)
        before = hours_cum[hour - 1] if hour else 0.0
        within = (x - before) / (hours_cum[hour] - before)
        return (hour + min(max(within, 0.0), 0.9999)) * 3600

    def daily_counts(self) -> list[list[int]]:
        """Orders per (day, account): expected volume from share × trend × season × weekday × noise, sampled
        systematically so the counts add up to exactly ``total``."""
        rng = self.rng
        expected = [[0.0] * len(self.plans) for _ in range(self.days)]
        for a, plan in enumerate(self.plans):
            spec = plan.spec
            start_rate, end_rate = spec.growth
            weights = []
            for d in range(self.days):
                day = self.start + dt.timedelta(days=d)
                t = d / max(self.days - 1, 1)
                weights.append((start_rate + (end_rate - start_rate) * t)
                               * seasons.season_factor(spec.season, day)
                               * seasons.weekday_factor(spec.season, day)
                               * rng.lognormvariate(0.0, 0.15))
            hours = self._state[spec.code]["hours"]
            weights[-1] *= self._elapsed_weight(hours) / hours[-1]  # today: only the hours so far
            scale = self.total * spec.share / sum(weights)
            for d, w in enumerate(weights):
                expected[d][a] = w * scale
        share_sum = sum(p.spec.share for p in self.plans)
        offset = rng.random()
        counts, running, placed = [], 0.0, 0
        for row in expected:
            out = []
            for x in row:
                running += x / share_sum
                upto = min(math.ceil(running - offset), self.total)
                out.append(upto - placed)
                placed = upto
            counts.append(out)
        counts[-1][-1] += self.total - placed
        return counts

    # -- ids --------------------------------------------------------------------------------------------------
    def _order_id(self, spec: AccountSpec, state, day: dt.date) -> str:
        rng, used = self.rng, state["ids"]
        while True:
            if spec.platform == "amazon":
                prefix = rng.choice(AMAZON_PREFIXES.get(spec.marketplace, AMAZON_EU_PREFIXES))
                value = f"{prefix}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
            elif spec.platform == "shopee":
                value = day.strftime("%y%m%d") + "".join(rng.choice(BASE36) for _ in range(8))
            elif spec.platform == "tiktok":
                value = f"57{rng.randrange(10**16):016d}"
            elif spec.platform == "ebay":
                value = f"{rng.randrange(1, 100):02d}-{rng.randrange(10**5):05d}-{rng.randrange(10**5):05d}"
            else:
                raise ValueError(spec.platform)
            if value not in used:
                used.add(value)
                return value

    def _line_id(self, spec: AccountSpec, state) -> str:
        rng = self.rng
        if spec.platform == "shopee":
            return ""  # Shopee order items have no id of their own (item_id + model_id)
        while True:
            if spec.platform == "amazon":
                value = f"{rng.randrange(10**13, 10**14)}"
            elif spec.platform == "tiktok":
                value = f"57{rng.randrange(10**16):016d}"
            elif spec.platform == "ebay":
                value = f"10{rng.randrange(10**9):09d}"
            else:
                value = f"1{rng.randrange(10**13):013d}"
            if value not in state["line_ids"]:
                state["line_ids"].add(value)
                return value

    def _customer_ref(self, spec: AccountSpec, state) -> str:
        rng = self.rng
        while True:
            if spec.platform == "amazon":
                value = f"{rng.getrandbits(64):016x}"  # Amazon gives a masked e-mail; we keep its hash
            elif spec.platform == "shopee":
                value = str(rng.randrange(10**8, 10**9))
            elif spec.platform == "tiktok":
                value = f"7{rng.randrange(10**18):018d}"
            elif spec.platform == "ebay":
                value = f"{rng.choice(EBAY_WORDS)}{rng.choice(EBAY_WORDS)}_{rng.randrange(10, 1000)}"
            else:
                value = f"7{rng.randrange(10**12):012d}"
            if value not in state["refs"]:
                state["refs"].add(value)
                return value

    # -- buyers -----------------------------------------------------------------------------------------------
    def _customer(self, spec: AccountSpec, state) -> tuple[Customer, bool]:
        """A returning buyer (same id and address) or a new one; returns (customer, is_new)."""
        rng = self.rng
        customers = state["customers"]
        if customers and rng.random() < spec.repeat_rate:
            return customers[rng.randrange(len(customers))], False
        country = _pick(rng, *state["ship_to"])
        places, cum = self._places[country]
        place = _pick(rng, places, cum)
        customer = Customer(self._customer_ref(spec, state), country, place.region, place.city,
                            geography.postal_code(country, place.postal_prefix, rng), place.sales_tax)
        customers.append(customer)
        return customer, True

    # -- money ------------------------------------------------------------------------------------------------
    def _deal(self, spec: AccountSpec, day: dt.date) -> tuple[int, int, int]:
        """Event price cut on ``day``: (percent off, modulus, residues below which a product index is in the deal)."""
        offset_tg = (day - seasons.thanksgiving(day.year)).days
        if spec.platform == "amazon":
            prime = (day - seasons.prime_day(day.year)).days
            if 0 <= prime <= 3:
                return 25, 5, 2
            if 0 <= (day - seasons.prime_big_deal_days(day.year)).days <= 1:
                return 20, 4, 1
            if 1 <= offset_tg <= 4:
                return 22, 3, 2
        elif spec.platform == "tiktok":
            if 0 <= offset_tg <= 4:
                return 20, 1, 1
            if day.month == 7 and 7 <= day.day <= 18:
                return 15, 2, 1
        elif spec.platform == "shopee":
            if day.month == day.day or (day.month == 11 and day.day in (10, 12)):
                return 15, 2, 1
        elif spec.platform == "ebay":
            if 1 <= offset_tg <= 4:
                return 15, 2, 1
        return 0, 1, 0

    def _unit_price(self, spec: AccountSpec, listing: ListingRef, deal: tuple[int, int, int]) -> Decimal:
        pct, modulus, keep = deal
        if not pct or listing.index % modulus >= keep:
            return listing.price
        key = (id(spec), listing.index, pct)
        price = self._price_cache.get(key)
        if price is None:
            price = charm_price(listing.price * (100 - pct) / 100, spec.currency, spec.price_style)
            price = min(price, listing.price)
            self._price_cache[key] = price
        return price

    def _rate(self, currency: str, day: dt.date) -> Decimal:
        key = (currency, day)
        rate = self._fx_cache.get(key)
        if rate is None:
            rate = self.fx_rate(currency, day).quantize(RATE_EXPONENT)
            self._fx_cache[key] = rate
        return rate

    # -- orders -----------------------------------------------------------------------------------------------
    def orders(self) -> Iterator[tuple[Order, list[OrderLine]]]:
        """Every order with its lines, in day order (within a day: account by account)."""
        counts = self.daily_counts()
        for d in range(self.days):
            day = self.start + dt.timedelta(days=d)
            day_start = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz).astimezone(UTC)
            for a, plan in enumerate(self.plans):
                n = counts[d][a]
                if not n:
                    continue
                spec, state = plan.spec, self._state[plan.spec.code]
                deal = self._deal(spec, day)
                hours = state["hours"]
                day_weight = self._elapsed_weight(hours) if day == self.today else hours[-1]
                batch = [self._order(plan, state, d, day, day_start, day_weight, deal) for _ in range(n)]
                if spec.platform == "shopify":
                    batch.sort(key=lambda pair: pair[0].purchased_at)
                    for order, _lines in batch:
                        state["seq"] += 1
                        order.external_id = f"#{state['seq']}"
                yield from batch

    def _status(self, spec: AccountSpec, channel: str, country: str, age: float) -> tuple[str, float]:
        """Canonical status for an order ``age`` days old, and the days after purchase of its last change."""
        rng = self.rng
        if rng.random() < (0.04 if spec.platform == "shopee" else 0.02):
            return "cancelled", rng.uniform(0.05, 1.5)
        # Probability of still waiting for dispatch by whole days of age; nothing ships within three hours.
        unshipped_by_age = {"fba": (0.6, 0.12), "3pl": (0.95, 0.45, 0.1), "merchant": (1.0, 0.85, 0.45, 0.15, 0.05)}
        lag = unshipped_by_age[channel]
        whole = int(age)
        if age < 0.125 or (whole < len(lag) and rng.random() < lag[whole]):
            if spec.platform == "amazon" and age < 0.5 and rng.random() < 0.1:
                return "pending", 0.0
            return "unshipped", min(age, rng.uniform(0.01, 0.1))
        ship_day = {"fba": 0.6, "3pl": 1.2, "merchant": 2.0}[channel]
        transit = MERCHANT_TRANSIT.get(country, TRANSIT_DAYS["merchant"]) if channel == "merchant" else \
            TRANSIT_DAYS[channel]
        delivered_after = ship_day + transit + rng.randint(0, 2)
        if age < delivered_after or (channel == "merchant" and rng.random() < 0.03):
            return "shipped", min(ship_day, age)
        if age > delivered_after + 6:
            r = rng.random()
            if r < 0.012:
                return "refunded", delivered_after + rng.uniform(3, 6)
            if r < 0.022:
                return "returned", delivered_after + rng.uniform(4, 6)
        return "delivered", delivered_after

    def _order(self, plan: AccountPlan, state, d: int, day: dt.date, day_start: dt.datetime, day_weight: float,
               deal) -> tuple[Order, list[OrderLine]]:
        rng, spec = self.rng, plan.spec
        currency = spec.currency
        customer, is_new = self._customer(spec, state)
        channel = _pick(rng, *state["fulfilment"])
        if channel != "fba" and customer.country != spec.marketplace and spec.platform != "amazon":
            channel = "merchant"  # cross-border parcels leave Shenzhen, not the US 3PL
        pools = state["fbm_pools"] if (channel != "fba" and state["fbm_pools"]) else state["pools"]
        pool = _pool_for(pools, d)
        if pool is None:
            pool = _pool_for(state["pools"], d)

        # Lines: distinct listings; one line most of the time.
        r = rng.random()
        two, three = spec.multi_line
        n_lines = 3 if r < three else (2 if r < three + two else 1)
        chosen: list[ListingRef] = []
        for _ in range(n_lines * 3):
            listing = _pick(rng, pool.listings, pool.cum)
            if all(x is not listing for x in chosen):
                chosen.append(listing)
            if len(chosen) == n_lines:
                break

        offset_tg = (day - seasons.thanksgiving(day.year)).days
        lines = []
        gross = []
        for listing in chosen:
            qty = QTY[bisect.bisect_right(QTY_CHEAP_CUM if listing.cheap else QTY_CUM, rng.random())]
            unit = self._unit_price(spec, listing, deal)
            gross.append(unit * qty)
            lines.append(OrderLine(line_no=len(lines) + 1, product_id=listing.product_id,
                                   channel_sku=listing.channel_sku, quantity=qty, unit_price=unit, gross_amount=unit * qty,
                                   external_line_id=self._line_id(spec, state)))
        items = sum(gross, ZERO)

        # Discounts: coupons, vouchers and codes as each platform runs them.
        discounts = [ZERO] * len(lines)
        platform = spec.platform
        if platform == "amazon":
            if rng.random() < 0.06:
                discounts[0] = quantize(gross[0] * rng.choice((10, 15)) / 100, currency)
        elif platform == "shopee":
            voucher_p = 0.6 if day.month == day.day else 0.35
            if rng.random() < voucher_p:
                amount = Decimal(rng.choice((1, 2, 3) if currency == "SGD" else (2, 3, 5, 8)))
                if items >= amount * 4:
                    big = max(range(len(lines)), key=lambda i: gross[i])
                    discounts[big] = min(amount, gross[big])
        elif platform == "tiktok":
            if rng.random() < 0.3:
                pct = rng.choice((10, 15, 20))
                discounts = [quantize(g * pct / 100, currency) for g in gross]
        elif platform == "ebay":
            if rng.random() < 0.04:
                discounts = [quantize(g / 10, currency) for g in gross]
        elif platform == "shopify":
            if 0 <= offset_tg <= 4 and rng.random() < 0.65:
                discounts = [quantize(g / 4, currency) for g in gross]  # BFCM25
            elif is_new and rng.random() < 0.18:
                discounts = [quantize(g / 10, currency) for g in gross]  # WELCOME10
        net_items = items - sum(discounts, ZERO)

        # Shipping charged to the buyer (on the first line, as Amazon and Shopify report it).
        shipping = ZERO
        if platform == "shopee":
            threshold, fee = (Decimal(40), Decimal("1.99")) if currency == "SGD" else (Decimal(60), Decimal("4.90"))
            if net_items < threshold and rng.random() < 0.55:
                shipping = fee
        elif platform == "tiktok":
            if net_items < 15 and rng.random() < 0.6:
                shipping = Decimal("3.99")
        elif platform == "ebay":
            if customer.country != "US":
                shipping = Decimal("9.95")
        elif platform == "shopify":
            if customer.country == "US":
                shipping = ZERO if net_items >= 35 else Decimal("4.99")
            else:
                shipping = ZERO if net_items >= 75 else Decimal("9.99")

        # Tax: US sales tax on top (where collected), elsewhere the VAT/GST part of the price.
        if spec.tax_added:
            collects = customer.country == "US" and customer.sales_tax > 0 and (
                spec.tax_states is None or customer.region in spec.tax_states)
            rate = customer.sales_tax if collects else ZERO
            part = rate
        else:
            rate = geography.INCLUDED_TAX.get(customer.country, ZERO)
            part = rate / (ONE + rate)
        tax_total = ZERO
        for i, line in enumerate(lines):
            line.discount = discounts[i]
            line.item_tax = quantize((gross[i] - discounts[i]) * part, currency) if part else ZERO
            if i == 0:
                line.shipping = shipping
                line.shipping_tax = quantize(shipping * part, currency) if part and shipping else ZERO
            else:
                line.shipping = ZERO
                line.shipping_tax = ZERO
            tax_total += line.item_tax + line.shipping_tax
        discount_total = sum(discounts, ZERO)
        order_total = items + shipping - discount_total + (tax_total if spec.tax_added else ZERO)

        # When: the buyers' hour of day (today: only the hours so far).
        seconds = self._time_of_day(rng.random() * day_weight, state["hours"])
        purchased_at = (day_start + dt.timedelta(seconds=seconds)).replace(microsecond=0)
        local_day = purchased_at.astimezone(self.tz).date()
        age = max((self.now - purchased_at).total_seconds() / 86400, 0.0)
        status, changed_after = self._status(spec, channel, customer.country, age)
        updated = min(purchased_at + dt.timedelta(days=changed_after), self.now)

        order = Order(
            account_id=plan.account_id,
            external_id="" if platform == "shopify" else self._order_id(spec, state, local_day),
            marketplace=spec.marketplace,
            purchased_at=purchased_at,
            status=status,
            fulfilment_channel=channel,
            customer_ref=customer.ref,
            ship_country=customer.country,
            ship_region=customer.region,
            ship_city=customer.city,
            ship_postal=customer.postal,
            currency=currency,
            items_total=items,
            shipping_total=shipping,
            tax_total=tax_total,
            discount_total=discount_total,
            order_total=order_total,
            base_currency=self.base_currency,
            fx_rate=self._rate(currency, local_day),
            source_updated_at=max(updated, purchased_at),
        )
        return order, lines
