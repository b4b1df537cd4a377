"""Channel conflicts of a hybrid seller (platform + own site): the coordination the seeds say a hybrid model must
keep — stock, price and brand (seeds-digest §1 hybrid; 000 §5.3 and 001 FAQ Q3: site-only variants or bundles,
coordinate stock and prices across channels). Three checks, relative to ``today`` (company time zone) over the
*recent* window (the :data:`RECENT_DAYS` days before today):

1. ``price_undercut`` — a SKU cheaper on a platform than on the own site. A channel account's *price* of a SKU is
   its active listing's price when one is set (in the listing's currency, on the listing's marketplace), else
   the average unit price of its order lines over the recent window from the metric layer (``net_sales ÷
   units`` by SKU × account, in the base currency, on the account's marketplace). Each price is converted to the
   base currency at today's rate (or the latest known, :func:`chuhai.strategy.evidence.rate_today`) and the VAT
   is taken out where the marketplace's prices include it (:func:`chuhai.finance.vat.prices_include_vat`, the
   marketplace's standard rate of today, :func:`chuhai.finance.vat.split_vat`). The own-site price is the lowest
   of the SKU's own-site accounts; every platform account whose net price, rounded to the base currency's minor
   unit, is lower is a conflict: a buyer who finds the SKU cheaper on Amazon learns to buy it there.
2. ``no_site_exclusive`` — the own site sells nothing a platform does not: every SKU on the own site (an active
   own-site listing, or units sold there in the recent window) is also on a platform (same test). One note, not
   per SKU: the site needs a reason to visit — site-only variants, bundles, member prices.
3. ``stock_split`` — a SKU whose available-to-sell stock (:func:`chuhai.inventory.ats.compute`) is available to
   some channels only while another channel that sold it in the recent window shows none: e.g. all of it sits
   in FBA while the own site sells it, so the site shows "sold out" with stock on the shelf. A channel's
   available stock of a SKU is the largest ``available`` over its listings of the SKU; a selling channel without
   a listing is not judged (chuhai cannot tell what it may draw on).

A channel is :func:`chuhai.strategy.evidence.channel_key`'s (``own_site``, ``distribution`` or the platform id).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .evidence import DISTRIBUTION, OWN_SITE, channel_key, rate_today

RECENT_DAYS = 90
ZERO = Decimal(0)
HUNDRED = Decimal(100)
PRICE_UNDERCUT, NO_SITE_EXCLUSIVE, STOCK_SPLIT = "price_undercut", "no_site_exclusive", "stock_split"
KINDS = (PRICE_UNDERCUT, NO_SITE_EXCLUSIVE, STOCK_SPLIT)
#: Where the advice behind each check comes from.
SOURCES = {PRICE_UNDERCUT: "000 §5.3", NO_SITE_EXCLUSIVE: "001 FAQ Q3", STOCK_SPLIT: "000 §5.3"}


@dataclass
class Conflict:
    kind: str
    sku: str
    text: str
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return SOURCES[self.kind]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "sku": self.sku, "text": self.text, "source": self.source,
                "figures": {k: str(v) if isinstance(v, Decimal) else v for k, v in self.figures.items()}}


@dataclass(frozen=True)
class Price:
    account: str
    channel: str
    net: Decimal  # base currency, VAT excluded, unrounded
    origin: str  # "listing" | "orders"


def _is_platform(channel: str) -> bool:
    return channel not in (OWN_SITE, DISTRIBUTION)


def _window(today: dt.date) -> dict:
    return {"date_from": today - dt.timedelta(days=RECENT_DAYS), "date_to": today - dt.timedelta(days=1)}


def _sold(today: dt.date) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """(SKU, account code) → (net sales in the base currency, units) over the recent window, units > 0."""
    from chuhai.analytics.metric_layer import run

    rows = run("net_sales,units", by="sku,account", **_window(today)).rows
    return {(r["sku"], r["account"]): (r["net_sales"] or ZERO, r["units"] or 0) for r in rows
            if r["sku"] and (r["units"] or 0) > 0}


def _net_of_vat(amount: Decimal, marketplace: str, today: dt.date) -> Decimal:
    from chuhai.finance.vat import prices_include_vat, split_vat, vat_rate

    if not prices_include_vat(marketplace):
        return amount
    return split_vat(amount, vat_rate(marketplace, today))[0]


def _prices(today: dt.date, base: str, sold, accounts) -> dict[str, list[Price]]:
    """SKU → the net price of each account selling or listing it (module docstring, check 1)."""
    from chuhai.catalog.models import Listing, ListingStatus
    from chuhai.finance.fx import FxConverter

    fx = FxConverter()
    prices: dict[tuple[str, str], Price] = {}
    listed = (Listing.objects.filter(status=ListingStatus.ACTIVE, price__isnull=False)
              .select_related("account", "product").order_by("account__code", "channel_sku"))
    for listing in listed:
        key = (listing.product.sku, listing.account.code)
        if key in prices:
            continue
        rate = rate_today(fx, listing.currency, base, today)
        if rate is None:
            continue
        net = _net_of_vat(listing.price * rate, listing.marketplace, today)
        prices[key] = Price(listing.account.code, channel_key(listing.account), net, "listing")
    for (sku, code), (sales, units) in sold.items():
        account = accounts.get(code)
        if (sku, code) in prices or account is None:
            continue
        prices[(sku, code)] = Price(code, channel_key(account), _net_of_vat(sales / units, account.marketplace,
                                                                             today), "orders")
    by_sku: dict[str, list[Price]] = defaultdict(list)
    for (sku, _code), price in sorted(prices.items()):
        by_sku[sku].append(price)
    return by_sku


def _price_conflicts(prices: dict[str, list[Price]], base: str) -> list[Conflict]:
    from chuhai.core.money import quantize

    found = []
    for sku, offers in prices.items():
        site = [p for p in offers if p.channel == OWN_SITE]
        if not site:
            continue
        cheapest = min(site, key=lambda p: (p.net, p.account))
        site_price = quantize(cheapest.net, base)
        for offer in offers:
            if not _is_platform(offer.channel):
                continue
            platform_price = quantize(offer.net, base)
            if platform_price >= site_price:
                continue
            below = (site_price - platform_price) * HUNDRED / site_price
            text = _("%(sku)s costs %(platform)s %(currency)s on %(account)s but %(site)s %(currency)s on the own "
                     "site (%(site_account)s), %(below)s %% less, VAT excluded: buyers learn to buy it on the "
                     "platform. Keep one price, or give the site a reason of its own (seeds 000 §5.3).") % {
                "sku": sku, "platform": platform_price, "site": site_price, "currency": base,
                "account": offer.account, "site_account": cheapest.account, "below": below.quantize(Decimal("0.1"))}
            found.append(Conflict(PRICE_UNDERCUT, sku, text, {
                "currency": base, "own_site_price": site_price, "own_site_account": cheapest.account,
                "own_site_price_from": cheapest.origin, "platform_price": platform_price,
                "platform_account": offer.account, "platform": offer.channel, "platform_price_from": offer.origin,
                "percent_below": below.quantize(Decimal("0.01"))}))
    return found


def _channel_skus(today: dt.date, sold, accounts) -> dict[str, set[str]]:
    """Channel → SKUs it offers: active listings plus SKUs sold in the recent window."""
    from chuhai.catalog.models import Listing, ListingStatus

    offered: dict[str, set[str]] = defaultdict(set)
    for listing in Listing.objects.filter(status=ListingStatus.ACTIVE).select_related("account", "product"):
        offered[channel_key(listing.account)].add(listing.product.sku)
    for sku, code in sold:
        if code in accounts:
            offered[channel_key(accounts[code])].add(sku)
    return offered


def _exclusive_conflict(offered: dict[str, set[str]]) -> list[Conflict]:
    site = offered.get(OWN_SITE, set())
    platforms = set().union(*(skus for channel, skus in offered.items() if _is_platform(channel)))
    if not site or not platforms or site - platforms:
        return []
    text = _("Every SKU on the own site (%(count)d) is also on a platform: the site offers nothing a buyer "
             "cannot get on Amazon or another platform. Launch new products on the site first, or keep "
             "site-only variants or bundles (seeds 001 FAQ Q3).") % {"count": len(site)}
    return [Conflict(NO_SITE_EXCLUSIVE, "", text, {"site_skus": len(site), "site_only_skus": 0})]


def _stock_conflicts(sold, accounts) -> list[Conflict]:
    from chuhai.inventory import ats

    available: dict[str, dict[str, int]] = defaultdict(dict)
    for row in ats.compute():
        channel = channel_key(row.listing.account)
        sku = row.listing.product.sku
        available[sku][channel] = max(available[sku].get(channel, 0), row.available)
    selling: dict[str, set[str]] = defaultdict(set)
    for sku, code in sold:
        if code in accounts:
            selling[sku].add(channel_key(accounts[code]))
    found = []
    for sku in sorted(available):
        by_channel = available[sku]
        holding = sorted(c for c, units in by_channel.items() if units > 0)
        starved = sorted(c for c in selling.get(sku, ()) if by_channel.get(c, None) == 0)
        if not holding or not starved:
            continue
        text = _("%(sku)s: %(units)d units are available only to %(holding)s while %(starved)s sold it in the "
                 "last %(days)d days and can show none. Move stock or let those channels draw on it (seeds 000 "
                 "§5.3: coordinate stock across channels).") % {
            "sku": sku, "units": max(by_channel[c] for c in holding), "holding": ", ".join(holding),
            "starved": ", ".join(starved), "days": RECENT_DAYS}
        found.append(Conflict(STOCK_SPLIT, sku, text, {
            "available": {c: by_channel[c] for c in sorted(by_channel)}, "holding": holding, "starved": starved}))
    return found


def hybrid_conflicts(*, today: dt.date | None = None) -> list[Conflict]:
    """The three checks (module docstring), prices first, then the site-exclusive note, then stock."""
    from chuhai.analytics.dashboards import company_today
    from chuhai.analytics.profit import base_currency
    from chuhai.channels.models import ChannelAccount

    today = today or company_today()
    base = base_currency()
    accounts = {a.code: a for a in ChannelAccount.objects.all()}
    sold = _sold(today)
    return [
        *_price_conflicts(_prices(today, base, sold, accounts), base),
        *_exclusive_conflict(_channel_skus(today, sold, accounts)),
        *_stock_conflicts(sold, accounts),
    ]
