"""Which products each demo account sells, under which channel SKU and item id, at what price.

Realistic details: one ASIN per product shared by all Amazon marketplaces; an extra merchant-fulfilled offer
(``SKU-FBM``) next to the FBA one for part of the Amazon range; eBay custom labels prefixed ``EB-``; numeric item
ids in each platform's length; discontinued products' listings inactive (eBay: ended), a few Amazon listings
suppressed in the last days; shelf prices with the market's charm ending.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from .business import AccountSpec
from .catalog import ProductSpec
from .pricing import market_price

ASIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class ListingSpec:
    account: str
    sku: str
    channel_sku: str
    external_id: str
    price: Decimal
    status: str
    popularity: float
    launch_day: int
    retire_day: int | None
    merchant_fulfilled: bool = False


def _unique(rng: random.Random, used: set[str], make) -> str:
    while True:
        value = make(rng)
        if value not in used:
            used.add(value)
            return value


def _item_id(platform: str, rng: random.Random) -> str:
    if platform == "shopee":
        return str(rng.randrange(10**9, 3 * 10**10))
    if platform == "tiktok":
        return f"17{rng.randrange(10**17):017d}"
    if platform == "ebay":
        return f"3{rng.randrange(10**11):011d}"
    return f"8{rng.randrange(10**12):012d}"  # Shopify product id


def plan_listings(rng: random.Random, catalogue: list[ProductSpec], accounts: list[AccountSpec],
                  days: int) -> list[ListingSpec]:
    used: set[str] = set()
    asins = {p.sku: _unique(rng, used, lambda r: "B0" + "".join(r.choice(ASIN_CHARS) for _ in range(8)))
             for p in catalogue}
    out: list[ListingSpec] = []
    for account in accounts:
        suppressed = 0
        for product in catalogue:
            if product.plug is not None and product.plug not in account.plugs:
                continue
            category_weight = account.category_weight.get(product.category, 1.0)
            if category_weight <= 0:
                continue
            if rng.random() > account.coverage:
                continue
            popularity = product.popularity * category_weight * rng.lognormvariate(0.0, 0.35)
            launch_day = int(product.launch * days)
            retire_day = int(product.retire * days) if product.retire is not None else None
            status = "active"
            if retire_day is not None:
                status = "closed" if account.platform == "ebay" else "inactive"
            elif account.platform == "amazon" and suppressed < 2 and rng.random() < 0.03:
                status, retire_day, suppressed = "suppressed", days - rng.randint(2, 6), suppressed + 1
            jitter = Decimal(100 + rng.randint(-4, 4)) / 100
            price = market_price(product.usd_price * jitter, account.price_factor, account.currency,
                                 account.price_style)
            if account.platform == "amazon":
                external_id = asins[product.sku]
            else:
                external_id = _unique(rng, used, lambda r, platform=account.platform: _item_id(platform, r))
            channel_sku = f"EB-{product.sku}" if account.platform == "ebay" else product.sku
            out.append(ListingSpec(account.code, product.sku, channel_sku, external_id, price, status, popularity,
                                   launch_day, retire_day))
            if account.fbm_share and not product.is_bundle and rng.random() < account.fbm_share:
                out.append(ListingSpec(account.code, product.sku, f"{product.sku}-FBM", external_id, price, status,
                                       popularity, launch_day, retire_day, merchant_fulfilled=True))
    return out
