"""The reviewers' export page and the admins' Import page with its batch pages.

Export: the same options as `manage.py export`. GET without `download` shows the form (with htmx, only
the `export-summary` partial: how many stories match) and the person's latest export job. The Export
button POSTs to `export-jobs`: an export job written in the background, whose `export-job` partial the
page polls until its download link appears. GET with `download` (the form without JavaScript) streams
the file; invalid options re-render the form with status 400. Reviewer/admin only (403 otherwise); a
job only for its requester and admins (core.access). Import: upload files that the ingest service
imports, then follow the batch's progress; admins only (stories.policy.may_import).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import reviewer_required
from core.http import HtmxHttpRequest
from core.queue import broker_configured
from interchange.forms.export import DEFAULT_SHARD_SIZE, ExportForm
from interchange.forms.imports import ImportForm
from interchange.selectors.export import ExportFilters, export_stories, export_story_count
from interchange.selectors.export_jobs import latest_export_job, visible_export_job
from interchange.selectors.imports import batch_context, recent_batches
from interchange.services.exports import job_file, plan_export, request_export
from interchange.services.uploads import UploadRefused, receive_upload, start_import
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
    template = TEMPLATE + ("#export-summary" if request.htmx else "")
    status = 400 if form.is_bound and not valid and not request.htmx else 200
    job = None if request.htmx else latest_export_job(request.user)  # the summary partial shows no job
    return render(request, template, export_context(form, valid, job=job), status=status)


def export_context(form: ExportForm, valid: bool, *, job) -> dict:
    filters = form.filters() if valid else (None if form.is_bound else ExportFilters())
    return {
        "form": form,
        "count": export_story_count(filters=filters) if filters else None,
        "filters": filters,
        "shard_default": DEFAULT_SHARD_SIZE,
        "pending_warning": form.pending_warning() if valid else None,
        "job": job,
    }


def export_response(form: ExportForm) -> StreamingHttpResponse:
    """Stream the chosen format, written as the export job would write it (services.exports.plan_export)."""
    plan = plan_export(form)
    response = StreamingHttpResponse(
        plan.chunks(export_stories(filters=plan.filters), warn=lambda _: None), content_type=plan.content_type
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=plan.download_name
    )
    return response


@require_POST
@reviewer_required
def export_jobs(request: HtmxHttpRequest) -> HttpResponse:
    """Start an export job with the form's options and answer with its panel (which polls while it runs).
    Invalid options: 400 with the reasons, one a line."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(form.error_lines()), status=400, content_type="text/plain; charset=utf-8"
        )
    job = request_export(form, user=request.user)
    if not request.htmx:
        return redirect("interchange:export-job", pk=job.pk)
    return render(request, TEMPLATE + "#export-job", {"job": job})


@require_GET
@reviewer_required
def export_job(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One job: with htmx its panel (what the page polls), otherwise the Export page showing it."""
    job = visible_export_job(request.user, pk)
    if request.htmx:
        return render(request, TEMPLATE + "#export-job", {"job": job})
    form = ExportForm(job.filters)
    return render(request, TEMPLATE, export_context(form, form.is_valid(), job=job))


@require_GET
@reviewer_required
def export_job_download(request: HtmxHttpRequest, pk: int) -> FileResponse:
    """The finished job's file, for its requester and admins; 404 while it is not complete."""
    job = visible_export_job(request.user, pk)
    path = job_file(job)
    if path is None:
        raise Http404(
            "This export has no file to download: it is still running, it failed, or its file was removed "
            "after a while. Export again on the Export page."
        )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.download_name, content_type=job.content_type
    )


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
