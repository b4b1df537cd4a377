"""Reading report files the way platforms and Excel actually produce them.

- compression: gzip and single-member zip are opened transparently (XLSX is a zip too and is left alone);
- encoding: BOM first, then strict UTF-8, then the marketplace's legacy code page (cp1252 EU/US, cp932 JP,
  gb18030 CN) — never a silent ``errors="replace"``;
- header: found by a predicate (Amazon's transaction CSV has a preamble; eBay's starts with a blank line);
- columns: by name, case- and space-insensitive, with synonyms; extra columns ignored; rows shorter than the
  header (Amazon drops trailing empty cells) are padded.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import CellError, FileRejected, RowError

csv.field_size_limit(10 * 1024 * 1024)

LEGACY_ENCODINGS = {"JP": "cp932", "CN": "gb18030", "TW": "cp950", "KR": "cp949"}
DEFAULT_LEGACY_ENCODING = "cp1252"


def legacy_encoding_for(marketplace: str | None) -> str:
    return LEGACY_ENCODINGS.get((marketplace or "").upper(), DEFAULT_LEGACY_ENCODING)


def normalize_header(name) -> str:
    """``" 7 Day Total Sales "`` → ``"7 day total sales"``: case, BOM, tabs, repeated and edge spaces removed."""
    text = str(name or "").replace("\ufeff", "").replace("\t", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Payload:
    """A file's bytes after decompression, and the name that tells its format (``orders.txt`` from ``orders.txt.gz``)."""

    name: str
    data: bytes


def load_payload(path: str | Path, display_name: str | None = None) -> Payload:
    path = Path(path)
    name = display_name or path.name
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise FileRejected(name, [RowError(None, None, None, f"damaged gzip file: {exc}")]) from exc
        name = name[:-3] if name.lower().endswith(".gz") else name
    elif data[:4] == b"PK\x03\x04" and not name.lower().endswith((".xlsx", ".xlsm")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")]
                if len(members) != 1:
                    raise FileRejected(name, [RowError(None, None, None,
                                                       f"the zip holds {len(members)} files; import them one by one")])
                data = zf.read(members[0])
                name = Path(members[0].filename).name
        except zipfile.BadZipFile as exc:
            raise FileRejected(name, [RowError(None, None, None, f"damaged zip file: {exc}")]) from exc
    return Payload(name, data)


def decode(payload: Payload, legacy: str = DEFAULT_LEGACY_ENCODING) -> str:
    data = payload.data
    if data.startswith(b"\xef\xbb\xbf"):
        text = _strict(payload, data[3:], "utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(payload, data, "utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _strict(payload, data, legacy)
    nul = text.find("\x00")
    if nul >= 0:
        # No report contains NUL; PostgreSQL cannot store it in text. A binary or damaged file, refused whole.
        raise FileRejected(payload.name, [RowError(text.count("\n", 0, nul) + 1, None, None,
                                                   "the file contains a NUL byte: binary or damaged, not a report")])
    return text


def _strict(payload: Payload, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRejected(payload.name, [RowError(line, None, None,
                                                   f"not valid {encoding} text (byte {exc.start})")]) from exc


class Columns:
    """Header lookup by normalized name; ``find("sku", "seller sku")`` returns the first synonym present."""

    def __init__(self, header: list):
        self.names = [str(h if h is not None else "").strip() for h in header]
        self.index: dict[str, int] = {}
        for i, name in enumerate(header):
            self.index.setdefault(normalize_header(name), i)

    def find(self, *synonyms: str) -> int | None:
        for name in synonyms:
            i = self.index.get(normalize_header(name))
            if i is not None:
                return i
        return None

    def find_matching(self, pattern: str) -> int | None:
        """First column whose normalized name matches ``pattern`` (e.g. Shopee's ``total discount(php)``)."""
        rx = re.compile(pattern)
        for name, i in self.index.items():
            if rx.fullmatch(name):
                return i
        return None


@dataclass(slots=True)
class Row:
    """One data row: raw cells plus the physical line number (1-based; XLSX: sheet row number)."""

    line: int
    cells: list

    def get(self, index: int | None):
        if index is None or index >= len(self.cells):
            return None
        value = self.cells[index]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value


@dataclass
class Table:
    """A header and its rows; rows are produced lazily so a million-line file is never all in memory."""

    file_name: str
    columns: Columns
    header_line: int
    rows: Iterator[Row]


class ColumnSpec:
    """Resolved positions of the columns a parser needs; missing required columns reject the file with one
    error listing them all."""

    def __init__(self, table: Table, required: dict[str, tuple[str, ...]], optional: dict[str, tuple[str, ...]]):
        self.positions: dict[str, int | None] = {}
        missing = []
        for key, synonyms in required.items():
            self.positions[key] = table.columns.find(*synonyms)
            if self.positions[key] is None:
                missing.append(synonyms[0])
        for key, synonyms in optional.items():
            self.positions[key] = table.columns.find(*synonyms)
        if missing:
            raise FileRejected(table.file_name, [RowError(
                table.header_line, ", ".join(missing), None,
                "required column missing (header found: " + ", ".join(n for n in table.columns.names if n)[:300] + ")",
            )])
        self.names = {key: (table.columns.names[i] if i is not None else key) for key, i in self.positions.items()}

    def __getitem__(self, key: str) -> int | None:
        return self.positions[key]


def physical_lines(text: str):
    """The text's lines with their endings, sliced one at a time (a StringIO copy costs ~3× the file in memory).
    Text with bare carriage returns (old Mac line ends, damaged files) goes through StringIO's universal newlines."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return io.StringIO(text, newline="")
    return _sliced_lines(text)


def _sliced_lines(text: str) -> Iterator[str]:
    pos, end = 0, len(text)
    while pos < end:
        nl = text.find("\n", pos)
        if nl < 0:
            yield text[pos:]
            return
        yield text[pos:nl + 1]
        pos = nl + 1


def read_delimited(payload: Payload, *, legacy: str = DEFAULT_LEGACY_ENCODING, delimiter: str | None = None,
                   is_header: Callable[[list[str]], bool] | None = None, max_preamble: int = 30,
                   text: str | None = None) -> Table:
    """Read CSV/TSV text. ``delimiter`` None sniffs tab vs comma vs semicolon from the header line. ``text``: the
    payload already decoded (:func:`decode`), for a parser that reads a large file more than once."""
    if text is None:
        text = decode(payload, legacy)
    lines = physical_lines(text)
    sample = text[:65536]
    if delimiter is None:
        first = next((ln for ln in sample.splitlines() if ln.strip().strip(",;\t")), "")
        counts = {d: first.count(d) for d in ("\t", ",", ";")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', strict=False)
    try:
        header, header_line, last_line = _find_header(reader, is_header, max_preamble)
    except csv.Error as exc:
        raise FileRejected(payload.name, [RowError(reader.line_num or 1, None, None, f"unreadable CSV: {exc}")]) from exc
    if header is None:
        raise FileRejected(payload.name, [RowError(None, None, None, "no header line found: is this the right "
                                                                     "report type?")])
    return _table(payload, reader, header, header_line, last_line)


def _find_header(reader, is_header, max_preamble: int):
    last_line = 0
    for record in reader:
        start, last_line = last_line + 1, reader.line_num
        if not any((c or "").strip() for c in record):
            if start > max_preamble:
                break
            continue
        if is_header is None or is_header([normalize_header(c) for c in record]):
            return record, start, last_line
        if start > max_preamble:
            break
    return None, 0, last_line


def _table(payload: Payload, reader, header: list, header_line: int, last_line: int) -> Table:
    def rows() -> Iterator[Row]:
        nonlocal last_line
        width = len(header)
        try:
            for record in reader:
                start, last_line = last_line + 1, reader.line_num
                if not any((c or "").strip() for c in record):
                    continue
                if len(record) < width:
                    record = record + [""] * (width - len(record))
                yield Row(start, record)
        except csv.Error as exc:
            raise FileRejected(payload.name, [RowError(last_line + 1, None, None, f"unreadable CSV: {exc}")]) from exc

    return Table(payload.name, Columns(header), header_line, rows())


def read_xlsx(payload: Payload, *, is_header: Callable[[list[str]], bool] | None = None, sheet: int = 0,
              max_preamble: int = 30) -> Table:
    """Read the first sheet of an XLSX (python-calamine). Cells keep their types: numbers arrive as float/int,
    dates as date/datetime — the value parsers accept both, and IDs that Excel turned into floats are caught."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(payload.data))
        data = workbook.get_sheet_by_index(sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileRejected(payload.name, [RowError(None, None, None, f"unreadable Excel file: {exc}")]) from exc
    header_index = None
    for i, record in enumerate(data[:max_preamble]):
        cells = ["" if c is None else str(c) for c in record]
        if not any(c.strip() for c in cells):
            continue
        if is_header is None or is_header([normalize_header(c) for c in cells]):
            header_index = i
            break
    if header_index is None:
        raise FileRejected(payload.name, [RowError(None, None, None, "no header row found: is this the right "
                                                                     "report type?")])
    header = ["" if c is None else str(c) for c in data[header_index]]

    def rows() -> Iterator[Row]:
        for i in range(header_index + 1, len(data)):
            record = list(data[i])
            if not any(c not in (None, "") and str(c).strip() for c in record):
                continue
            if len(record) < len(header):
                record += [""] * (len(header) - len(record))
            yield Row(i + 1, record)

    return Table(payload.name, Columns(header), header_index + 1, rows())


def read_table(payload: Payload, **kwargs) -> Table:
    """CSV/TSV/TXT or XLSX by content (XLSX is a zip starting with ``PK``)."""
    if payload.data[:4] == b"PK\x03\x04":
        kwargs.pop("delimiter", None)
        kwargs.pop("legacy", None)
        return read_xlsx(payload, **kwargs)
    return read_delimited(payload, **kwargs)


def cell(row: Row, spec: ColumnSpec, key: str, parse, errors, *, required: bool = False, default=None):
    """Parse one cell with ``parse``; record a located error instead of raising. Returns ``default`` when empty."""
    raw = row.get(spec[key])
    if raw is None:
        if required:
            errors.add(row.line, spec.names[key], None, "value required")
        return default
    try:
        return parse(raw)
    except CellError as exc:
        errors.add(row.line, spec.names[key], exc.value if exc.value is not None else raw, exc.message)
        return default


def rows_by_order(rows: Iterable[Row], spec: ColumnSpec, key: str, errors) -> dict[str, list[Row]]:
    """Item rows grouped by their order id (column ``key``), in first-seen order. Exports with one row per item
    do not promise that an order's rows are adjacent; a row without an id is a located error."""
    from . import values

    groups: dict[str, list[Row]] = {}
    for row in rows:
        order_id = cell(row, spec, key, values.identifier, errors, required=True)
        if order_id:
            groups.setdefault(order_id, []).append(row)
    return groups
