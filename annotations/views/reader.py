"""The reader: the story page, its chunks (loaded on scroll or by ?chunk=N), and the side panels.

Each panel URL answers htmx with its partial and a plain browser with the whole reader page.
`story_panels` answers the legend and the history at once, as out-of-band swaps: the one refresh the
page makes after each of its edits.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from annotations.selectors import reader as selectors
from annotations.services.changes import undo_candidate
from annotations.views.actions import chunk_param, render_reader, workspace_story
from core.access import editor_required

TEMPLATE = "annotations/story_detail.html"


@require_GET
@editor_required
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The reader. With htmx and ?chunk=N: only chunk N and the loader for the next one."""
    story = workspace_story(pk)
    index = chunk_param(request)
    if request.htmx and "chunk" in request.GET:
        chunk = selectors.reader_chunk(story=story, index=index)
        return render(request, "annotations/_chunk_more.html", {"story": story, "chunk": chunk})
    return render_reader(request, story, index=index)


@require_GET
@editor_required
def story_legend(request: HttpRequest, pk: int) -> HttpResponse:
    """Label legend with counts and bulk accept/reject; refreshed after every change."""
    story = workspace_story(pk)
    if not request.htmx:
        return render_reader(request, story)
    return render(request, f"{TEMPLATE}#legend", {"story": story, "legend": selectors.legend(story=story)})


@require_GET
@editor_required
def story_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The story's change log with undo buttons."""
    story = workspace_story(pk)
    if not request.htmx:
        return render_reader(request, story)
    context = {
        "story": story,
        "history": selectors.history(story=story),
        "undo_edit": undo_candidate(story=story),
    }
    return render(request, f"{TEMPLATE}#history-panel", context)


@require_GET
@editor_required
def story_panels(request: HttpRequest, pk: int) -> HttpResponse:
    """The legend and the history in one response, each swapped into its own place (hx-swap-oob)."""
    story = workspace_story(pk)
    if not request.htmx:
        return render_reader(request, story)
    legend = {"story": story, "legend": selectors.legend(story=story), "oob": True}
    history = {
        "story": story, "history": selectors.history(story=story), "undo_edit": undo_candidate(story=story),
        "oob": True,
    }  # fmt: skip
    html = render_to_string(f"{TEMPLATE}#legend", legend, request)
    return HttpResponse(html + render_to_string(f"{TEMPLATE}#history-panel", history, request))
