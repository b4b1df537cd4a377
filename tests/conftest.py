"""Shared fixtures: a real database (SQLite file or PostgreSQL, per CHUHAI_DATABASE_URL), users in every role,
and Playwright pointed at Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: pytest-django's fixtures that open the database; a test without one of them (or the django_db marker) cannot
#: touch it — pytest-django blocks the access.
DB_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                         "live_server"})
ROLES = ("admin", "operations", "finance", "purchasing", "viewer")


def pytest_collection_modifyitems(config, items):
    """With ``CHUHAI_DB_TESTS_ONLY=1`` (the PostgreSQL half of ``make test``, which runs beside the SQLite half)
    only the tests that use a database run: the others cannot touch one, so they would run exactly as they do in
    the SQLite half — twice the time for nothing."""
    if os.environ.get("CHUHAI_DB_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or DB_FIXTURES & set(item.fixturenames)
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def role_users(db):
    """One user per role, each with its role name as password."""
    from chuhai.core.users import create_user

    return {role: create_user(f"{role}_user", role, password=f"{role}-pass-123") for role in ROLES}


@pytest.fixture
def client_as(client, role_users):
    """``client_as("finance")`` → a Django test client logged in with that role."""

    def login(role: str):
        client.force_login(role_users[role])
        return client

    return login


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        if os.environ.get("CHUHAI_REQUIRE_BROWSER"):
            pytest.fail("/usr/bin/chromium is missing and CI requires browser tests (apt-get install chromium)")
        pytest.skip("/usr/bin/chromium is not installed (make test installs it when run as root)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu", "--disable-quic"],
    }


@pytest.fixture
def logged_in_page(page, live_server, role_users):
    """A Playwright page logged in as the admin user through the real login form."""

    def login(role: str = "admin"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", f"{role}_user")
        page.fill("input[name=password]", f"{role}-pass-123")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return login


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in English: a Chinese request in an earlier test leaves its language active in the
    thread (LocaleMiddleware activates it and nothing resets it between tests)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
