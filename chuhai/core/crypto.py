"""Encryption at rest for platform credentials (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt_text(plain: str) -> str:
    return _fernet(settings.FERNET_KEY).encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet(settings.FERNET_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "stored credentials cannot be decrypted: CHUHAI_FERNET_KEY (or var/fernet.key) differs from the key "
            "they were encrypted with"
        ) from exc


def mask_secret(value: str) -> str:
    """Show a secret as its last four characters only, e.g. ``••••••3f9a``."""
    value = str(value or "")
    if len(value) <= 4:
        return "•" * len(value)
    return "••••••" + value[-4:]
