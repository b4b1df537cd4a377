"""Imports: upload report files for a channel account, see what each file did (or why it was rejected, line by
line), and the history of every import (who, when, which file by SHA-256, what it changed).

Uploading needs ``channels.run_import`` (operations and finance); the history needs ``channels.view_importrun``.
The work is the runner's (:func:`chuhai.channels.ingest.runner.import_file`); this page only hands it the files.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuhai.channels.ingest.registry import available_sources, get_source
from chuhai.channels.ingest.runner import ImportRefused
from chuhai.channels.ingest.uploads import import_uploads, parse_mapping_yaml, read_mapping_upload
from chuhai.channels.models import ChannelAccount, ImportRun, ImportStatus
from chuhai.core.exports import DATETIME, NUMBER, Column, TableSpec

from ..tables import table_response

RUN_PERM = "channels.run_import"
VIEW_PERM = "channels.view_importrun"

IMPORT_RUNS = TableSpec("imports", (
    Column("started_at", gettext_lazy("When"), lambda r: r.started_at, kind=DATETIME),
    Column("user", gettext_lazy("By"), lambda r: r.user.username if r.user else ""),
    Column("account", gettext_lazy("Account"), lambda r: r.account.code if r.account else "", code=True),
    Column("source", gettext_lazy("Source"), lambda r: r.source, code=True),
    Column("file_name", gettext_lazy("File"), lambda r: r.file_name),
    Column("sha256", gettext_lazy("SHA-256"), lambda r: r.file_sha256, display=lambda r: r.file_sha256[:12],
           code=True),
    Column("status", gettext_lazy("Status"), lambda r: r.get_status_display()),
    Column("rows_read", gettext_lazy("Rows read"), lambda r: r.rows_read, kind=NUMBER),
    Column("created", gettext_lazy("Created"), lambda r: r.created, kind=NUMBER),
    Column("updated", gettext_lazy("Updated"), lambda r: r.updated, kind=NUMBER),
    Column("unchanged", gettext_lazy("Unchanged"), lambda r: r.unchanged, kind=NUMBER),
    Column("errors", gettext_lazy("Errors"), lambda r: len(r.errors or []), kind=NUMBER),
))


def import_runs():
    return ImportRun.objects.select_related("account", "user").order_by("-started_at", "-id")


# -- the form -----------------------------------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


def source_catalogue() -> dict:
    """Installed sources by name → their Source object (label, kind, platforms, needs_mapping)."""
    return {name: get_source(name) for name in available_sources()}


class ImportForm(forms.Form):
    account = forms.ModelChoiceField(label=gettext_lazy("Account"), queryset=ChannelAccount.objects.none(),
                                     to_field_name="code")
    source = forms.ChoiceField(label=gettext_lazy("Report type"))
    files = MultipleFileField(label=gettext_lazy("Files"),
                              help_text=gettext_lazy("One or more report files as downloaded (CSV, TXT, XLSX, JSON; "
                                                     ".gz and .zip are opened). Each file is imported whole or not "
                                                     "at all."))
    mapping_text = forms.CharField(
        label=gettext_lazy("Column mapping (YAML)"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
        help_text=gettext_lazy("Only for the generic importer: which of your columns hold the order id, SKU, "
                               "quantity, price, date…"),
    )
    mapping_file = forms.FileField(label=gettext_lazy("…or a mapping file"), required=False)
    dry_run = forms.BooleanField(label=gettext_lazy("Dry run: check and show what would change, write nothing"),
                                 required=False)

    def __init__(self, *args, sources: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.sources = sources
        self.fields["account"].queryset = ChannelAccount.objects.filter(is_active=True).order_by("code")
        self.fields["source"].choices = [("", "—")] + [
            (name, f"{name} · {src.label}" if src.label else name) for name, src in sources.items()
        ]

    def clean(self):

        data = super().clean()
        account, name = data.get("account"), data.get("source")
        if account is None or not name:
            return data
        source = self.sources[name]
        if source.platforms and account.platform not in source.platforms:
            self.add_error("source", _("%(source)s reports come from %(platforms)s; account %(account)s is on "
                                       "%(platform)s.") % {
                "source": name, "platforms": ", ".join(source.platforms), "account": account.code,
                "platform": account.get_platform_display()})
        text = data.get("mapping_text") or ""
        mapping_name = _("the mapping")
        try:
            if data.get("mapping_file"):
                text, mapping_name = read_mapping_upload(data["mapping_file"]), data["mapping_file"].name
            data["mapping"] = parse_mapping_yaml(text, mapping_name) if text.strip() else None
        except ImportRefused as exc:
            self.add_error("mapping_file" if data.get("mapping_file") else "mapping_text", str(exc))
            return data
        if source.needs_mapping and not data["mapping"]:
            self.add_error("mapping_text", _("%(source)s needs a column mapping.") % {"source": name})
        return data


# -- the page -----------------------------------------------------------------------------------------------------
#: Labels of the summary figures writers report (others are shown by their key).
SUMMARY_LABELS = {
    "unmapped_skus": gettext_lazy("Unmapped SKUs"),
}


def _summary_items(summary: dict) -> list[tuple[str, object, str | None]]:
    """(label, value, link) for the summary's plain figures; the unmapped-SKU count links to its page."""
    items = []
    for key, value in summary.items():
        if isinstance(value, dict | list | tuple) or value in (None, ""):
            continue
        link = reverse("unmapped-skus") if key == "unmapped_skus" and value else None
        items.append((str(SUMMARY_LABELS.get(key, key.replace("_", " "))), value, link))
    return items


def result_rows(results) -> list[dict]:
    labels = dict(ImportStatus.choices)
    rows = []
    for result in results:
        data = result.as_dict()
        data["status_label"] = labels.get(result.status, result.status)
        data["ok"] = result.ok
        data["kind"] = result.kind
        data["summary_items"] = _summary_items(result.summary)
        rows.append(data)
    return rows


@login_required
def import_page(request):
    can_run, can_view = request.user.has_perm(RUN_PERM), request.user.has_perm(VIEW_PERM)
    if not (can_run or can_view):
        raise PermissionDenied
    if request.GET.get("export") and not can_view:
        raise PermissionDenied
    sources = source_catalogue() if can_run else {}
    form, results = None, None
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES, sources=sources)
        if form.is_valid():
            data = form.cleaned_data
            try:
                results = result_rows(import_uploads(data["source"], data["files"], data["account"],
                                                     user=request.user, dry_run=data["dry_run"],
                                                     mapping=data["mapping"]))
            except ImportRefused as exc:
                form.add_error(None, str(exc))
    elif can_run:
        form = ImportForm(sources=sources, initial={"account": request.GET.get("account")})
    platforms = {name: list(src.platforms) for name, src in sources.items()}
    account_platforms = dict(ChannelAccount.objects.values_list("code", "platform")) if can_run else {}
    return table_response(
        request, spec=IMPORT_RUNS, queryset=import_runs() if can_view else ImportRun.objects.none(),
        template="web/pages/imports.html", exportable=can_view,
        context={
            "title": _("Imports"),
            "form": form,
            "results": results,
            "can_view": can_view,
            "source_platforms": platforms,
            "account_platforms": account_platforms,
            "empty_text": _("No imports yet."),
        },
    )
