"""API authentication: ``Authorization: Bearer <token>`` for scripts, or the browser session (with CSRF)."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from chuhai.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = ApiToken.objects.authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [TokenAuth(), django_auth]
