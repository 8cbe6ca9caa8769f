"""Reviewer pages: the queue of done stories, one story's changes against the model, approve and return.

Every view is reviewer/admin only (checked here and again in the services). Each serves the full page,
or with HX-Request the named partial of the same template; a non-htmx POST redirects on success.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from annotations.forms.review import ReturnForm, ReviewQueueFilterForm
from annotations.selectors import review as selectors_review
from annotations.selectors.review import (
    next_in_queue,
    review_diff,
    review_status_counts,
    story_review_history,
)
from annotations.services.review import ReviewConflict, story_approve, story_reopen, story_return
from annotations.services.settling import SETTLE_CHOICES, PendingSuggestions
from core.access import reviewer_required
from core.http import HtmxHttpRequest
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
    page = Paginator(stories if valid else [], QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = review_status_counts()
    tabs = [(value, label, counts.get(value, 0)) for value, label in form.fields["status"].choices]
    context = {"form": form, "page": page, "stories": page.object_list, "status": status, "tabs": tabs}
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
    """After a successful decision: the updated actions partial for htmx, else redirect to the queue."""
    if request.htmx:
        response = render(
            request, DETAIL_TEMPLATE + "#review-actions", _detail_context(story, notice=message)
        )
        return trigger_client_event(response, event, {"story": story.pk, "status": story.status})
    messages.success(request, message)
    return redirect("annotations:review-queue")


def _refused(request: HtmxHttpRequest, story: Story, status: int, **context) -> HttpResponse:
    # htmx 2 does not swap 4xx responses, so htmx gets the actions partial with the error and a 200.
    if request.htmx:
        return render(request, DETAIL_TEMPLATE + "#review-actions", _detail_context(story, **context))
    return render(request, DETAIL_TEMPLATE, _detail_context(story, **context), status=status)


@require_POST
@reviewer_required
def review_approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    settle = request.POST.get("settle") or None
    if settle not in (None, *SETTLE_CHOICES):
        return _refused(request, story, 400, error=f"settle must be one of {', '.join(SETTLE_CHOICES)}.")
    try:
        story = story_approve(story=story, user=request.user, settle=settle)
    except ReviewConflict as error:
        story.refresh_from_db()
        return _refused(request, story, 409, error=str(error))
    except PendingSuggestions as error:
        return _refused(request, story, 409, error=" ".join(error.messages), pending=error.count)
    return _decided(request, story, f"Approved “{story.title}”.", "story-approved")


@require_POST
@reviewer_required
def review_return(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _refused(request, story, 400, return_form=form)
    try:
        story = story_return(story=story, user=request.user, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        form.add_error("comment", error)
        return _refused(request, story, 400, return_form=form)
    except ReviewConflict as error:
        story.refresh_from_db()
        return _refused(request, story, 409, error=str(error), return_form=form)
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
