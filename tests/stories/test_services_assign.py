"""story_assign / story_assign_many: who may assign, to whom, what the history records, who is notified."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import Notification
from stories import services
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db


class TestStoryAssign:
    def test_reviewer_assigns_and_history_names_them(self, reviewer, editor):
        story = make_story()
        services.story_assign(story=story, editor=editor, by=reviewer)
        story.refresh_from_db()
        assert story.assigned_to == editor
        assert story.history.first().history_user == reviewer

    def test_editor_may_not_assign(self, editor):
        story = make_story()
        with pytest.raises(PermissionDenied):
            services.story_assign(story=story, editor=editor, by=editor)
        story.refresh_from_db()
        assert story.assigned_to is None

    @pytest.mark.parametrize("kind", ["roleless", "inactive"])
    def test_only_active_annotators_receive_stories(self, admin_user, kind):
        person = make_user("none" if kind == "roleless" else "editor")
        if kind == "inactive":
            person.is_active = False
            person.save()
        with pytest.raises(ValidationError, match="cannot be given stories"):
            services.story_assign(story=make_story(), editor=person, by=admin_user)

    def test_unassign(self, admin_user, editor):
        story = make_story(assigned_to=editor)
        services.story_assign(story=story, editor=None, by=admin_user)
        story.refresh_from_db()
        assert story.assigned_to is None

    def test_many_is_all_or_nothing(self, admin_user, editor, monkeypatch):
        first, second = make_story(), make_story()
        real = services._assign

        def fail_on_second(*, story, editor, by):
            if story == second:
                raise ValidationError("boom")
            return real(story=story, editor=editor, by=by)

        monkeypatch.setattr(services, "_assign", fail_on_second)
        with pytest.raises(ValidationError):
            services.story_assign_many(stories=[first, second], editor=editor, by=admin_user)
        first.refresh_from_db()
        assert first.assigned_to is None  # the first assignment was rolled back with the batch
        assert not Notification.objects.exists()  # ...and so was the news of it


class TestAssignNotifications:
    def test_the_new_assignee_is_told(self, reviewer, editor):
        story = make_story(title="The Dying Swan")
        services.story_assign(story=story, editor=editor, by=reviewer)
        notification = Notification.objects.get()
        assert notification.recipient == editor
        assert notification.kind == Notification.Kind.ASSIGNED
        assert notification.message == "rev assigned “The Dying Swan” to you."
        assert notification.url == reverse("annotations:story-detail", kwargs={"pk": story.pk})

    def test_not_when_assigning_to_yourself(self, reviewer):
        services.story_assign(story=make_story(), editor=reviewer, by=reviewer)
        assert not Notification.objects.exists()

    def test_not_when_unassigning(self, reviewer, editor):
        story = make_story(assigned_to=editor)
        services.story_assign(story=story, editor=None, by=reviewer)
        assert not Notification.objects.exists()

    def test_not_again_when_the_story_is_already_theirs(self, reviewer, editor):
        services.story_assign(story=make_story(assigned_to=editor), editor=editor, by=reviewer)
        assert not Notification.objects.exists()

    def test_reassigning_tells_only_the_new_assignee(self, reviewer, editor):
        newcomer = make_user("editor")
        services.story_assign(story=make_story(assigned_to=editor), editor=newcomer, by=reviewer)
        assert list(Notification.objects.values_list("recipient", flat=True)) == [newcomer.pk]

    def test_many_stories_make_one_notification(self, reviewer, editor):
        stories = [make_story(), make_story(), make_story(assigned_to=editor)]
        assert services.story_assign_many(stories=stories, editor=editor, by=reviewer) == 3
        notification = Notification.objects.get()
        assert notification.recipient == editor
        assert notification.message == "rev assigned 2 stories to you."  # the third was theirs already
        assert notification.url == reverse("stories:my-queue")

    def test_many_with_one_new_story_names_it(self, reviewer, editor):
        story = make_story(title="Swan")
        services.story_assign_many(stories=[story], editor=editor, by=reviewer)
        notification = Notification.objects.get()
        assert "“Swan”" in notification.message
        assert notification.url == reverse("annotations:story-detail", kwargs={"pk": story.pk})


class TestNextStory:
    def test_my_queue_first_returned_before_started_before_new(self):
        from stories.services import story_next

        editor = make_user("editor")
        new = make_story("A new one.", assigned_to=editor)
        started = make_story("A started one.", assigned_to=editor, status="in_progress")
        returned = make_story("A returned one.", assigned_to=editor, status="returned")
        make_story("Done already.", assigned_to=editor, status="done")
        assert story_next(user=editor) == returned
        returned.status = "done"
        returned.save()
        assert story_next(user=editor) == started
        started.status = "done"
        started.save()
        assert story_next(user=editor) == new

    def test_then_the_next_unassigned_story_is_claimed(self, client):
        editor, other = make_user("editor"), make_user("editor")
        make_story("Someone else's.", assigned_to=other)
        free = make_story("Nobody's yet.")
        client.force_login(editor)
        response = client.post(reverse("stories:story-next"))
        assert response.status_code == 302 and response["Location"] == f"/stories/{free.pk}/"
        free.refresh_from_db()
        assert free.assigned_to == editor

    def test_nothing_left_says_so(self, client):
        client.force_login(make_user("editor"))
        response = client.post(reverse("stories:story-next"), follow=True)
        assert "Nothing left to do" in response.content.decode()
