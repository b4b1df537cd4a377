"""Who changed what, when: django-simple-history records turned into readable change entries for detail pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from chuhai.core.exports import decimal_text

KIND_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str
    changes: list[FieldChange] = field(default_factory=list)


def _shown(model, name: str, value) -> str:
    if value is None or value == "":
        return "—"
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def change_history(obj, limit: int = 50) -> list[HistoryEntry]:
    """The latest ``limit`` changes of ``obj``, newest first, each with the fields it changed (old → new).

    One query: the records come with their users, and each is compared with the one before it in memory.
    """
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            changes = [
                FieldChange(_label(model, c.field), _shown(model, c.field, c.old), _shown(model, c.field, c.new))
                for c in sorted(delta.changes, key=lambda c: c.field)
            ]
        user = record.history_user
        entries.append(HistoryEntry(
            when=record.history_date,
            who=user.get_username() if user else str(_("system (command line or import)")),
            kind=str(KIND_LABELS.get(record.history_type, record.history_type)),
            changes=changes,
        ))
    return entries
