"""Report-file ingestion shared by every platform package.

A platform package (``chuhai.channels.amazon`` ...) only knows its own columns: it turns rows into the canonical
records of :mod:`.records`. Everything else — reading any encoding or compression, locating errors, all-or-nothing
per file, idempotent writing, the import log — lives here, once.
"""
