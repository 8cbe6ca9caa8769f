"""PostgreSQL's search vector follows the title and text, and an edit's version bump leaves it alone."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.models import F

from stories.models import Story
from tests.factories import make_story

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector is PostgreSQL's"),
]


def vector(story: Story) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector::text FROM stories_storysearch WHERE story_id = %s", [story.pk])
        return cursor.fetchone()[0]


def test_the_column_is_filled_at_insert_and_follows_a_rename():
    story = make_story("Anna rowed across the lake.", title="Morning")
    assert "'lake'" in vector(story) and "'morn'" in vector(story)
    Story.objects.filter(pk=story.pk).update(title="Heron")
    assert "'heron'" in vector(story) and "'morn'" not in vector(story)


def test_one_insert_of_many_stories_indexes_each_of_them_by_one_statement():
    texts = ["Anna rowed across the lake.", "Boris slept in the barn.", "Olga sang at the opera."]
    stories = Story.objects.bulk_create(
        Story(
            title=f"Bulk {n}",
            text=text,
            text_length=len(text),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        for n, text in enumerate(texts)
    )
    assert [
        "'lake'" in vector(stories[0]),
        "'barn'" in vector(stories[1]),
        "'opera'" in vector(stories[2]),
    ] == [
        True,
        True,
        True,
    ]
    assert title_vector(stories[2]) == "'2':2 'bulk':1"
    with connection.cursor() as cursor:  # a statement trigger for inserts, a row trigger for renames
        cursor.execute(
            "SELECT tgname, (tgtype & 1) = 1 FROM pg_trigger "
            "WHERE tgrelid = 'stories_story'::regclass AND tgname LIKE 'story_search%' ORDER BY tgname"
        )
        assert cursor.fetchall() == [("story_search_vector", True), ("story_search_vectors", False)]


def title_vector(story: Story) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT title_vector::text FROM stories_storysearch WHERE story_id = %s", [story.pk])
        return cursor.fetchone()[0]


def test_the_title_vector_holds_the_title_alone_and_follows_a_rename():
    story = make_story("Anna rowed across the lake.", title="Morning")
    assert title_vector(story) == "'morn':1"
    Story.objects.filter(pk=story.pk).update(title="Heron")
    assert title_vector(story) == "'heron':1"


def test_a_version_bump_does_not_recompute_it():
    story = make_story("Anna rowed across the lake.", title="Morning")
    with connection.cursor() as cursor:  # a marker the trigger would overwrite if it fired
        marker = "UPDATE stories_storysearch SET vector = 'marker'::tsvector WHERE story_id = %s"
        cursor.execute(marker, [story.pk])
    Story.objects.filter(pk=story.pk).update(version=F("version") + 1, status="in_progress")
    assert vector(story) == "'marker'"


def test_a_deleted_story_takes_its_search_entry_with_it():
    story = make_story("Anna rowed across the lake.", title="Morning")
    story.delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stories_storysearch WHERE story_id = %s", [story.pk])
        assert cursor.fetchone()[0] == 0


def test_a_version_bump_touches_no_gin_index():
    """An edit's one write to the story's row is its version bump: no GIN index of that table to feed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = 'stories_story'::regclass AND a.amname = 'gin'"
        )
        assert cursor.fetchone()[0] == 0
