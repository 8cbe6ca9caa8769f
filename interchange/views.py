"""The reviewers' export page and the admins' Import page with its batch pages.

Export: the same options as `manage.py export`, streamed as a download.

GET without `download` shows the form (with htmx, only the `export-summary` partial: how many stories
match). GET with `download` streams the file; invalid options re-render the form with status 400.
Reviewer/admin only (403 otherwise). Import: upload files that the ingest service imports, then follow
the batch's progress; admins only (stories.policy.may_import).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from core.access import reviewer_required
from core.http import HtmxHttpRequest
from core.queue import broker_configured
from interchange.forms.export import DEFAULT_SHARD_SIZE, ExportForm
from interchange.forms.imports import ImportForm
from interchange.selectors.export import ExportFilters, export_stories, export_story_count
from interchange.selectors.imports import batch_context, recent_batches
from interchange.services.uploads import UploadRefused, receive_upload, start_import
from interchange.writers import get_format, write
from stories import policy
from stories.models import ImportBatch

TEMPLATE = "interchange/export.html"


def check_import(user) -> None:
    if not policy.may_import(user):
        raise PermissionDenied(policy.NO_IMPORT_ROLE)


@require_GET
@reviewer_required
def export(request: HtmxHttpRequest) -> HttpResponse:
    form = ExportForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    if valid and "download" in request.GET:
        return export_response(form)
    filters = form.filters() if valid else (None if form.is_bound else ExportFilters())
    count = export_story_count(filters=filters) if filters else None
    template = TEMPLATE + ("#export-summary" if request.htmx else "")
    status = 400 if form.is_bound and not valid and not request.htmx else 200
    return render(
        request,
        template,
        {
            "form": form,
            "count": count,
            "filters": filters,
            "shard_default": DEFAULT_SHARD_SIZE,
            "pending_warning": form.pending_warning() if valid else None,
        },
        status=status,
    )


def export_response(form: ExportForm) -> StreamingHttpResponse:
    """Stream the chosen format; spaCy sets bigger than one shard become a zip of DocBins."""
    filters, name = form.filters(), form.cleaned_data["format"]
    zipped = name == "spacy" and (
        bool(form.cleaned_data.get("shard_size")) or export_story_count(filters=filters) > DEFAULT_SHARD_SIZE
    )
    kind = get_format(name)
    extension, content_type = (".zip", "application/zip") if zipped else (kind.extension, kind.content_type)
    chunks = write(
        name, export_stories(filters=filters), options=form.options(zipped=zipped), warn=lambda _: None
    )
    response = StreamingHttpResponse((chunk for chunk in chunks if chunk), content_type=content_type)
    filename = f"fabula-{filters.status}-{filters.layer}-{dt.date.today():%Y%m%d}{extension}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@require_http_methods(["GET", "POST"])
def import_page(request: HtmxHttpRequest) -> HttpResponse:
    """GET: the upload form and recent batches. POST: store the files, start the import (a task when a
    broker is configured, here otherwise) and go to the batch's page; a refused upload is a 400."""
    check_import(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = receive_upload(
                    form.cleaned_data["files"], user=request.user, name=form.cleaned_data["name"]
                )
            except UploadRefused as error:
                form.add_error("files", str(error))
            else:
                start_import(batch)
                return redirect("interchange:batch-detail", pk=batch.pk)
        status = 400
    return render(
        request,
        "interchange/import.html",
        {"form": form, "batches": recent_batches(), "broker": broker_configured()},
        status=status,
    )


@require_GET
def batch_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One batch: its state and stored/extracted/failed counts; htmx polls the `batch-progress` partial
    while the import or its extraction is running."""
    check_import(request.user)
    batch = get_object_or_404(ImportBatch, pk=pk)
    template = "interchange/batch_detail.html" + ("#batch-progress" if request.htmx else "")
    return render(request, template, batch_context(batch))
