"""The table component every list page uses: paginate a queryset through a :class:`~chuhai.core.exports.TableSpec`,
answer ``?export=csv|xlsx`` with the whole filtered table, and answer htmx requests with the table fragment only.

A list view builds its filtered queryset and hands it here; it never formats cells or writes files itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from chuhai.core.exports import DATE, DATETIME, EXPORTERS, Column, TableSpec, display_text

PAGE_SIZE = 50
TABLE_TEMPLATE = "web/pages/_table.html"
#: Rows fetched per database round trip while writing an export.
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class Cell:
    text: str
    url: str | None
    css: str


@dataclass(frozen=True)
class Table:
    headers: list[tuple[str, str]]
    rows: list[list[Cell]]
    page: Page
    exportable: bool = True


def wants_fragment(request) -> bool:
    """An htmx swap asks for the table only; a history restore (back button after a cache miss) needs the page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def css_class(column: Column) -> str:
    classes = []
    if column.numeric:
        classes.append("num")
    if column.code:
        classes.append("mono nowrap")
    if column.kind in (DATE, DATETIME):
        classes.append("nowrap")
    return " ".join(classes)


def build_table(spec: TableSpec, page: Page, exportable: bool = True) -> Table:
    language = get_language()
    classes = [css_class(c) for c in spec.columns]
    rows = [
        [Cell(display_text(c, obj, language), c.url(obj) if c.url else None, css)
         for c, css in zip(spec.columns, classes, strict=True)]
        for obj in page.object_list
    ]
    return Table([(str(c.header), "num" if c.numeric else "") for c in spec.columns], rows, page, exportable)


def export_response(spec: TableSpec, queryset, fmt: str) -> HttpResponse:
    writer, content_type, extension = EXPORTERS[fmt]
    rows = queryset.iterator(chunk_size=EXPORT_CHUNK) if hasattr(queryset, "iterator") else queryset
    response = HttpResponse(writer(spec, rows), content_type=content_type)
    filename = f"{spec.name}-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(request, *, spec: TableSpec, queryset, template: str, context: dict | None = None,
                   exportable: bool = True) -> HttpResponse:
    """Render ``template`` with ``table`` in its context (or only the table for htmx), or the export file."""
    fmt = request.GET.get("export")
    if fmt and exportable:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(spec, queryset, fmt)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {**(context or {}), "table": build_table(spec, page, exportable)}
    response = render(request, TABLE_TEMPLATE if wants_fragment(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
