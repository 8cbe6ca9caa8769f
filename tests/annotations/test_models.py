"""The Entity queryset's three sets, the shared Origin vocabulary, and the rename migration's data step."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotations.models import Character, Entity, Origin
from tests.factories import make_entity, make_story

pytestmark = pytest.mark.django_db


def test_final_model_draft_and_pending_are_the_sets_reads_start_from():
    story = make_story("Anna met Boris in Paris and Oslo.")
    pending = make_entity(story, "Anna")
    accepted = make_entity(story, "Boris", review_state=Entity.ReviewState.ACCEPTED)
    rejected = make_entity(story, "Paris", label="GPE", review_state=Entity.ReviewState.REJECTED)
    added = make_entity(story, "Oslo", label="GPE", origin=Origin.EDITOR, review_state="accepted")
    assert set(Entity.objects.final()) == {pending, accepted, added}
    assert set(Entity.objects.model_draft()) == {pending, accepted, rejected}
    assert list(Entity.objects.pending()) == [pending]
    assert list(Entity.objects.final().pending().filter(story=story)) == [pending]


def test_entities_and_characters_share_one_origin_vocabulary():
    assert Entity.Origin is Origin and Character.Origin is Origin
    assert Origin.values == ["model", "editor", "imported"]


@pytest.mark.django_db(transaction=True)
def test_the_rename_migration_keeps_old_edits_undoable():
    """Edits logged before the rename name their rows "annotation"; afterwards they say "entity"."""
    executor = MigrationExecutor(connection)
    before, after = [("annotations", "0003_span_bounds_trigger")], [("annotations", "0004_entity")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    story = old.get_model("stories", "Story").objects.create(
        title="T", text="Anna.", text_length=5, sha256="x" * 64, word_count=1
    )
    snapshot = {"model": "annotation", "id": 1, "fields": None}
    old.get_model("annotations", "Edit").objects.create(
        story_id=story.pk, action="create", before=[snapshot], after=[dict(snapshot, fields={"start": 0})]
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    edit = new.get_model("annotations", "Edit").objects.get()
    assert [entry["model"] for entry in edit.before + edit.after] == ["entity", "entity"]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
