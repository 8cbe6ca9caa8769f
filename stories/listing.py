"""The story list's extension point: apps that know more about a story add columns, filters and sorts.

`stories` never imports the apps built on it, yet the list shows entity and character counts and filters
by label and character. So the list asks the extensions registered here (annotations registers one in
its AppConfig.ready()), and the facts stay with the app that owns their tables. Chosen over moving the
list into annotations because the list is the corpus's front page: search, status, batch, assignment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import django_filters
from django.db.models import QuerySet


@dataclass(frozen=True)
class ListingExtension:
    """Columns (`annotate` adds them to the story queryset), filters by query-string name, and sorts
    as (queryset field, URL value, label)."""

    annotate: Callable[[QuerySet], QuerySet]
    filters: Callable[[], Mapping[str, django_filters.Filter]] = dict
    sorts: tuple[tuple[str, str, str], ...] = ()


EXTENSIONS: list[ListingExtension] = []


def register(extension: ListingExtension) -> None:
    """Add `extension` to every story list; called once per process from an AppConfig.ready()."""
    if extension not in EXTENSIONS:
        EXTENSIONS.append(extension)


def annotated(queryset: QuerySet) -> QuerySet:
    """`queryset` with every extension's columns."""
    for extension in EXTENSIONS:
        queryset = extension.annotate(queryset)
    return queryset
