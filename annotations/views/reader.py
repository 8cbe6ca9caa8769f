"""The reader: the story page, its chunks (loaded on scroll or by ?chunk=N), and the side panels.

Each panel URL answers htmx with its partial and a plain browser with the whole reader page.
`story_panels` answers the legend and the history at once, as out-of-band swaps: the one refresh the
page makes after each of its edits. `story_live` is what an open reader polls every few seconds: it
says the reader is here, names who else is, and redraws the paragraphs others changed since the page's
version (event `fabula:live` carries the version the page has then seen).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from annotations.selectors import reader as selectors
from annotations.selectors.layers import layer_of_user
from annotations.selectors.live import changes_since, others_here
from annotations.services.presence import presence_touch
from annotations.views.actions import chunk_param, history_context, render_reader, workspace_story
from core.access import editor_required
from core.forms import parse_id
from core.responses import error_response
from stories import policy

TEMPLATE = "annotations/story_detail.html"


@require_GET
@editor_required
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The reader. With htmx and ?chunk=N: only chunk N and the loader for the next one. ?chapter=N opens
    the chunk that holds chapter N's heading (the chapter menu links there, with #chapter-N)."""
    story = workspace_story(pk, request.user)
    if story.layer_count and (layer := own_layer(story, request.user)):
        return redirect("annotations:story-detail", pk=layer.pk)
    index = chunk_param(request)
    if "chapter" in request.GET:
        index = chapter_index(story, request.GET["chapter"])
    if request.htmx and "chunk" in request.GET:
        chunk = selectors.reader_chunk(story=story, index=index)
        return render(request, "annotations/_chunk_more.html", {"story": story, "chunk": chunk})
    return render_reader(request, story, index=index)


def own_layer(story, user):
    """`user`'s layer of the double-annotated `story` while the layers are open, else None."""
    if story.status not in policy.BEFORE_ADJUDICATION:
        return None
    return layer_of_user(story, user)


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
    story = workspace_story(pk, request.user)
    if not request.htmx:
        return render_reader(request, story)
    return render(request, f"{TEMPLATE}#legend", {"story": story, "legend": selectors.legend(story=story)})


@require_GET
@editor_required
def story_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The story's change log with undo buttons."""
    story = workspace_story(pk, request.user)
    if not request.htmx:
        return render_reader(request, story)
    return render(request, f"{TEMPLATE}#history-panel", {"story": story, **history_context(story)})


def _side_panels(request: HttpRequest, story) -> str:
    legend = {"story": story, "legend": selectors.legend(story=story), "oob": True}
    history = {"story": story, **history_context(story), "oob": True}
    html = render_to_string(f"{TEMPLATE}#legend", legend, request)
    return html + render_to_string(f"{TEMPLATE}#history-panel", history, request)


@require_GET
@editor_required
def story_panels(request: HttpRequest, pk: int) -> HttpResponse:
    """The legend and the history in one response, each swapped into its own place (hx-swap-oob)."""
    story = workspace_story(pk, request.user)
    if not request.htmx:
        return render_reader(request, story)
    return HttpResponse(_side_panels(request, story))


def _paragraph_oob(paragraph) -> SafeString:
    """A redrawn paragraph that replaces its old self wherever the page has that part loaded."""
    target = f"#chunk-{paragraph.chunk:d} > p[data-start='{paragraph.start:d}']"
    html = str(paragraph.html)
    # paragraph.html is rendering.py's own markup and starts with "<p "; the target is built from ints.
    return SafeString(html.replace("<p ", f'<p hx-swap-oob="outerHTML:{target}" ', 1))


@require_GET
@editor_required
def story_live(request: HttpRequest, pk: int) -> HttpResponse:
    """GET ?version=N from an open reader: presence, and others' changes since N drawn in place."""
    story = workspace_story(pk, request.user)
    try:
        version = parse_id(request.GET.get("version", ""), what="story version")
    except ValidationError as error:
        return error_response(request, f"Send the page's story version as ?version=N. {error.messages[0]}")
    presence_touch(story=story, user=request.user)
    live = changes_since(story=story, version=version, user=request.user)
    others = others_here(story=story, user=request.user)
    context = {"story": story, "others": others, "poll_seconds": settings.READER_POLL_SECONDS}
    parts = [render_to_string(f"{TEMPLATE}#presence", context, request)]
    if live.any:
        parts += [_paragraph_oob(paragraph) for paragraph in live.paragraphs]
        parts.append(_side_panels(request, story))
    response = HttpResponse("".join(parts))
    response["X-Fabula-Version"] = str(live.version)
    if live.paragraphs:
        response["X-Fabula-Redraws"] = str(len(live.paragraphs))
    detail = {
        "version": live.version, "status": story.status, "status_label": story.get_status_display(),
        "reload": live.reload, "characters": live.characters, "changes": live.summaries[-3:],
        "changed": live.any,
    }  # fmt: skip
    return trigger_client_event(response, "fabula:live", detail)
