"""Approve and return carry the story version the review page showed, and are refused (409) if it moved on."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from annotations.models import Edit, Entity
from annotations.services.editing import entity_delete, story_mark_done
from annotations.services.review import ReviewStale, story_approve, story_return
from stories.models import Story
from tests.factories import make_entity, make_story, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _shown_version(client, story) -> int:
    html = client.get(reverse("annotations:review-detail", args=[story.pk])).content.decode()
    versions = set(re.findall(r'name="version" value="(\d+)"', html))
    assert len(versions) == 1, versions  # every form on the page carries the same version
    return int(versions.pop())


def _edited_since(story: Story) -> None:
    """What happened between the reviewer's page load and their click: another reviewer returned the
    story, its editor deleted a span and marked it done again. Done, as before, but not what was seen."""
    editor, other = make_user("editor"), make_user("reviewer")
    story_return(story=story, user=other, comment="Boris is not a place.")
    Story.objects.filter(pk=story.pk).update(assigned_to=editor)
    story.refresh_from_db()
    entity = Entity.objects.get(story=story, text="Boris")
    change = entity_delete(story=story, pk=entity.pk, user=editor, version=story.version)
    story_mark_done(story=change.story, user=editor, version=change.story.version)


@pytest.fixture
def story():
    story = make_story(title="Seen", status=Story.Status.DONE)
    make_entity(story, "Anna Petrova", review_state=Entity.ReviewState.ACCEPTED)
    make_entity(story, "Boris", "GPE", review_state=Entity.ReviewState.ACCEPTED)
    return story


@pytest.mark.parametrize("htmx", [False, True])
def test_approving_a_story_that_changed_after_the_page_loaded_is_refused(reviewer_client, story, htmx):
    seen = _shown_version(reviewer_client, story)
    _edited_since(story)
    story.refresh_from_db()
    assert story.status == Story.Status.DONE and story.version > seen
    url = reverse("annotations:review-approve", args=[story.pk])
    response = reviewer_client.post(url, {"version": seen}, headers=HTMX if htmx else {})
    html = response.content.decode()
    assert response.status_code == (200 if htmx else 409)  # htmx 2 swaps only 2xx: the panel says it
    assert (
        f"“Seen” changed after you opened it (you saw version {seen}, it is now version {story.version})"
        in html
    )
    story.refresh_from_db()
    assert story.status == Story.Status.DONE and not Edit.objects.filter(action=Edit.Action.APPROVE).exists()
    # The refusal shows the current version (and, over htmx, the fresh diff), so a second look approves.
    assert f'name="version" value="{story.version}"' in html
    if htmx:
        diff = html.split('id="review-diff" class="review-diff" hx-swap-oob="true"')[1]
        removed = diff.split('<li class="change removed">')[1].split("</li>")[0]
        assert "<mark>Boris</mark>" in removed  # the editor's deletion the reviewer had not seen
    assert reviewer_client.post(url, {"version": story.version}).status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED


def test_returning_a_story_that_changed_after_the_page_loaded_is_refused(reviewer_client, story):
    seen = _shown_version(reviewer_client, story)
    _edited_since(story)
    url = reverse("annotations:review-return", args=[story.pk])
    response = reviewer_client.post(url, {"version": seen, "comment": "Tag Anna."})
    assert response.status_code == 409
    assert "changed after you opened it" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.DONE and story.review_comment == "Boris is not a place."


def test_a_decision_on_the_review_page_refreshes_the_version_approve_sends(reviewer_client, story):
    """Reverting one item bumps the version; the approve form swapped in out of band carries the new one."""
    Entity.objects.filter(text="Boris").update(model_label="PERSON")
    seen = _shown_version(reviewer_client, story)
    boris = Entity.objects.get(text="Boris")
    url = reverse("annotations:review-entity-revert", args=[story.pk, boris.pk])
    html = reviewer_client.post(url, {"version": seen}, headers=HTMX).content.decode()
    story.refresh_from_db()
    assert story.version == seen + 1
    assert 'id="review-actions" class="review-actions" aria-live="polite" hx-swap-oob="true"' in html
    assert set(re.findall(r'name="version" value="(\d+)"', html)) == {str(story.version)}
    approve = reverse("annotations:review-approve", args=[story.pk])
    assert reviewer_client.post(approve, {"version": story.version}).status_code == 302


def test_approve_without_a_version_from_the_page_is_400(reviewer_client, story):
    response = reviewer_client.post(reverse("annotations:review-approve", args=[story.pk]))
    assert response.status_code == 400
    assert "The page sent no story version; reload it." in response.content.decode()
    story.refresh_from_db()
    assert story.status == Story.Status.DONE


def test_services_check_the_version_only_when_given_one(story):
    reviewer = make_user("reviewer")
    with pytest.raises(ReviewStale, match="you saw version 1, it is now version 2"):
        Story.objects.filter(pk=story.pk).update(version=2)
        story_approve(story=story, user=reviewer, version=1)
    assert story_approve(story=story, user=reviewer).status == Story.Status.APPROVED  # commands, API
