"""core.notifications: storing a notification, mailing it only when mail is configured, marking read."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from core import notifications
from core.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
DUMMY = "django.core.mail.backends.dummy.EmailBackend"


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the SMTP server is down")


def mailers(backend: str) -> dict:
    return {"default": {"BACKEND": backend}}


def notify_one(user):
    fields = {"kind": Notification.Kind.APPROVED, "message": "Anna approved “Swan”.", "url": "/stories/1/"}
    return notifications.notify(recipient=user, **fields)


def with_email(user, address="edna@example.org"):
    user.email = address
    user.save()
    return user


class TestNotify:
    def test_stores_the_notification_unread(self):
        user = make_user("editor")
        notification = notify_one(user)
        assert notification.recipient == user
        assert notification.kind == "approved"
        assert notification.url == "/stories/1/"
        assert notification.read_at is None
        assert "Approved" in str(notification)

    def test_mails_once_the_action_commits(self, settings, django_capture_on_commit_callbacks):
        settings.MAILERS = mailers(LOCMEM)
        settings.FABULA_SITE_URL = "https://fabula.example.org"
        user = with_email(make_user("editor"))
        with django_capture_on_commit_callbacks(execute=True):
            notify_one(user)
        assert len(mail.outbox) == 1
        sent = mail.outbox[0]
        assert sent.to == ["edna@example.org"]
        assert "approved “Swan”" in sent.subject
        assert "https://fabula.example.org/stories/1/" in sent.body

    def test_no_mail_before_commit(self, settings, django_capture_on_commit_callbacks):
        settings.MAILERS = mailers(LOCMEM)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notify_one(with_email(make_user("editor")))
        assert len(callbacks) == 1
        assert mail.outbox == []

    def test_no_mail_with_the_dummy_backend(self, settings, django_capture_on_commit_callbacks):
        settings.MAILERS = mailers(DUMMY)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notify_one(with_email(make_user("editor")))
        assert callbacks == []
        assert Notification.objects.count() == 1

    def test_no_mail_without_an_address(self, settings, django_capture_on_commit_callbacks):
        settings.MAILERS = mailers(LOCMEM)
        with django_capture_on_commit_callbacks(execute=True):
            notify_one(make_user("editor"))
        assert mail.outbox == []

    def test_a_failing_mail_server_is_logged_not_raised(
        self, settings, django_capture_on_commit_callbacks, caplog
    ):
        settings.MAILERS = mailers(f"{__name__}.FailingBackend")
        with django_capture_on_commit_callbacks(execute=True):
            notification = notify_one(with_email(make_user("editor")))
        assert Notification.objects.filter(pk=notification.pk).exists()
        assert "Could not email notification" in caplog.text


class TestEmailBackendSetting:
    def test_only_the_dummy_backend_counts_as_unconfigured(self, settings):
        settings.MAILERS = mailers(DUMMY)
        assert not notifications.email_configured()
        settings.MAILERS = mailers("django.core.mail.backends.console.EmailBackend")
        assert notifications.email_configured()


class TestMarkRead:
    def test_all(self):
        user = make_user("editor")
        notify_one(user), notify_one(user)
        assert notifications.unread_count(user) == 2
        assert notifications.notifications_mark_read(user=user) == 2
        assert notifications.unread_count(user) == 0

    def test_chosen_ids_only(self):
        user = make_user("editor")
        first, second = notify_one(user), notify_one(user)
        assert notifications.notifications_mark_read(user=user, ids=[first.pk]) == 1
        first.refresh_from_db(), second.refresh_from_db()
        assert first.read_at is not None
        assert second.read_at is None

    def test_other_peoples_ids_are_ignored(self):
        user, other = make_user("editor"), make_user("editor")
        theirs = notify_one(other)
        assert notifications.notifications_mark_read(user=user, ids=[theirs.pk]) == 0
        assert notifications.notifications_mark_read(user=user) == 0
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_already_read_ones_keep_their_time(self):
        user = make_user("editor")
        notification = notify_one(user)
        notifications.notifications_mark_read(user=user)
        notification.refresh_from_db()
        first_read = notification.read_at
        assert notifications.notifications_mark_read(user=user) == 0
        notification.refresh_from_db()
        assert notification.read_at == first_read


class TestSelectors:
    def test_list_is_the_users_own_newest_first(self):
        user, other = make_user("editor"), make_user("editor")
        older, newer = notify_one(user), notify_one(user)
        notify_one(other)
        assert list(notifications.notification_list(user)) == [newer, older]

    def test_anonymous_has_nothing_unread(self):
        from django.contrib.auth.models import AnonymousUser

        assert notifications.unread_count(AnonymousUser()) == 0
