"""Predictions from an outside model: stored as pending suggestions tagged with the model's name; they
replace that model's earlier pending ones and never touch what editors decided."""

from __future__ import annotations

import pytest

from annotations.models import Character, Edit, Entity
from annotations.services.changes import edit_undo
from stories.models import Story
from tests.factories import make_entity

pytestmark = pytest.mark.django_db

PARIS, BORIS, MOSCOW = (23, 28), (34, 39), (67, 73)


def _post(api, story, version, spans, characters=(), model="crf-v2"):
    body = {"model": model, "version": version, "spans": spans, "characters": list(characters)}
    return api.post(f"/stories/{story.pk}/predictions", body)


def _pending(story, model):
    return sorted(
        Entity.objects.pending().filter(story=story, source_model=model).values_list("text", flat=True)
    )


def test_predictions_are_stored_as_pending_model_suggestions(editor_api, story):
    spans = [
        {"start": 23, "end": 28, "label": "GPE"},
        {"start": 34, "end": 39, "label": "PERSON", "character": 0},
    ]
    response = _post(editor_api, story, 1, spans, [{"name": "Boris", "gender": "male"}])
    assert response.status_code == 200
    assert response.json() == {"version": 2, "added": 2, "replaced": 0, "skipped": 0,
                               "characters_added": 1, "characters_removed": 0}  # fmt: skip
    paris = Entity.objects.get(story=story, text="Paris")
    assert (paris.origin, paris.review_state, paris.source_model) == ("model", "pending", "crf-v2")
    assert (paris.model_start, paris.model_end, paris.model_label) == (*PARIS, "GPE")
    boris = Character.objects.get(story=story, name="Boris")
    assert (boris.gender, boris.source_model) == ("male", "crf-v2")
    assert Entity.objects.get(text="Boris").character == boris
    story.refresh_from_db()
    assert (story.status, story.assigned_to) == ("new", None), "a model neither starts nor claims a story"
    assert Edit.objects.get(story=story, action="predict").user == editor_api.user


def test_a_second_post_replaces_only_that_models_pending_suggestions(editor_api, story):
    _post(
        editor_api,
        story,
        1,
        [{"start": 23, "end": 28, "label": "GPE"}, {"start": 34, "end": 39, "label": "PERSON"}],
    )
    _post(editor_api, story, 2, [{"start": 67, "end": 73, "label": "GPE"}], model="other-model")
    Entity.objects.filter(text="Boris").update(review_state="accepted")  # an editor decided this one
    response = _post(
        editor_api,
        story,
        3,
        [{"start": 34, "end": 39, "label": "PERSON"}, {"start": 48, "end": 53, "label": "PERSON"}],
    )
    assert (
        response.json()["replaced"] == 1 and response.json()["added"] == 1 and response.json()["skipped"] == 1
    )
    assert _pending(story, "crf-v2") == ["Boris"]  # the second Boris (48-53), new
    assert Entity.objects.filter(text="Boris", review_state="accepted", start=34).exists()
    assert not Entity.objects.filter(text="Paris").exists()
    assert _pending(story, "other-model") == ["Moscow"]
    assert Entity.objects.get(text="Anna Petrova").review_state == "pending", "the pipeline's draft stays"


def test_spans_overlapping_decided_entities_are_skipped(editor_api, story):
    make_entity(story, "Paris", label="GPE", review_state="accepted")
    rejected = make_entity(story, "Moscow", label="GPE", review_state="rejected")
    spans = [{"start": 23, "end": 39, "label": "LOC"}, {"start": 67, "end": 73, "label": "GPE"},
             {"start": 67, "end": 73, "label": "LOC"}]  # fmt: skip
    response = _post(editor_api, story, 1, spans)
    # The span over Paris clashes; Moscow GPE repeats a rejected row; Moscow LOC fits (rejected is no clash).
    assert (response.json()["added"], response.json()["skipped"]) == (1, 2)
    assert _pending(story, "crf-v2") == ["Moscow"]
    rejected.refresh_from_db()
    assert rejected.review_state == "rejected"


def test_replacing_removes_the_models_orphaned_characters(editor_api, story):
    _post(
        editor_api,
        story,
        1,
        [{"start": 34, "end": 39, "label": "PERSON", "character": 0}],
        [{"name": "Boris"}],
    )
    response = _post(editor_api, story, 2, [])
    assert response.json()["characters_removed"] == 1 and response.json()["replaced"] == 1
    assert not Character.objects.filter(story=story).exists()


def test_the_predictions_edit_undoes_as_one(editor_api, story):
    _post(editor_api, story, 1, [{"start": 23, "end": 28, "label": "GPE"}])
    _post(editor_api, story, 2, [{"start": 67, "end": 73, "label": "GPE"}])
    edit_undo(story=Story.objects.get(pk=story.pk), edit=None, version=3, user=editor_api.user)
    assert sorted(Entity.objects.pending().filter(story=story).values_list("text", flat=True)) == [
        "Anna Petrova",
        "Paris",
    ]


def test_refusals(editor_api, story):
    stale = _post(editor_api, story, 7, [])
    assert stale.status_code == 409 and stale.json()["version"] == 1
    unknown = _post(editor_api, story, 1, [{"start": 23, "end": 28, "label": "CITY"}])
    assert unknown.status_code == 400 and "CITY" in unknown.json()["details"]["spans"][0]
    outside = _post(editor_api, story, 1, [{"start": 23, "end": 999, "label": "GPE"}])
    assert outside.status_code == 400 and "spans.0" in outside.json()["details"]
    bad_character = _post(editor_api, story, 1, [{"start": 23, "end": 28, "label": "GPE", "character": 3}])
    assert bad_character.status_code == 400 and "spans.0.character" in bad_character.json()["details"]
    assert _post(editor_api, story, 1, [], model="").status_code == 400
    Story.objects.filter(pk=story.pk).update(status="done")
    done = _post(editor_api, story, 1, [])
    assert done.status_code == 403 and "read-only" in done.json()["message"]
    Story.objects.filter(pk=story.pk).update(status="in_progress")
    assert Story.objects.get(pk=story.pk).version == 1
    assert not Entity.objects.exclude(source_model="").exists()


def test_a_reviewer_cannot_add_suggestions_to_a_done_story(reviewer_api, story):
    Story.objects.filter(pk=story.pk).update(status="done")
    response = _post(reviewer_api, story, 1, [{"start": 23, "end": 28, "label": "GPE"}])
    assert response.status_code == 409 and "nothing pending" in response.json()["message"]


def test_an_open_reader_is_told_of_the_models_suggestions(editor_api, reviewer, story):
    from annotations.selectors.live import changes_since

    _post(editor_api, story, 1, [{"start": 23, "end": 28, "label": "GPE"}])
    live = changes_since(story=Story.objects.get(pk=story.pk), version=1, user=reviewer)
    assert live.version == 2
    assert [p.start for p in live.paragraphs] == [0]
