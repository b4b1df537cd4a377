"""Template context shared by every page: the navigation, filtered by what the user may open, and who is in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from chuhai.core.roles import role_of

#: How each role is named on screen (the group names themselves stay English identifiers).
ROLE_LABELS = {
    "admin": _("Administrator"),
    "operations": _("Operations"),
    "finance": _("Finance"),
    "purchasing": _("Purchasing"),
    "viewer": _("Viewer"),
}


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .navigation import visible_navigation

    role = role_of(user)
    return {
        "nav": visible_navigation(user, request.path),
        "user_role": role,
        "user_role_label": ROLE_LABELS.get(role, role or ""),
    }
