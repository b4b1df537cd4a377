"""Template context shared by every page: the navigation, filtered by what the user may open."""

from __future__ import annotations

from chuhai.core.roles import role_of


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .navigation import visible_navigation

    return {"nav": visible_navigation(user, request.path), "user_role": role_of(user)}
