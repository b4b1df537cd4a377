"""``/me``: who the token or session belongs to and what it may do — the first call a script makes."""

from __future__ import annotations

from ninja import Field, Router, Schema

from chuhai.core.roles import role_of

from .auth import needs
from .schemas import AUTH_ERRORS

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    role: str | None = Field(description="admin, operations, finance, purchasing, viewer (null: no role).")
    is_admin: bool
    permissions: dict[str, list[str]] = Field(description="Permission codenames held, by app.")


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, auth=needs())
def me(request):
    """The authenticated user. Any logged-in user or valid token."""
    user = request.auth
    by_app: dict[str, list[str]] = {}
    for perm in sorted(user.get_all_permissions()):
        app, _dot, codename = perm.partition(".")
        by_app.setdefault(app, []).append(codename)
    return {"username": user.get_username(), "role": role_of(user), "is_admin": user.is_superuser,
            "permissions": by_app}
