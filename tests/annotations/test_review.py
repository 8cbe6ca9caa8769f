"""Review workflow: approve/return services, the diff against the model's draft, the queue, and the
permission matrix on every review URL, with and without htmx."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from annotations.models import Edit, Entity
from annotations.selectors.review import review_diff, review_queue
from annotations.services.review import ReviewConflict, story_approve, story_return
from stories.models import Story
from tests.factories import make_character, make_entity, make_story, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ACCEPTED = Entity.ReviewState.ACCEPTED
REJECTED = Entity.ReviewState.REJECTED
DIFF_TEXT = "Anna Petrova danced in Paris with Boris and Ivan at the Grand Hotel on Monday."


def story_with_every_change() -> Story:
    """One of each: kept, relabelled, removed, re-bounded, added, untouched; a rename, a merge, an added
    character, and an undone rename that must not show."""
    story = make_story(DIFF_TEXT, title="Diff story", status=Story.Status.DONE)
    make_entity(story, "Anna Petrova", "PERSON", review_state=ACCEPTED)
    make_entity(story, "Paris", "GPE", model_label="PERSON", review_state=ACCEPTED)
    make_entity(story, "Boris", "PERSON", review_state=REJECTED)
    the_hotel = DIFF_TEXT.index("the Grand Hotel")
    make_entity(
        story, "Grand Hotel", "ORG", model_start=the_hotel, model_end=the_hotel + 15, review_state=ACCEPTED
    )
    make_entity(story, "Ivan", "PERSON", origin=Entity.Origin.EDITOR, review_state=ACCEPTED)
    make_entity(story, "Monday", "DATE")  # still pending: the editor never looked at it
    editor = make_user("editor", username="olga")
    make_character(story, "Anna Petrova")
    make_character(story, "Ivan", origin="editor")
    Edit.objects.create(
        story=story,
        user=editor,
        action=Edit.Action.CHARACTER_RENAME,
        summary="Renamed Anna P. to Anna Petrova",
        before=[{"model": "character", "id": 1, "fields": {"name": "Anna P.", "aliases": []}}],
        after=[{"model": "character", "id": 1, "fields": {"name": "Anna Petrova", "aliases": []}}],
    )
    Edit.objects.create(
        story=story,
        user=editor,
        action=Edit.Action.CHARACTER_MERGE,
        summary="Merged Borya into Boris",
        before=[
            {"model": "character", "id": 5, "fields": {"name": "Borya"}},
            {"model": "character", "id": 6, "fields": {"name": "Boris"}},
        ],
        after=[
            {"model": "character", "id": 5, "fields": None},
            {"model": "character", "id": 6, "fields": {"name": "Boris", "aliases": ["Borya"]}},
        ],
    )
    undo = Edit.objects.create(story=story, user=editor, action=Edit.Action.UNDO, summary="Undid")
    Edit.objects.create(
        story=story,
        user=editor,
        action=Edit.Action.CHARACTER_RENAME,
        summary="Renamed Ivan to Vanya",
        before=[{"model": "character", "id": 9, "fields": {"name": "Ivan"}}],
        after=[{"model": "character", "id": 9, "fields": {"name": "Vanya"}}],
        undone_by=undo,
    )
    return story


class TestStoryApprove:
    def test_done_story_becomes_approved_and_is_recorded(self, reviewer):
        story = make_story(status=Story.Status.DONE, review_comment="old note")
        story_approve(story=story, user=reviewer)
        story.refresh_from_db()
        assert story.status == Story.Status.APPROVED
        assert story.review_comment == ""
        assert story.version == 2
        edit = Edit.objects.get(story=story)
        assert (edit.action, edit.user, edit.story_version) == (Edit.Action.APPROVE, reviewer, 2)
        assert edit.summary == "Approved by rev"
        assert edit.before[0]["fields"]["status"] == "done"
        assert edit.after[0]["fields"]["status"] == "approved"

    def test_admin_may_approve(self, admin_user):
        story = make_story(status=Story.Status.DONE)
        assert story_approve(story=story, user=admin_user).status == Story.Status.APPROVED

    @pytest.mark.parametrize("status", ["new", "in_progress", "approved", "returned"])
    def test_only_done_stories(self, reviewer, status):
        story = make_story(status=status)
        with pytest.raises(ReviewConflict, match="only stories an editor has marked done can be approved"):
            story_approve(story=story, user=reviewer)
        story.refresh_from_db()
        assert story.status == status and story.version == 1
        assert not Edit.objects.exists()

    def test_editor_is_refused(self, editor):
        story = make_story(status=Story.Status.DONE)
        with pytest.raises(PermissionDenied, match="Only reviewers and admins can approve"):
            story_approve(story=story, user=editor)
        story.refresh_from_db()
        assert story.status == Story.Status.DONE and not Edit.objects.exists()


class TestStoryReturn:
    @pytest.mark.parametrize("status", ["done", "approved"])
    def test_sets_status_and_comment_and_is_recorded(self, reviewer, status):
        story = make_story(status=status)
        story_return(story=story, user=reviewer, comment="  Boris is a PERSON, not an ORG.  ")
        story.refresh_from_db()
        assert story.status == Story.Status.RETURNED
        assert story.review_comment == "Boris is a PERSON, not an ORG."
        edit = Edit.objects.get(story=story)
        assert edit.action == Edit.Action.RETURN and edit.user == reviewer
        assert edit.summary == "Returned by rev: Boris is a PERSON, not an ORG."

    @pytest.mark.parametrize("comment", ["", "   \n "])
    def test_requires_a_comment(self, reviewer, comment):
        story = make_story(status=Story.Status.DONE)
        with pytest.raises(ValidationError, match="Write a comment"):
            story_return(story=story, user=reviewer, comment=comment)
        story.refresh_from_db()
        assert story.status == Story.Status.DONE and not Edit.objects.exists()

    def test_refuses_a_story_not_yet_done(self, reviewer):
        story = make_story(status=Story.Status.IN_PROGRESS)
        with pytest.raises(ReviewConflict, match="only done or approved stories can be returned"):
            story_return(story=story, user=reviewer, comment="x")
        assert not Edit.objects.exists()

    def test_editor_is_refused(self, editor):
        story = make_story(status=Story.Status.DONE)
        with pytest.raises(PermissionDenied):
            story_return(story=story, user=editor, comment="fine")
        story.refresh_from_db()
        assert story.status == Story.Status.DONE and story.review_comment == ""


class TestReviewDiff:
    def test_each_change_type(self):
        diff = review_diff(story=story_with_every_change())
        assert [c.entity.text for c in diff.added] == ["Ivan"]
        assert [(c.entity.model_label, c.model_text) for c in diff.removed] == [("PERSON", "Boris")]
        assert [(c.entity.model_label, c.entity.label_id) for c in diff.relabelled] == [("PERSON", "GPE")]
        assert [(c.model_text, c.entity.text) for c in diff.rebounded] == [("the Grand Hotel", "Grand Hotel")]
        assert diff.unchanged == 1
        assert [c.entity.text for c in diff.pending] == ["Monday"]
        assert diff.span_change_count == 4
        relabelled = diff.relabelled[0]
        assert relabelled.before == "Anna Petrova danced in " and relabelled.after.startswith(" with Boris")

    def test_character_merges_renames_and_additions(self):
        diff = review_diff(story=story_with_every_change())
        found = [(c.kind, c.old_names, c.new_name, c.user) for c in diff.characters]
        assert found == [
            ("rename", ["Anna P."], "Anna Petrova", "olga"),
            ("merge", ["Borya"], "Boris", "olga"),
            ("added", [], "Ivan", ""),
        ]

    def test_reads_the_edit_log_the_character_services_write(self, editor):
        from annotations.services.changes import edit_undo
        from annotations.services.characters import character_merge, character_rename

        story = make_story(DIFF_TEXT, status=Story.Status.IN_PROGRESS)
        anna = make_character(story, "Anna P.")
        boris, borya = make_character(story, "Boris"), make_character(story, "Borya")
        character_rename(story=story, pk=anna.pk, name="Anna Petrova", user=editor, version=story.version)
        merge = character_merge(
            story=story, source_pk=borya.pk, target_pk=boris.pk, user=editor, version=story.version
        )
        found = [(c.kind, c.old_names, c.new_name) for c in review_diff(story=story).characters]
        assert found == [("rename", ["Anna P."], "Anna Petrova"), ("merge", ["Borya"], "Boris")]
        edit_undo(story=story, edit=merge.edit, version=story.version, user=editor)
        found = [(c.kind, c.old_names, c.new_name) for c in review_diff(story=story).characters]
        assert found == [("rename", ["Anna P."], "Anna Petrova")]

    def test_a_span_relabelled_and_rebounded_is_listed_under_both(self):
        story = make_story("Lord Byron wrote.", status=Story.Status.DONE)
        make_entity(story, "Byron", "PERSON", model_start=0, model_end=10, model_label="ORG")
        diff = review_diff(story=story)
        assert len(diff.relabelled) == 1 and len(diff.rebounded) == 1
        assert diff.rebounded[0].model_text == "Lord Byron"

    def test_page_shows_the_diff(self, reviewer_client):
        story = story_with_every_change()
        html = reviewer_client.get(reverse("annotations:review-detail", args=[story.pk])).content.decode()
        assert "Added by the editor: 1" in html and "Removed model predictions: 1" in html
        assert "Relabelled: 1" in html and "Re-bounded: 1" in html
        assert '<span class="label old">PERSON</span> → <span class="label">GPE</span>' in html
        assert "model had “the Grand Hotel”" in html
        assert "<mark>Boris</mark>" in html and "<mark>Ivan</mark>" in html
        assert "Anna P. → <strong>Anna Petrova</strong>" in html
        assert "Borya → <strong>Boris</strong>" in html
        assert "Vanya" not in html  # the undone rename
        assert "1 suggestion never reviewed" in html and "1 model span kept as drafted" in html
        assert '<li class="change pending">' in html and "<mark>Monday</mark>" in html


class TestReviewQueue:
    def test_lists_done_stories_with_change_counts(self, reviewer_client):
        story = story_with_every_change()
        make_story(title="Still being edited", status=Story.Status.IN_PROGRESS)
        row = review_queue().get()
        assert row == story
        assert (row.span_count, row.added, row.removed, row.relabelled, row.rebounded) == (5, 1, 1, 1, 1)
        assert (row.character_count, row.last_editor) == (2, "olga")
        html = reviewer_client.get(reverse("annotations:review-queue")).content.decode()
        assert "Diff story" in html and "Still being edited" not in html
        assert ">+1</span>" in html and ">−1</span>" in html and "olga" in html

    def test_status_tab_and_batch_filter(self, reviewer_client):
        from tests.factories import make_batch

        batch = make_batch("autumn")
        make_story(title="Approved one", status=Story.Status.APPROVED, batch=batch)
        make_story(title="Approved elsewhere", status=Story.Status.APPROVED)
        url = reverse("annotations:review-queue")
        html = reviewer_client.get(
            url, {"status": "approved", "batch": batch.pk}, headers=HTMX
        ).content.decode()
        assert "Approved one" in html and "Approved elsewhere" not in html

    def test_pages_of_fifty(self, reviewer_client):
        for n in range(51):
            make_story(title=f"Done {n:02d}", status=Story.Status.DONE)
        url = reverse("annotations:review-queue")
        first = reviewer_client.get(url).content.decode()
        assert "Done 49" in first and "Done 50" not in first and "Page 1 of 2 · 51 stories" in first
        second = reviewer_client.get(url, {"page": 2}, headers=HTMX).content.decode()
        assert "Done 50" in second and "Done 00" not in second and 'rel="prev"' in second

    def test_a_long_queue_and_its_tabs_stop_counting_at_their_caps(self, reviewer_client, monkeypatch):
        monkeypatch.setattr("core.pagination.MAX_PAGES", 1)
        monkeypatch.setattr("annotations.selectors.review.TAB_COUNT_CAP", 3)
        for n in range(51):
            make_story(title=f"Done {n:02d}", status=Story.Status.DONE)
        make_story(status=Story.Status.APPROVED)
        html = reviewer_client.get(reverse("annotations:review-queue")).content.decode()
        assert "Page 1 of more than 1 · more than 50 stories" in html and 'rel="next"' not in html
        assert re.search(r'Awaiting review <span class="count">3\+</span>', html)
        assert re.search(r'Approved <span class="count">1</span>', html)

    def test_empty_queue_says_so(self, reviewer_client):
        html = reviewer_client.get(reverse("annotations:review-queue")).content.decode()
        assert "Nothing to review: no story is marked done." in html

    def test_bad_filter_is_a_400_with_a_message(self, reviewer_client):
        response = reviewer_client.get(reverse("annotations:review-queue"), {"status": "bogus"})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()


ROLES = ["anonymous", "none", "editor", "reviewer", "admin"]
GET_URLS = [
    ("annotations:review-queue", False, "review-queue"),
    ("annotations:review-detail", True, "review-diff"),
    ("annotations:dashboard", False, "dashboard-body"),
]


def assert_sent_to_login(response, htmx):
    # htmx requests get a 401 with HX-Redirect (core.middleware), plain ones a 302.
    if htmx:
        assert response.status_code == 401 and response["HX-Redirect"].startswith(reverse("login"))
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def client_for(client, role):
    if role != "anonymous":
        client.force_login(make_user(role))
    return client


class TestPermissionMatrix:
    @pytest.mark.parametrize("htmx", [False, True])
    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize(("name", "needs_pk", "target"), GET_URLS)
    def test_get_pages(self, client, role, name, needs_pk, target, htmx):
        story = make_story(title="A done story", status=Story.Status.DONE)
        url = reverse(name, args=[story.pk] if needs_pk else [])
        response = client_for(client, role).get(url, headers=HTMX if htmx else {})
        html = response.content.decode()
        if role == "anonymous":
            assert_sent_to_login(response, htmx)
        elif role in ("none", "editor"):
            # core.access.reviewer_required: the 403 page, whose data-error-message app.js shows to htmx.
            assert response.status_code == 403
            assert "<p data-error-message>Only reviewers and admins can open the review queue" in html
            assert f'id="{target}"' not in html
        else:
            assert response.status_code == 200
            assert f'id="{target}"' in html
            assert ("<html" in html) is not htmx

    @pytest.mark.parametrize("htmx", [False, True])
    @pytest.mark.parametrize("role", ROLES)
    def test_approve(self, client, role, htmx):
        story = make_story(title="A done story", status=Story.Status.DONE)
        url = reverse("annotations:review-approve", args=[story.pk])
        data = {"version": story.version}
        response = client_for(client, role).post(url, data, headers=HTMX if htmx else {})
        story.refresh_from_db()
        if role == "anonymous":
            assert_sent_to_login(response, htmx)
        if role in ("anonymous", "none", "editor"):
            assert response.status_code in (302, 401) if role == "anonymous" else response.status_code == 403
            assert story.status == Story.Status.DONE and not Edit.objects.exists()
            return
        assert story.status == Story.Status.APPROVED
        assert Edit.objects.get().action == Edit.Action.APPROVE
        if htmx:
            html = response.content.decode()
            assert response.status_code == 200 and "<html" not in html
            assert 'id="review-actions"' in html and "Approved “A done story”." in html
            assert "story-approved" in response["HX-Trigger"]
            # The notice is in the swapped panel (with a link onwards), not repeated in the site-wide region.
            assert "fabula:notice" not in json.loads(response["HX-Trigger"])
        else:
            assert response.status_code == 302 and response["Location"] == reverse("annotations:review-queue")
            follow = client.get(response["Location"]).content.decode()
            assert "Approved “A done story”." in follow

    @pytest.mark.parametrize("htmx", [False, True])
    @pytest.mark.parametrize("role", ROLES)
    def test_return(self, client, role, htmx):
        story = make_story(title="A done story", status=Story.Status.DONE)
        url = reverse("annotations:review-return", args=[story.pk])
        data = {"comment": "Tag Boris.", "version": story.version}
        response = client_for(client, role).post(url, data, headers=HTMX if htmx else {})
        story.refresh_from_db()
        if role == "anonymous":
            assert_sent_to_login(response, htmx)
        if role in ("anonymous", "none", "editor"):
            assert response.status_code in (302, 401) if role == "anonymous" else response.status_code == 403
            assert story.status == Story.Status.DONE and story.review_comment == ""
            return
        assert (story.status, story.review_comment) == (Story.Status.RETURNED, "Tag Boris.")
        assert Edit.objects.get().action == Edit.Action.RETURN
        if htmx:
            html = response.content.decode()
            assert response.status_code == 200 and "<html" not in html
            assert "Returned “A done story” to the editor." in html
            assert "Returned with: “Tag Boris.”" in html
            assert "story-returned" in response["HX-Trigger"]
        else:
            assert response.status_code == 302

    @pytest.mark.parametrize("name", ["annotations:review-approve", "annotations:review-return"])
    def test_get_is_not_allowed_on_actions(self, reviewer_client, name):
        story = make_story(status=Story.Status.DONE)
        assert reviewer_client.get(reverse(name, args=[story.pk])).status_code == 405

    def test_unknown_story_is_404(self, reviewer_client):
        assert reviewer_client.get(reverse("annotations:review-detail", args=[999999])).status_code == 404


class TestReviewViewsRefusals:
    def test_return_without_comment_is_400_and_changes_nothing(self, reviewer_client):
        story = make_story(status=Story.Status.DONE)
        response = reviewer_client.post(
            reverse("annotations:review-return", args=[story.pk]), {"comment": " ", "version": story.version}
        )
        assert response.status_code == 400
        assert "Write a comment that tells the editor what to fix" in response.content.decode()
        story.refresh_from_db()
        assert story.status == Story.Status.DONE and not Edit.objects.exists()

    def test_return_without_comment_over_htmx_rerenders_the_form(self, reviewer_client):
        story = make_story(status=Story.Status.DONE)
        url = reverse("annotations:review-return", args=[story.pk])
        response = reviewer_client.post(url, {"comment": "", "version": story.version}, headers=HTMX)
        html = response.content.decode()
        # htmx 2 does not swap error statuses, so the form with its message comes back as a 200.
        assert response.status_code == 200 and "<html" not in html
        assert 'id="review-actions"' in html and "Write a comment" in html
        story.refresh_from_db()
        assert story.status == Story.Status.DONE and not Edit.objects.exists()

    def test_approving_a_story_that_is_not_done_is_409(self, reviewer_client):
        story = make_story(title="Fresh", status=Story.Status.IN_PROGRESS)
        url = reverse("annotations:review-approve", args=[story.pk])
        response = reviewer_client.post(url, {"version": story.version})
        assert response.status_code == 409
        assert "“Fresh” is in progress, not done" in response.content.decode()
        story.refresh_from_db()
        assert story.status == Story.Status.IN_PROGRESS and not Edit.objects.exists()

    def test_approving_twice_over_htmx_explains(self, reviewer_client):
        story = make_story(title="Twice", status=Story.Status.DONE)
        url = reverse("annotations:review-approve", args=[story.pk])
        reviewer_client.post(url, {"version": story.version}, headers=HTMX)
        html = reviewer_client.post(url, {"version": story.version}, headers=HTMX).content.decode()
        assert "“Twice” is approved, not done" in html
        assert Edit.objects.filter(action=Edit.Action.APPROVE).count() == 1

    def test_approve_button_only_for_done_stories(self, reviewer_client):
        done = make_story(status=Story.Status.DONE)
        new = make_story(status=Story.Status.NEW)
        done_html = reviewer_client.get(reverse("annotations:review-detail", args=[done.pk])).content.decode()
        new_html = reviewer_client.get(reverse("annotations:review-detail", args=[new.pk])).content.decode()
        assert ">Approve <kbd>a</kbd></button>" in done_html and 'name="comment"' in done_html
        assert "Approve <kbd>" not in new_html and "once an editor marks it done" in new_html


class TestReviewCommentSnippet:
    def test_shows_the_comment_on_a_returned_story(self, reviewer):
        story = make_story(status=Story.Status.DONE)
        story = story_return(story=story, user=reviewer, comment="Paris is a place <b>not</b> a person.")
        html = render_to_string("annotations/_review_comment.html", {"story": story})
        assert "Returned by the reviewer" in html
        assert "Paris is a place &lt;b&gt;not&lt;/b&gt; a person." in html

    def test_hidden_once_the_story_moves_on(self):
        story = make_story(status=Story.Status.DONE, review_comment="stale")
        assert render_to_string("annotations/_review_comment.html", {"story": story}).strip() == ""
