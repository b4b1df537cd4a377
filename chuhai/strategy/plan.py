"""The 90-day plan: three periods (days 0–30, 31–60, 61–90) of concrete steps.

The backbone comes from the primary model — what that model runs on, per the seeds — and the fired rules add their
own steps (readiness gaps, dependency, hybrid conflicts…). Within a period the backbone comes first, then the
rules' steps in rule order. Each step names the rule that chose it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .rules import DAYS, DISTRIBUTION, FIRST, HYBRID, OWN_SITE, PLATFORM, SECOND, THIRD, Text


@dataclass(frozen=True)
class Backbone:
    """The plan steps for one primary model, as a rule of its own (id, source) for the catalogue."""

    id: str
    source: str
    description: object
    steps: tuple[tuple[str, Text], ...]


BACKBONES = {
    PLATFORM: Backbone(
        "plan_platform", "001 §三", _("Platform plan: listings, data-driven ads, account health."),
        ((FIRST, Text(_("Pick one to three products and list them on one platform with complete listings: title, "
                        "keywords, images, video."))),
         (SECOND, Text(_("Tune listings and ads from the platform's data (search terms, clicks, conversion); "
                         "keep order defects and late shipments down."))),
         (THIRD, Text(_("Reorder the winners, drop the losers, and decide the next product or channel from the "
                        "figures."))))),
    OWN_SITE: Backbone(
        "plan_own_site", "001 §三", _("Own-site plan: a trustworthy site, traffic, customer data."),
        ((FIRST, Text(_("Get the site's basics right: speed, mobile layout, a clear return policy, trust badges, "
                        "payment and delivery."))),
         (SECOND, Text(_("Drive traffic: SEO and content, social media, affiliates; ads only where they pay "
                         "back."))),
         (THIRD, Text(_("Segment the customer list and run email and retargeting; measure conversion and repeat "
                        "purchases."))))),
    DISTRIBUTION: Backbone(
        "plan_distribution", "001 §一.3", _("Distribution plan: suppliers or distributors, a small test, keep the "
                                            "reliable ones."),
        ((FIRST, Text(_("Choose dropship suppliers or distributors; check samples, delivery times and terms."))),
         (SECOND, Text(_("Launch a few niche products through them and measure delivery time, returns and "
                         "margin per order."))),
         (THIRD, Text(_("Keep the reliable partners, renegotiate terms, and drop the rest."))))),
    HYBRID: Backbone(
        "plan_hybrid", "000 §5.3", _("Hybrid plan: each channel its role, best-sellers pull buyers to the site."),
        ((FIRST, Text(_("Give each channel its role: platforms for volume and testing, the site for brand and "
                        "margin, distribution for new regions."))),
         (SECOND, Text(_("Use platform best-sellers to grow the site's customer list."))),
         (THIRD, Text(_("Review sales, margin and share per channel; shift budget to the channel that earns "
                        "most."))))),
}


def period_order(days: str) -> int:
    return DAYS.index(days)
