"""PostgreSQL's search column follows the title and text, and an edit's version bump leaves it alone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from stories.models import Story
from tests.factories import make_story

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector column is PostgreSQL's"),
]


def vector(story: Story) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM stories_story WHERE id = %s", [story.pk])
        return cursor.fetchone()[0]


def test_the_column_is_filled_at_insert_and_follows_a_rename():
    story = make_story("Anna rowed across the lake.", title="Morning")
    assert "'lake'" in vector(story) and "'morn'" in vector(story)
    Story.objects.filter(pk=story.pk).update(title="Heron")
    assert "'heron'" in vector(story) and "'morn'" not in vector(story)


def test_a_version_bump_does_not_recompute_it():
    story = make_story("Anna rowed across the lake.", title="Morning")
    with connection.cursor() as cursor:  # a marker the trigger would overwrite if it fired
        marker = "UPDATE stories_story SET search_vector = 'marker'::tsvector WHERE id = %s"
        cursor.execute(marker, [story.pk])
    Story.objects.filter(pk=story.pk).update(version=F("version") + 1, status="in_progress")
    assert vector(story) == "'marker'"
