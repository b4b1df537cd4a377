"""What every form page of this package shares."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chuhai.core.exports import money_text


def form_page(request, form, title: str, cancel_url: str, **extra):
    """Render ``web/pages/form.html``; a POST that reaches here failed validation, so say so above the form."""
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "web/pages/form.html", {"form": form, "title": title, "cancel_url": cancel_url, **extra})


def field_rows(obj, names, money: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """``(label, shown value)`` pairs for a detail page; ``money`` maps amount fields to their currency fields."""
    money = money or {}
    rows = []
    for name in names:
        model_field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if name in money:
            shown = money_text(value, getattr(obj, money[name]))
        elif model_field.choices:
            shown = getattr(obj, f"get_{name}_display")()
        elif isinstance(value, dt.datetime):
            shown = date_format(timezone.localtime(value), "Y-m-d H:i T")
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        else:
            shown = value
        rows.append((model_field.verbose_name, "—" if shown in (None, "") else shown))
    return rows
