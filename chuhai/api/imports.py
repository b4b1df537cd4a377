"""Imports: ``POST /imports`` takes report files in (multipart), ``GET /imports`` lists past imports.

Each file is one transaction and one import run. The answer is the list of per-file results, the same objects
``chuhai import --json`` prints: 201 when every file was imported (or dry-run checked), 422 when a file was
rejected (the body is still the list: the rejected file's ``errors`` say line, column, value and reason; nothing of
that file was written, the other files were imported), 500 when a file failed on an internal error. A wrong
request (unknown account, report type not from the account's platform, bad mapping) is a 422 ``{"detail": ...}``
and imports nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from chuhai.channels.ingest.registry import SOURCE_CLASSES
from chuhai.channels.ingest.runner import ImportRefused, resolve_account
from chuhai.channels.models import ImportRun, ImportStatus

from .auth import needs
from .schemas import AUTH_ERRORS, ErrorOut, Page, PageParams, paginate

router = Router(tags=["imports"])


class RowErrorOut(Schema):
    line: int | None = Field(description="1-based line as an editor shows it (XLSX: the sheet's row number).")
    column: str | None
    value: str | None
    message: str


class ImportResultOut(Schema):
    """One file's outcome. Order reports count ``orders_created`` / ``orders_updated`` / ``lines_created``;
    the other report types count ``created`` / ``updated`` (only the keys of the report's kind are sent)."""

    source: str
    file: str
    status: ImportStatus
    rows_read: int
    orders_created: int = 0
    orders_updated: int = 0
    lines_created: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int
    errors: list[RowErrorOut]
    summary: dict[str, Any]
    run_id: int | None
    sha256: str


class ImportRunOut(Schema):
    id: int
    source: str
    account: str | None
    file_name: str
    file_sha256: str
    file_size: int
    user: str | None = Field(description="Who imported the file (null: the command line without --as).")
    status: ImportStatus
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows_read: int
    created: int
    updated: int
    unchanged: int
    summary: dict[str, Any]
    errors: list[RowErrorOut]

    @staticmethod
    def resolve_account(obj: ImportRun) -> str | None:
        return obj.account.code if obj.account_id else None

    @staticmethod
    def resolve_user(obj: ImportRun) -> str | None:
        return obj.user.username if obj.user_id else None


class ImportFilters(Schema):
    account: str | None = Field(None, description="Channel account code.")
    source: str | None = None
    status: ImportStatus | None = None


class ImportIn(Schema):
    source: str = Field(..., description="Report type: " + ", ".join(SOURCE_CLASSES))
    account: str = Field(..., description="Channel account code, e.g. AMZ-US.")
    dry_run: bool = Field(False, description="Check the files and report what would change; write nothing.")
    mapping: str = Field("", description="Column mapping as YAML text (generic-orders).")


@router.post("/imports", response={201: list[ImportResultOut], 422: list[ImportResultOut] | ErrorOut,
                                   500: list[ImportResultOut], **AUTH_ERRORS},
             auth=needs("channels.run_import"), exclude_unset=True)
def create_imports(request, payload: Form[ImportIn], file: File[list[UploadedFile]]):
    """Import report files (multipart ``file``, repeatable) into a channel account. Requires
    ``channels.run_import``."""
    from chuhai.channels.ingest.uploads import import_uploads, parse_mapping_yaml

    try:
        account = resolve_account(payload.account)
        mapping = parse_mapping_yaml(payload.mapping, "mapping") if payload.mapping.strip() else None
        results = import_uploads(payload.source, file, account, user=request.auth, dry_run=payload.dry_run,
                                 mapping=mapping)
    except ImportRefused as exc:
        raise HttpError(422, str(exc)) from exc
    body = [r.as_dict() for r in results]
    statuses = {r.status for r in results}
    if ImportStatus.FAILED in statuses:
        return Status(500, body)
    if ImportStatus.REJECTED in statuses:
        return Status(422, body)
    return Status(201, body)


@router.get("/imports", response={200: Page[ImportRunOut], **AUTH_ERRORS}, auth=needs("channels.view_importrun"))
def list_imports(request, filters: Query[ImportFilters], page: Query[PageParams]):
    """Past imports, newest first: who, when, which file (SHA-256), what it changed, its errors. Requires
    ``channels.view_importrun``."""
    qs = ImportRun.objects.select_related("account", "user").order_by("-started_at", "-id")
    if filters.account:
        qs = qs.filter(account__code=filters.account)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, page)
