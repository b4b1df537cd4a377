"""What the advisor's pages share: the permissions they check, their tab bar, and the translated names of the
operating models, stages and risk levels the engine returns as ids. Only presentation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from chuhai.analytics.stage import STAGE_NAMES

VIEW_ADVICE = "strategy.view_advicerecord"
ADD_ADVICE = "strategy.add_advicerecord"
VIEW_SCENARIO = "strategy.view_scenario"
ADD_SCENARIO = "strategy.add_scenario"
VIEW_CAPABILITY = "strategy.view_capabilityassessment"
ADD_CAPABILITY = "strategy.add_capabilityassessment"
FINANCE = "finance.access_finance"

MODEL_NAMES = {
    "platform": _("Platform"),
    "own_site": _("Own site"),
    "distribution": _("Distribution"),
    "hybrid": _("Hybrid"),
}
MODEL_HINTS = {
    "platform": _("Marketplaces (Amazon, eBay, Shopee…): built-in traffic and logistics, fees and rules set by "
                  "the platform."),
    "own_site": _("Your own store (Shopify, WooCommerce): brand, customer data and margin, but you buy the "
                  "traffic."),
    "distribution": _("Dropshipping or overseas distributors: little capital, less control over brand and "
                      "margin."),
    "hybrid": _("Platforms for volume, the own site for brand and data, distribution for chosen regions."),
}
RULE_KINDS = {"weights": _("Moves the mix"), "mix": _("Reads the mix"), "plan": _("90-day plan")}
RISK_BADGES = {"high": "badge-bad", "medium": "badge-warn", "low": "badge-muted"}
RISK_NAMES = {"high": _("High"), "medium": _("Medium"), "low": _("Low")}

#: (page id, URL name, label, permission), in display order.
TABS = [
    ("questionnaire", "strategy", _("Questionnaire"), VIEW_ADVICE),
    ("history", "strategy-history", _("Past advice"), VIEW_ADVICE),
    ("scenarios", "strategy-scenarios", _("Scenarios"), VIEW_SCENARIO),
    ("capability", "strategy-capability", _("Capabilities"), VIEW_CAPABILITY),
    ("rules", "strategy-rules", _("Rules"), VIEW_ADVICE),
]


def tabs(user, active: str) -> list[dict]:
    """The advisor tabs ``user`` may open, ``active`` marked."""
    items = []
    for page, url_name, label, permission in TABS:
        if not user.has_perm(permission):
            continue
        try:
            items.append({"url": reverse(url_name), "label": label, "active": page == active})
        except NoReverseMatch:  # a page not installed
            continue
    return items


def model_name(model_id: str) -> str:
    return str(MODEL_NAMES.get(model_id, model_id))


def stage_name(stage: str) -> str:
    return str(STAGE_NAMES.get(stage, stage))


def require(user, permission: str) -> None:
    """Refuse (403) a change the user's role does not allow: the page shows, the POST does not pass."""
    if not user.has_perm(permission):
        raise PermissionDenied
