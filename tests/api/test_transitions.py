"""API transitions: done, approve, return, reopen, with the reader's settle rules and refusals."""

from __future__ import annotations

import pytest

from annotations.models import Edit, Entity
from core.models import Notification
from stories.models import Story
from tests.api.conftest import api_as

pytestmark = pytest.mark.django_db


def _status(story) -> str:
    return Story.objects.get(pk=story.pk).status


def test_done_refuses_pending_suggestions_unless_told_how_to_settle(editor_api, story):
    refused = editor_api.post(f"/stories/{story.pk}/done", {"version": 1})
    assert refused.status_code == 409
    assert refused.json()["pending"] == 1 and "settle" in refused.json()["details"]
    assert _status(story) == "new"
    done = editor_api.post(f"/stories/{story.pk}/done", {"version": 1, "settle": "accept"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["version"] == 2
    assert Entity.objects.get(story=story).review_state == "accepted"
    again = editor_api.post(f"/stories/{story.pk}/done", {"version": 2})
    assert again.status_code == 400 and "already marked done" in again.json()["message"]


def test_done_from_a_page_older_than_a_return_is_409(editor_api, reviewer_api, story):
    assert (
        editor_api.post(f"/stories/{story.pk}/done", {"version": 1, "settle": "accept"}).json()["version"]
        == 2
    )
    assert reviewer_api.post(f"/stories/{story.pk}/return", {"comment": "Look again"}).json()["version"] == 3
    stale = editor_api.post(f"/stories/{story.pk}/done", {"version": 2})
    assert stale.status_code == 409 and stale.json()["version"] == 3
    assert _status(story) == "returned"


def test_approve_and_return_are_for_reviewers(editor_api, reviewer_api, story):
    editor_api.post(f"/stories/{story.pk}/done", {"version": 1, "settle": "reject"})
    assert editor_api.post(f"/stories/{story.pk}/approve", {}).status_code == 403
    approved = reviewer_api.post(f"/stories/{story.pk}/approve", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Notification.objects.get(recipient=editor_api.user).kind == "approved"
    twice = reviewer_api.post(f"/stories/{story.pk}/approve", {})
    assert twice.status_code == 409 and "not done" in twice.json()["message"]
    assert editor_api.post(f"/stories/{story.pk}/return", {"comment": "Fix Paris"}).status_code == 403
    empty = reviewer_api.post(f"/stories/{story.pk}/return", {"comment": ""})
    assert empty.status_code == 400 and "comment" in empty.json()["details"]
    returned = reviewer_api.post(f"/stories/{story.pk}/return", {"comment": "Tag Paris, please."})
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["review_comment"]) == (
        "returned",
        "Tag Paris, please.",
    )
    again = reviewer_api.post(f"/stories/{story.pk}/return", {"comment": "Again"})
    assert again.status_code == 409


def test_approve_settles_pending_only_when_asked(reviewer_api, story):
    Story.objects.filter(pk=story.pk).update(status="done")  # as if pending slipped in
    refused = reviewer_api.post(f"/stories/{story.pk}/approve", {})
    assert refused.status_code == 409 and refused.json()["pending"] == 1
    assert _status(story) == "done"
    approved = reviewer_api.post(f"/stories/{story.pk}/approve", {"settle": "reject"})
    assert approved.json()["status"] == "approved"
    assert Entity.objects.get(story=story).review_state == "rejected"
    assert reviewer_api.post(f"/stories/{story.pk}/approve", {"settle": "maybe"}).status_code == 400


def test_reopen_is_for_admins(reviewer_api, admin_api, story):
    Story.objects.filter(pk=story.pk).update(status="approved")
    refused = reviewer_api.post(f"/stories/{story.pk}/reopen")
    assert refused.status_code == 403 and "Only admins" in refused.json()["message"]
    reopened = admin_api.post(f"/stories/{story.pk}/reopen")
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_progress"
    assert Edit.objects.filter(story=story, summary__startswith="Reopened by").exists()
    assert admin_api.post(f"/stories/{story.pk}/reopen").status_code == 409
    assert api_as("none").post(f"/stories/{story.pk}/reopen").status_code == 403
    assert admin_api.post("/stories/999/reopen").status_code == 404
