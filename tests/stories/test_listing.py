"""The story list's extension point: stories lists what other apps register, without importing them."""

from __future__ import annotations

import django_filters
import pytest
from django.db.models import Value

from stories import listing, selectors
from stories.filters import StoryFilter
from tests.factories import make_story

pytestmark = pytest.mark.django_db


def test_annotations_registers_its_counts_filters_and_sort():
    from annotations.listing import STORY_LIST

    assert STORY_LIST in listing.EXTENSIONS
    story_filter = StoryFilter({}, queryset=selectors.story_list())
    assert {"label", "character"} <= set(story_filter.filters)
    assert ("entity_count", "entities", "Entities") in story_filter.sorts


def test_a_registered_extension_adds_its_column_filter_and_sort(monkeypatch):
    extension = listing.ListingExtension(
        annotate=lambda stories: stories.annotate(stars=Value(3)),
        filters=lambda: {"starred": django_filters.CharFilter(method=lambda qs, name, value: qs.none())},
        sorts=(("stars", "stars", "Stars"),),
    )
    monkeypatch.setattr(listing, "EXTENSIONS", [extension])
    make_story()
    story_filter = StoryFilter({"sort": "-stars"}, queryset=selectors.story_list())
    assert story_filter.is_valid(), story_filter.errors
    assert [story.stars for story in story_filter.qs] == [3]
    assert not StoryFilter({"starred": "yes"}, queryset=selectors.story_list()).qs.exists()
    assert "entity_count" not in selectors.story_list().query.annotations
