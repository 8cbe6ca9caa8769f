"""One-item decisions from the review page: revert one span or character change to the model's draft,
accept or reject one remaining suggestion; the service rules, the page's buttons and every refusal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from annotations.models import Character, Edit, Entity
from annotations.selectors.review import review_diff
from annotations.services.changes import StaleVersion
from annotations.services.characters import character_create, character_rename
from annotations.services.editing import entity_revert
from stories.models import Story
from tests.factories import make_character, make_entity, make_story, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ACCEPTED = Entity.ReviewState.ACCEPTED
REJECTED = Entity.ReviewState.REJECTED
PENDING = Entity.ReviewState.PENDING
TEXT = "Anna Petrova danced in Paris with Boris at the Grand Hotel."


def done_story() -> tuple[Story, dict[str, Entity]]:
    story = make_story(TEXT, title="Decisions", status=Story.Status.DONE, version=5)
    hotel = TEXT.index("the Grand Hotel")
    rows = {
        "kept": make_entity(story, "Anna Petrova", "PERSON", review_state=ACCEPTED),
        "relabelled": make_entity(story, "Paris", "GPE", model_label="PERSON", review_state=ACCEPTED),
        "removed": make_entity(story, "Boris", "PERSON", review_state=REJECTED),
        "rebounded": make_entity(
            story, "Grand Hotel", "ORG", model_start=hotel, model_end=hotel + 15, review_state=ACCEPTED
        ),
    }
    return story, rows


class TestEntityRevert:
    def test_a_relabelled_span_gets_the_model_label_back_and_stays_accepted(self, reviewer):
        story, rows = done_story()
        change = entity_revert(story=story, pk=rows["relabelled"].pk, user=reviewer, version=5)
        row = Entity.objects.get(pk=rows["relabelled"].pk)
        assert (row.label_id, row.review_state, row.updated_by) == ("PERSON", ACCEPTED, reviewer)
        assert change.edit.action == Edit.Action.REVERT
        assert Story.objects.get(pk=story.pk).status == Story.Status.DONE
        assert Story.objects.get(pk=story.pk).version == 6

    def test_a_rebounded_span_gets_the_model_bounds_and_text_back(self, reviewer):
        story, rows = done_story()
        entity_revert(story=story, pk=rows["rebounded"].pk, user=reviewer, version=5)
        row = Entity.objects.get(pk=rows["rebounded"].pk)
        assert (row.start, row.end, row.text) == (row.model_start, row.model_end, "the Grand Hotel")

    def test_a_removed_prediction_comes_back_accepted(self, reviewer):
        story, rows = done_story()
        entity_revert(story=story, pk=rows["removed"].pk, user=reviewer, version=5)
        assert Entity.objects.get(pk=rows["removed"].pk).review_state == ACCEPTED
        assert not review_diff(story=story).removed

    def test_an_editors_own_span_is_removed(self, reviewer):
        story, _rows = done_story()
        Entity.objects.filter(story=story, text="Boris").delete()
        added = make_entity(story, "Boris", "PERSON", origin=Entity.Origin.EDITOR, review_state=ACCEPTED)
        entity_revert(story=story, pk=added.pk, user=reviewer, version=5)
        assert not Entity.objects.filter(pk=added.pk).exists()

    def test_the_revert_is_one_undoable_change(self, reviewer):
        from annotations.services.changes import edit_undo

        story, rows = done_story()
        entity_revert(story=story, pk=rows["relabelled"].pk, user=reviewer, version=5)
        edit_undo(story=story, edit=None, version=6, user=reviewer)
        assert Entity.objects.get(pk=rows["relabelled"].pk).label_id == "GPE"

    def test_a_span_as_drafted_has_nothing_to_revert(self, reviewer):
        story, rows = done_story()
        with pytest.raises(ValidationError, match="as the model drafted it"):
            entity_revert(story=story, pk=rows["kept"].pk, user=reviewer, version=5)
        assert Story.objects.get(pk=story.pk).version == 5
        assert not Edit.objects.filter(story=story).exists()

    def test_model_bounds_that_now_overlap_another_span_are_refused(self, reviewer):
        story, rows = done_story()
        make_entity(story, "the Grand", "ORG", origin=Entity.Origin.EDITOR, review_state=ACCEPTED)
        with pytest.raises(ValidationError, match="overlaps “the Grand”"):
            entity_revert(story=story, pk=rows["rebounded"].pk, user=reviewer, version=5)
        assert Entity.objects.get(pk=rows["rebounded"].pk).text == "Grand Hotel"

    def test_a_page_that_missed_another_reviewers_change_of_the_span_is_refused(self, reviewer):
        story, rows = done_story()
        from annotations.models import Label
        from annotations.services.editing import entity_relabel

        other = make_user("reviewer", username="rosa")
        loc = Label.objects.get(name="LOC")
        entity_relabel(story=story, pk=rows["relabelled"].pk, label=loc, user=other, version=5)
        with pytest.raises(StaleVersion, match="rosa changed this"):
            entity_revert(story=story, pk=rows["removed"].pk, user=reviewer, version=5)
            entity_revert(story=story, pk=rows["relabelled"].pk, user=reviewer, version=5)
        # The first revert (another span) stood; the clashing one rolled back.
        assert Entity.objects.get(pk=rows["removed"].pk).review_state == ACCEPTED

    def test_editors_cannot_revert_on_a_done_story(self, editor):
        story, rows = done_story()
        with pytest.raises(PermissionDenied, match="done and waiting for review"):
            entity_revert(story=story, pk=rows["relabelled"].pk, user=editor, version=5)

    def test_an_approved_story_is_read_only_even_for_reviewers(self, reviewer):
        story, rows = done_story()
        Story.objects.filter(pk=story.pk).update(status=Story.Status.APPROVED)
        with pytest.raises(PermissionDenied, match="approved"):
            entity_revert(story=story, pk=rows["relabelled"].pk, user=reviewer, version=5)


def _post(client, name, story, *args, version=None, htmx=True):
    url = reverse(f"annotations:{name}", args=[story.pk, *args])
    data = {"version": story.version if version is None else version}
    return client.post(url, data, headers=HTMX if htmx else {})


class TestReviewPageDecisions:
    def test_every_span_change_has_a_revert_button_and_the_page_says_what_it_does(self, reviewer_client):
        story, rows = done_story()
        html = reviewer_client.get(reverse("annotations:review-detail", args=[story.pk])).content.decode()
        for key in ("relabelled", "removed", "rebounded"):
            assert reverse("annotations:review-entity-revert", args=[story.pk, rows[key].pk]) in html
        assert reverse("annotations:review-entity-revert", args=[story.pk, rows["kept"].pk]) not in html
        assert "Revert takes back one editor change" in html

    def test_revert_with_htmx_answers_the_diff_without_the_change(self, reviewer_client):
        story, rows = done_story()
        response = _post(reviewer_client, "review-entity-revert", story, rows["relabelled"].pk)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="review-diff"' in html and "<html" not in html
        assert "Reverted “Paris” to the model&#x27;s draft." in html
        assert "Relabelled: 0" in html
        assert 'name="version" value="6"' in html
        assert Entity.objects.get(pk=rows["relabelled"].pk).label_id == "PERSON"

    def test_revert_without_htmx_redirects_back_with_a_message(self, reviewer_client):
        story, rows = done_story()
        response = _post(reviewer_client, "review-entity-revert", story, rows["removed"].pk, htmx=False)
        assert response.status_code == 302
        assert response["Location"] == reverse("annotations:review-detail", args=[story.pk])
        page = reviewer_client.get(response["Location"]).content.decode()
        assert "Reverted “Boris” to the model&#x27;s draft." in page

    def test_a_clash_is_a_409_that_changes_nothing(self, reviewer_client):
        story, rows = done_story()
        Entity.objects.filter(pk=rows["relabelled"].pk).update(label_id="LOC")
        Edit.objects.create(
            story=story, user=make_user("reviewer", username="rosa"), action=Edit.Action.RELABEL,
            summary="“Paris”: GPE → LOC", story_version=6,
            before=[{"model": "entity", "id": rows["relabelled"].pk, "fields": {}}],
            after=[{"model": "entity", "id": rows["relabelled"].pk, "fields": {}}],
        )  # fmt: skip
        Story.objects.filter(pk=story.pk).update(version=6)
        response = _post(
            reviewer_client, "review-entity-revert", story, rows["relabelled"].pk, version=5, htmx=False
        )
        assert response.status_code == 409
        assert "rosa changed this (“Paris”: GPE → LOC) after your page loaded it" in response.content.decode()
        assert Entity.objects.get(pk=rows["relabelled"].pk).label_id == "LOC"

    def test_a_missing_version_is_a_400(self, reviewer_client):
        story, rows = done_story()
        url = reverse("annotations:review-entity-revert", args=[story.pk, rows["relabelled"].pk])
        response = reviewer_client.post(url, {})
        assert response.status_code == 400
        assert "The page sent no story version; reload it." in response.content.decode()

    def test_nothing_to_revert_is_a_400_with_the_reason(self, reviewer_client):
        story, rows = done_story()
        response = _post(reviewer_client, "review-entity-revert", story, rows["kept"].pk, htmx=False)
        assert response.status_code == 400
        assert "is as the model drafted it" in response.content.decode()

    def test_an_entity_of_another_story_is_a_404(self, reviewer_client):
        story, _rows = done_story()
        other, other_rows = done_story()
        response = _post(reviewer_client, "review-entity-revert", story, other_rows["relabelled"].pk)
        assert response.status_code == 404

    def test_an_approved_story_shows_no_buttons_and_refuses_with_403(self, reviewer_client):
        story, rows = done_story()
        Story.objects.filter(pk=story.pk).update(status=Story.Status.APPROVED)
        html = reviewer_client.get(reverse("annotations:review-detail", args=[story.pk])).content.decode()
        assert "decision-revert" not in html
        assert 'id="diff-read-only"' in html and "is approved, so it is read-only" in html
        response = _post(reviewer_client, "review-entity-revert", story, rows["relabelled"].pk, htmx=False)
        assert response.status_code == 403
        assert Entity.objects.get(pk=rows["relabelled"].pk).label_id == "GPE"

    def test_editors_are_refused(self, editor_client):
        story, rows = done_story()
        response = _post(editor_client, "review-entity-revert", story, rows["relabelled"].pk)
        assert response.status_code == 403
        assert Entity.objects.get(pk=rows["relabelled"].pk).label_id == "GPE"

    def test_a_get_is_refused(self, reviewer_client):
        story, rows = done_story()
        url = reverse("annotations:review-entity-revert", args=[story.pk, rows["relabelled"].pk])
        assert reviewer_client.get(url).status_code == 405


class TestRemainingSuggestions:
    """A story in progress can still hold pending suggestions; the reviewer decides them one by one."""

    def story(self) -> tuple[Story, Entity, Entity]:
        story = make_story(TEXT, status=Story.Status.IN_PROGRESS, version=2)
        return story, make_entity(story, "Paris", "GPE"), make_entity(story, "Boris", "PERSON")

    def test_each_pending_suggestion_has_accept_and_reject(self, reviewer_client):
        story, paris, boris = self.story()
        html = reviewer_client.get(reverse("annotations:review-detail", args=[story.pk])).content.decode()
        for row in (paris, boris):
            assert reverse("annotations:review-entity-accept", args=[story.pk, row.pk]) in html
            assert reverse("annotations:review-entity-reject", args=[story.pk, row.pk]) in html
        assert "Suggestions the editor never reviewed" in html

    def test_accept_one_then_reject_the_other(self, reviewer_client):
        story, paris, boris = self.story()
        response = _post(reviewer_client, "review-entity-accept", story, paris.pk)
        assert "Accepted “Paris”." in response.content.decode()
        assert Entity.objects.get(pk=paris.pk).review_state == ACCEPTED
        story.refresh_from_db()
        response = _post(reviewer_client, "review-entity-reject", story, boris.pk)
        html = response.content.decode()
        assert "Rejected “Boris”." in html and "Suggestions the editor never reviewed" not in html
        assert Entity.objects.get(pk=boris.pk).review_state == REJECTED
        assert not Entity.objects.filter(story=story, review_state=PENDING).exists()
        actions = list(Edit.objects.filter(story=story).order_by("id").values_list("action", flat=True))
        assert actions == [Edit.Action.ACCEPT, Edit.Action.REJECT]

    def test_accepting_a_decided_span_says_so(self, reviewer_client):
        story, paris, _boris = self.story()
        Entity.objects.filter(pk=paris.pk).update(review_state=ACCEPTED)
        response = _post(reviewer_client, "review-entity-accept", story, paris.pk, htmx=False)
        assert response.status_code == 400
        assert "is not a pending suggestion" in response.content.decode()


class TestCharacterRevert:
    def test_a_rename_is_reverted_through_its_logged_change(self, reviewer_client):
        story = make_story(TEXT, status=Story.Status.IN_PROGRESS, version=1)
        anna = make_character(story, "Anna P.")
        character_rename(story=story, pk=anna.pk, name="Anna Petrova", user=make_user("editor"), version=1)
        Story.objects.filter(pk=story.pk).update(status=Story.Status.DONE)
        story.refresh_from_db()
        rename = Edit.objects.get(story=story, action=Edit.Action.CHARACTER_RENAME)
        page = reviewer_client.get(reverse("annotations:review-detail", args=[story.pk])).content.decode()
        assert reverse("annotations:review-edit-revert", args=[story.pk, rename.pk]) in page
        response = _post(reviewer_client, "review-edit-revert", story, rename.pk)
        html = response.content.decode()
        assert "Reverted: Renamed" in html
        assert Character.objects.get(pk=anna.pk).name == "Anna P."
        assert Edit.objects.get(pk=rename.pk).undone_by is not None
        assert "Renamed</span> Anna P." not in html

    def test_an_added_character_is_removed(self, reviewer_client):
        story = make_story(TEXT, status=Story.Status.IN_PROGRESS, version=1)
        character_create(story=story, name="Boris", user=make_user("editor"), version=1)
        Story.objects.filter(pk=story.pk).update(status=Story.Status.DONE)
        story.refresh_from_db()
        create = Edit.objects.get(story=story, action=Edit.Action.CHARACTER_CREATE)
        assert review_diff(story=story).characters[0].edit_id == create.pk
        _post(reviewer_client, "review-edit-revert", story, create.pk)
        assert not Character.objects.filter(story=story, name="Boris").exists()

    def test_a_change_a_later_edit_overwrote_is_refused_with_the_reason(self, reviewer_client):
        story = make_story(TEXT, status=Story.Status.IN_PROGRESS, version=1)
        anna = make_character(story, "Anna P.")
        editor = make_user("editor")
        character_rename(story=story, pk=anna.pk, name="Anna", user=editor, version=1)
        character_rename(story=story, pk=anna.pk, name="Anna Petrova", user=editor, version=2)
        Story.objects.filter(pk=story.pk).update(status=Story.Status.DONE)
        story.refresh_from_db()
        first = Edit.objects.filter(story=story, action=Edit.Action.CHARACTER_RENAME).order_by("id").first()
        response = _post(reviewer_client, "review-edit-revert", story, first.pk, htmx=False)
        assert response.status_code == 400
        assert "a later change touched the same character" in response.content.decode()
        assert Character.objects.get(pk=anna.pk).name == "Anna Petrova"
