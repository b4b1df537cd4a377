"""The tab bar every analytics dashboard shows: one line per page (URL name, label, the permission it needs).

A new dashboard page adds its line here and calls :func:`tabs` for its context; a user sees the tabs of the pages
they may open.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ORDER_VIEW = "orders.view_order"

#: (page id, URL name, label, permission), in display order.
TABS = [
    ("overview", "analytics-overview", _("Overview"), ORDER_VIEW),
    ("channels", "analytics-channels", _("Channels"), ORDER_VIEW),
    ("markets", "analytics-markets", _("Markets"), ORDER_VIEW),
    ("products", "analytics-products", _("Products"), ORDER_VIEW),
    ("customers", "analytics-customers", _("Customers"), ORDER_VIEW),
    ("inventory", "analytics-inventory", _("Inventory"), "inventory.view_stockbalance"),
    ("stage", "analytics-stage", _("Stage"), ORDER_VIEW),
    ("health", "analytics-health", _("Account health"), ORDER_VIEW),
]


def tabs(user, active: str) -> list[dict]:
    """The tabs ``user`` may open, ``active`` marked."""
    return [{"url": reverse(url_name), "label": label, "active": page == active}
            for page, url_name, label, permission in TABS if user.has_perm(permission)]
