"""What annotations adds to the story list (stories.listing): entity and character counts, the label and
character filters, and sorting by entity count. Registered in AnnotationsConfig.ready()."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce

from annotations.models import Character, Entity, Label
from stories.listing import ListingExtension


def _count_of(rows: QuerySet) -> Coalesce:
    # A correlated subquery per relation, not Count() over two joins: joining entities and characters
    # at once multiplies rows (10,000 mentions × 200 characters for a novel) before DISTINCT can undo
    # it. Each subquery is an index lookup on (story_id, ...).
    counted = rows.filter(story=OuterRef("pk")).order_by().values("story").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(stories: QuerySet) -> QuerySet:
    """`entity_count` (the final set) and `character_count` on every story."""
    return stories.annotate(
        entity_count=_count_of(Entity.objects.final()), character_count=_count_of(Character.objects.all())
    )


def with_label(stories: QuerySet, name: str, label: str) -> QuerySet:
    """Stories with at least one entity of `label` in the final set (rejected ones do not count)."""
    return stories.filter(Exists(Entity.objects.final().filter(story=OuterRef("pk"), label_id=label)))


def with_character(stories: QuerySet, name: str, value: str) -> QuerySet:
    """Stories with a character whose name or one of whose aliases contains `value`."""
    value = value.strip()
    if not value:
        return stories
    # Aliases are a JSON list; searching its text form finds a part of any alias ("anna" in "Annabel"),
    # which a JSON lookup (whole elements only) would not.
    characters = Character.objects.alias(aliases_text=Cast("aliases", TextField())).filter(
        Q(name__icontains=value) | Q(aliases_text__icontains=value), story=OuterRef("pk")
    )
    return stories.filter(Exists(characters))


def label_choices() -> list[tuple[str, str]]:
    """(name, name) for every label, in the labels' display order."""
    return [(name, name) for name in Label.objects.values_list("name", flat=True)]


def filters() -> dict[str, django_filters.Filter]:
    return {
        "label": django_filters.ChoiceFilter(
            label="Has label", choices=label_choices, method=with_label, empty_label="Any label"
        ),
        "character": django_filters.CharFilter(
            label="Character",
            method=with_character,
            widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or alias"}),
        ),
    }


STORY_LIST = ListingExtension(
    annotate=with_counts, filters=filters, sorts=(("entity_count", "entities", "Entities"),)
)
