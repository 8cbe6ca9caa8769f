"""API stories: the list with the story list's filters, creating stories idempotently by content hash,
one story in the JSONL export's shape, and assignment."""

from __future__ import annotations

import json

import pytest

from annotations.models import Entity
from core.models import Notification
from interchange.selectors.export import ExportFilters, export_stories
from interchange.writers.jsonl import story_record
from stories.models import ImportBatch, Story
from tests.api.conftest import api_as
from tests.factories import make_batch, make_character, make_entity, make_story, make_user

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_the_list_filters_like_the_story_list_page(editor_api):
    batch = make_batch("spring")
    anna = make_story("Anna Petrova danced in Paris.", title="Anna", batch=batch, status="done")
    make_entity(anna, "Paris", label="GPE")
    make_character(anna, "Anna Petrova", aliases=["Annushka"])
    make_story("Boris stayed home.", title="Boris", assigned_to=editor_api.user)
    make_story("Nobody here at all.", title="Empty")
    assert _titles(editor_api.get("/stories")) == ["Anna", "Boris", "Empty"]
    assert _titles(editor_api.get("/stories", {"status": "done"})) == ["Anna"]
    assert _titles(editor_api.get("/stories", {"q": "stayed"})) == ["Boris"]
    assert _titles(editor_api.get("/stories", {"label": "GPE"})) == ["Anna"]
    assert _titles(editor_api.get("/stories", {"character": "annush"})) == ["Anna"]
    assert _titles(editor_api.get("/stories", {"batch": batch.pk})) == ["Anna"]
    assert _titles(editor_api.get("/stories", {"mine": "1"})) == ["Boris"]
    assert _titles(editor_api.get("/stories", {"editor": editor_api.user.pk})) == ["Boris"]
    assert _titles(editor_api.get("/stories", {"editor": "null"})) == ["Anna", "Empty"]
    assert _titles(editor_api.get("/stories", {"sort": "-words"})) == ["Anna", "Empty", "Boris"]
    row = editor_api.get("/stories", {"status": "done"}).json()["results"][0]
    assert row["batch"] == "spring" and row["entity_count"] == 1 and row["character_count"] == 1


def test_the_list_pages(editor_api):
    for n in range(5):
        make_story(f"Story text number {n}.", title=f"S{n}")
    page = editor_api.get("/stories", {"page_size": 2, "page": 3}).json()
    assert (page["count"], page["pages"], [r["title"] for r in page["results"]]) == (5, 3, ["S4"])
    assert editor_api.get("/stories", {"page": 9}).json()["results"] == []


def test_a_bad_filter_is_400_naming_the_field(editor_api):
    response = editor_api.get("/stories", {"status": "finished"})
    assert response.status_code == 400
    assert "status" in response.json()["details"]
    assert editor_api.get("/stories", {"page": 0}).json()["details"] == {
        "page": ["Input should be greater than or equal to 1"]
    }


def test_creating_stories_is_idempotent_by_content_hash(admin_api):
    existing = make_story("Already here.")
    existing.sha256 = __import__("stories.services", fromlist=["x"]).text_sha256("Already here.")
    existing.save()
    body = {
        "batch": "pipeline run 7",
        "stories": [
            {"text": "Zoë sailed to Lisbon.", "title": "Zoë", "meta": {"source_id": "a-1"}},
            {"text": "Zoë  sailed to Lisbon.\r\n"},  # the same text once whitespace is normalised
            {"text": "Already here."},
        ],
    }
    response = admin_api.post("/stories", body)
    assert response.status_code == 201
    data = response.json()
    assert (data["created"], data["existing"], data["failed"]) == (1, 2, 0)
    new = Story.objects.get(title="Zoë")
    assert [(r["id"], r["created"]) for r in data["results"]] == [
        (new.pk, True), (new.pk, False), (existing.pk, False)
    ]  # fmt: skip
    assert new.meta["source_id"] == "a-1" and new.batch.name == "pipeline run 7"
    again = admin_api.post("/stories", body)
    assert again.status_code == 200 and again.json()["created"] == 0
    assert Story.objects.count() == 2


def test_a_client_cannot_set_a_status_through_meta(admin_api):
    body = {"stories": [{"text": "Sneaky story.", "meta": {"restored": {"status": "approved"}}}]}
    admin_api.post("/stories", body)
    story = Story.objects.get()
    assert story.status == "new" and "restored" not in story.meta
    assert story.title == "Sneaky story"


def test_creating_with_extraction_drafts_entities(admin_api):
    response = admin_api.post(
        "/stories", {"extract": True, "stories": [{"text": "Anna Petrova moved to Paris in 1901."}]}
    )
    assert response.status_code == 201
    story = Story.objects.get()
    labels = set(Entity.objects.filter(story=story).values_list("label_id", flat=True))
    assert "GPE" in labels and Entity.objects.filter(story=story, review_state="pending").exists()
    assert ImportBatch.objects.get().pipeline_name


def test_creating_refuses_non_admins_and_blank_texts(reviewer_api, admin_api):
    assert reviewer_api.post("/stories", {"stories": [{"text": "A story."}]}).status_code == 403
    blank = admin_api.post("/stories", {"stories": [{"text": "   "}]})
    assert blank.status_code == 400 and blank.json()["details"] == {
        "stories.0.text": ["The text is empty or only whitespace."]
    }
    empty = admin_api.post("/stories", {"stories": []})
    assert empty.status_code == 400 and "stories" in empty.json()["details"]
    assert not Story.objects.exists()


def test_one_story_is_the_jsonl_record_with_status_version_and_ids(editor_api, story):
    anna = make_character(story, "Anna Petrova")
    Entity.objects.filter(story=story).update(character=anna)
    make_entity(story, "Moscow", label="GPE", review_state="accepted")
    make_entity(story, "Paris", label="GPE", review_state="rejected")
    response = editor_api.get(f"/stories/{story.pk}")
    assert response.status_code == 200
    data = response.json()
    record = story_record(next(iter(export_stories(filters=ExportFilters(status="all", pending="include")))))
    expected = json.loads(json.dumps(record))
    ids = {e.text: e.pk for e in Entity.objects.filter(story=story)}
    for span in expected["spans"]:
        span["id"] = ids[span["text"]]
    assert {k: data[k] for k in expected} == expected
    assert [(s["text"], s["state"]) for s in data["spans"]] == [
        ("Anna Petrova", "pending"),
        ("Moscow", "accepted"),
    ]
    assert (data["status"], data["version"], data["assigned_to"]) == ("new", 1, None)


def test_a_missing_story_is_404_json(editor_api):
    response = editor_api.get("/stories/999")
    assert response.status_code == 404 and response.json()["message"] == "There is no story 999."
    assert editor_api.get("/stories/abc").status_code == 400


def test_role_less_accounts_are_refused(story):
    none = api_as("none")
    assert none.get("/stories").status_code == 403
    assert none.get(f"/stories/{story.pk}").status_code == 403


def test_reviewers_assign_and_the_editor_is_notified(reviewer_api, story):
    editor = make_user("editor", username="mila")
    response = reviewer_api.post(f"/stories/{story.pk}/assign", {"editor": "mila"})
    assert response.status_code == 200 and response.json()["assigned_to"] == "mila"
    story.refresh_from_db()
    assert story.assigned_to == editor
    assert Notification.objects.get(recipient=editor).kind == "assigned"
    assert reviewer_api.post(f"/stories/{story.pk}/assign", {"editor": None}).json()["assigned_to"] is None


def test_assignment_refusals(editor_api, reviewer_api, story):
    assert editor_api.post(f"/stories/{story.pk}/assign", {"editor": "ed"}).status_code == 403
    unknown = reviewer_api.post(f"/stories/{story.pk}/assign", {"editor": "ghost"})
    assert unknown.status_code == 400 and unknown.json()["details"] == {
        "editor": ["There is no account named 'ghost'."]
    }
    make_user("none", username="norole")
    no_role = reviewer_api.post(f"/stories/{story.pk}/assign", {"editor": "norole"})
    assert no_role.status_code == 400 and "cannot be given stories" in no_role.json()["message"]
    assert reviewer_api.post("/stories/999/assign", {"editor": None}).status_code == 404
