"""Who the demo seller is: the company, its warehouses and its nine channel accounts with their commercial habits.

A Shenzhen brand owner in its growth stage (seeds digest §3): Amazon US is the cash cow, Europe and Japan are
served from FBA, Shopee and eBay ship direct from Shenzhen, TikTok Shop is the fast-growing newcomer and the own
Shopify site carries the bundles and the repeat buyers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

COMPANY_NAME = "深圳市出海星科技有限公司"
COMPANY_COUNTRY = "CN"


@dataclass(frozen=True, slots=True)
class WarehouseSpec:
    code: str
    name: str
    type: str
    country: str
    time_zone: str


WAREHOUSES = [
    WarehouseSpec("SZ-LONGHUA", "深圳龙华仓 Shenzhen Longhua", "domestic", "CN", "Asia/Shanghai"),
    WarehouseSpec("US-3PL-ONT", "US 3PL — Ontario, CA", "overseas_3pl", "US", "America/Los_Angeles"),
    WarehouseSpec("DE-3PL-HAM", "DE 3PL — Hamburg", "overseas_3pl", "DE", "Europe/Berlin"),
    WarehouseSpec("FBA-US", "Amazon FBA US", "fba", "US", "America/Los_Angeles"),
    WarehouseSpec("FBA-EU", "Amazon FBA EU (Pan-European)", "fba", "DE", "Europe/Berlin"),
    WarehouseSpec("FBA-JP", "Amazon FBA JP", "fba", "JP", "Asia/Tokyo"),
]


@dataclass(frozen=True, slots=True)
class AccountSpec:
    code: str
    name: str
    platform: str
    marketplace: str
    currency: str
    operating_model: str
    #: Share of the year's orders, and the order-rate trend from the first to the last day of the year.
    share: float
    growth: tuple[float, float]
    #: Buyers' time zone (when in the day they order) and the seasonality profile (:mod:`chuhai.demo.seasons`).
    time_zone: str
    season: str
    price_factor: Decimal
    price_style: str
    plugs: frozenset[str]
    ship_to: tuple[tuple[str, float], ...]
    fulfilment: tuple[tuple[str, float], ...]
    #: Sales tax is added on top of prices (US); elsewhere VAT/GST is included in the price.
    tax_added: bool = False
    #: States where sales tax is charged (None: every state with a sales tax, as marketplace facilitators do).
    tax_states: frozenset[str] | None = None
    repeat_rate: float = 0.06
    #: Fraction of eligible products the account lists, and per-category popularity multipliers (0 = not sold).
    coverage: float = 1.0
    category_weight: dict[str, float] = field(default_factory=dict)
    #: Amazon: fraction of listings that also have a merchant-fulfilled (FBM) offer.
    fbm_share: float = 0.0
    #: Probability that an order has 2 and 3 lines.
    multi_line: tuple[float, float] = (0.12, 0.03)


def _weights(**pairs: float) -> tuple[tuple[str, float], ...]:
    return tuple(pairs.items())


US_PLUG, EU_PLUG, UK_PLUG = frozenset({"US"}), frozenset({"EU"}), frozenset({"UK"})

ACCOUNTS = [
    AccountSpec(
        "AMZ-US", "Amazon.com — VOLTNEST", "amazon", "US", "USD", "platform", share=0.36, growth=(0.85, 1.2),
        time_zone="America/Chicago", season="amazon_us", price_factor=Decimal("1.00"), price_style="99",
        plugs=US_PLUG, ship_to=_weights(US=1.0), fulfilment=_weights(fba=0.80, **{"3pl": 0.12}, merchant=0.08),
        tax_added=True, repeat_rate=0.07, fbm_share=0.35,
    ),
    AccountSpec(
        "AMZ-DE", "Amazon.de — VOLTNEST EU", "amazon", "DE", "EUR", "platform", share=0.12, growth=(0.8, 1.25),
        time_zone="Europe/Berlin", season="amazon_eu", price_factor=Decimal("1.00"), price_style="99", plugs=EU_PLUG,
        ship_to=_weights(DE=0.78, AT=0.07, FR=0.04, NL=0.03, BE=0.02, IT=0.02, ES=0.02, PL=0.02),
        fulfilment=_weights(fba=0.85, **{"3pl": 0.15}), repeat_rate=0.06, fbm_share=0.3,
    ),
    AccountSpec(
        "AMZ-UK", "Amazon.co.uk — VOLTNEST UK", "amazon", "GB", "GBP", "platform", share=0.08, growth=(0.9, 1.1),
        time_zone="Europe/London", season="amazon_eu", price_factor=Decimal("0.88"), price_style="99", plugs=UK_PLUG,
        ship_to=_weights(GB=0.97, IE=0.03), fulfilment=_weights(fba=0.9, merchant=0.1), repeat_rate=0.06,
        fbm_share=0.2,
    ),
    AccountSpec(
        "AMZ-JP", "Amazon.co.jp — VOLTNEST JP", "amazon", "JP", "JPY", "platform", share=0.07, growth=(0.7, 1.3),
        time_zone="Asia/Tokyo", season="amazon_jp", price_factor=Decimal("155"), price_style="jp", plugs=US_PLUG,
        ship_to=_weights(JP=1.0), fulfilment=_weights(fba=0.92, merchant=0.08), repeat_rate=0.08, fbm_share=0.15,
        category_weight={"Smart home": 0, "Bundles": 0, "Earbud cases": 1.4},
    ),
    AccountSpec(
        "SHOPEE-SG", "Shopee Singapore — voltnest.sg", "shopee", "SG", "SGD", "platform", share=0.06,
        growth=(0.9, 1.1), time_zone="Asia/Singapore", season="shopee", price_factor=Decimal("1.05"),
        price_style="90", plugs=UK_PLUG, ship_to=_weights(SG=1.0), fulfilment=_weights(merchant=1.0),
        repeat_rate=0.12, coverage=0.75, multi_line=(0.18, 0.05),
        category_weight={"Power banks": 0, "Bundles": 0, "Hubs & adapters": 0.5, "Smart home": 0.4,
                         "Earbud cases": 2.0, "Screen protectors": 2.0, "Cables": 1.5},
    ),
    AccountSpec(
        "SHOPEE-MY", "Shopee Malaysia — voltnest.my", "shopee", "MY", "MYR", "platform", share=0.08,
        growth=(0.8, 1.3), time_zone="Asia/Kuala_Lumpur", season="shopee", price_factor=Decimal("2.6"),
        price_style="90", plugs=UK_PLUG, ship_to=_weights(MY=1.0), fulfilment=_weights(merchant=1.0),
        repeat_rate=0.12, coverage=0.7, multi_line=(0.18, 0.05),
        category_weight={"Power banks": 0, "Bundles": 0, "Hubs & adapters": 0.4, "Smart home": 0.3,
                         "Earbud cases": 2.2, "Screen protectors": 2.2, "Cables": 1.6},
    ),
    AccountSpec(
        "TIKTOK-US", "TikTok Shop US — VOLTNEST", "tiktok", "US", "USD", "platform", share=0.10, growth=(0.3, 1.8),
        time_zone="America/Chicago", season="tiktok_us", price_factor=Decimal("0.95"), price_style="99",
        plugs=US_PLUG, ship_to=_weights(US=1.0), fulfilment=_weights(**{"3pl": 0.85}, merchant=0.15),
        tax_added=True, repeat_rate=0.05, coverage=0.55,
        category_weight={"Power banks": 2.0, "Earbud cases": 1.5, "Stands & mounts": 1.5, "Hubs & adapters": 0.5,
                         "Bundles": 0},
    ),
    AccountSpec(
        "EBAY-US", "eBay.com — voltnest_official", "ebay", "US", "USD", "platform", share=0.05, growth=(1.1, 0.9),
        time_zone="America/Chicago", season="ebay_us", price_factor=Decimal("0.97"), price_style="95",
        plugs=US_PLUG, ship_to=_weights(US=0.93, CA=0.05, AU=0.02),
        fulfilment=_weights(**{"3pl": 0.6}, merchant=0.4), tax_added=True, repeat_rate=0.08, coverage=0.6,
        category_weight={"Hubs & adapters": 1.5, "Smart home": 1.2, "Bundles": 0},
    ),
    AccountSpec(
        "SHOPIFY-SITE", "voltnest.com (Shopify)", "shopify", "US", "USD", "own_site", share=0.08, growth=(0.5, 1.6),
        time_zone="America/New_York", season="shopify", price_factor=Decimal("1.05"), price_style="99",
        plugs=US_PLUG, ship_to=_weights(US=0.85, CA=0.10, AU=0.05),
        fulfilment=_weights(**{"3pl": 0.8}, merchant=0.2), tax_added=True, tax_states=frozenset({"CA"}),
        repeat_rate=0.28, multi_line=(0.25, 0.08),
        category_weight={"Bundles": 3.0, "Chargers": 1.3, "Hubs & adapters": 1.3},
    ),
]

#: Days from dispatch to delivery by fulfilment channel; merchant orders leave Shenzhen.
TRANSIT_DAYS = {"fba": 2, "3pl": 4, "merchant": 9}
MERCHANT_TRANSIT = {"SG": 5, "MY": 7}
