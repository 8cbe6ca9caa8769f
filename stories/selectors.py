"""Reads for the story pages: the annotated story list, full-text search, and the filter choices.

`stories` never imports `annotations`; the list still needs entity, character and label facts, so it
reaches them through Story's reverse relations (`annotations`, `characters`) by name.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Lower

from core import roles
from stories.models import ImportBatch, Story

# The text search configuration; migration 0003 builds its GIN index on exactly this expression.
SEARCH_CONFIG = "english"

# Workflow order, so "sort by status" reads new → in progress → done → returned → approved.
STATUS_ORDER = [
    Story.Status.NEW,
    Story.Status.IN_PROGRESS,
    Story.Status.DONE,
    Story.Status.RETURNED,
    Story.Status.APPROVED,
]


def _related_model(relation: str):
    """The model behind one of Story's reverse relations, without importing its app."""
    return Story._meta.get_field(relation).related_model


def _count_of(relation: str, condition: Q | None = None) -> Coalesce:
    # A correlated subquery per relation, not Count() over two joins: joining annotations and
    # characters at once multiplies rows (10,000 mentions × 200 characters for a novel) before
    # DISTINCT can undo it. Each subquery is an index lookup on (story_id, ...).
    field = Story._meta.get_field(relation)
    fk_name = field.field.name
    rows = _related_model(relation)._default_manager.filter(**{fk_name: OuterRef("pk")})
    if condition is not None:
        rows = rows.filter(condition)
    counted = rows.order_by().values(fk_name).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _final_set() -> Q:
    """Annotations in the editors' final set: everything not rejected."""
    return ~Q(review_state="rejected")


def story_list() -> QuerySet[Story]:
    """Every story with `entity_count` (final set), `character_count`, `status_rank` and `title_key`
    (the title lower-cased, so sorting ignores case on every database), ready to list."""
    return (
        Story.objects.select_related("assigned_to", "batch")
        .defer("text", "meta")
        .annotate(
            entity_count=_count_of("entities", _final_set()),
            character_count=_count_of("characters"),
            title_key=Lower("title"),
            status_rank=Case(
                *(When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)),
                default=Value(len(STATUS_ORDER)),
                output_field=IntegerField(),
            ),
        )
    )


def story_search(queryset: QuerySet[Story], query: str) -> QuerySet[Story]:
    """Stories whose title or text match `query`, best first where the database can rank.

    PostgreSQL: websearch syntax ("quoted phrase", -word, or) over the GIN-indexed tsvector, with
    title matches ranked first (`search_rank`).
    Elsewhere (SQLite): every word must appear in the title or the text, case-insensitively.
    """
    query = query.strip()
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        # alias(), not annotate(): the vector is only matched against the index, never selected.
        # Ranking reads the title alone, so a page of novels is not re-parsed to sort it.
        return (
            queryset.alias(search_vector=SearchVector("title", "text", config=SEARCH_CONFIG))
            .filter(search_vector=search)
            .annotate(search_rank=SearchRank(SearchVector("title", config=SEARCH_CONFIG), search))
        )
    for word in query.split():
        word = word.strip("\"'")
        if word:
            queryset = queryset.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return queryset


def story_with_label(queryset: QuerySet[Story], label: str) -> QuerySet[Story]:
    """Stories with at least one entity of `label` in the final set (rejected ones do not count)."""
    annotations = _related_model("entities")._default_manager.filter(
        _final_set(), story=OuterRef("pk"), label_id=label
    )
    return queryset.filter(Exists(annotations))


def story_with_character(queryset: QuerySet[Story], name: str) -> QuerySet[Story]:
    """Stories with a character whose name or one of whose aliases contains `name`."""
    # Aliases are a JSON list; searching its text form finds a part of any alias ("anna" in "Annabel"),
    # which a JSON lookup (whole elements only) would not.
    characters = (
        _related_model("characters")
        ._default_manager.alias(aliases_text=Cast("aliases", TextField()))
        .filter(Q(name__icontains=name) | Q(aliases_text__icontains=name), story=OuterRef("pk"))
    )
    return queryset.filter(Exists(characters))


def label_choices() -> list[tuple[str, str]]:
    """(name, name) for every label, in the labels' display order."""
    label_model = _related_model("entities")._meta.get_field("label").related_model
    return [(name, name) for name in label_model._default_manager.values_list("name", flat=True)]


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


def story_queue_count(*, user) -> int:
    """How many stories are assigned to `user` (the "My queue" tab's badge)."""
    return Story.objects.filter(assigned_to=user).count()
