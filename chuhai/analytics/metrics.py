"""Money ratios, defined once: margin, ACOS, TACOS, ROAS. Pages, reports, the API and exports call these.

Each takes exact ``Decimal`` sums (never floats) and returns a ``Decimal`` ratio, or ``None`` when the
denominator is zero or missing — "no sales" is not "0 % margin" and never a division error. Percentages are
returned as percentages (12.5 means 12.5 %), unrounded; whoever shows one rounds it.

Definitions (the ones Amazon's console and the ERPs use):

- contribution = net revenue + shipping charged + promotions + refunds + platform fees + advertising + other fees
  + reimbursements + cost of goods + logistics (costs are negative, so this is a plain sum);
- margin % = contribution / net revenue × 100 (net revenue excludes VAT and marketplace-collected tax);
- ACOS % = ad spend / ad-attributed sales × 100;
- TACOS % = ad spend / total sales (all sales of the SKU, attributed or not) × 100;
- ROAS = ad-attributed sales / ad spend (a multiple, not a percentage).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)

#: The parts of a profit row that add up to its contribution, in the order a P&L lists them.
CONTRIBUTION_PARTS = ("revenue", "shipping_income", "promotions", "refunds", "platform_fees", "advertising",
                      "other_fees", "reimbursements", "cogs", "logistics")


def _ratio(numerator: Decimal | None, denominator: Decimal | None, scale: Decimal = HUNDRED) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) * scale / Decimal(denominator)


def contribution(parts: Mapping[str, Decimal]) -> Decimal:
    """Sum of the :data:`CONTRIBUTION_PARTS` present in ``parts`` (a missing part counts as zero)."""
    return sum((Decimal(parts.get(name) or ZERO) for name in CONTRIBUTION_PARTS), ZERO)


def margin_percent(profit: Decimal | None, revenue: Decimal | None) -> Decimal | None:
    return _ratio(profit, revenue)


def acos_percent(ad_spend: Decimal | None, ad_sales: Decimal | None) -> Decimal | None:
    return _ratio(ad_spend, ad_sales)


def tacos_percent(ad_spend: Decimal | None, total_sales: Decimal | None) -> Decimal | None:
    return _ratio(ad_spend, total_sales)


def roas(ad_sales: Decimal | None, ad_spend: Decimal | None) -> Decimal | None:
    return _ratio(ad_sales, ad_spend, Decimal(1))
