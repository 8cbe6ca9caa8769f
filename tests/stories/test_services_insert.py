"""stories.services.stories_insert: a chunk of stories and their history rows in two statements."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from simple_history.utils import bulk_create_with_history

from stories.models import Story
from stories.services import stories_insert, text_sha256
from tests.factories import make_batch, make_story, make_user

pytestmark = pytest.mark.django_db


def unsaved_story(text: str, **fields) -> Story:
    return Story(title=text[:20], text=text, text_length=len(text), sha256=text_sha256(text), **fields)


def writes(queries) -> list[str]:
    """The statements that wrote rows (an executemany is captured once, as "N times: INSERT …")."""
    return [q["sql"] for q in queries.captured_queries if re.match(r"(\d+ times: )?(INSERT|COPY) ", q["sql"])]


def test_each_story_gets_its_id_and_a_creation_history_row():
    batch = make_batch()
    stories = [unsaved_story(f"Story {n}: Anna danced.", batch=batch, meta={"n": n}) for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        returned = stories_insert(stories=stories)
    assert len(writes(queries)) == 2, writes(queries)  # the stories, then their history
    assert returned is stories
    stored = {story.pk: story for story in Story.objects.all()}
    assert sorted(stored) == sorted(story.pk for story in stories)
    for story in stories:
        assert stored[story.pk].sha256 == story.sha256 and not story._state.adding
    history = Story.history.order_by("history_id")
    assert [row.id for row in history] == sorted(story.pk for story in stories)
    for row in history:
        source = stored[row.id]
        assert (row.history_type, row.history_user_id, row.history_change_reason) == ("+", None, None)
        assert (row.title, row.meta, row.batch_id, row.status) == (source.title, source.meta, batch.pk, "new")
        assert row.created_at == source.created_at and row.history_date >= source.created_at


def test_its_history_rows_match_simple_histories_own_bulk_rows():
    ours = stories_insert(stories=[unsaved_story("Anna danced in Paris.")])[0]
    theirs = bulk_create_with_history([unsaved_story("Boris sang in Riga.")], Story)[0]
    skip = {"history_id", "history_date", "id", "title", "sha256", "created_at", "updated_at"}
    fields = [f.attname for f in Story.history.model._meta.concrete_fields if f.attname not in skip]
    ours_row, theirs_row = (Story.history.filter(id=s.pk).values(*fields).get() for s in (ours, theirs))
    assert ours_row == theirs_row


def test_the_history_names_the_user_simple_history_would():
    user = make_user("admin", username="importer")
    story = unsaved_story("Anna danced in Paris.")
    story._history_user = user
    stories_insert(stories=[story])
    assert Story.history.get(id=story.pk).history_user_id == user.pk


def test_a_stored_text_refuses_the_whole_chunk():
    taken = make_story("Anna danced in Paris.")
    chunk = [unsaved_story("Boris sang in Riga."), Story(title="again", text=taken.text,
             text_length=len(taken.text), sha256=taken.sha256)]  # fmt: skip
    history_before = Story.history.count()
    with pytest.raises(IntegrityError):
        stories_insert(stories=chunk)
    assert list(Story.objects.values_list("pk", flat=True)) == [taken.pk]
    assert Story.history.count() == history_before


def test_no_stories_is_no_statement():
    with CaptureQueriesContext(connection) as queries:
        assert stories_insert(stories=[]) == []
    assert writes(queries) == []
