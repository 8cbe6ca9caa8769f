"""Story pages. Placeholder list until the editor workspace lands."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from stories.models import Story


@require_GET
def story_list(request: HttpRequest) -> HttpResponse:
    return render(request, "stories/story_list.html", {"stories": Story.objects.all()[:50]})
