"""Workflow states hold: Done and Approved stories have no pending suggestions, and stories.policy decides
who may edit a story (read-only states, assignees, claiming)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from annotations.models import Edit, Entity, Label
from annotations.services import editing
from annotations.services.changes import edit_undo
from annotations.services.review import story_approve
from annotations.services.settling import PendingSuggestions
from stories import policy
from stories.models import Story
from tests.factories import make_entity, make_story, make_user

pytestmark = pytest.mark.django_db

TEXT = "Anna met Boris in Paris and Oslo."


def states(story) -> dict[str, str]:
    return dict(Entity.objects.filter(story=story).values_list("text", "review_state"))


@pytest.fixture
def story():
    story = make_story(TEXT, status=Story.Status.IN_PROGRESS)
    make_entity(story, "Anna", review_state="accepted")
    for text, label in (("Boris", "PERSON"), ("Paris", "GPE"), ("Oslo", "GPE")):
        make_entity(story, text, label)
    return story


class TestMarkDone:
    def test_pending_suggestions_refuse_it_and_name_the_count(self, story):
        with pytest.raises(PendingSuggestions, match="3 suggestions are still pending") as refused:
            editing.story_mark_done(story=story, user=make_user("editor"), version=1)
        assert refused.value.count == 3
        story.refresh_from_db()
        assert (story.status, story.version) == ("in_progress", 1)
        assert not Edit.objects.exists()

    @pytest.mark.parametrize(
        ("settle", "state", "verb"),
        [("accept", "accepted", "accepting"), ("reject", "rejected", "rejecting")],
    )
    def test_settling_the_rest_marks_it_done_with_nothing_pending(self, story, settle, state, verb):
        editing.story_mark_done(story=story, user=make_user("editor"), version=1, settle=settle)
        assert Story.objects.get().status == "done"
        assert states(story) == {"Anna": "accepted", "Boris": state, "Paris": state, "Oslo": state}
        assert not Entity.objects.pending().exists()
        assert Edit.objects.get().summary == f"Marked done, {verb} 3 pending"

    def test_one_undo_restores_the_suggestions_and_the_status(self, story):
        reviewer = make_user("reviewer")  # editors cannot change a Done story; reviewers may
        change = editing.story_mark_done(story=story, user=reviewer, version=1, settle="reject")
        edit_undo(story=Story.objects.get(), edit=change.edit, version=2, user=reviewer)
        assert Story.objects.get().status == "in_progress"
        assert set(states(story).values()) == {"accepted", "pending"}

    def test_nothing_pending_needs_no_choice(self):
        story = make_story(TEXT)
        make_entity(story, "Anna", review_state="accepted")
        editing.story_mark_done(story=story, user=make_user("editor"), version=1)
        assert Story.objects.get().status == "done"


class TestApprove:
    def test_pending_suggestions_refuse_approval(self, story):
        Story.objects.filter(pk=story.pk).update(status="done")
        with pytest.raises(PendingSuggestions, match="before you approve the story"):
            story_approve(story=story, user=make_user("reviewer"))
        assert Story.objects.get().status == "done"

    def test_the_reviewer_settles_the_rest_and_both_are_logged(self, story):
        Story.objects.filter(pk=story.pk).update(status="done")
        story_approve(story=story, user=make_user("reviewer"), settle="accept")
        assert Story.objects.get().status == "approved"
        assert set(states(story).values()) == {"accepted"}
        assert list(Edit.objects.order_by("id").values_list("action", flat=True)) == ["accept", "approve"]


class TestPolicy:
    def test_done_is_read_only_for_editors_but_not_for_reviewers(self, story):
        Story.objects.filter(pk=story.pk).update(status="done")
        story.refresh_from_db()
        boris = Entity.objects.get(text="Boris")
        with pytest.raises(PermissionDenied, match="done and waiting for review"):
            editing.entity_accept(story=story, pk=boris.pk, user=make_user("editor"), version=1)
        editing.entity_accept(story=story, pk=boris.pk, user=make_user("reviewer"), version=1)
        assert states(story)["Boris"] == "accepted"

    def test_approved_is_read_only_for_everyone(self, story):
        Story.objects.filter(pk=story.pk).update(status="approved")
        for role in ("editor", "reviewer", "admin"):
            with pytest.raises(PermissionDenied, match="is approved, so it is read-only"):
                editing.entity_create(
                    story=story, start=28, end=32, label=Label.objects.get(name="GPE"),
                    user=make_user(role), version=1,
                )  # fmt: skip

    def test_an_assigned_story_is_edited_only_by_its_assignee_reviewers_and_admins(self, story):
        owner = make_user("editor", username="olga")
        Story.objects.filter(pk=story.pk).update(assigned_to=owner)
        story.refresh_from_db()
        boris = Entity.objects.get(text="Boris")
        with pytest.raises(PermissionDenied, match="assigned to olga"):
            editing.entity_accept(story=story, pk=boris.pk, user=make_user("editor"), version=1)
        # The refused edit left nothing behind: neither a version nor a claim.
        assert Story.objects.values_list("version", "assigned_to").get() == (1, owner.pk)
        assert policy.edit_refusal(owner, story) is None
        assert policy.edit_refusal(make_user("reviewer"), story) is None
        assert policy.edit_refusal(make_user("none"), story).startswith("Your account has no editor")

    def test_the_first_editor_to_edit_an_unassigned_story_claims_it(self, story):
        editor = make_user("editor")
        boris = Entity.objects.get(text="Boris")
        editing.entity_accept(story=story, pk=boris.pk, user=editor, version=1)
        assert Story.objects.get().assigned_to == editor
        # A reviewer's fix does not take a story away from the team.
        other = make_story("Boris again.")
        entity = make_entity(other, "Boris")
        editing.entity_accept(story=other, pk=entity.pk, user=make_user("reviewer"), version=1)
        assert Story.objects.get(pk=other.pk).assigned_to is None

    def test_a_refused_edit_of_a_new_story_neither_claims_it_nor_moves_it(self, story):
        Story.objects.filter(pk=story.pk).update(status="approved")
        boris = Entity.objects.get(text="Boris")
        with pytest.raises(PermissionDenied, match="approved"):
            editing.entity_accept(story=story, pk=boris.pk, user=make_user("editor"), version=1)
        assert Story.objects.values_list("version", "status", "assigned_to").get() == (1, "approved", None)
        assert Entity.objects.get(pk=boris.pk).review_state == "pending"


def test_the_review_queue_counts_pending_and_confirmed_suggestions(client, story):
    from annotations.selectors.review import review_queue

    Entity.objects.filter(text="Anna").update(model_label="PERSON", model_start=0, model_end=4)
    Story.objects.filter(pk=story.pk).update(status="returned")
    row = review_queue(status="returned").get()
    assert (row.pending, row.confirmed) == (3, 1)
    client.force_login(make_user("reviewer"))
    html = client.get("/review/?status=returned").content.decode()
    assert 'title="suggestions nobody has decided">3</td>' in html and "✓ 1" in html


def test_the_evaluation_counts_decided_spans_only_and_says_what_it_left_out(story, client):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("evaluate", "--status", "all", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["pending_left_out"] == 3
    assert (report["overall"]["tp"], report["overall"]["fp"], report["overall"]["fn"]) == (
        1,
        0,
        0,
    )  # Anna alone
    client.force_login(make_user("reviewer"))
    html = client.get("/dashboard/?status=all").content.decode()
    assert "3 pending suggestions</strong> nobody has decided were left out" in html


def test_approving_with_pending_offers_to_settle_them_on_the_review_page(story, client):
    Story.objects.filter(pk=story.pk).update(status="done")  # as a story done before the rule held
    client.force_login(make_user("reviewer"))
    url = f"/review/{story.pk}/approve/"
    version = Story.objects.get().version
    refused = client.post(url, {"version": version}, headers={"HX-Request": "true"}).content.decode()
    assert "3 suggestions are still pending" in refused and 'value="reject"' in refused
    assert f'name="version" value="{version}"' in refused
    assert Story.objects.get().status == "done"
    client.post(url, {"settle": "reject", "version": version}, headers={"HX-Request": "true"})
    assert Story.objects.get().status == "approved"
    assert set(states(story).values()) == {"accepted", "rejected"}
    assert client.post(url, {"settle": "maybe", "version": version}).status_code == 400


def test_an_admin_reopens_an_approved_story_and_it_is_logged(story, client):
    Entity.objects.update(review_state="accepted")
    Story.objects.filter(pk=story.pk).update(status="approved")
    client.force_login(make_user("reviewer"))
    assert client.post(f"/review/{story.pk}/reopen/").status_code == 403
    assert Story.objects.get().status == "approved"
    admin = make_user("admin")
    client.force_login(admin)
    page = client.get(f"/review/{story.pk}/").content.decode()
    assert "Reopen (admin)" in page
    client.post(f"/review/{story.pk}/reopen/")
    assert Story.objects.get().status == "in_progress"
    assert Edit.objects.get().summary == f"Reopened by {admin.username}"


def test_the_review_diff_shows_gender_changes_and_splits():
    from annotations.selectors.review import review_diff
    from annotations.services import characters
    from tests.factories import make_character

    story = make_story("Anna met Anya.", status=Story.Status.IN_PROGRESS)
    anna = make_character(story, "Anna", aliases=["Anya"])
    reviewer = make_user("reviewer")
    characters.character_set_gender(story=story, pk=anna.pk, gender="female", user=reviewer, version=1)
    characters.character_split(story=story, pk=anna.pk, alias="Anya", user=reviewer, version=2)
    changes = [(c.kind, c.old_names, c.new_name, c.detail) for c in review_diff(story=story).characters]
    assert ("gender", ["Anna"], "", "unknown → female") in changes
    assert ("split", ["Anna"], "Anya", "") in changes
