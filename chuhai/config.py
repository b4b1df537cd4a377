"""Runtime configuration read from the environment.

Every knob a deployment needs is a ``CHUHAI_*`` environment variable, so the same package runs as the embedded
single-user demo (SQLite in ``./var``) and as a team install (PostgreSQL, secrets injected by the host).
Secrets that are not given are generated once and kept in the data directory, never hard-coded.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

#: Secret keys that must never reach production (shipped in docs, tests or Django's template).
KNOWN_INSECURE_SECRETS = frozenset({"", "change-me", "changeme", "secret", "chuhai-test-secret-key-not-for-production"})


def data_dir() -> Path:
    """The folder that holds the embedded database, generated keys and job queue (``CHUHAI_DATA_DIR``)."""
    path = Path(os.environ.get("CHUHAI_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _kept_secret(filename: str, make) -> str:
    """Read a generated secret from the data dir, creating it (mode 0600) on first use."""
    path = data_dir() / filename
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


def secret_key() -> str:
    """``CHUHAI_SECRET_KEY``, else a random key generated once and kept in the data dir."""
    return os.environ.get("CHUHAI_SECRET_KEY") or _kept_secret("secret_key", lambda: secrets.token_urlsafe(50))


def fernet_key() -> str:
    """Key that encrypts platform credentials at rest: ``CHUHAI_FERNET_KEY``, else kept in the data dir."""
    return os.environ.get("CHUHAI_FERNET_KEY") or _kept_secret(
        "fernet.key", lambda: Fernet.generate_key().decode()
    )


def database_url() -> str:
    """``CHUHAI_DATABASE_URL``; the embedded default is ``var/chuhai.sqlite3``."""
    return os.environ.get("CHUHAI_DATABASE_URL") or f"sqlite:///{data_dir() / 'chuhai.sqlite3'}"


def base_currency() -> str:
    return os.environ.get("CHUHAI_BASE_CURRENCY", "CNY").upper()


def time_zone() -> str:
    return os.environ.get("CHUHAI_TIME_ZONE", "Asia/Shanghai")


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
