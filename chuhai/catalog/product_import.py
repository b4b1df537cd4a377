"""Importing the product list sellers keep in Excel (CSV or XLSX) into the catalogue.

The file is the seller's, not ours: headers may be English or Chinese, in any case and spacing, with extra
columns; CSV may be UTF-8 (with or without BOM) or GBK/GB18030 as Chinese Excel saves it; Excel may have turned a
numeric SKU into ``1.23E+11``. So the importer

- finds the header row by name (:data:`COLUMN_ALIASES`), ignores columns it does not know;
- reads every cell as text first (calamine gives numbers as floats: ``3.0`` → ``3``), so SKUs stay strings;
- validates every row and reports *all* problems together, each naming file, line, column, value and reason;
- writes nothing unless the whole file is valid (one transaction), creating and updating products by SKU in bulk,
  with audit history, and leaves products whose values did not change untouched (re-importing is a no-op).

An empty cell means "keep what the product has" (new products get the model defaults), so a partial sheet can
update a few columns without wiping the rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pycountry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from chuhai.core.countries import normalize_country
from chuhai.core.money import MONEY_DIGITS, MONEY_PLACES, normalize_currency
from chuhai.core.validation import validation_message

from .models import Product

#: Accepted header names per Product field, compared after :func:`normalize_header`.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "seller sku", "seller-sku", "货号", "sku编码", "商品编码"),
    "name_en": ("name", "name_en", "name en", "english name", "product name", "英文名称", "英文名", "品名"),
    "name_zh": ("name_zh", "name zh", "chinese name", "中文名称", "中文名", "中文品名"),
    "purchase_cost": ("cost", "purchase_cost", "purchase cost", "unit cost", "采购价", "采购成本", "采购单价"),
    "cost_currency": ("cost_currency", "cost currency", "currency", "币种", "货币"),
    "weight_g": ("weight_g", "weight", "weight (g)", "重量(g)", "重量", "重量(克)"),
    "length_mm": ("length", "length_mm", "length (mm)", "长", "长(mm)", "长度", "长度(mm)"),
    "width_mm": ("width", "width_mm", "width (mm)", "宽", "宽(mm)", "宽度", "宽度(mm)"),
    "height_mm": ("height", "height_mm", "height (mm)", "高", "高(mm)", "高度", "高度(mm)"),
    "brand": ("brand", "品牌"),
    "category": ("category", "类目", "分类"),
    "hs_code": ("hs_code", "hs code", "hscode", "海关编码", "hs编码"),
    "country_of_origin": ("origin", "country_of_origin", "country of origin", "原产国", "原产地"),
    "has_battery": ("battery", "has_battery", "contains battery", "带电"),
    "is_hazmat": ("hazmat", "is_hazmat", "dangerous goods", "危险品"),
}

#: Fields the import can change, in a stable order (also the order of "changed fields" in reports).
IMPORT_FIELDS = tuple(f for f in COLUMN_ALIASES if f != "sku")
TEXT_FIELDS = ("name_en", "name_zh", "brand", "category")
INTEGER_FIELDS = {"weight_g": "grams", "length_mm": "millimetres", "width_mm": "millimetres", "height_mm": "millimetres"}
BOOLEAN_FIELDS = ("has_battery", "is_hazmat")
TRUE_WORDS = frozenset({"1", "y", "yes", "true", "t", "x", "✓", "是", "有", "带电", "危险品"})
FALSE_WORDS = frozenset({"0", "n", "no", "false", "f", "否", "无", "没有", "不带电", "-"})

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
#: How many leading rows may precede the header (titles, notes) before we give up looking for it.
HEADER_SEARCH_ROWS = 20
DEFAULT_MAX_ERRORS = 50
#: Excel keeps 15 significant digits: a longer number typed as a SKU has already lost its tail.
EXCEL_DIGITS = 15
SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
BATCH = 1000


def normalize_header(text: object) -> str:
    """Header key: full-width → ASCII (NFKC), case-folded, without spaces, underscores or hyphens."""
    value = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\s_\-]+", "", value)


_ALIAS_TO_FIELD = {normalize_header(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in the file, located precisely enough for the seller to fix it in Excel."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.line:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return ", ".join(parts) + f": {self.reason}"


class ProductImportError(Exception):
    """The file was rejected; nothing was changed. ``errors`` holds every problem found (up to the cap)."""

    def __init__(self, errors: list[RowError], more: int = 0):
        self.errors = errors
        self.more = more
        super().__init__("\n".join(str(e) for e in errors) + (f"\n… and {more} more errors" if more else ""))


@dataclass(slots=True)
class ProductChange:
    sku: str
    action: str  # "create" | "update"
    fields: tuple[str, ...]


@dataclass(slots=True)
class ImportResult:
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    changes: list[ProductChange] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------------------------------------
def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and encoding name: BOM → utf-8-sig, else strict UTF-8, else GB18030 (superset of Excel's GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    try:
        text, _encoding = decode_csv_bytes(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise ProductImportError(
            [RowError(path.name, None, None, None, f"cannot read the text: neither UTF-8 nor GBK/GB18030 ({exc.reason})")]
        ) from exc
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] if sample else ",", delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for row in reader:
        yield line, list(row)
        line = reader.line_num + 1


def _spreadsheet_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for corrupt/encrypted files
        raise ProductImportError(
            [RowError(path.name, None, None, None, f"cannot read the spreadsheet: {exc}")]
        ) from exc
    for index, row in enumerate(rows, start=1):
        yield index, list(row)


def read_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    """(line number, cells) for every row of the file, header included; lines count from 1 as Excel shows them."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return _spreadsheet_rows(path)
    if suffix in CSV_SUFFIXES:
        return _csv_rows(path)
    raise ProductImportError(
        [RowError(path.name, None, None, None, f"unsupported file type {suffix or '(none)'}; use .csv or .xlsx")]
    )


def cell_text(value: object) -> str:
    """A cell as the text the seller sees: whole floats without ``.0``, dates ISO, booleans as 1/0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


# -- header ----------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Header:
    line: int
    columns: dict[str, int]  # field → cell index
    names: dict[str, str]  # field → header text as in the file


def find_header(rows: Iterable[tuple[int, list[object]]], filename: str) -> tuple[Header, Iterator]:
    """Find the first row (within :data:`HEADER_SEARCH_ROWS`) with a SKU column; map known columns to fields."""
    iterator = iter(rows)
    for line, cells in iterator:
        keys = [normalize_header(c) for c in cells]
        if any(_ALIAS_TO_FIELD.get(k) == "sku" for k in keys):
            columns: dict[str, int] = {}
            names: dict[str, str] = {}
            errors = []
            for index, key in enumerate(keys):
                name = _ALIAS_TO_FIELD.get(key)
                if name is None:
                    continue
                if name in columns:
                    errors.append(RowError(filename, line, cell_text(cells[index]), None,
                                           f"duplicate column: {names[name]!r} already gives {name}"))
                    continue
                columns[name] = index
                names[name] = cell_text(cells[index])
            if errors:
                raise ProductImportError(errors)
            return Header(line, columns, names), iterator
        if line >= HEADER_SEARCH_ROWS:
            break
    accepted = ", ".join(COLUMN_ALIASES["sku"])
    raise ProductImportError(
        [RowError(filename, None, None, None, f"no SKU column found in the first {HEADER_SEARCH_ROWS} rows "
                                                f"(accepted headers: {accepted})")]
    )


# -- values ----------------------------------------------------------------------------------------------------
class CellError(ValueError):
    pass


def parse_sku(raw: object) -> str:
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError("a SKU must not be a decimal number; format the SKU column as Text in Excel")
        if abs(raw) >= 10 ** EXCEL_DIGITS:
            raise CellError(f"this number has more than {EXCEL_DIGITS} digits, so Excel has already changed it; "
                            "format the SKU column as Text and type the SKUs again")
    text = cell_text(raw)
    if SCIENTIFIC.match(text):
        raise CellError("Excel turned this SKU into scientific notation; format the SKU column as Text in Excel "
                        "and type the SKUs again")
    if len(text) > Product._meta.get_field("sku").max_length:
        raise CellError(f"longer than {Product._meta.get_field('sku').max_length} characters")
    return text


def parse_cost(text: str) -> Decimal:
    cleaned = text.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text) else text
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise CellError("not a number") from exc
    if not value.is_finite():
        raise CellError("not a number")
    if value < 0:
        raise CellError("a cost cannot be negative")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MONEY_PLACES:
        value = value.quantize(Decimal(1).scaleb(-MONEY_PLACES))
    if value.adjusted() >= MONEY_DIGITS - MONEY_PLACES:
        raise CellError("too large")
    return value


def parse_whole_number(text: str, unit: str) -> int:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise CellError(f"not a number (expected whole {unit})") from exc
    if not value.is_finite() or value != value.to_integral_value():
        raise CellError(f"expected a whole number of {unit}")
    if value < 0:
        raise CellError("cannot be negative")
    if value > 2_147_483_647:
        raise CellError("too large")
    return int(value)


def parse_bool(text: str) -> bool:
    key = text.casefold()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError("expected yes/no (是/否, 1/0, true/false)")


def parse_country(text: str) -> str:
    try:
        return normalize_country(text)
    except ValidationError:
        pass
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError as exc:
        raise CellError("not a country (use an ISO code such as CN)") from exc


def parse_hs_code(text: str) -> str:
    digits = re.sub(r"[\s.]", "", text)
    if not digits.isdigit():
        raise CellError("an HS code has only digits (dots and spaces are ignored)")
    if not 4 <= len(digits) <= Product._meta.get_field("hs_code").max_length:
        raise CellError("an HS code has 4 to 12 digits")
    if len(digits) % 2:
        raise CellError("an HS code has an even number of digits; Excel may have dropped a leading zero "
                        "(format the column as Text)")
    return digits


def parse_currency(text: str) -> str:
    try:
        return normalize_currency(text)
    except ValidationError as exc:
        raise CellError("not an ISO 4217 currency code (CNY, USD, …)") from exc


def parse_text(text: str, name: str) -> str:
    limit = Product._meta.get_field(name).max_length
    if len(text) > limit:
        raise CellError(f"longer than {limit} characters")
    return text


def parse_value(name: str, text: str):
    if name in TEXT_FIELDS:
        return parse_text(text, name)
    if name == "purchase_cost":
        return parse_cost(text)
    if name == "cost_currency":
        return parse_currency(text)
    if name in INTEGER_FIELDS:
        return parse_whole_number(text, INTEGER_FIELDS[name])
    if name in BOOLEAN_FIELDS:
        return parse_bool(text)
    if name == "country_of_origin":
        return parse_country(text)
    if name == "hs_code":
        return parse_hs_code(text)
    raise AssertionError(name)


# -- the import ------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class ParsedRow:
    line: int
    sku: str
    values: dict[str, object]
    invalid: set[str] = field(default_factory=set)  # fields whose cell was rejected (no follow-on errors)


class _Errors:
    def __init__(self, limit: int):
        self.limit = limit
        self.items: list[RowError] = []
        self.more = 0

    def add(self, error: RowError) -> None:
        if len(self.items) < self.limit:
            self.items.append(error)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ProductImportError(self.items, self.more)


def _parse_rows(path: Path, errors: _Errors) -> tuple[list[ParsedRow], Header]:
    filename = path.name
    header, rows = find_header(read_rows(path), filename)
    sku_index = header.columns["sku"]
    parsed: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for line, cells in rows:
        if all(cell_text(c) == "" for c in cells):
            continue
        raw_sku = cells[sku_index] if sku_index < len(cells) else None
        try:
            sku = parse_sku(raw_sku)
        except CellError as exc:
            errors.add(RowError(filename, line, header.names["sku"], cell_text(raw_sku), str(exc)))
            continue
        if not sku:
            errors.add(RowError(filename, line, header.names["sku"], "", "the SKU is empty"))
            continue
        if sku in seen:
            errors.add(RowError(filename, line, header.names["sku"], sku, f"SKU repeated (first on line {seen[sku]})"))
            continue
        seen[sku] = line
        values: dict[str, object] = {}
        invalid: set[str] = set()
        for name, index in header.columns.items():
            if name == "sku" or index >= len(cells):
                continue
            text = cell_text(cells[index])
            if text == "":
                continue
            try:
                values[name] = parse_value(name, text)
            except CellError as exc:
                invalid.add(name)
                errors.add(RowError(filename, line, header.names[name], text, str(exc)))
        parsed.append(ParsedRow(line, sku, values, invalid))
    return parsed, header


def _existing_products(skus: list[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for start in range(0, len(skus), BATCH):
        for product in Product.objects.filter(sku__in=skus[start:start + BATCH]):
            found[product.sku] = product
    return found


def _apply_row(row: ParsedRow, product: Product, header: Header, filename: str, errors: _Errors,
               default_currency: str | None) -> tuple[str, ...]:
    """Set the row's values on ``product``; return the names of fields whose value changed."""
    values = dict(row.values)
    cost = values.get("purchase_cost", product.purchase_cost)
    if cost is not None and "cost_currency" not in values and not product.cost_currency \
            and "cost_currency" not in row.invalid:
        if default_currency:
            values["cost_currency"] = default_currency
        else:
            errors.add(RowError(filename, row.line, header.names.get("purchase_cost"), str(cost),
                                "a cost needs its currency: add a currency (币种) column or pass --cost-currency"))
    changed = []
    for name in IMPORT_FIELDS:
        if name in values and getattr(product, name) != values[name]:
            setattr(product, name, values[name])
            changed.append(name)
    if changed:
        try:
            product.clean_fields(exclude=["sku"] if product.pk else None)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = header.names.get(name, name)
                errors.add(RowError(filename, row.line, column, str(getattr(product, name, "")),
                                    "; ".join(messages)))
        except Exception as exc:  # pragma: no cover - defensive: any model complaint becomes a located error
            errors.add(RowError(filename, row.line, None, None, validation_message(exc)))
    return tuple(changed)


def import_products(path: str | Path, dry_run: bool = False, default_currency: str | None = None,
                    max_errors: int = DEFAULT_MAX_ERRORS) -> ImportResult:
    """Create and update products from a CSV/XLSX product list; all or nothing.

    ``default_currency`` is the currency of costs in rows that give none (and whose product has none yet).
    Raises :class:`ProductImportError` listing every problem; nothing is written then (nor on ``dry_run``).
    """
    path = Path(path)
    filename = path.name
    if not path.is_file():
        raise ProductImportError([RowError(str(path), None, None, None, "no such file")])
    if default_currency:
        try:
            default_currency = normalize_currency(default_currency)
        except ValidationError as exc:
            raise ProductImportError(
                [RowError(filename, None, None, default_currency, "not an ISO 4217 currency code")]
            ) from exc
    errors = _Errors(max_errors)
    parsed, header = _parse_rows(path, errors)

    with transaction.atomic():
        existing = _existing_products([row.sku for row in parsed])
        to_create: list[Product] = []
        to_update: list[Product] = []
        update_fields: set[str] = set()
        changes: list[ProductChange] = []
        unchanged = 0
        for row in parsed:
            product = existing.get(row.sku)
            is_new = product is None
            if is_new:
                product = Product(sku=row.sku)
            changed = _apply_row(row, product, header, filename, errors, default_currency)
            if is_new:
                to_create.append(product)
                changes.append(ProductChange(row.sku, "create", changed))
            elif changed:
                to_update.append(product)
                update_fields.update(changed)
                changes.append(ProductChange(row.sku, "update", changed))
            else:
                unchanged += 1
        errors.raise_if_any()
        result = ImportResult(filename, len(parsed), len(to_create), len(to_update), unchanged, dry_run, changes)
        if dry_run:
            return result
        now = timezone.now()
        reason = f"product import {filename}"
        try:
            if to_create:
                for product in to_create:
                    product.created_at = product.updated_at = now
                bulk_create_with_history(to_create, Product, batch_size=BATCH, default_change_reason=reason,
                                         default_date=now)
            if to_update:
                for product in to_update:
                    product.updated_at = now
                bulk_update_with_history(to_update, Product, sorted(update_fields | {"updated_at"}),
                                         batch_size=BATCH, default_change_reason=reason, default_date=now)
        except IntegrityError as exc:
            raise ProductImportError(
                [RowError(filename, None, None, None, f"the database refused the import ({exc}); nothing was changed")]
            ) from exc
    return result
