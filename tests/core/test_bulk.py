"""core.bulk.insert_rows: COPY on PostgreSQL, one executemany on SQLite; every column as bulk_create
writes it, and the database's constraints and triggers still apply."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annotations.models import Entity
from core.bulk import insert_rows
from stories.models import Story, StorySearch
from stories.services import text_sha256
from tests.factories import make_batch, make_story

pytestmark = pytest.mark.django_db


def unsaved_story(text: str, **fields) -> Story:
    return Story(title=text[:20], text=text, text_length=len(text), sha256=text_sha256(text), **fields)


def test_rows_are_stored_with_their_json_timestamps_defaults_and_foreign_keys():
    batch = make_batch()
    stories = [
        unsaved_story("Anna danced in Paris.", batch=batch, meta={"source_line": 1, "tags": ["a", "é"]}),
        unsaved_story('Boris sang\tin Riga.\n\nTwice, \\ and "loud".', word_count=7),
    ]
    insert_rows(Story, stories)
    first, second = Story.objects.order_by("pk")
    assert (first.text, first.batch_id, first.meta) == (stories[0].text, batch.pk, stories[0].meta)
    assert (second.text, second.batch_id, second.meta, second.word_count) == (stories[1].text, None, {}, 7)
    assert (first.status, first.version, first.review_comment) == ("new", 1, "")
    # auto_now and auto_now_add columns get one timestamp, set on the instances too.
    assert first.created_at == first.updated_at == second.created_at == stories[0].created_at
    assert first.extracted_at is None and first.pk and stories[0].pk is None  # no ids read back


def test_postgresql_takes_the_rows_by_copy_and_runs_the_triggers():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite's path is the next test")
    with CaptureQueriesContext(connection) as queries:
        insert_rows(Story, [unsaved_story("Anna danced in Paris."), unsaved_story("Boris sang.")])
    assert [q["sql"].split(" (")[0] for q in queries.captured_queries] == ['COPY "stories_story"']
    assert queries.captured_queries[0]["sql"].endswith("-- 2 rows")
    # The search trigger fired for each row: COPY runs row triggers as INSERT does.
    assert StorySearch.objects.count() == 2


def test_sqlite_takes_the_rows_by_one_executemany():
    if connection.vendor != "sqlite":
        pytest.skip("the executemany path is SQLite's; PostgreSQL's is COPY")
    with CaptureQueriesContext(connection) as queries:
        insert_rows(Story, [unsaved_story("Anna danced in Paris."), unsaved_story("Boris sang.")])
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith('2 times: INSERT INTO "stories_story"')
    assert Story.objects.count() == 2


def test_a_refused_row_raises_integrity_error_and_writes_nothing():
    taken = make_story("Anna danced in Paris.")
    duplicate = Story(title="again", text=taken.text, text_length=len(taken.text), sha256=taken.sha256)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Story, [unsaved_story("Boris sang."), duplicate])
    assert list(Story.objects.values_list("pk", flat=True)) == [taken.pk]
    # The database's own rules still hold: text_length must match the text (a trigger).
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Story, [Story(title="x", text="abc", text_length=5, sha256="0" * 64)])


def test_entities_are_inserted_with_their_choices_as_values():
    story = make_story("Anna Petrova danced in Paris.")
    insert_rows(
        Entity,
        [
            Entity(story=story, start=0, end=12, text="Anna Petrova", label_id="PERSON"),
            Entity(story=story, start=23, end=28, text="Paris", label_id="GPE", origin=Entity.Origin.MODEL),
        ],
    )
    rows = list(Entity.objects.order_by("start").values_list("text", "label_id", "origin", "review_state"))
    assert [row[:2] for row in rows] == [("Anna Petrova", "PERSON"), ("Paris", "GPE")]
    assert rows[1][2] == "model" and {row[3] for row in rows} == {
        Entity._meta.get_field("review_state").default
    }


def test_no_rows_is_no_statement():
    with CaptureQueriesContext(connection) as queries:
        insert_rows(Story, [])
    assert queries.captured_queries == []
