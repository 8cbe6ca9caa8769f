"""Story list pages: search, filter, sort and page through stories; reviewers assign them to editors.

One view serves the full page and, for htmx, only the `story-table` partial (house rule R5).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from core import roles
from core.access import editor_required, role_required
from core.pagination import CappedPaginator
from core.responses import error_response
from stories import selectors, services
from stories.filters import StoryFilter
from stories.forms import AssignForm

PAGE_SIZE = 25
LIST_TEMPLATE = "stories/story_list.html"


def _is_fragment_request(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) needs the whole page, not the fragment.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("stories:story-list")


@require_GET
@vary_on_headers("HX-Request")
@editor_required
def story_list(request: HttpRequest) -> HttpResponse:
    story_filter = StoryFilter(request.GET, queryset=selectors.story_list(), request=request)
    if not story_filter.is_valid():
        return error_response(request, f"These filters are not valid: {story_filter.error_summary()}")
    # A page's ids by the filters and order, then its rows by id (core.pagination); the count stops early.
    paginator = CappedPaginator(story_filter.qs, PAGE_SIZE, rows=selectors.story_rows)
    context = {
        "filter": story_filter,
        "page": paginator.get_page(request.GET.get("page")),
        "assignable": list(selectors.assignable_users()) if roles.is_reviewer(request.user) else [],
        "queue_count": selectors.story_queue_count(user=request.user),
        "queue_cap": selectors.QUEUE_COUNT_CAP,
        "mine": request.GET.get("mine") == "1",
        "filtered": any(value for name, value in request.GET.items() if name != "page"),
        "next_url": request.get_full_path(),
    }
    template = f"{LIST_TEMPLATE}#story-table" if _is_fragment_request(request) else LIST_TEMPLATE
    return render(request, template, context)


@require_GET
def my_queue(request: HttpRequest) -> HttpResponse:
    """A stable address for "stories assigned to me": the list, filtered."""
    return redirect(f"{reverse('stories:story-list')}?mine=1")


@require_POST
@editor_required
def story_next(request: HttpRequest) -> HttpResponse:
    """Open the next story from my queue, or claim the next unassigned one."""
    story = services.story_next(user=request.user)
    if story is None:
        messages.info(request, "Nothing left to do: your queue is empty and no unassigned story is waiting.")
        return redirect(f"{reverse('stories:story-list')}?mine=1")
    # The reader's URL by name: stories names the page without importing the app that serves it.
    return redirect("annotations:story-detail", pk=story.pk)


@require_POST
@role_required(roles.is_reviewer, "Only reviewers and admins can assign stories.")
def story_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked stories to one editor. htmx + one story: answer with the updated row."""
    form = AssignForm(request.POST)
    if not form.is_valid():
        return error_response(request, f"Nothing was assigned: {form.error_summary()}")
    stories, editor = form.cleaned_data["story"], form.cleaned_data["editor"]
    try:
        count = services.story_assign_many(stories=stories, editor=editor, by=request.user)
    except ValidationError as error:
        return error_response(request, f"Nothing was assigned: {' '.join(error.messages)}")
    notice = f"{count} {'story' if count == 1 else 'stories'} " + (
        f"assigned to {editor.get_username()}." if editor else "unassigned."
    )
    if _is_fragment_request(request) and count == 1:
        return _assigned_row(request, stories[0].pk, notice)
    messages.success(request, notice)
    return redirect(_safe_next(request))


def _assigned_row(request: HttpRequest, story_id: int, notice: str) -> HttpResponse:
    """The re-rendered table row, with the notice as an HX-Trigger event for app.js to announce."""
    context = {
        "story": selectors.story_list().get(pk=story_id),
        "assignable": list(selectors.assignable_users()),
        "next_url": _safe_next(request),
    }
    response = render(request, f"{LIST_TEMPLATE}#story-row", context)
    return trigger_client_event(response, "fabula:notice", {"message": notice})
