"""User administration used by the CLI, the admin pages and the demo loader."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import ApiToken
from .roles import ROLES, assign_role


@transaction.atomic
def create_user(username: str, role: str, password: str | None = None, email: str = ""):
    """Create ``username`` with exactly one role. Without a password the account cannot log in (API token only)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValueError(f"user {username!r} already exists")
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    assign_role(user, role)
    return user


def issue_token(username: str, name: str = "") -> str:
    """A new API token for ``username``; the raw token is returned once and only its hash is stored."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise ValueError(f"no user {username!r}") from exc
    _token, raw = ApiToken.issue(user, name=name)
    return raw
