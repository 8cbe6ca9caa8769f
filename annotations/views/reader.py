"""The reader: the story page, its chunks (loaded on scroll or by ?chunk=N), and the side panels.

Each panel URL answers htmx with its partial and a plain browser with the whole reader page.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations.selectors import reader as selectors
from annotations.services.changes import undo_candidate
from annotations.views.actions import chunk_param, render_reader, workspace_story
from core.access import editor_required

TEMPLATE = "annotations/story_detail.html"


@require_GET
@editor_required
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The reader. With htmx and ?chunk=N: only chunk N and the loader for the next one. ?chapter=N opens
    the chunk that holds chapter N's heading (the chapter menu links there, with #chapter-N)."""
    story = workspace_story(pk)
    index = chunk_param(request)
    if "chapter" in request.GET:
        index = chapter_index(story, request.GET["chapter"])
    if request.htmx and "chunk" in request.GET:
        chunk = selectors.reader_chunk(story=story, index=index)
        return render(request, "annotations/_chunk_more.html", {"story": story, "chunk": chunk})
    return render_reader(request, story, index=index)


def chapter_index(story, value: str) -> int:
    """The chunk of chapter `value` (1-based), or a 404 that says which chapters there are."""
    count = len(selectors.chapters(story))
    number = int(value) if value.isdigit() else 0
    index = selectors.chapter_chunk(story, number)
    if index is None:
        have = f"chapters 1 to {count}" if count else "no chapters"
        raise Http404(f"This story has no chapter {value!r}: it has {have}. Pick one from the chapter menu.")
    return index


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
