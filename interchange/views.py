"""The reviewers' export page: the same options as `manage.py export`, streamed as a download.

GET without `download` shows the form (with htmx, only the `export-summary` partial: how many stories
match). GET with `download` streams the file; invalid options re-render the form with status 400.
Reviewer/admin only (403 otherwise).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from core.access import reviewer_required
from core.http import HtmxHttpRequest
from interchange.forms.export import DEFAULT_SHARD_SIZE, ExportForm
from interchange.selectors.export import ExportFilters, export_stories, export_story_count
from interchange.writers import get_format, write

TEMPLATE = "interchange/export.html"


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
