"""Approving or returning a story notifies its editor: the assignee, else whoever last edited it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from annotations.models import Edit
from annotations.services.review import ReviewConflict, story_approve, story_return
from core.models import Notification
from stories.models import Story
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db

COMMENT = "Boris is a person: accept the suggestion."


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the SMTP server is down")


def edited_by(story: Story, user, action=Edit.Action.CREATE) -> None:
    Edit.objects.create(story=story, user=user, action=action, summary="an edit")


class TestRecipients:
    def test_return_tells_the_assignee_with_the_comment(self, reviewer, editor):
        story = make_story(title="Swan", status=Story.Status.DONE, assigned_to=editor)
        story_return(story=story, user=reviewer, comment=COMMENT)
        notification = Notification.objects.get()
        assert notification.recipient == editor
        assert notification.kind == Notification.Kind.RETURNED
        assert notification.message == f"rev returned “Swan” to you: {COMMENT}"
        assert notification.url == reverse("annotations:story-detail", kwargs={"pk": story.pk})

    def test_approve_tells_the_assignee(self, reviewer, editor):
        story = make_story(title="Swan", status=Story.Status.DONE, assigned_to=editor)
        story_approve(story=story, user=reviewer)
        notification = Notification.objects.get()
        assert (notification.recipient, notification.kind) == (editor, Notification.Kind.APPROVED)
        assert notification.message == "rev approved “Swan”."

    @pytest.mark.parametrize("decide", ["approve", "return"])
    def test_unassigned_story_tells_the_last_editor(self, reviewer, decide):
        earlier, last = make_user("editor"), make_user("editor")
        story = make_story(status=Story.Status.DONE)
        edited_by(story, earlier)
        edited_by(story, last, Edit.Action.STATUS)
        edited_by(story, reviewer)  # the reviewer's own fix before deciding is not whom to tell
        if decide == "approve":
            story_approve(story=story, user=reviewer)
        else:
            story_return(story=story, user=reviewer, comment=COMMENT)
        assert list(Notification.objects.values_list("recipient", flat=True)) == [last.pk]

    def test_an_earlier_decision_is_not_editing(self, reviewer, editor):
        other_reviewer = make_user("reviewer")
        story = make_story(status=Story.Status.DONE)
        edited_by(story, editor)
        edited_by(story, other_reviewer, Edit.Action.RETURN)
        story_approve(story=story, user=reviewer)
        assert Notification.objects.get().recipient == editor

    def test_nobody_to_tell(self, reviewer):
        story_approve(story=make_story(status=Story.Status.DONE), user=reviewer)
        assert not Notification.objects.exists()

    def test_a_reviewer_deciding_on_their_own_story_is_not_told(self, reviewer):
        story = make_story(status=Story.Status.DONE, assigned_to=reviewer)
        story_return(story=story, user=reviewer, comment=COMMENT)
        assert not Notification.objects.exists()

    def test_a_refused_decision_tells_nobody(self, reviewer, editor):
        story = make_story(status=Story.Status.IN_PROGRESS, assigned_to=editor)
        with pytest.raises(ReviewConflict, match="only done or approved"):
            story_return(story=story, user=reviewer, comment=COMMENT)
        assert not Notification.objects.exists()


class TestEmail:
    def test_return_mails_the_editor_when_mail_is_configured(
        self, settings, reviewer, editor, django_capture_on_commit_callbacks
    ):
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        editor.email = "ed@example.org"
        editor.save()
        story = make_story(title="Swan", status=Story.Status.DONE, assigned_to=editor)
        with django_capture_on_commit_callbacks(execute=True):
            story_return(story=story, user=reviewer, comment=COMMENT)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["ed@example.org"]
        assert COMMENT in mail.outbox[0].body

    def test_a_failing_mail_server_does_not_undo_the_return(
        self, settings, reviewer, editor, django_capture_on_commit_callbacks
    ):
        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
        editor.email = "ed@example.org"
        editor.save()
        story = make_story(status=Story.Status.DONE, assigned_to=editor)
        with django_capture_on_commit_callbacks(execute=True):
            returned = story_return(story=story, user=reviewer, comment=COMMENT)
        assert returned.status == Story.Status.RETURNED
        story.refresh_from_db()
        assert story.status == Story.Status.RETURNED
        assert Notification.objects.filter(recipient=editor, kind="returned").count() == 1
