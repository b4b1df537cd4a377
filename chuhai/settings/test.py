"""pytest settings: the database comes from CHUHAI_DATABASE_URL (SQLite file or PostgreSQL), never a mock.

The SQLite test database is a file, not ``:memory:``, because concurrency tests and the live server used by the
browser tests run in other threads (an in-memory database is per connection).
"""

from .base import *  # noqa: F403
from .base import DATA_DIR, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    # One test database per pytest process, so parallel runs on one server never drop each other's database.
    import os

    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
    # A commit does not wait for its WAL flush (per session; the server's settings are untouched): thousands of
    # test transactions and table flushes, nothing to recover after a crash of a test run.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c synchronous_commit=off").strip()
