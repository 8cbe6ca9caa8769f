"""Reviewer pages: the queue of done stories, one story's changes against the model, approve and return,
and one-item decisions from the diff (revert one change, accept or reject one remaining suggestion).

Every view is reviewer/admin only (checked here and again in the services). Each serves the full page,
or with HX-Request the named partial of the same template; a non-htmx POST redirects on success.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from annotations.forms.editor import VersionForm
from annotations.forms.review import ReturnForm, ReviewQueueFilterForm
from annotations.models import Edit, Entity
from annotations.selectors import review as selectors_review
from annotations.selectors.review import (
    next_in_queue,
    review_diff,
    review_status_counts,
    story_review_history,
)
from annotations.services.changes import StaleVersion, UndoRefused, edit_undo
from annotations.services.editing import entity_accept, entity_delete, entity_revert
from annotations.services.review import (
    ReviewConflict,
    ReviewStale,
    story_approve,
    story_reopen,
    story_return,
)
from annotations.services.settling import SETTLE_CHOICES, PendingSuggestions
from core.access import reviewer_required
from core.http import HtmxHttpRequest
from core.pagination import CappedPaginator
from stories.models import Story

QUEUE_TEMPLATE = "annotations/review_queue.html"
QUEUE_PAGE_SIZE = 50
DETAIL_TEMPLATE = "annotations/review_detail.html"


@require_GET
@reviewer_required
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    form = ReviewQueueFilterForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    status = data.get("status") or Story.Status.DONE
    batch = data.get("batch")
    stories = selectors_review.review_queue(status=status, batch_id=batch.pk if batch else None)
    page = CappedPaginator(stories if valid else [], QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = review_status_counts()
    tabs = [(value, label, counts.get(value, 0)) for value, label in form.fields["status"].choices]
    context = {
        "form": form, "page": page, "stories": page.object_list, "status": status, "tabs": tabs,
        "tab_cap": selectors_review.TAB_COUNT_CAP,
    }  # fmt: skip
    template = QUEUE_TEMPLATE + ("#review-queue" if request.htmx else "")
    return render(request, template, context, status=200 if valid else 400)


def _detail_context(story: Story, **extra) -> dict:
    return {
        "story": story,
        # Lazy: the htmx action responses render only the actions partial, which never reads the diff.
        "diff": SimpleLazyObject(lambda: review_diff(story=story)),
        "history": story_review_history(story=story),
        "next_story": next_in_queue(after=story),
        "return_form": extra.pop("return_form", None) or ReturnForm(),
        **extra,
    }


@require_GET
@reviewer_required
def review_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.select_related("batch", "assigned_to"), pk=pk)
    template = DETAIL_TEMPLATE + ("#review-diff" if request.htmx else "")
    return render(request, template, _detail_context(story))


def _decided(request: HtmxHttpRequest, story: Story, message: str, event: str) -> HttpResponse:
    """After a successful decision: the updated actions partial for htmx, else redirect to the queue.

    The diff comes along out of band: a new status changes which of its items the reviewer may still
    revert or decide."""
    if request.htmx:
        context = _detail_context(story, notice=message)
        actions = render_to_string(DETAIL_TEMPLATE + "#review-actions", context, request)
        diff = render_to_string(DETAIL_TEMPLATE + "#review-diff", {**context, "oob": True}, request)
        response = HttpResponse(actions + diff)
        return trigger_client_event(response, event, {"story": story.pk, "status": story.status})
    messages.success(request, message)
    return redirect("annotations:review-queue")


def _refused(request: HtmxHttpRequest, story: Story, status: int, *, stale: bool = False, **context):
    """htmx 2 does not swap 4xx responses, so htmx gets the actions partial with the error and a 200;
    when the story changed under the reviewer (`stale`), the fresh diff comes along out of band."""
    if request.htmx:
        context = _detail_context(story, **context)
        body = render_to_string(DETAIL_TEMPLATE + "#review-actions", context, request)
        if stale:
            body += render_to_string(DETAIL_TEMPLATE + "#review-diff", {**context, "oob": True}, request)
        return HttpResponse(body)
    return render(request, DETAIL_TEMPLATE, _detail_context(story, **context), status=status)


def _version_error(form) -> str:
    return " ".join(form.errors.get("version", [])) or "The page sent no valid story version; reload it."


@require_POST
@reviewer_required
def review_approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    settle = request.POST.get("settle") or None
    if settle not in (None, *SETTLE_CHOICES):
        return _refused(request, story, 400, error=f"settle must be one of {', '.join(SETTLE_CHOICES)}.")
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refused(request, story, 400, error=_version_error(form))
    try:
        story = story_approve(
            story=story, user=request.user, settle=settle, version=form.cleaned_data["version"]
        )
    except ReviewConflict as error:
        story.refresh_from_db()
        return _refused(request, story, 409, error=str(error), stale=isinstance(error, ReviewStale))
    except PendingSuggestions as error:
        return _refused(request, story, 409, error=" ".join(error.messages), pending=error.count)
    return _decided(request, story, f"Approved “{story.title}”.", "story-approved")


@require_POST
@reviewer_required
def review_return(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        error = _version_error(form) if "version" in form.errors else None
        return _refused(request, story, 400, return_form=form, error=error)
    try:
        story = story_return(
            story=story, user=request.user, comment=form.cleaned_data["comment"],
            version=form.cleaned_data["version"],
        )  # fmt: skip
    except ValidationError as error:
        form.add_error("comment", error)
        return _refused(request, story, 400, return_form=form)
    except ReviewConflict as error:
        story.refresh_from_db()
        stale = isinstance(error, ReviewStale)
        return _refused(request, story, 409, error=str(error), return_form=form, stale=stale)
    return _decided(request, story, f"Returned “{story.title}” to the editor.", "story-returned")


@require_POST
@reviewer_required
def review_reopen(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    try:
        story = story_reopen(story=story, user=request.user)
    except ReviewConflict as error:
        story.refresh_from_db()
        return _refused(request, story, 409, error=str(error))
    return _decided(request, story, f"Reopened “{story.title}”: it is In progress again.", "story-reopened")


# One item from the diff: what each decision calls, and what the reviewer is told afterwards.
ENTITY_DECISIONS = {
    "revert": (entity_revert, "Reverted “{text}” to the model's draft."),
    "accept": (entity_accept, "Accepted “{text}”."),
    "reject": (entity_delete, "Rejected “{text}”."),
}


def _diff_answer(request: HtmxHttpRequest, story: Story, status: int = 200, **context) -> HttpResponse:
    """The diff after a one-item decision: its partial for htmx (always 200: htmx 2 does not swap 4xx),
    a redirect back to the page on success, or the full page with the error and `status`."""
    if request.htmx:
        # The actions come along out of band: a decision bumps the version their forms carry.
        context = _detail_context(story, **context)
        diff = render_to_string(DETAIL_TEMPLATE + "#review-diff", context, request)
        oob = {**context, "actions_oob": True}
        actions = render_to_string(DETAIL_TEMPLATE + "#review-actions", oob, request)
        return HttpResponse(diff + actions)
    if status < 400:
        messages.success(request, context["diff_notice"])
        return redirect("annotations:review-detail", pk=story.pk)
    return render(request, DETAIL_TEMPLATE, _detail_context(story, **context), status=status)


def _one_item(request: HtmxHttpRequest, story: Story, act, notice: str) -> HttpResponse:
    """Run one decision with the version the page showed; every refusal names what to do next."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _diff_answer(request, story, 400, diff_error=" ".join(form.errors.get("version", [])))
    try:
        change = act(form.cleaned_data["version"])
    except StaleVersion as error:
        story.refresh_from_db()
        return _diff_answer(request, story, 409, diff_error=str(error))
    except PermissionDenied as error:
        return _diff_answer(request, story, 403, diff_error=str(error))
    except (ValidationError, UndoRefused) as error:
        story.refresh_from_db()
        message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return _diff_answer(request, story, 400, diff_error=message)
    return _diff_answer(request, change.story, diff_notice=notice)


@require_POST
@reviewer_required
def review_entity(request: HtmxHttpRequest, pk: int, entity_id: int, decision: str) -> HttpResponse:
    """Revert one span change, or accept or reject one remaining suggestion, from the review page."""
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    entity = get_object_or_404(Entity.objects.only("id", "text"), story=story, pk=entity_id)
    service, notice = ENTITY_DECISIONS[decision]

    def act(version: int):
        return service(story=story, pk=entity.pk, user=request.user, version=version)

    return _one_item(request, story, act, notice.format(text=entity.text))


@require_POST
@reviewer_required
def review_edit_revert(request: HtmxHttpRequest, pk: int, edit_id: int) -> HttpResponse:
    """Revert one logged change (a character merge, rename, split, gender, delete or creation)."""
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    edit = get_object_or_404(Edit, story=story, pk=edit_id)

    def act(version: int):
        return edit_undo(story=story, edit=edit, version=version, user=request.user)

    return _one_item(request, story, act, f"Reverted: {edit.summary}")
