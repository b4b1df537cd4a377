"""Reading API dumps saved as JSON files (WooCommerce, Walmart).

A syntax error rejects the file with the line and column ``json`` reports. Records inside the document have no
line of their own, so errors about a record use ``line`` = the record's 1-based position in the list ("record
N") and put the JSON path of the bad value (``line_items[0].quantity``) in ``column``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from chuhai.channels.ingest.errors import FileRejected, RowError
from chuhai.channels.ingest.reading import Payload, decode


def load_json(payload: Payload, legacy: str = "cp1252"):
    text = decode(payload, legacy)
    if not text.strip():
        raise FileRejected(payload.name, [RowError(None, None, None, "the file is empty")])
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        snippet = text[max(0, exc.pos - 20): exc.pos + 20].replace("\n", " ")
        raise FileRejected(payload.name, [RowError(exc.lineno, f"character {exc.colno}", snippet,
                                                   f"not valid JSON: {exc.msg}")]) from exc


def path_get(data, *keys):
    """``path_get(order, "shippingInfo", "postalAddress", "city")`` → the value, or None when any step is
    missing or not a dict."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def record_list(payload: Payload, document, wrappers: tuple[tuple[str, ...], ...],
                looks_like_record: Callable[[dict], bool]) -> list[dict]:
    """The list of records in a dump: a bare array, an object wrapping it at one of ``wrappers`` (key paths), a
    single record, or an array of such wrapped pages (several API responses saved together)."""
    if isinstance(document, dict):
        if looks_like_record(document):
            return [document]
        for path in wrappers:
            inner = path_get(document, *path)
            if isinstance(inner, list):
                return inner
        raise FileRejected(payload.name, [RowError(None, None, None, "no list of orders found in this JSON (expected "
                                                   "an array or " + " / ".join(".".join(p) for p in wrappers) + ")")])
    if isinstance(document, list):
        if document and all(isinstance(item, dict) and not looks_like_record(item) for item in document):
            pages = [record_list(payload, item, wrappers, looks_like_record) for item in document]
            return [record for page in pages for record in page]
        return document
    raise FileRejected(payload.name, [RowError(None, None, None, "the JSON holds neither orders nor a list of them")])
