"""API entity writes: create (snapped to tokens), label and bounds changes, accept, reject, delete, bulk by
label, link; every write takes the version and a stale one is 409 with the current version."""

from __future__ import annotations

import pytest

from annotations.models import Character, Edit, Entity
from stories.models import Story
from tests.api.conftest import api_as
from tests.factories import make_character, make_entity, make_user

pytestmark = pytest.mark.django_db

# "Anna Petrova danced in Paris with Boris.\n\nLater Boris went home to Moscow."
PARIS, BORIS, MOSCOW = (23, 28), (34, 39), (67, 73)


def _version(story) -> int:
    return Story.objects.get(pk=story.pk).version


def test_create_snaps_to_tokens_and_claims_the_story(editor_api, story):
    response = editor_api.post(
        f"/stories/{story.pk}/entities", {"start": 24, "end": 26, "label": "GPE", "version": 1}
    )
    assert response.status_code == 201
    data = response.json()
    assert data["entity"]["text"] == "Paris" and (data["entity"]["start"], data["entity"]["end"]) == PARIS
    assert (data["version"], data["status"], data["summary"]) == (2, "in_progress", "Tagged “Paris” as GPE")
    row = Entity.objects.get(pk=data["entity"]["id"])
    assert (row.label_id, row.origin, row.review_state, row.updated_by) == (
        "GPE",
        "editor",
        "accepted",
        editor_api.user,
    )
    story.refresh_from_db()
    assert story.assigned_to == editor_api.user and Edit.objects.filter(story=story, action="create").exists()


def test_a_stale_version_is_409_when_someone_else_changed_the_same_entity(editor_api, reviewer_api, story):
    anna = Entity.objects.get(story=story)
    relabel = editor_api.patch(f"/stories/{story.pk}/entities/{anna.pk}", {"label": "ORG", "version": 1})
    assert relabel.json()["version"] == 2
    response = reviewer_api.patch(f"/stories/{story.pk}/entities/{anna.pk}", {"label": "NORP", "version": 1})
    assert response.status_code == 409
    assert response.json()["version"] == 2 and "changed this" in response.json()["message"]
    anna.refresh_from_db()
    assert (anna.label_id, _version(story)) == ("ORG", 2)
    # A change to another row from the same old page goes through, and says the story moved on.
    other = reviewer_api.post(
        f"/stories/{story.pk}/entities", {"start": 34, "end": 39, "label": "PERSON", "version": 1}
    )
    assert other.status_code == 201 and other.json()["others_changed"] is True
    assert (
        editor_api.post(
            f"/stories/{story.pk}/entities", {"start": 23, "end": 28, "label": "GPE", "version": 9}
        ).status_code
        == 409
    )


def test_create_refusals_are_400_with_the_reason(editor_api, story):
    url = f"/stories/{story.pk}/entities"
    overlap = editor_api.post(url, {"start": 0, "end": 4, "label": "PERSON", "version": 1})
    assert overlap.status_code == 400 and "overlaps “Anna Petrova”" in overlap.json()["message"]
    unknown = editor_api.post(url, {"start": 23, "end": 28, "label": "CITY", "version": 1})
    assert unknown.status_code == 400 and "CITY" in unknown.json()["details"]["label"][0]
    outside = editor_api.post(url, {"start": 70, "end": 900, "label": "GPE", "version": 1})
    assert outside.status_code == 400 and "outside the story" in outside.json()["message"]
    crossing = editor_api.post(url, {"start": 34, "end": 50, "label": "GPE", "version": 1})
    assert crossing.status_code == 400 and "paragraph" in crossing.json()["message"]
    missing = editor_api.post(url, {"start": 34, "end": 39, "label": "GPE"})
    assert missing.status_code == 400 and missing.json()["details"] == {"version": ["Field required"]}
    assert _version(story) == 1


def test_label_and_bounds_changes(editor_api, story):
    paris = make_entity(story, "Paris", label="PERSON")
    url = f"/stories/{story.pk}/entities/{paris.pk}"
    relabel = editor_api.patch(url, {"label": "GPE", "version": 1})
    assert relabel.status_code == 200 and relabel.json()["entity"]["label"] == "GPE"
    moved = editor_api.patch(url, {"start": 23, "end": 39, "version": 2})
    assert moved.status_code == 200
    assert moved.json()["entity"]["text"] == "Paris with Boris" and moved.json()["version"] == 3
    both = editor_api.patch(url, {"label": "LOC", "start": 24, "end": 27, "version": 3})
    assert (both.json()["entity"]["text"], both.json()["entity"]["label"], both.json()["version"]) == (
        "Paris",
        "LOC",
        5,
    )
    paris.refresh_from_db()
    assert (paris.start, paris.end, paris.label_id, paris.review_state) == (*PARIS, "LOC", "accepted")


def test_change_refusals(editor_api, story):
    paris = make_entity(story, "Paris", label="GPE")
    url = f"/stories/{story.pk}/entities/{paris.pk}"
    assert editor_api.patch(url, {"version": 1}).status_code == 400
    half = editor_api.patch(url, {"start": 20, "version": 1})
    assert half.status_code == 400 and "start and end together" in half.json()["message"]
    onto = editor_api.patch(url, {"start": 0, "end": 28, "version": 1})
    assert onto.status_code == 400 and "overlaps" in onto.json()["message"]
    assert (
        editor_api.patch(f"/stories/{story.pk}/entities/99999", {"label": "GPE", "version": 1}).status_code
        == 404
    )


def test_accept_reject_and_delete(editor_api, story):
    anna = Entity.objects.get(story=story)
    paris = make_entity(story, "Paris", label="GPE")
    boris = make_entity(story, "Boris", origin="editor", review_state="accepted")
    base = f"/stories/{story.pk}/entities"
    accepted = editor_api.post(f"{base}/{anna.pk}/accept", {"version": 1})
    assert accepted.status_code == 200 and accepted.json()["entity"]["state"] == "accepted"
    again = editor_api.post(f"{base}/{anna.pk}/accept", {"version": 2})
    assert again.status_code == 400 and "not a pending suggestion" in again.json()["message"]
    assert editor_api.post(f"{base}/{paris.pk}/reject", {"version": 2}).status_code == 200
    assert editor_api.post(f"{base}/{boris.pk}/reject", {"version": 3}).status_code == 400
    deleted = editor_api.delete(f"{base}/{boris.pk}?version=3")
    assert deleted.status_code == 200 and deleted.json()["entity"] is None
    assert editor_api.delete(f"{base}/{anna.pk}").status_code == 400  # no version
    states = dict(Entity.objects.filter(story=story).values_list("text", "review_state"))
    assert states == {"Anna Petrova": "accepted", "Paris": "rejected"}  # editor's Boris is gone


def test_bulk_accept_and_reject_by_label(editor_api, story):
    make_entity(story, "Boris")
    make_entity(story, "Moscow", label="GPE")
    response = editor_api.post(
        f"/stories/{story.pk}/labels/PERSON/review", {"decision": "accept", "version": 1}
    )
    assert response.status_code == 200 and response.json()["summary"] == "Accepted all 2 PERSON suggestions"
    rejected = editor_api.post(f"/stories/{story.pk}/labels/GPE/review", {"decision": "reject", "version": 2})
    assert rejected.status_code == 200
    assert dict(Entity.objects.values_list("text", "review_state")) == {
        "Anna Petrova": "accepted", "Boris": "accepted", "Moscow": "rejected"
    }  # fmt: skip
    none = editor_api.post(f"/stories/{story.pk}/labels/GPE/review", {"decision": "reject", "version": 3})
    assert none.status_code == 400 and "no pending GPE" in none.json()["message"]
    bad = editor_api.post(f"/stories/{story.pk}/labels/GPE/review", {"decision": "maybe", "version": 3})
    assert bad.status_code == 400 and "decision" in bad.json()["details"]


def test_link_a_mention(editor_api, story):
    anna = Entity.objects.get(story=story)
    character = make_character(story, "Anna Petrova")
    url = f"/stories/{story.pk}/entities/{anna.pk}/link"
    linked = editor_api.post(url, {"character": character.pk, "version": 1})
    assert linked.status_code == 200 and linked.json()["entity"]["character"] == character.pk
    new = editor_api.post(url, {"new_name": "Annushka", "version": 2})
    assert new.json()["entity"]["character"] == Character.objects.get(name="Annushka").pk
    other_story_character = make_character(__import__("tests.factories", fromlist=["x"]).make_story(), "Zed")
    refused = editor_api.post(url, {"character": other_story_character.pk, "version": 3})
    assert refused.status_code == 400 and "not in this story" in refused.json()["message"]


def test_an_entity_of_another_story_is_404(editor_api, story):
    from tests.factories import make_story

    other = make_story("Someone else entirely.")
    anna = Entity.objects.get(story=story)
    response = editor_api.post(f"/stories/{other.pk}/entities/{anna.pk}/accept", {"version": 1})
    assert response.status_code == 404


def test_policy_refusals_are_403(story):
    Story.objects.filter(pk=story.pk).update(status="approved")
    editor = api_as("editor")
    anna = Entity.objects.get(story=story)
    refused = editor.post(f"/stories/{story.pk}/entities/{anna.pk}/accept", {"version": 1})
    assert refused.status_code == 403 and "approved, so it is read-only" in refused.json()["message"]
    Story.objects.filter(pk=story.pk).update(
        status="in_progress", assigned_to=make_user("editor", username="owner")
    )
    other = editor.post(f"/stories/{story.pk}/entities/{anna.pk}/accept", {"version": 1})
    assert other.status_code == 403 and "assigned to owner" in other.json()["message"]
    assert (
        api_as("none").post(f"/stories/{story.pk}/entities/{anna.pk}/accept", {"version": 1}).status_code
        == 403
    )
    assert Entity.objects.get(pk=anna.pk).review_state == "pending"
