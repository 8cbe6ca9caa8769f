"""Span edit services: token snapping, cross-row rules, model predictions kept, versions, one Edit each."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.models import Character, Edit, Entity, Label
from annotations.selectors.reader import mention_matches
from annotations.services import editing
from annotations.services.changes import StaleVersion
from stories.models import Story
from tests.factories import make_character, make_entity, make_story

TEXT = "Anna Petrova danced in Paris with Mr. Boris.\n\nLater Anna's friend left Paris for St. Petersburg."
pytestmark = pytest.mark.django_db


def label(name: str) -> Label:
    return Label.objects.get(name=name)


@pytest.fixture
def story():
    return make_story(TEXT)


def create(story, start, end, name="PERSON", user=None):
    story.refresh_from_db()
    return editing.entity_create(
        story=story, start=start, end=end, label=label(name), user=user, version=story.version
    )


class TestCreate:
    def test_partial_selection_snaps_to_whole_tokens(self, story, editor):
        change = create(story, 1, 8, user=editor)  # "nna Pet"
        row = Entity.objects.get()
        assert (row.start, row.end, row.text) == (0, 12, "Anna Petrova")
        assert row.origin == "editor" and row.review_state == "accepted" and row.model_label == ""
        edit = Edit.objects.get()
        assert edit.action == "create" and edit.user == editor and change.edit == edit
        assert edit.before == [{"model": "entity", "id": row.pk, "fields": None}]
        assert edit.after[0]["fields"]["text"] == "Anna Petrova"

    def test_snapping_follows_spacy_tokens(self, story):
        start = TEXT.index("Mr.")
        create(story, start, start + 1)  # "M" → the spaCy token "Mr." (a tokenizer exception)
        assert Entity.objects.get().text == "Mr."
        possessive = TEXT.index("Anna's")
        create(story, possessive, possessive + 6)  # "Anna's" → "Anna" + "'s": the whole selection
        assert Entity.objects.filter(text="Anna's").exists()

    def test_selection_of_only_spaces_is_refused(self, story):
        start = TEXT.index("\n\n")
        with pytest.raises(ValidationError, match="no word"):
            create(story, start, start + 2)
        assert not Entity.objects.exists()

    def test_outside_the_story_is_refused(self, story):
        with pytest.raises(ValidationError, match="outside the story"):
            create(story, 5, len(TEXT) + 5)

    def test_crossing_a_paragraph_is_refused(self, story):
        with pytest.raises(ValidationError, match="paragraph"):
            create(story, TEXT.index("Boris"), TEXT.index("Later") + 5)

    def test_overlap_is_refused_and_nothing_changes(self, story):
        make_entity(story, "Anna Petrova")
        version = Story.objects.get().version
        with pytest.raises(ValidationError, match="overlaps “Anna Petrova”"):
            create(story, 5, 20)
        assert Entity.objects.count() == 1 and Story.objects.get().version == version
        assert not Edit.objects.exists()

    def test_selecting_an_entity_exactly_relabels_it(self, story):
        row = make_entity(story, "Paris", "PERSON")
        create(story, row.start, row.end, "GPE")
        row.refresh_from_db()
        assert row.label_id == "GPE" and row.review_state == "accepted" and row.model_label == "PERSON"
        assert Edit.objects.get().action == "relabel"

    def test_tagging_a_rejected_prediction_again_brings_it_back(self, story):
        row = make_entity(story, "Paris", "GPE", review_state="rejected")
        create(story, row.start, row.end, "GPE")
        row.refresh_from_db()
        assert row.review_state == "accepted" and Entity.objects.count() == 1

    def test_first_edit_moves_story_to_in_progress_and_bumps_version(self, story):
        create(story, 0, 4)
        fresh = Story.objects.get()
        assert fresh.status == "in_progress" and fresh.version == 2

    def test_stale_version_changes_nothing(self, story):
        with pytest.raises(StaleVersion, match="version 1"):
            editing.entity_create(story=story, start=0, end=4, label=label("PERSON"), user=None, version=7)
        assert not Entity.objects.exists() and not Edit.objects.exists()
        assert Story.objects.get().status == "new"


class TestChange:
    def test_relabel_keeps_the_model_prediction(self, story):
        row = make_entity(story, "Paris", "PERSON")
        editing.entity_relabel(story=story, pk=row.pk, label=label("GPE"), user=None, version=1)
        row.refresh_from_db()
        assert (row.label_id, row.model_label, row.review_state) == ("GPE", "PERSON", "accepted")
        assert Edit.objects.get().summary == "“Paris”: PERSON → GPE"

    def test_relabel_to_the_same_accepted_label_is_refused(self, story):
        row = make_entity(story, "Paris", "GPE", review_state="accepted")
        with pytest.raises(ValidationError, match="already tagged GPE"):
            editing.entity_relabel(story=story, pk=row.pk, label=label("GPE"), user=None, version=1)

    @pytest.mark.parametrize(
        ("side", "grow", "text"),
        [("end", True, "Anna Petrova danced"), ("start", False, "Petrova")],
    )
    def test_resize_by_a_token(self, story, side, grow, text):
        row = make_entity(story, "Anna Petrova")
        editing.entity_resize(story=story, pk=row.pk, side=side, grow=grow, user=None, version=1)
        row.refresh_from_db()
        assert row.text == text and TEXT[row.start : row.end] == text
        assert (row.model_start, row.model_end) == (0, 12)

    def test_resize_cannot_leave_the_paragraph_or_empty_the_span(self, story):
        row = make_entity(story, "Paris", occurrence=1)  # last word-ish of paragraph 2's middle
        first = make_entity(story, "Anna Petrova")
        with pytest.raises(ValidationError, match="Cannot widen"):
            editing.entity_resize(story=story, pk=first.pk, side="start", grow=True, user=None, version=1)
        single = make_entity(story, "Boris")
        with pytest.raises(ValidationError, match="Cannot narrow"):
            editing.entity_resize(story=story, pk=single.pk, side="end", grow=False, user=None, version=1)
        assert row.text == "Paris"

    def test_resize_into_a_neighbour_is_refused(self, story):
        row = make_entity(story, "Paris")
        make_entity(story, "in", "EVENT")
        with pytest.raises(ValidationError, match="overlaps “in”"):
            editing.entity_resize(story=story, pk=row.pk, side="start", grow=True, user=None, version=1)

    def test_delete_of_a_model_prediction_keeps_it_as_rejected(self, story):
        row = make_entity(story, "Paris", "GPE", review_state="pending")
        editing.entity_delete(story=story, pk=row.pk, user=None, version=1)
        row.refresh_from_db()
        assert row.review_state == "rejected" and row.model_label == "GPE"
        assert Edit.objects.get().action == "reject"

    def test_delete_of_an_editor_span_removes_it(self, story):
        create(story, 0, 4)
        row = Entity.objects.get()
        editing.entity_delete(story=story, pk=row.pk, user=None, version=2)
        assert not Entity.objects.exists()
        assert Edit.objects.filter(action="delete").get().after == [
            {"model": "entity", "id": row.pk, "fields": None}
        ]

    def test_accept(self, story):
        row = make_entity(story, "Paris", "GPE", review_state="pending")
        editing.entity_accept(story=story, pk=row.pk, user=None, version=1)
        row.refresh_from_db()
        assert row.review_state == "accepted"
        with pytest.raises(ValidationError, match="not a pending suggestion"):
            editing.entity_accept(story=story, pk=row.pk, user=None, version=2)

    def test_accept_or_reject_all_of_one_label(self, story):
        paris = [make_entity(story, "Paris", "GPE", occurrence=i) for i in (0, 1)]
        person = make_entity(story, "Anna Petrova", "PERSON")
        editing.entities_review_label(story=story, label=label("GPE"), accept=False, user=None, version=1)
        assert {a.review_state for a in Entity.objects.filter(pk__in=[p.pk for p in paris])} == {"rejected"}
        person.refresh_from_db()
        assert person.review_state == "pending"
        assert Edit.objects.get().summary == "Rejected all 2 GPE suggestions"
        with pytest.raises(ValidationError, match="no pending GPE"):
            editing.entities_review_label(story=story, label=label("GPE"), accept=True, user=None, version=2)


class TestCharactersAndMentions:
    def test_link_and_create_character_from_a_mention(self, story):
        row = make_entity(story, "Anna Petrova")
        editing.entity_link(story=story, pk=row.pk, character_id=None, new_name="Anna Petrova", user=None,
                                version=1)  # fmt: skip
        character = Character.objects.get()
        row.refresh_from_db()
        assert row.character == character and character.origin == "editor"
        other = make_character(story, "Boris")
        editing.entity_link(story=story, pk=row.pk, character_id=other.pk, user=None, version=2)
        row.refresh_from_db()
        assert row.character == other

    def test_link_to_a_character_of_another_story_is_refused(self, story):
        row = make_entity(story, "Anna Petrova")
        stranger = make_character(make_story("Someone else entirely."), "Stranger")
        with pytest.raises(ValidationError, match="not in this story"):
            editing.entity_link(story=story, pk=row.pk, character_id=stranger.pk, user=None, version=1)

    def test_apply_to_all_mentions(self, story):
        first = make_entity(story, "Paris", "GPE", review_state="accepted")
        second = make_entity(story, "Paris", "LOC", occurrence=1)
        make_entity(story, "Anna Petrova")
        preview = mention_matches(story=Story.objects.get(), entity=first)
        assert preview["update"] == [second.pk] and preview["changes"] == 1
        editing.entity_apply_all(story=story, pk=first.pk, user=None, version=1)
        second.refresh_from_db()
        assert second.label_id == "GPE" and second.review_state == "accepted"

    def test_apply_to_all_creates_missing_mentions_on_word_boundaries(self, story):
        anna = make_entity(story, "Anna", "PERSON", review_state="accepted")
        editing.entity_apply_all(story=story, pk=anna.pk, user=None, version=1)
        assert list(Entity.objects.filter(text="Anna").values_list("start", flat=True)) == [
            0,
            TEXT.index("Anna's"),
        ]
        edit = Edit.objects.get()
        assert edit.action == "apply_all" and len(edit.after) == 1

    def test_mark_done(self, story):
        editing.story_mark_done(story=story, user=None, version=1)
        assert Story.objects.get().status == "done"
        assert Story.history.filter(status="done").exists()
        with pytest.raises(ValidationError, match="already marked done"):
            editing.story_mark_done(story=Story.objects.defer("text").get(), user=None, version=2)


# No serialized_rollback: after an earlier transactional test's flush has re-created the content types
# with new ids, restoring the serialized ones fails on their unique (app_label, model); tests/conftest.py
# seeds the labels and groups every transactional test needs.
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_edits_on_postgres_one_wins_the_other_is_stale():
    """Real concurrency: the second transaction waits on the row lock, then sees the new version."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole transactions; the row-lock race only exists on PostgreSQL")
    story = make_story(TEXT)
    row = make_entity(story, "Paris", "PERSON")
    started, outcome = threading.Event(), {}

    def first():
        with transaction.atomic():
            editing.entity_relabel(story=Story.objects.defer("text").get(), pk=row.pk, label=label("GPE"),
                                       user=None, version=1)  # fmt: skip
            started.set()
            time.sleep(0.3)  # hold the row lock while the second editor tries
        connections.close_all()

    def second():
        started.wait(5)
        try:
            editing.entity_relabel(story=Story.objects.defer("text").get(), pk=row.pk, label=label("LOC"),
                                       user=None, version=1)  # fmt: skip
            outcome["second"] = "saved"
        except StaleVersion:
            outcome["second"] = "stale"
        connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    row.refresh_from_db()
    assert outcome == {"second": "stale"} and row.label_id == "GPE"
    assert Story.objects.get().version == 2 and Edit.objects.count() == 1


def test_an_approved_story_is_locked_until_returned():
    story = make_story(TEXT, status=Story.Status.APPROVED)
    with pytest.raises(PermissionDenied, match="is approved, so it is read-only"):
        editing.entity_create(story=story, start=0, end=4, label=label("PERSON"), user=None, version=1)
    assert not Entity.objects.exists() and Story.objects.get().version == 1


def test_relabel_onto_a_rejected_twin_is_refused_cleanly(story):
    make_entity(story, "Paris", "GPE", review_state="rejected")
    row = make_entity(story, "Paris", "PERSON", review_state="pending")
    with pytest.raises(ValidationError, match="already has a GPE entry"):
        editing.entity_relabel(story=story, pk=row.pk, label=label("GPE"), user=None, version=1)
    row.refresh_from_db()
    assert row.label_id == "PERSON" and Story.objects.get().version == 1 and not Edit.objects.exists()
