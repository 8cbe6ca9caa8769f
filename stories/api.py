"""API endpoints for what stories owns: the story list's filters and row shape, and assignment.

The list itself is served where the stories' full records are (interchange.api, which also creates
them); it filters through stories.filters.StoryFilter, the same FilterSet as the story list page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from core.api import auth, paginate, responses
from stories import policy, selectors, services
from stories.filters import StoryFilter
from stories.models import Story

router = Router(tags=["stories"])
ASSIGNERS = auth(policy.may_assign, "Only reviewers and admins can assign stories.")


class StoryBriefOut(Schema):
    id: int
    title: str
    status: str
    version: int
    word_count: int
    batch: str | None
    assigned_to: str | None
    entity_count: int = 0
    character_count: int = 0
    updated_at: dt.datetime


class StoryPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[StoryBriefOut]


class StoryListQuery(Schema):
    q: str = Field("", max_length=500, description="Words in the title or text.")
    status: str = ""
    batch: str = Field("", description="An import batch id.")
    editor: str = Field("", description="The assignee's user id, or `null` for unassigned stories.")
    label: str = Field("", description="Stories with at least one entity of this label.")
    character: str = Field("", max_length=300, description="A character's name or alias contains this.")
    mine: str = Field("", description="`1`: only stories assigned to me.")
    sort: str = Field("", description="title, status, updated, words, entities; `-` first to reverse.")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, description="At most FABULA_API_MAX_PAGE_SIZE (100 by default).")


def story_brief(story: Story) -> dict:
    return {
        "id": story.pk, "title": story.title, "status": story.status, "version": story.version,
        "word_count": story.word_count, "batch": story.batch.name if story.batch_id else None,
        "assigned_to": story.assigned_to.get_username() if story.assigned_to_id else None,
        "entity_count": getattr(story, "entity_count", 0),
        "character_count": getattr(story, "character_count", 0),
        "updated_at": story.updated_at,
    }  # fmt: skip


def story_page(request, query: StoryListQuery, *, max_page_size: int) -> dict:
    """One page of the story list filtered exactly as the story list page filters it."""
    if query.page_size > max_page_size:
        raise ValidationError({"page_size": [f"At most {max_page_size} stories per page."]})
    data = {k: v for k, v in query.dict().items() if k not in ("page", "page_size") and v}
    story_filter = StoryFilter(data, queryset=selectors.story_list(), request=request)
    if not story_filter.is_valid():
        details = {name: [str(m) for m in errors] for name, errors in story_filter.form.errors.items()}
        raise ValidationError(details)
    page = paginate(story_filter.qs, page=query.page, page_size=query.page_size)
    page["results"] = [story_brief(story) for story in page["results"]]
    return page


class AssignIn(Schema):
    editor: str | None = Field(..., max_length=150, description="A username; null unassigns.")


@router.post(
    "/stories/{story_id}/assign",
    response=responses({200: StoryBriefOut}),
    summary="Assign a story",
    auth=ASSIGNERS,
)
def story_assign(request, story_id: int, payload: AssignIn):
    """Reviewers and admins give a story to an editor (who is notified), or unassign it."""
    story = get_object_or_404(Story.objects.defer("text"), pk=story_id)
    editor = None
    if payload.editor is not None:
        editor = get_user_model().objects.filter(username=payload.editor).first()
        if editor is None:
            raise ValidationError({"editor": [f"There is no account named {payload.editor!r}."]})
    services.story_assign(story=story, editor=editor, by=request.user)
    return story_brief(selectors.story_list().get(pk=story.pk))
