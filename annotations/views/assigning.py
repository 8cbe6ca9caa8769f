"""The story list's "Assign for double annotation": each ticked editor gets a layer of each ticked story."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from annotations.services.layers import layers_assign
from core.access import reviewer_required
from core.responses import error_response
from stories.forms import DoubleAssignForm


@require_POST
@reviewer_required
def story_assign_double(request: HttpRequest) -> HttpResponse:
    """All or nothing: a story that is not new, or fewer than two editors, assigns none."""
    form = DoubleAssignForm(request.POST)
    if not form.is_valid():
        return error_response(request, f"Nothing was assigned: {form.error_summary()}")
    stories, editors = list(form.cleaned_data["story"]), list(form.cleaned_data["editors"])
    try:
        with transaction.atomic():
            for story in stories:
                layers_assign(story=story, editors=editors, by=request.user)
    except ValidationError as error:
        return error_response(request, f"Nothing was assigned: {' '.join(error.messages)}")
    names = ", ".join(e.get_username() for e in editors)
    count = len(stories)
    messages.success(
        request, f"{count} {'story' if count == 1 else 'stories'} double-annotated: a layer each for {names}."
    )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "stories:story-list"
    return redirect(target)
