"""Double annotation: layers from the model's draft, editing a layer, the no-peeking rule, adjudication."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.models import AdjudicationDecision, Character, Edit, Entity, Label
from annotations.selectors.adjudication import adjudication_page, compare_spans, span_votes
from annotations.selectors.layers import (
    double_stories,
    layer_characters,
    layer_spans,
    layered_annotations,
    layers_of,
)
from annotations.services import adjudication, editing
from annotations.services.changes import edit_undo
from annotations.services.layers import layers_assign
from stories import policy
from stories.models import Story
from tests.factories import make_character, make_entity, make_story, make_user

TEXT = "Anna Petrova danced in Paris with Boris.\n\nLater Anna left Moscow for Rome."
pytestmark = pytest.mark.django_db


def label(name: str) -> Label:
    return Label.objects.get(name=name)


@pytest.fixture
def people(db):
    return make_user("editor", "anna"), make_user("editor", "ben"), make_user("reviewer", "rita")


@pytest.fixture
def story(people):
    story = make_story(TEXT, title="Two rivers")
    make_entity(story, "Anna Petrova", "PERSON")
    make_entity(story, "Paris", "GPE")
    make_entity(story, "Boris", "PERSON")
    make_character(story, "Anna Petrova", aliases=["Anna"], gender="female")
    return story


def layer_of(story, user) -> Story:
    return Story.with_layers.get(layer_of=story, annotator=user)


def create(layer, text, name, user, occurrence=0):
    layer.refresh_from_db()
    start = TEXT.index(text) if occurrence == 0 else TEXT.index(text, TEXT.index(text) + 1)
    return editing.entity_create(
        story=layer, start=start, end=start + len(text), label=label(name), user=user, version=layer.version
    )


def done(layer, user):
    layer.refresh_from_db()
    return editing.story_mark_done(story=layer, user=user, version=layer.version, settle="accept")


def assign(story, people):
    anna, ben, rita = people
    return layers_assign(story=story, editors=[anna, ben], by=rita)


class TestAssign:
    def test_each_editor_gets_a_copy_of_the_models_draft(self, story, people):
        anna, ben, rita = people
        assign(story, people)
        story.refresh_from_db()
        assert story.layer_count == 2 and story.status == Story.Status.IN_PROGRESS
        assert story.assigned_to is None
        layers = layers_of(story)
        assert [layer.username for layer in layers] == ["anna", "ben"]
        assert not any(layer.done for layer in layers)
        for layer in layers:
            assert [(s.text, s.label) for s in layer_spans(layer)] == [
                ("Anna Petrova", "PERSON"), ("Paris", "GPE"), ("Boris", "PERSON")
            ]  # fmt: skip
            assert layer_characters(layer)[0].aliases == ("Anna",)
        # The layers are hidden from every story list; the story itself is not.
        assert list(Story.objects.all()) == [story]
        assert list(double_stories()) == [story]
        assert Entity.objects.filter(story=story).count() == 3  # the draft stays where it was
        assert Edit.objects.filter(story=story, action="status").exists()

    def test_refused_for_one_editor_a_story_in_progress_and_editors_themselves(self, story, people):
        anna, ben, rita = people
        with pytest.raises(ValidationError, match="at least 2"):
            layers_assign(story=story, editors=[anna], by=rita)
        with pytest.raises(PermissionDenied):
            layers_assign(story=story, editors=[anna, ben], by=anna)
        Story.objects.filter(pk=story.pk).update(status=Story.Status.IN_PROGRESS)
        story.refresh_from_db()
        with pytest.raises(ValidationError, match="only a new story"):
            layers_assign(story=story, editors=[anna, ben], by=rita)
        assert not Story.with_layers.filter(layer_of=story).exists()


class TestEditingALayer:
    def test_every_edit_and_undo_works_on_a_layer_alone(self, story, people):
        anna, ben, rita = people
        assign(story, people)
        mine = layer_of(story, anna)
        create(mine, "Moscow", "GPE", anna)
        create(mine, "Paris", "LOC", anna)  # relabel
        mine.refresh_from_db()
        edit_undo(story=mine, edit=None, version=mine.version, user=anna)
        labels = {(s.text, s.label) for s in layer_spans(mine)}
        assert ("Moscow", "GPE") in labels and ("Paris", "GPE") in labels
        assert [s.text for s in layer_spans(layer_of(story, ben))] == ["Anna Petrova", "Paris", "Boris"]
        assert Entity.objects.filter(story=story).count() == 3

    def test_nobody_else_edits_a_layer_nor_the_story_before_adjudication(self, story, people):
        anna, ben, rita = people
        assign(story, people)
        mine = layer_of(story, anna)
        for user in (ben, rita):
            with pytest.raises(PermissionDenied, match="another annotator's layer"):
                create(mine, "Moscow", "GPE", user)
        story.refresh_from_db()
        for user in (anna, rita, None):
            assert "double-annotated" in policy.edit_refusal(user, story)

    def test_no_peeking_before_adjudication(self, story, people):
        anna, ben, rita = people
        assign(story, people)
        mine, theirs = layer_of(story, anna), layer_of(story, ben)
        assert policy.read_refusal(anna, mine) is None
        assert "only their own layer" in policy.read_refusal(anna, theirs)
        assert policy.read_refusal(rita, theirs) is None  # a reviewer with no layer of it may look
        outsider = make_user("editor", "olga")
        assert "only its annotator and reviewers" in policy.read_refusal(outsider, theirs)
        done(mine, anna)
        done(theirs, ben)
        assert policy.read_refusal(anna, theirs) is None  # once in adjudication


def annotate_differently(story, people):
    """anna adds Moscow GPE and calls Rome a LOC; ben adds Moscow GPE and drops Boris."""
    anna, ben, rita = people
    assign(story, people)
    mine, theirs = layer_of(story, anna), layer_of(story, ben)
    create(mine, "Moscow", "GPE", anna)
    create(mine, "Rome", "LOC", anna)
    create(theirs, "Moscow", "GPE", ben)
    create(theirs, "Rome", "GPE", ben)
    boris = Entity.objects.get(story=theirs, text="Boris")
    theirs.refresh_from_db()
    editing.entity_delete(story=theirs, pk=boris.pk, user=ben, version=theirs.version)
    Character.objects.filter(story=theirs).update(gender="unknown")
    done(mine, anna)
    story.refresh_from_db()
    assert story.status == Story.Status.IN_PROGRESS  # one layer done is not all
    done(theirs, ben)
    story.refresh_from_db()
    return story


class TestAdjudication:
    def test_all_done_starts_adjudication_and_merges_what_they_agree_on(self, story, people):
        story = annotate_differently(story, people)
        assert story.status == Story.Status.ADJUDICATION
        final = {(e.text, e.label_id) for e in Entity.objects.final().filter(story=story)}
        assert final == {("Anna Petrova", "PERSON"), ("Paris", "GPE"), ("Moscow", "GPE")}
        assert Entity.objects.get(story=story, text="Boris").review_state == "rejected"
        assert not Character.objects.filter(story=story).exists()  # they differ on its gender
        merge = Edit.objects.filter(story=story, action="adjudicate").get()
        assert "3 spans" in merge.summary and "3 differences" in merge.summary
        page = adjudication_page(story)
        assert page.annotators == ["anna", "ben"] and page.total == 3 and page.open_count == 3
        [d.key for d in page.disagreements]
        assert [d.sides["ben"] for d in page.disagreements][0] == ()  # Boris: ben has none

    def test_decisions_write_the_final_layer_and_the_history(self, story, people):
        anna, ben, rita = people
        story = annotate_differently(story, people)
        page = adjudication_page(story)
        boris, rome = page.disagreements
        take = adjudication.adjudication_decide
        story.refresh_from_db()
        take(story=story, kind="span", key=boris.key, choice="anna", user=rita, version=story.version)
        story.refresh_from_db()
        take(story=story, kind="span", key=rome.key, choice="ben", user=rita, version=story.version)
        with pytest.raises(ValidationError, match="not settled"):
            story.refresh_from_db()
            adjudication.adjudication_finish(story=story, user=rita, version=story.version)
        story.refresh_from_db()
        character = page.characters[0]
        take(
            story=story, kind="character", key=character.key, choice="anna", user=rita, version=story.version
        )
        final = {(e.text, e.label_id) for e in Entity.objects.final().filter(story=story)}
        assert final == {
            ("Anna Petrova", "PERSON"), ("Paris", "GPE"), ("Moscow", "GPE"), ("Boris", "PERSON"),
            ("Rome", "GPE"),
        }  # fmt: skip
        assert Character.objects.get(story=story).gender == "female"
        assert AdjudicationDecision.objects.filter(story=story).count() == 3
        summaries = list(
            Edit.objects.filter(story=story, action="adjudicate").values_list("summary", flat=True)
        )
        assert "Took anna's version: “Boris” PERSON" in summaries
        assert "Took ben's version: “Rome” GPE" in summaries
        story.refresh_from_db()
        adjudication.adjudication_finish(story=story, user=rita, version=story.version)
        story.refresh_from_db()
        assert story.status == Story.Status.DONE
        votes = span_votes([story])[story.pk]
        rome_start = TEXT.index("Rome")
        assert votes[(rome_start, rome_start + 4)] == {"anna": "LOC", "ben": "GPE"}
        boris_start = TEXT.index("Boris")
        assert votes[(boris_start, boris_start + 5)] == {"anna": "PERSON", "ben": None}

    def test_editors_cannot_decide_and_wrong_choices_are_refused(self, story, people):
        anna, ben, rita = people
        story = annotate_differently(story, people)
        key = adjudication_page(story).disagreements[0].key
        with pytest.raises(PermissionDenied):
            adjudication.adjudication_decide(
                story=story, kind="span", key=key, choice="anna", user=anna, version=story.version
            )
        story.refresh_from_db()
        with pytest.raises(ValidationError, match="choose one of anna, ben"):
            adjudication.adjudication_decide(
                story=story, kind="span", key=key, choice="olga", user=rita, version=story.version
            )
        story.refresh_from_db()
        with pytest.raises(ValidationError, match="do not differ"):
            adjudication.adjudication_decide(
                story=story, kind="span", key="0-3", choice="anna", user=rita, version=story.version
            )


def test_compare_spans_groups_overlapping_spans():
    from annotations.selectors.layers import Layer, LayerAnnotations, Span

    class U:
        def __init__(self, name):
            self.name = name

        def get_username(self):
            return self.name

    def layer(name, *spans):
        item = LayerAnnotations(layer=Layer(pk=1, story_id=1, annotator=U(name), status="done"))
        item.spans = [Span(*s) for s in spans]
        return item

    a = layer("a", (0, 4, "PERSON", "Anna"), (10, 20, "GPE", "x"))
    b = layer("b", (0, 4, "PERSON", "Anna"), (10, 15, "GPE", "x"), (15, 20, "GPE", "y"))
    agreed, disagreements = compare_spans([a, b])
    assert [(s.start, s.end) for s in agreed] == [(0, 4)]
    assert [(d.start, d.end, len(d.sides["b"])) for d in disagreements] == [(10, 20, 2)]


def test_layered_annotations_reads_many_stories_at_once(story, people, django_assert_max_num_queries):
    assign(story, people)
    with django_assert_max_num_queries(3):
        data = layered_annotations([story])
    assert [item.layer.username for item in data[story.pk]] == ["anna", "ben"]
    assert len(data[story.pk][0].spans) == 3


def test_layers_do_not_count_twice_in_the_dashboard(story, people):
    from annotations.selectors.dashboard import label_frequencies

    before = label_frequencies()
    assign(story, people)
    assert label_frequencies() == before
