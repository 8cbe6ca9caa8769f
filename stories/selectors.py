"""Reads for the story pages: the story list, full-text search, and the filter choices.

Columns and filters that need other apps' tables (entity and character counts, label and character
filters) come from the extensions in `stories.listing`; nothing here names another app's model.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower

from core import roles
from core.compiled import CompiledRead
from core.pagination import capped_count
from stories import listing
from stories.models import ImportBatch, Story, StoryDeletions

# The text search configuration; migration 0011's trigger writes StorySearch.vector with exactly this one.
SEARCH_CONFIG = "english"

# The "My queue" badge counts this far and then shows "1000+".
QUEUE_COUNT_CAP = 1000

# Workflow order, so "sort by status" reads new → in progress → adjudication → done → returned → approved.
STATUS_ORDER = [
    Story.Status.NEW,
    Story.Status.IN_PROGRESS,
    Story.Status.ADJUDICATION,
    Story.Status.DONE,
    Story.Status.RETURNED,
    Story.Status.APPROVED,
]


def story_list() -> QuerySet[Story]:
    """Every story with `status_rank`, `title_key` (the title lower-cased, so sorting ignores case on
    every database) and the listing extensions' columns, ready to list."""
    stories = (
        Story.objects.select_related("assigned_to", "batch")
        .defer("text", "meta")
        .annotate(
            title_key=Lower("title"),
            status_rank=Case(
                *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
                default=Value(len(STATUS_ORDER)),
                output_field=IntegerField(),
            ),
        )
    )
    return listing.annotated(stories)


_WITHOUT_TEXT = CompiledRead(lambda pk: Story.with_layers.defer("text").filter(pk=pk))


def story_without_text(pk: int) -> Story | None:
    """The story or annotator's layer `pk`, its text left unread (chunks read only the slice they show);
    compiled once, since every reader page and edit starts with it."""
    return _WITHOUT_TEXT.first(pk)


def story_rows(ids: list[int]) -> QuerySet[Story]:
    """The stories with these ids, with every column the list shows: one page of it, by primary key."""
    return story_list().filter(pk__in=ids)


def story_search(queryset: QuerySet[Story], query: str) -> QuerySet[Story]:
    """Stories whose title or text match `query`, best first where the database can rank.

    PostgreSQL: websearch syntax ("quoted phrase", -word, or) over the stored, GIN-indexed tsvector
    (StorySearch), with title matches ranked first (`search_rank`, from the stored title vector).
    Elsewhere (SQLite): every word must appear in the title or the text, case-insensitively.
    """
    query = query.strip()
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        # Ranking reads the title's stored vector alone: no text, and no title parsed per match.
        return queryset.filter(fulltext__vector=search).annotate(
            search_rank=Coalesce(SearchRank(F("fulltext__title_vector"), search), Value(0.0))
        )
    for word in query.split():
        word = word.strip("\"'")
        if word:
            queryset = queryset.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return queryset


def batch_list() -> QuerySet[ImportBatch]:
    """Import batches, newest first."""
    return ImportBatch.objects.only("id", "name", "started_at")


def assignable_users() -> QuerySet:
    """Active accounts that may be given stories: editors, reviewers and admins."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__name__in=[roles.EDITORS, roles.REVIEWERS]) | Q(is_staff=True) | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )


def mine_condition(user) -> Q:
    """Stories in `user`'s queue: assigned to them, or double-annotated with a layer of theirs.

    One `pk IN (… UNION …)`, not `assigned_to = user OR pk IN (…)`: each half is an index lookup, while
    the OR made PostgreSQL test every story of the corpus against both."""
    assigned = Story.objects.filter(assigned_to=user).order_by().values("pk")
    layered = Story.with_layers.filter(annotator=user).order_by().values("layer_of")
    return Q(pk__in=assigned.union(layered))


def story_queue_count(*, user) -> int:
    """How many stories are in `user`'s queue (the "My queue" tab's badge), counted up to QUEUE_COUNT_CAP
    + 1: the badge shows "1000+" rather than count a queue of thousands on every page."""
    return capped_count(Story.objects.filter(mine_condition(user)), QUEUE_COUNT_CAP)


def corpus_state() -> str:
    """A token that changes whenever a story or an annotator's layer of one is added, deleted or changed.

    The latest updated_at (index `story_updated`), the highest id (the primary key) and the deletion
    counter a trigger keeps (StoryDeletions): three index probes, whatever the size of the corpus. An edit
    or a new row moves the first or the second; a deletion moves neither, so it bumps the third. Layers
    count because an annotator's edits bump their layer's row, not the story's."""
    stories = Story.with_layers.order_by()
    latest = stories.aggregate(latest=Max("updated_at"), last_id=Max("id"))
    deleted = StoryDeletions.objects.filter(pk=1).values_list("count", flat=True).first() or 0
    return f"{latest['latest']}|{latest['last_id']}|{deleted}"


def awaiting_review_count() -> int:
    """Stories marked done and not yet approved or returned: the reviewers' to-do, counted live."""
    return Story.objects.filter(status=Story.Status.DONE).count()
