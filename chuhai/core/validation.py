"""Turning model validation into one clear message per bad field, for CLI, API and import errors alike."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for field, errors in exc.error_dict.items():
            label = "" if field == "__all__" else f"{field}: "
            parts.append(label + "; ".join(str(m) for e in errors for m in e.messages))
        return "; ".join(parts)
    return "; ".join(str(m) for m in exc.messages)
