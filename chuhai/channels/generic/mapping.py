"""The mapping file of the generic importer: which column of the file holds which order field.

Example (``mappings/online_retail.yaml``)::

    columns: {order_id: InvoiceNo, sku: StockCode, product_name: Description, quantity: Quantity,
              unit_price: UnitPrice, purchase_time: InvoiceDate, customer_id: CustomerID, ship_country: Country}
    constants: {currency: GBP}
    formats: {purchase_time: "%Y-%m-%d %H:%M:%S"}
    cancellation: {column: InvoiceNo, prefix: C}

Sections (anything else is an error, so a typo never silently drops a field):

- ``columns`` — field → column header. Required: ``order_id``, ``sku``, ``quantity``, ``unit_price``,
  ``purchase_time``; optional: see :data:`COLUMN_FIELDS`.
- ``constants`` — a value for every row: ``currency``, ``status``, ``fulfilment_channel``, ``ship_country``,
  ``tax_model``, ``prices_include_tax``. A column of the same field wins where its cell is filled.
  ``currency`` must come from a column or a constant.
- ``formats`` — ``strptime`` formats (one or a list) for ``purchase_time`` / ``updated_time``.
- ``cancellation`` — ``{column, prefix[, status]}``: rows whose ``column`` starts with ``prefix`` are credit
  documents (status ``refunded`` unless ``status`` says otherwise).
- ``statuses`` — the file's status words → our statuses (``{Versendet: shipped}``); our own words are accepted as
  they are.
- ``countries`` — explicit country decisions for text that is not ISO (``{EIRE: IE}``): the mapping's author
  decides, the importer never guesses.
- ``timezone`` (IANA name; default the account's marketplace zone), ``decimal_comma`` and ``dayfirst`` (booleans;
  default: decided per value).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError

from chuhai.channels.ingest.values import resolve_country
from chuhai.core.money import normalize_currency
from chuhai.orders.models import FulfilmentChannel, OrderStatus, TaxModel

REQUIRED_COLUMNS = ("order_id", "sku", "quantity", "unit_price", "purchase_time")
COLUMN_FIELDS = {
    "order_id": "order or invoice number; rows with the same value form one order",
    "sku": "the channel SKU of the line",
    "quantity": "units on the line (negative on credit documents)",
    "unit_price": "price of one unit",
    "purchase_time": "when the order was placed",
    "currency": "ISO 4217 code",
    "product_name": "product title",
    "line_total": "the line's goods value when the file states it (else unit price × quantity)",
    "line_id": "the line's own id",
    "item_tax": "tax on the line's goods",
    "shipping": "shipping charged on the line",
    "discount": "discount on the line (positive)",
    "customer_id": "buyer id, kept as it is",
    "customer_email": "buyer e-mail, stored only as a digest",
    "ship_country": "ship-to country (ISO code or exact ISO name)",
    "ship_region": "ship-to state or region",
    "ship_city": "ship-to city",
    "ship_postal": "ship-to postal code",
    "status": "order status (see statuses)",
    "fulfilment_channel": "fba | merchant | 3pl | dropship",
    "updated_time": "when the order last changed at the source",
}
CONSTANT_FIELDS = ("currency", "status", "fulfilment_channel", "ship_country", "tax_model", "prices_include_tax")
DATE_FIELDS = ("purchase_time", "updated_time")
SECTIONS = ("columns", "constants", "formats", "cancellation", "statuses", "countries", "timezone", "decimal_comma",
            "dayfirst")
CANCELLATION_KEYS = ("column", "prefix", "status")
DEFAULT_STATUS = OrderStatus.SHIPPED
DEFAULT_CREDIT_STATUS = OrderStatus.REFUNDED


class MappingError(ValueError):
    """The mapping itself is wrong; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str]
    constants: dict[str, object] = field(default_factory=dict)
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cancellation_column: str | None = None
    cancellation_prefix: str = ""
    credit_status: str = DEFAULT_CREDIT_STATUS
    statuses: dict[str, str] = field(default_factory=dict)
    """Case-folded file word → our status."""
    countries: dict[str, str] = field(default_factory=dict)
    """Case-folded file text → ISO code."""
    zone: dt.tzinfo | None = None
    decimal_comma: bool | None = None
    dayfirst: bool | None = None


def _status(value, where: str, problems: list[str]) -> str | None:
    text = str(value or "").strip().lower()
    if text not in OrderStatus.values:
        problems.append(f"{where}: {value!r} is not a status; use one of {', '.join(OrderStatus.values)}")
        return None
    return text


def _constant(name: str, value, problems: list[str]):
    where = f"constants.{name}"
    if name == "currency":
        try:
            return normalize_currency(str(value))
        except ValidationError:
            problems.append(f"{where}: {value!r} is not an ISO 4217 currency code")
    elif name == "status":
        return _status(value, where, problems)
    elif name == "fulfilment_channel":
        if value in FulfilmentChannel.values:
            return value
        problems.append(f"{where}: {value!r} is not one of {', '.join(FulfilmentChannel.values)}")
    elif name == "tax_model":
        if value in TaxModel.values:
            return value
        problems.append(f"{where}: {value!r} is not one of seller, marketplace")
    elif name == "ship_country":
        code = resolve_country(str(value))
        if code:
            return code
        problems.append(f"{where}: {value!r} is not an ISO country code or name")
    elif name == "prices_include_tax":
        if isinstance(value, bool):
            return value
        problems.append(f"{where}: use true or false")
    return None


def _dict(data, name: str, problems: list[str]) -> dict:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{name}: expected a mapping of names to values")
        return {}
    return value


def parse_mapping(data) -> Mapping:
    """Check a mapping (the YAML's parsed dict) and return it in usable form; :class:`MappingError` lists every
    problem at once."""
    if not isinstance(data, dict):
        raise MappingError(["the mapping must be a YAML mapping with a 'columns' section"])
    problems: list[str] = []
    for key in data:
        if key not in SECTIONS:
            problems.append(f"unknown section {key!r}; sections are {', '.join(SECTIONS)}")

    columns: dict[str, str] = {}
    raw_columns = _dict(data, "columns", problems)
    for name, header in raw_columns.items():
        if name not in COLUMN_FIELDS:
            problems.append(f"columns.{name}: unknown field; fields are {', '.join(COLUMN_FIELDS)}")
        elif not isinstance(header, str | int) or not str(header).strip():
            problems.append(f"columns.{name}: give the column's header text")
        else:
            columns[name] = str(header).strip()
    for name in REQUIRED_COLUMNS:
        if name not in raw_columns:
            problems.append(f"columns.{name} is required (the column holding the {COLUMN_FIELDS[name]})")

    constants: dict[str, object] = {}
    for name, value in _dict(data, "constants", problems).items():
        if name not in CONSTANT_FIELDS:
            problems.append(f"constants.{name}: unknown field; constants can be {', '.join(CONSTANT_FIELDS)}")
            continue
        parsed = _constant(name, value, problems)
        if parsed is not None:
            constants[name] = parsed
    if "currency" not in columns and "currency" not in constants and "currency" not in _dict(data, "constants", []):
        problems.append("currency: map a column (columns.currency) or set one for the file (constants.currency)")

    formats: dict[str, tuple[str, ...]] = {}
    for name, value in _dict(data, "formats", problems).items():
        if name not in DATE_FIELDS:
            problems.append(f"formats.{name}: formats apply to {', '.join(DATE_FIELDS)}")
            continue
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(f, str) and "%" in f for f in items):
            problems.append(f"formats.{name}: give strptime formats such as \"%Y-%m-%d %H:%M:%S\"")
            continue
        formats[name] = tuple(items)

    cancellation_column, prefix, credit_status = None, "", DEFAULT_CREDIT_STATUS
    if data.get("cancellation") is not None:
        cancel = _dict(data, "cancellation", problems)
        for key in cancel:
            if key not in CANCELLATION_KEYS:
                problems.append(f"cancellation.{key}: unknown key; use column, prefix and optionally status")
        if not str(cancel.get("column") or "").strip() or not str(cancel.get("prefix") or "").strip():
            if isinstance(data.get("cancellation"), dict):
                problems.append("cancellation: needs both column and prefix")
        else:
            cancellation_column, prefix = str(cancel["column"]).strip(), str(cancel["prefix"]).strip()
        if "status" in cancel:
            credit_status = _status(cancel["status"], "cancellation.status", problems) or credit_status

    statuses = {}
    for word, status in _dict(data, "statuses", problems).items():
        checked = _status(status, f"statuses.{word}", problems)
        if checked:
            statuses[str(word).strip().casefold()] = checked

    countries = {}
    for text, code in _dict(data, "countries", problems).items():
        iso = resolve_country(str(code or "")) if code and len(str(code).strip()) in (2, 3) else None
        if iso is None:
            problems.append(f"countries.{text}: {code!r} is not an ISO country code")
        else:
            countries[str(text).strip().casefold()] = iso

    zone = None
    if data.get("timezone") is not None:
        try:
            zone = ZoneInfo(str(data["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone: {data['timezone']!r} is not an IANA time zone such as Europe/London")
    flags = {}
    for name in ("decimal_comma", "dayfirst"):
        value = data.get(name)
        if value is not None and not isinstance(value, bool):
            problems.append(f"{name}: use true or false")
        flags[name] = value if isinstance(value, bool) else None

    if problems:
        raise MappingError(problems)
    return Mapping(columns=columns, constants=constants, formats=formats, cancellation_column=cancellation_column,
                   cancellation_prefix=prefix, credit_status=credit_status, statuses=statuses, countries=countries,
                   zone=zone, **flags)


def read_mapping(path: str | Path) -> dict:
    """Load a mapping YAML file into a dict (checked later by :func:`parse_mapping`). YAML errors name the
    line."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise MappingError([f"the mapping file is not valid YAML{where}: {getattr(exc, 'problem', exc)}"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([f"cannot read the mapping file: {exc}"]) from exc
    return data


BUNDLED = Path(__file__).with_name("mappings")


def bundled_mapping(name: str) -> dict:
    """A mapping shipped with chuhai (``online_retail``)."""
    return read_mapping(BUNDLED / f"{name}.yaml")
