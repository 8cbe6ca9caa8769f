"""The Entity queryset's three sets, the shared Origin vocabulary, and the rename migration's data step."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotations.models import Character, Entity, Origin
from tests.factories import make_entity, make_story

pytestmark = pytest.mark.django_db


def migrate(target: list[tuple[str, str]] | None = None):
    """Migrate the test database to `target` (None: the latest) and return the models as they were there."""
    executor = MigrationExecutor(connection)
    target = target or executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


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
    old = migrate([("annotations", "0003_span_bounds_trigger")])
    story = old.get_model("stories", "Story").objects.create(
        title="T", text="Anna.", text_length=5, sha256="x" * 64, word_count=1
    )
    snapshot = {"model": "annotation", "id": 1, "fields": None}
    old.get_model("annotations", "Edit").objects.create(
        story_id=story.pk, action="create", before=[snapshot], after=[dict(snapshot, fields={"start": 0})]
    )
    new = migrate([("annotations", "0004_entity")])
    edit = new.get_model("annotations", "Edit").objects.get()
    assert [entry["model"] for entry in edit.before + edit.after] == ["entity", "entity"]
    migrate()


@pytest.mark.django_db(transaction=True)
def test_stories_done_or_approved_with_pending_suggestions_go_back_to_in_progress():
    old = migrate([("annotations", "0004_entity")])
    Story, Entity = old.get_model("stories", "Story"), old.get_model("annotations", "Entity")
    stories = {}
    for n, (status, state) in enumerate(
        [("approved", "pending"), ("done", "pending"), ("approved", "accepted"), ("in_progress", "pending")]
    ):
        story = Story.objects.create(
            title=f"{status} {state}",
            text="Anna.",
            text_length=5,
            sha256=f"{n}" * 64,
            word_count=1,
            status=status,
        )
        Entity.objects.create(story=story, start=0, end=4, text="Anna", label_id="PERSON", review_state=state)
        stories[(status, state)] = story.pk
    new = migrate([("annotations", "0005_settle_unreviewed_stories")])
    Story, Entity, Edit = (new.get_model(*name) for name in (
        ("stories", "Story"), ("annotations", "Entity"), ("annotations", "Edit")))  # fmt: skip
    status = dict(Story.objects.values_list("pk", "status"))
    assert status[stories[("approved", "pending")]] == "in_progress"
    assert status[stories[("done", "pending")]] == "in_progress"
    assert status[stories[("approved", "accepted")]] == "approved"
    assert status[stories[("in_progress", "pending")]] == "in_progress"
    assert Entity.objects.filter(review_state="pending").count() == 3  # nothing was decided for anyone
    logged = Edit.objects.get(story_id=stories[("approved", "pending")])
    assert logged.summary == "Moved back to In progress: 1 suggestion was never reviewed"
    assert logged.before[0]["fields"]["status"] == "approved"
    migrate()
