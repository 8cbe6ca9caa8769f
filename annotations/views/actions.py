"""Plumbing shared by the editor workspace views: access checks, the reader context, edit answers.

Every workspace URL needs an editor, reviewer or admin (core.roles.can_edit; a user with no
role gets 403). `perform()` is the one path every edit takes: validate the form, call one service,
and answer 400/404/409 with a short plain message (static/js/app.js shows it) or, on success, with
only the paragraph that changed (HX-Retarget `#chunk-N > p[data-start=…]`) plus a `fabula:changed`
event the inspector listens for. On that event the page makes one more request, for the legend and
the history together (views.reader.story_panels); the characters panel re-fetches itself (event
`fabula:characters`) only when the change touched a character or a linked mention. So the edit's own
round trip stays one small render. Without htmx, a POST redirects back to the reader (POST/redirect/GET).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget, trigger_client_event

from annotations.selectors import reader as selectors
from annotations.services.changes import (
    ChangeLog,
    StaleVersion,
    UndoRefused,
    redo_candidate,
    undo_candidate,
)
from core.responses import error_response
from stories import policy
from stories.models import Story
from stories.selectors import story_without_text


def action_view(view: Callable) -> Callable:
    """POST runs the action. A GET means someone opened the action's URL directly: send them to the
    page that offers it (the entity's page, or the reader) rather than answering 405."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        if request.method == "POST":
            return view(request, pk, *args, **kwargs)
        if "entity_id" in kwargs:
            return redirect("annotations:entity-detail", pk=pk, entity_id=kwargs["entity_id"])
        return redirect("annotations:story-detail", pk=pk)

    return require_http_methods(["GET", "POST"])(wrapped)


def workspace_story(pk: int, user, *, with_text: bool = False) -> Story:
    """The story, or an annotator's layer `user` may see (stories.policy.check_read), without its text
    unless `with_text`: chunks read only the slice they show."""
    story = get_object_or_404(Story.with_layers, pk=pk) if with_text else story_without_text(pk)
    if story is None:
        raise Http404("No story matches the given query.")
    if story.layer_of_id is not None:
        policy.check_read(user, story)
    return story


def chunk_param(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("chunk", "0")))
    except ValueError:
        return 0


def reader_context(story: Story, index: int = 0, *, with_characters: bool = False, **extra) -> dict:
    """Everything the full reader page shows. The characters panel loads itself after the page unless
    `with_characters` (its own URL opened without JavaScript)."""
    labels = selectors.labels()
    chunk = selectors.reader_chunk(story=story, index=index)
    return {
        "story": story,
        "chunk": chunk,
        "chapters": selectors.chapters(story),
        "legend": selectors.legend(story=story, labels=labels, rows=chunk.story_rows),
        "toolbar_labels": [label for label in labels if label.shown],
        "all_labels": labels,
        "labels_version": selectors.labels_version(labels),
        "characters": selectors.character_panel(story=story) if with_characters else None,
        **history_context(story),
        "entity": None,
        "poll_seconds": settings.READER_POLL_SECONDS,
        **extra,
    }


def history_context(story: Story) -> dict:
    """The history panel's rows, the change `u` undoes (found among those rows when it is there) and the
    undo Ctrl+Shift+Z redoes."""
    history = selectors.history(story=story)
    newest = {"newest": history, "limit": selectors.HISTORY_ROWS}
    return {
        "history": history,
        "undo_edit": undo_candidate(story=story, **newest),
        "redo_edit": redo_candidate(story=story, **newest),
    }


def render_reader(request: HttpRequest, story: Story, *, status: int = 200, **extra) -> HttpResponse:
    return render(request, "annotations/story_detail.html", reader_context(story, **extra), status=status)


def reader_url(story: Story, offset: int | None = None, entity: int | None = None) -> str:
    url = reverse("annotations:story-detail", args=[story.pk])
    if offset:
        url += f"?chunk={selectors.chunk_of_offset(story, offset)}"
    return url + (f"#entity-{entity}" if entity else "")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def form_message(form) -> str:
    errors = [
        f"{'' if field == '__all__' else field + ': '}{' '.join(msgs)}" for field, msgs in form.errors.items()
    ]
    return "Could not do that: " + "; ".join(errors)


def stale_response(request: HttpRequest, story: Story, exc: StaleVersion) -> HttpResponse:
    """409: htmx gets the message and an event that reloads every visible chunk; others the fresh page."""
    story.refresh_from_db(fields=["version", "status"])
    if not request.htmx:
        return render_reader(request, story, status=409, conflict=str(exc))
    response = error_response(request, str(exc), status=409)
    detail = {
        "version": story.version,
        "status": story.status,
        "status_label": story.get_status_display(),
        "message": str(exc),
    }
    return trigger_client_event(response, "fabula:stale", detail)


def perform(request: HttpRequest, story: Story, form, action: Callable[[dict], ChangeLog]) -> HttpResponse:
    """Validate `form`, run `action(cleaned_data)` (one service call), and answer as described above."""
    if not form.is_valid():
        return error_response(request, form_message(form), status=400)
    try:
        change = action(form.cleaned_data)
    except StaleVersion as exc:
        return stale_response(request, story, exc)
    except (ValidationError, UndoRefused) as exc:
        return error_response(request, _message(exc), status=400)
    except ObjectDoesNotExist:
        return error_response(
            request, "That entity or character no longer exists; reload the page.", status=404
        )
    return changed_response(request, story, change)


def changed_response(request: HttpRequest, story: Story, change: ChangeLog) -> HttpResponse:
    summary = change.edit.summary if change.edit else "Saved"
    focus = change.focus.pk if change.focus is not None and change.focus.pk else None
    if not request.htmx:
        messages.success(request, summary)
        return redirect(reader_url(story, change.starts[0] if change.starts else None, focus))
    detail = {"version": story.version, "status": story.status, "status_label": story.get_status_display(),
              "message": summary, "focus": focus, "character": change.character_id,
              # Others changed the story since this page loaded: reload every part it shows, so the
              # version it carries from now on is one whose changes it has seen.
              "refresh": change.bulk or not change.starts or change.others_changed}  # fmt: skip
    if detail["refresh"]:
        response = reswap(HttpResponse(status=200), "none")
    else:
        # Only the paragraph of the chunk that changed (an edit never crosses one).
        paragraph = selectors.reader_paragraph(story=story, offset=change.starts[0])
        response = render(request, "annotations/story_detail.html#paragraph", {"paragraph": paragraph})
        target = f'#chunk-{paragraph.chunk} > p[data-start="{paragraph.start}"]'
        response = reswap(retarget(response, target), "outerHTML")
    if touches_characters(change):
        response = trigger_client_event(response, "fabula:characters", {})
    return trigger_client_event(response, "fabula:changed", detail)


def touches_characters(change: ChangeLog) -> bool:
    """Whether the characters panel may show something else now: a character row changed, or a mention
    that is (or was) linked to one."""
    for entry in change.before + change.after:
        if entry["model"] == "character":
            return True
        if entry["model"] == "entity" and (entry["fields"] or {}).get("character"):
            return True
    return False


def settle_choice(request: HttpRequest, story: Story, first, *, action: str, verb: str) -> HttpResponse:
    """How many suggestions are pending and three ways on: accept the rest, reject the rest, go back.

    htmx gets the choice in the reader's #settle-choice; a plain POST gets it as a page of its own.
    """
    pending = selectors.pending_count(story=story)
    context = {
        "story": story, "pending": pending, "action": action, "verb": verb,
        "back_url": reader_url(story, first.start, first.pk),
    }  # fmt: skip
    if not request.htmx:
        return render(request, "annotations/story_settle.html", context)
    response = render(request, "annotations/story_settle.html#settle-choice", context)
    return reswap(retarget(response, "#settle-choice"), "outerHTML")


def needs_confirmation(form, count: int) -> bool:
    """A valid bulk form, unconfirmed, over settings.BULK_CONFIRM_OVER rows: ask before writing."""
    return form.is_valid() and not form.cleaned_data["confirm"] and count > settings.BULK_CONFIRM_OVER


def confirm_bulk(
    request: HttpRequest, story: Story, *, question: str, yes: str, fields: list
) -> HttpResponse:
    """Ask once before a bulk action: the same POST again with confirm=1, or go back. Nothing is written.

    htmx gets the question in the reader's #bulk-confirm (an overlay, so the text does not move); a
    plain POST gets it as a page of its own. `fields` are the (name, value) pairs to send again.
    """
    context = {
        "story": story, "question": question, "yes": yes, "fields": fields, "action": request.path,
        "back_url": reader_url(story),
    }  # fmt: skip
    if not request.htmx:
        return render(request, "annotations/bulk_confirm.html", context)
    response = render(request, "annotations/bulk_confirm.html#bulk-confirm", context)
    return reswap(retarget(response, "#bulk-confirm"), "outerHTML")


def entity_context(story: Story, entity) -> dict:
    """What the entity inspector needs besides the entity: labels and the story's characters."""
    return {
        "all_labels": selectors.labels(),
        "story_characters": list(story.characters.order_by("name").values("id", "name")),
    }
