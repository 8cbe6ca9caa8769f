"""The adjudication page: annotators' layers side by side, paragraph by paragraph, and their differences.

Reviewers only (checked here and again in the services). A decision answers htmx with the page's body
partial (the next open difference then carries the number keys); a plain POST redirects back. Finishing
sends the story to the review queue as Done.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from annotations.forms.editor import VersionForm
from annotations.forms.review import DecisionForm
from annotations.selectors.adjudication import adjudication_page
from annotations.selectors.layers import layers_of
from annotations.services.adjudication import adjudication_decide, adjudication_finish
from annotations.services.changes import StaleVersion
from annotations.views.actions import reader_url
from core.access import reviewer_required
from core.http import HtmxHttpRequest
from core.responses import error_response
from stories import policy
from stories.models import Story

TEMPLATE = "annotations/adjudication.html"


def _story(request: HtmxHttpRequest, pk: int) -> Story:
    story = get_object_or_404(Story.objects.defer("text"), pk=pk)
    if not story.layer_count:
        raise Http404(f"“{story.title}” is annotated by one editor; there are no layers to adjudicate.")
    if not policy.may_adjudicate(request.user):
        raise PermissionDenied("Only reviewers and admins can adjudicate.")
    return story


def _context(request, story: Story, **extra) -> dict:
    layers = layers_of(story)
    context = {"story": story, "layers": layers, "everything": request.GET.get("all") == "1", **extra}
    if story.status in policy.BEFORE_ADJUDICATION:
        # The reviewer may see that layers are under way, but not compare them while one is open.
        return context
    page = adjudication_page(story, everything=context["everything"])
    first = next((d for d in page.disagreements if not d.settled), None)
    first_character = None if first else next((c for c in page.characters if not c.settled), None)
    for row in page.paragraphs:
        row.reader_url = reader_url(story, row.start)
    return {**context, "page": page, "current": first or first_character}


@require_GET
@reviewer_required
def adjudication(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    story = _story(request, pk)
    template = TEMPLATE + ("#adjudication-body" if request.htmx else "")
    return render(request, template, _context(request, story))


@require_POST
@reviewer_required
def adjudication_decision(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """POST kind, key, choice (a username, or blank to keep the final layer as it is), version."""
    story = _story(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items())
        return error_response(request, f"Could not record that decision: {errors}", status=400)
    data = form.cleaned_data
    try:
        change = adjudication_decide(
            story=story, kind=data["kind"], key=data["key"], choice=data["choice"], user=request.user,
            version=data["version"],
        )  # fmt: skip
    except StaleVersion as error:
        return error_response(request, str(error), status=409)
    except ValidationError as error:
        return error_response(request, " ".join(error.messages), status=400)
    if not request.htmx:
        messages.success(request, change.edit.summary)
        return redirect("annotations:adjudication", pk=story.pk)
    story.refresh_from_db(fields=["version", "status"])
    return render(
        request, TEMPLATE + "#adjudication-body", _context(request, story, notice=change.edit.summary)
    )


@require_POST
@reviewer_required
def adjudication_done(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every difference settled: the story is Done and waits in the review queue."""
    story = _story(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return error_response(request, " ".join(form.errors.get("version", [])), status=400)
    try:
        adjudication_finish(story=story, user=request.user, version=form.cleaned_data["version"])
    except StaleVersion as error:
        return error_response(request, str(error), status=409)
    except ValidationError as error:
        return error_response(request, " ".join(error.messages), status=400)
    messages.success(request, f"Adjudicated “{story.title}”: it now waits for review.")
    url = reverse("annotations:review-detail", kwargs={"pk": story.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
