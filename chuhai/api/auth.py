"""API authentication and authorisation.

Who: ``Authorization: Bearer chu_…`` (an :class:`~chuhai.core.models.ApiToken`, for scripts) or the browser
session (for the docs page and in-page scripts; CSRF is enforced on unsafe methods, as for any form). A bearer
token that is sent but unknown or revoked is a 401 even when a session cookie is present too, so a script never
runs silently as whoever is logged in to the browser.

What: every operation names the one Django permission it needs with ``auth=needs("app.codename")``. The check
(``user.has_perm``) runs right after authentication and before the request's parameters are even parsed, so a
user without the permission learns nothing but 403. ``needs()`` without a permission only requires a login
(used by ``/me``); :func:`chuhai.api.api.check_every_operation_needs_a_permission` makes that an explicit choice.
"""

from __future__ import annotations

from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from chuhai.core.models import ApiToken


def _authorize(user, perm: str | None):
    if perm and not user.has_perm(perm):
        raise HttpError(403, f"You do not have the permission this requires ({perm}).")
    return user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the user behind the token becomes ``request.user`` (for audit history)."""

    def __init__(self, perm: str | None = None):
        self.perm = perm
        super().__init__()

    def authenticate(self, request, token: str):
        user = ApiToken.objects.authenticate(token.strip())
        if user is None:
            raise AuthenticationError(401, "Invalid or revoked API token.")
        request.user = user
        return _authorize(user, self.perm)


class SessionAuth(NinjaSessionAuth):
    """The logged-in browser session; ninja checks the CSRF token on POST/PATCH/PUT/DELETE before this runs."""

    def __init__(self, perm: str | None = None):
        self.perm = perm
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return None if user is None else _authorize(user, self.perm)


def needs(perm: str | None = None) -> list:
    """The ``auth=`` of an operation: a bearer token or the session, whose user must hold ``perm``."""
    return [TokenAuth(perm), SessionAuth(perm)]


def required_permission(operation) -> str | None:
    """The permission an operation checks (None: any logged-in user)."""
    perms = {getattr(cb, "perm", None) for cb in operation.auth_callbacks}
    return perms.pop() if len(perms) == 1 else None


def user_from_request(request):
    """The user a bearer token or the session identifies, or None (for views outside ninja's operations)."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return ApiToken.objects.authenticate(token.strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
