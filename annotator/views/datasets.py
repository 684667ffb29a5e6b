"""The Datasets page of a project: download an export in any format, and (managers)
import a dataset file, all or nothing, with every problem listed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from articles.models import Role
from articles.permissions import project_view
from articles.selectors import has_role

from ..datasets import ARTICLE_STATUSES, ImportRefused, export_bytes, export_filename, import_records
from ..errors import ServiceError
from ..formats import READABLE, WRITABLE, unavailable, writable_here
from ..formats.common import FormatError
from ..formats.csvfmt import TABLES

PAGE = "annotator/datasets.html"

FORMAT_NAMES = {
    "jsonl": "Factmark JSONL (everything, exact)",
    "doccano": "doccano JSONL",
    "labelstudio": "Label Studio JSON",
    "brat": "brat standoff (zip)",
    "conll": "CoNLL 2003 (BIO tags)",
    "csv": "CSV table",
    "spacy": "spaCy DocBin",
    "claimreview": "ClaimReview JSON-LD",
    "webanno": "WebAnno TSV 3.3 (INCEpTION)",
}
FORM_OVERHEAD = 64 * 1024  # the other fields and the multipart boundaries of an upload


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=lambda: [(name, FORMAT_NAMES[name]) for name in writable_here()])
    sets = forms.ChoiceField(label="Annotation sets")
    labels = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="None ticked: every label.")
    q = forms.CharField(required=False, max_length=200, label="Articles matching")
    status = forms.ChoiceField(required=False, choices=list(ARTICLE_STATUSES.items()), label="Articles")
    table = forms.ChoiceField(required=False, choices=[(name, name.capitalize()) for name in TABLES],
                              label="Table (CSV only)", initial="claims")

    def __init__(self, *args, project, reader: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if reader:
            names = (project.memberships.filter(role=Role.ANNOTATOR).order_by("user__username")
                     .values_list("user__username", flat=True))
            self.fields["sets"].choices = [("all", "Every set (gold first)"), ("gold", "Gold sets only"),
                                           ("submitted", "Submitted sets only")] + [
                (name, f"Sets of {name}") for name in names]
        else:
            self.fields["sets"].choices = [("all", "My sets"), ("submitted", "My submitted sets")]
        self.fields["labels"].choices = [(name, name) for name in project.labels.values_list("name", flat=True)]


class ImportForm(forms.Form):
    file = forms.FileField()
    format = forms.ChoiceField(choices=[(name, FORMAT_NAMES[name]) for name in READABLE])
    add_labels = forms.BooleanField(required=False, label="Add missing labels and relation types")
    annotator = forms.CharField(required=False, max_length=150,
                                help_text="Whose are the sets the file does not name (doccano, brat)? Left empty, "
                                          "they become suggestions.")
    as_suggestions = forms.BooleanField(required=False, label="Import as suggestions (machine output: nobody's set)")
    source = forms.CharField(required=False, max_length=100, label="Suggestions' source",
                             help_text="The model or tool they come from (default: the file's name).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.FACTMARK_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {_megabytes(upload.size)}; the limit is {_megabytes(limit)}. Split it, or ask an "
                "administrator to run the import_dataset command.")
        return upload


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _context(request, project, role, **extra):
    reader = has_role(role, Role.REVIEWER)
    return {
        "project": project,
        "role": role,
        "is_manager": has_role(role, Role.MANAGER),
        "export_form": extra.pop("export_form", None) or ExportForm(project=project, reader=reader),
        "import_form": extra.pop("import_form", None) or ImportForm(),
        "max_bytes": settings.FACTMARK_MAX_IMPORT_BYTES,
        "max_upload": _megabytes(settings.FACTMARK_MAX_IMPORT_BYTES),
        "unavailable_formats": [(FORMAT_NAMES[name], why) for name, why in unavailable().items()],
        **extra,
    }


@require_GET
@project_view()
def datasets(request, *, project, role):
    return render(request, PAGE, _context(request, project, role))


@require_GET
@project_view()
def dataset_export(request, *, project, role):
    form = ExportForm(request.GET, project=project, reader=has_role(role, Role.REVIEWER))
    if not form.is_valid():
        return render(request, PAGE, _context(request, project, role, export_form=form), status=422)
    data = form.cleaned_data
    fmt = data["format"]
    try:
        pieces = export_bytes(project, fmt, user=request.user, sets=data["sets"], labels=data["labels"] or None,
                              search=data["q"], status=data["status"], table=data["table"] or "claims")
    except ServiceError as refused:
        return render(request, PAGE, _context(request, project, role, export_form=form,
                                              export_error=" ".join(refused.messages)), status=403)
    except FormatError as error:
        return render(request, PAGE, _context(request, project, role, export_form=form,
                                              export_error=f"This format needs spaCy: {error.message}."),
                      status=422)
    response = StreamingHttpResponse(pieces, content_type=WRITABLE[fmt].CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(project, fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@project_view()
def dataset_import(request, *, project, role):
    page = PAGE + "#import-result" if request.htmx else PAGE
    if not has_role(role, Role.MANAGER):
        context = _context(request, project, role, import_denied="Only managers can import datasets into this "
                                                                 "project.")
        return render(request, PAGE, context, status=403)
    limit = settings.FACTMARK_MAX_IMPORT_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + FORM_OVERHEAD:
        # Refused before the body is read (the form check below would first store it all).
        refused = (f"The upload is larger than the limit of {_megabytes(limit)}. Split the file, or ask an "
                   "administrator to run the import_dataset command.")
        return render(request, page, _context(request, project, role, import_errors=[refused]), status=422)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, page, _context(request, project, role, import_form=form), status=422)
    upload = form.cleaned_data["file"]
    fmt = form.cleaned_data["format"]
    upload.seek(0)
    try:
        report = import_records(
            project, READABLE[fmt].read(upload.file), user=request.user, add_labels=form.cleaned_data["add_labels"],
            default_annotator=form.cleaned_data["annotator"] or None, source_name=upload.name,
            as_suggestions=form.cleaned_data["as_suggestions"], suggestion_source=form.cleaned_data["source"] or None)
    except ImportRefused as refused:
        context = _context(request, project, role, import_form=form, import_errors=refused.errors)
        return render(request, page, context, status=422)
    if request.htmx:
        return render(request, page, _context(request, project, role, report=report))
    messages.success(request, report.summary())
    for line in [*report.notes, *report.skipped]:
        messages.warning(request, line)
    return redirect("datasets", project.slug)
