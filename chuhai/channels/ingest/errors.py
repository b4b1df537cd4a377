"""Errors that point at the exact place in the file."""

from __future__ import annotations

from dataclasses import asdict, dataclass

MAX_ERRORS = 200


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong and where: line is 1-based as an editor shows it (XLSX: the sheet's row number)."""

    line: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column!r}")
        value = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{', '.join(where) or 'file'}: {self.message}{value}"


class CellError(ValueError):
    """Raised by a value parser; the reader adds line and column to make a :class:`RowError`."""

    def __init__(self, message: str, value: str | None = None):
        super().__init__(message)
        self.message = message
        self.value = value


class FileRejected(Exception):
    """The file cannot be imported; nothing was written. ``errors`` says where and why."""

    def __init__(self, file_name: str, errors: list[RowError]):
        self.file_name = file_name
        self.errors = errors
        first = "; ".join(str(e) for e in errors[:3])
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"{file_name}: {first}{more}")


class ErrorCollector:
    """Collects row errors up to :data:`MAX_ERRORS` so a user sees every problem of a file at once."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.errors: list[RowError] = []
        self.truncated = False

    def add(self, line: int | None, column: str | None, value, message: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            self.truncated = True
            return
        self.errors.append(RowError(line, column, None if value is None else str(value), message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            errors = list(self.errors)
            if self.truncated:
                errors.append(RowError(None, None, None, f"more errors not shown (first {MAX_ERRORS} listed)"))
            raise FileRejected(self.file_name, errors)
