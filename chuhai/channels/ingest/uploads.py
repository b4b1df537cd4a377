"""Importing files that arrive over HTTP (upload page, API) or with a mapping typed as YAML text (CLI too).

Each file is still one call of :func:`~chuhai.channels.ingest.runner.import_file`: one transaction, one ImportRun.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from chuhai.channels.models import ChannelAccount

from .runner import ImportRefused, import_file

#: Largest mapping file accepted (a mapping is a few lines of YAML).
MAX_MAPPING_BYTES = 64 * 1024


def parse_mapping_yaml(text: str, name: str) -> dict:
    """A column-mapping document (YAML) as a dict; a syntax error names the file and line.

    Shared by the CLI, the upload page and the API (all three take a mapping as YAML text). Raises
    :class:`~chuhai.channels.ingest.runner.ImportRefused`, the runner's error for a wrong request.
    """
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportRefused(f"{where}: not valid YAML: {problem}") from None
    if data is None:
        raise ImportRefused(f"{name}: the mapping is empty")
    if not isinstance(data, dict):
        raise ImportRefused(f"{name}:1: a mapping must be a YAML mapping (columns:, constants:, …), "
                            f"not a {type(data).__name__}")
    return data


@contextmanager
def _upload_on_disk(upload):
    """A path holding the upload's bytes: Django's own temporary file for large uploads, else a copy on disk."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    suffix = "".join(Path(upload.name or "").suffixes[-2:])[:20]
    handle, path = tempfile.mkstemp(prefix="chuhai-upload-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path
    finally:
        os.unlink(path)


def import_uploads(source: str, uploads, account: ChannelAccount, *, user, dry_run: bool = False,
                   mapping: dict | None = None) -> list:
    """Import each uploaded file in turn (one transaction and one ImportRun each), named by its original name.

    Raises :class:`~chuhai.channels.ingest.runner.ImportRefused` when the request is wrong (nothing is imported:
    the runner refuses before reading the first file).
    """
    results = []
    for upload in uploads:
        with _upload_on_disk(upload) as path:
            results.append(import_file(source, path, account, user=user, dry_run=dry_run, mapping=mapping,
                                       display_name=Path(upload.name or "upload").name))
    return results


def read_mapping_upload(upload) -> str:
    """The text of an uploaded mapping file (UTF-8)."""
    if upload.size > MAX_MAPPING_BYTES:
        raise ImportRefused(f"{upload.name}: a mapping file is a few lines of YAML; this one is {upload.size} bytes")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(f"{upload.name}: the mapping file is not UTF-8 text") from None
