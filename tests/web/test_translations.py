"""The Simplified Chinese catalogue of the shell and models is complete and compiled."""

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils import translation

import chuhai

LOCALE = Path(chuhai.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po():
    with open(LOCALE / "django.po", "rb") as f:
        return read_po(f)


def test_every_string_is_translated_and_not_fuzzy():
    catalog = _po()
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated: {missing}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def _forms(string):
    """A translation as a tuple of its non-empty plural forms (babel pads .mo plurals to two forms)."""
    return tuple(f for f in ([string] if isinstance(string, str) else string) if f)


def test_compiled_catalogue_matches_the_po_file():
    with open(LOCALE / "django.mo", "rb") as f:
        compiled = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_mo(f) if m.id}
    for message in _po():
        if message.id:
            key = message.id if isinstance(message.id, str) else message.id[0]
            assert _forms(compiled.get(key, "")) == _forms(message.string), f"django.mo is stale for {key!r}: run compilemessages"


def test_model_choices_and_navigation_are_translated():
    from chuhai.orders.models import OrderStatus
    from chuhai.web.navigation import NAVIGATION

    with translation.override("zh-hans"):
        assert str(OrderStatus.CANCELLED.label) == "已取消"
        labels = [str(item.label) for item in NAVIGATION]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels), labels
