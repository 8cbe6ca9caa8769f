"""Undo: the last change, an earlier change that still applies cleanly, and refusals."""

from __future__ import annotations

import pytest

from annotations.models import Character, Edit, Entity, Label
from annotations.services import characters, editing
from annotations.services.changes import StaleVersion, UndoRefused, edit_redo, edit_undo, redo_candidate
from stories.models import Story
from tests.factories import make_character, make_entity, make_story

pytestmark = pytest.mark.django_db
TEXT = "Anna Petrova danced in Paris with Boris. Anna met Boris in Moscow."


def fresh(story: Story) -> Story:
    return Story.objects.defer("text").get(pk=story.pk)


def undo(story, edit=None, user=None):
    story = fresh(story)
    return edit_undo(story=story, edit=edit, version=story.version, user=user)


@pytest.fixture
def story():
    return make_story(TEXT)


def test_undo_last_restores_a_deleted_editor_span_with_its_id(story, editor):
    person = Label.objects.get(name="PERSON")
    editing.entity_create(story=story, start=0, end=12, label=person, user=editor, version=1)
    row = Entity.objects.get()
    editing.entity_delete(story=fresh(story), pk=row.pk, user=editor, version=2)
    assert not Entity.objects.exists()
    change = undo(story, user=editor)
    restored = Entity.objects.get()
    assert restored.pk == row.pk and restored.text == "Anna Petrova"
    deleted = Edit.objects.get(action="delete")
    assert deleted.undone_by == change.edit and change.edit.action == "undo"
    assert change.edit.summary == "Undid: Deleted “Anna Petrova” (PERSON)"
    assert fresh(story).version == 4


def test_u_twice_walks_back_through_the_history(story):
    person = Label.objects.get(name="PERSON")
    editing.entity_create(story=story, start=0, end=12, label=person, user=None, version=1)
    row = Entity.objects.get()
    editing.entity_relabel(story=fresh(story), pk=row.pk, label=Label.objects.get(name="ORG"), user=None,
                               version=2)  # fmt: skip
    undo(story)
    row.refresh_from_db()
    assert row.label_id == "PERSON"
    undo(story)  # the undo itself is skipped: the create is next
    assert not Entity.objects.exists()
    with pytest.raises(UndoRefused, match="nothing to undo"):
        undo(story)


def test_an_earlier_change_that_still_applies_is_undone_alone(story):
    paris = make_entity(story, "Paris", "PERSON")
    boris = make_entity(story, "Boris", "PERSON", review_state="pending")
    editing.entity_relabel(
        story=story, pk=paris.pk, label=Label.objects.get(name="GPE"), user=None, version=1
    )
    earlier = Edit.objects.get()
    editing.entity_accept(story=fresh(story), pk=boris.pk, user=None, version=2)
    undo(story, edit=earlier)
    paris.refresh_from_db()
    boris.refresh_from_db()
    assert paris.label_id == "PERSON" and boris.review_state == "accepted"


def test_an_earlier_change_overwritten_later_is_refused_and_nothing_moves(story):
    paris = make_entity(story, "Paris", "PERSON")
    gpe, loc = Label.objects.get(name="GPE"), Label.objects.get(name="LOC")
    editing.entity_relabel(story=story, pk=paris.pk, label=gpe, user=None, version=1)
    earlier = Edit.objects.get()
    editing.entity_relabel(story=fresh(story), pk=paris.pk, label=loc, user=None, version=2)
    with pytest.raises(UndoRefused, match="a later change touched the same entity"):
        undo(story, edit=earlier)
    paris.refresh_from_db()
    assert paris.label_id == "LOC" and fresh(story).version == 3
    assert Edit.objects.count() == 2


def test_an_undone_change_cannot_be_undone_twice(story):
    paris = make_entity(story, "Paris", "PERSON")
    editing.entity_accept(story=story, pk=paris.pk, user=None, version=1)
    first = Edit.objects.get()
    undo(story, edit=first)
    first.refresh_from_db()
    with pytest.raises(UndoRefused, match="already undone"):
        undo(story, edit=first)


def test_undo_a_merge_brings_the_character_and_its_mentions_back(story):
    anna = make_character(story, "Anna Petrova", aliases=["Annushka"])
    also = make_character(story, "Anna")
    mention = make_entity(story, "Anna", occurrence=1, character=also)
    characters.character_merge(story=story, source_pk=also.pk, target_pk=anna.pk, user=None, version=1)
    mention.refresh_from_db()
    assert mention.character == anna and not Character.objects.filter(pk=also.pk).exists()
    undo(story)
    mention.refresh_from_db()
    anna.refresh_from_db()
    assert mention.character_id == also.pk and Character.objects.get(pk=also.pk).name == "Anna"
    assert anna.aliases == ["Annushka"]


def test_undo_mark_done_and_apply_all(story):
    anna = make_entity(story, "Anna", review_state="accepted")
    editing.entity_apply_all(story=story, pk=anna.pk, user=None, version=1)
    assert Entity.objects.filter(text="Anna").count() == 2
    editing.story_mark_done(story=fresh(story), user=None, version=2)
    undo(story)
    assert fresh(story).status == "in_progress"
    undo(story)
    assert Entity.objects.filter(text="Anna").count() == 1


def test_undo_with_a_stale_version_is_refused(story):
    paris = make_entity(story, "Paris", "PERSON")
    editing.entity_accept(story=story, pk=paris.pk, user=None, version=1)
    with pytest.raises(StaleVersion):
        edit_undo(story=fresh(story), edit=None, version=1, user=None)
    paris.refresh_from_db()
    assert paris.review_state == "accepted"


def test_every_change_records_who_what_and_the_version(story, editor):
    paris = make_entity(story, "Paris", "PERSON", review_state="pending")
    editing.entity_accept(story=story, pk=paris.pk, user=editor, version=1)
    edit = Edit.objects.get()
    assert (edit.user, edit.action, edit.story_version) == (editor, "accept", 2)
    assert edit.before[0]["fields"]["review_state"] == "pending"
    assert edit.after[0]["fields"]["review_state"] == "accepted"


class TestClashes:
    """A change is refused only when someone else changed one of its rows after the page's version."""

    def test_no_lost_update_on_the_same_entity(self, story, editor, reviewer):
        paris = make_entity(story, "Paris", "PERSON")
        editing.entity_relabel(story=fresh(story), pk=paris.pk, label=Label.objects.get(name="GPE"),
                               user=editor, version=1)  # fmt: skip
        with pytest.raises(StaleVersion, match="changed this"):
            editing.entity_relabel(story=fresh(story), pk=paris.pk, label=Label.objects.get(name="LOC"),
                                   user=reviewer, version=1)  # fmt: skip
        paris.refresh_from_db()
        assert paris.label_id == "GPE" and Edit.objects.count() == 1 and fresh(story).version == 2

    def test_no_needless_conflict_on_different_rows(self, story, editor, reviewer):
        paris = make_entity(story, "Paris", "PERSON")
        moscow = make_entity(story, "Moscow", "PERSON")
        editing.entity_accept(story=fresh(story), pk=paris.pk, user=editor, version=1)
        editing.entity_delete(story=fresh(story), pk=moscow.pk, user=reviewer, version=1)
        characters.character_create(story=fresh(story), name="Boris", user=reviewer, version=1)
        assert fresh(story).version == 4 and Edit.objects.count() == 3

    def test_a_bulk_action_touching_one_changed_row_writes_nothing(self, story, editor, reviewer):
        paris = make_entity(story, "Paris", "PERSON")
        boris = make_entity(story, "Boris", "PERSON")
        editing.entity_relabel(story=fresh(story), pk=boris.pk, label=Label.objects.get(name="ORG"),
                               user=editor, version=1)  # fmt: skip
        Entity.objects.filter(pk=boris.pk).update(review_state="pending", label_id="PERSON")
        with pytest.raises(StaleVersion):
            editing.entities_review_label(story=fresh(story), label=Label.objects.get(name="PERSON"),
                                          accept=True, user=reviewer, version=1)  # fmt: skip
        paris.refresh_from_db()
        assert paris.review_state == "pending"  # the bulk action rolled back as a whole

    def test_the_command_line_is_never_the_pages_own(self, story):
        paris = make_entity(story, "Paris", "PERSON")
        editing.entity_accept(story=fresh(story), pk=paris.pk, user=None, version=1)
        with pytest.raises(StaleVersion, match="The command line changed this"):
            editing.entity_delete(story=fresh(story), pk=paris.pk, user=None, version=1)

    def test_a_version_the_story_never_had_is_refused(self, story, editor):
        paris = make_entity(story, "Paris", "PERSON")
        with pytest.raises(StaleVersion):
            editing.entity_accept(story=fresh(story), pk=paris.pk, user=editor, version=9)
        assert fresh(story).version == 1


def test_the_undo_candidate_is_found_among_the_newest_edits_or_asked_for(story, django_assert_num_queries):
    from annotations.selectors.reader import history
    from annotations.services.changes import undo_candidate

    person = Label.objects.get(name="PERSON")
    editing.entity_create(story=story, start=0, end=12, label=person, user=None, version=1)
    editing.entity_create(story=fresh(story), start=23, end=28, label=person, user=None, version=2)
    undo(story)  # the newest edit is the undo, the one before it undone: the first create is next
    first = Edit.objects.get(action="create", undone_by__isnull=True)
    newest = list(history(story=story))
    with django_assert_num_queries(0):
        assert undo_candidate(story=story, newest=newest, limit=20) == first
        # The newest two alone do not hold it, and there may be more: only then the database is asked.
        assert undo_candidate(story=story, newest=newest[:1], limit=20) is None
    with django_assert_num_queries(1):
        assert undo_candidate(story=story, newest=newest[:2], limit=2) == first
    assert undo_candidate(story=story) == first


def redo(story, edit=None, user=None):
    story = fresh(story)
    return edit_redo(story=story, edit=edit, version=story.version, user=user)


class TestRedo:
    def test_redo_puts_back_what_the_undo_took_and_is_itself_undoable(self, story, editor):
        paris = make_entity(story, "Paris", "PERSON")
        editing.entity_relabel(story=story, pk=paris.pk, label=Label.objects.get(name="GPE"), user=editor,
                               version=1)  # fmt: skip
        undone = undo(story, user=editor).edit
        paris.refresh_from_db()
        assert paris.label_id == "PERSON"
        assert redo_candidate(story=story) == undone
        change = redo(story, user=editor)
        paris.refresh_from_db()
        assert paris.label_id == "GPE"
        assert change.edit.action == "redo" and change.edit.summary == "Redid: “Paris”: PERSON → GPE"
        undone.refresh_from_db()
        assert undone.undone_by == change.edit
        assert redo_candidate(story=story) is None  # nothing left to redo
        # The redo is an ordinary change: u takes it back, and Ctrl+Shift+Z brings it again.
        undo(story, user=editor)
        paris.refresh_from_db()
        assert paris.label_id == "PERSON"
        redo(story, user=editor)
        paris.refresh_from_db()
        assert paris.label_id == "GPE"

    def test_two_undos_redo_in_reverse_order(self, story):
        person = Label.objects.get(name="PERSON")
        editing.entity_create(story=story, start=0, end=12, label=person, user=None, version=1)
        row = Entity.objects.get()
        editing.entity_relabel(story=fresh(story), pk=row.pk, label=Label.objects.get(name="ORG"), user=None,
                               version=2)  # fmt: skip
        undo(story)
        undo(story)
        assert not Entity.objects.exists()
        redo(story)  # the create first
        assert Entity.objects.get().label_id == "PERSON"
        redo(story)  # then the relabel
        assert Entity.objects.get().label_id == "ORG"
        with pytest.raises(UndoRefused, match="nothing to redo"):
            redo(story)

    def test_a_new_change_after_an_undo_clears_the_redo(self, story):
        paris = make_entity(story, "Paris", "PERSON")
        boris = make_entity(story, "Boris", "PERSON", review_state="pending")
        editing.entity_relabel(story=story, pk=paris.pk, label=Label.objects.get(name="GPE"), user=None,
                               version=1)  # fmt: skip
        undo(story)
        editing.entity_accept(story=fresh(story), pk=boris.pk, user=None, version=fresh(story).version)
        assert redo_candidate(story=story) is None
        with pytest.raises(UndoRefused, match="nothing to redo"):
            redo(story)

    def test_redo_is_refused_with_the_reason_when_a_later_change_touched_the_rows(self, story):
        paris = make_entity(story, "Paris", "PERSON")
        gpe, loc = Label.objects.get(name="GPE"), Label.objects.get(name="LOC")
        editing.entity_relabel(story=story, pk=paris.pk, label=gpe, user=None, version=1)
        the_undo = undo(story).edit
        # Someone relabels Paris again behind the undo (not through the page's redo stack).
        Entity.objects.filter(pk=paris.pk).update(label=loc)
        versions = Edit.objects.count()
        with pytest.raises(
            UndoRefused, match="Cannot redo ““Paris”: PERSON → GPE”: a later change touched the same entity"
        ):
            redo(story, edit=the_undo)
        paris.refresh_from_db()
        assert paris.label_id == "LOC" and Edit.objects.count() == versions


class TestBulkUndo:
    def test_undo_of_a_bulk_accept_restores_every_row_in_a_few_queries(
        self, story, django_assert_max_num_queries
    ):
        text = " ".join(f"Anna{n} met Boris." for n in range(600))
        big = make_story(text)
        person = Label.objects.get(name="PERSON")
        Entity.objects.bulk_create(
            Entity(story=big, start=s, end=s + len(w), text=w, label=person, origin="model",
                   model_start=s, model_end=s + len(w), model_label="PERSON")
            for s, w in ((text.index(f"Anna{n} "), f"Anna{n}") for n in range(600))
        )  # fmt: skip
        editing.entities_review_label(story=big, label=person, accept=True, user=None, version=1)
        assert not Entity.objects.pending().filter(story=big).exists()
        with django_assert_max_num_queries(30):
            undo(big)
        assert Entity.objects.pending().filter(story=big).count() == 600

    def test_undo_of_apply_all_deletes_what_it_created_and_restores_what_it_relabelled(self, story):
        anna = make_entity(story, "Anna", "PERSON", review_state="accepted")
        other = make_entity(story, "Anna", "ORG", occurrence=1)
        editing.entity_apply_all(story=story, pk=anna.pk, user=None, version=1)
        other.refresh_from_db()
        assert other.label_id == "PERSON"
        undo(story)
        other.refresh_from_db()
        assert (other.label_id, other.review_state) == ("ORG", "pending")
        assert Entity.objects.filter(story=story).count() == 2


def test_the_redo_candidate_is_found_among_the_newest_edits_as_the_database_finds_it(story):
    from annotations.selectors.reader import history

    person = Label.objects.get(name="PERSON")
    editing.entity_create(story=story, start=0, end=12, label=person, user=None, version=1)
    editing.entity_create(story=fresh(story), start=23, end=28, label=person, user=None, version=2)
    for step in (undo, undo, redo, None):
        if step:
            step(story)
        newest = list(history(story=story))
        assert redo_candidate(story=story, newest=newest, limit=20) == redo_candidate(story=story)
    assert redo_candidate(story=story) is not None  # one undo is still waiting to be redone
