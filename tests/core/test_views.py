"""The notifications page and mark read: own notifications only, htmx partials, POST/redirect/GET."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import notifications
from core.models import Notification
from stories.models import Story
from tests.factories import make_story, make_user
from tests.permissions import assert_csrf_enforced, assert_permission_matrix

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LIST = reverse("core:notification-list")
READ_ALL = reverse("core:notification-read-all")


def read_url(notification: Notification) -> str:
    return reverse("core:notification-read", kwargs={"notification_id": notification.pk})


def notify(user, message="rita approved “Swan”.", kind=Notification.Kind.APPROVED, url="/stories/7/"):
    return notifications.notify(recipient=user, kind=kind, message=message, url=url)


class TestPage:
    def test_lists_own_notifications_newest_first_linking_to_the_story(self, editor_client, editor):
        notify(editor, "older news", url="/stories/1/")
        notify(editor, "newer news", url="/stories/2/")
        notify(make_user("editor"), "someone else's news")
        response = editor_client.get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("newer news") < html.index("older news")
        assert "someone else" not in html
        assert '<a href="/stories/2/">newer news</a>' in html

    def test_marks_unread_ones_and_offers_mark_read(self, editor_client, editor):
        unread, read = notify(editor, "fresh"), notify(editor, "seen")
        notifications.notifications_mark_read(user=editor, ids=[read.pk])
        html = editor_client.get(LIST).content.decode()
        assert f'id="notification-{unread.pk}" class="notification notification--unread"' in html
        assert f'id="notification-{read.pk}" class="notification"' in html
        assert read_url(unread) in html and read_url(read) not in html

    def test_badge_in_the_top_bar_counts_unread(self, editor_client, editor):
        notify(editor), notify(editor)
        html = editor_client.get(reverse("stories:story-list")).content.decode()
        assert 'aria-label="Notifications: 2 unread"' in html
        notifications.notifications_mark_read(user=editor)
        html = editor_client.get(reverse("stories:story-list")).content.decode()
        assert "unread" not in html.split('id="notification-badge"')[1].split("</a>")[0]

    def test_empty(self, editor_client):
        assert "No notifications yet" in editor_client.get(LIST).content.decode()

    def test_reviewers_see_how_many_stories_await_review(self, reviewer_client):
        make_story(status=Story.Status.DONE), make_story(status=Story.Status.DONE)
        make_story(status=Story.Status.APPROVED)
        html = reviewer_client.get(LIST).content.decode()
        assert "<strong>2</strong> stories awaiting review" in html
        assert reverse("annotations:review-queue") in html

    def test_editors_do_not(self, editor_client):
        make_story(status=Story.Status.DONE)
        assert "awaiting review" not in editor_client.get(LIST).content.decode()

    def test_permissions(self):
        assert_permission_matrix(LIST, expected={"none": 403, "editor": 200, "reviewer": 200, "admin": 200})


class TestMarkRead:
    def test_without_js_redirects_back(self, editor_client, editor):
        notification = notify(editor)
        response = editor_client.post(read_url(notification))
        assert response.status_code == 302 and response["Location"] == LIST
        notification.refresh_from_db()
        assert notification.read_at is not None

    def test_htmx_answers_the_item_and_the_badge_out_of_band(self, editor_client, editor):
        notification, _other = notify(editor), notify(editor)
        response = editor_client.post(read_url(notification), headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith(f'<li id="notification-{notification.pk}" class="notification">')
        assert 'id="notification-badge"' in html and 'hx-swap-oob="true"' in html
        assert 'aria-label="Notifications: 1 unread"' in html
        assert "<html" not in html

    def test_someone_elses_notification_is_404_and_stays_unread(self, editor_client):
        theirs = notify(make_user("editor"))
        assert editor_client.post(read_url(theirs)).status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_get_is_not_allowed(self, editor_client, editor):
        assert editor_client.get(read_url(notify(editor))).status_code == 405

    def test_permissions_and_csrf(self):
        assert_permission_matrix(
            lambda user: read_url(notify(user)) if user else "/notifications/1/read/",
            method="post",
            expected={"none": 403, "editor": 302, "reviewer": 302, "admin": 302},
        )
        assert_csrf_enforced(read_url(notify(make_user("editor"))), role="editor")


class TestMarkAllRead:
    def test_without_js_marks_only_own_and_redirects_with_a_message(self, editor_client, editor):
        mine = [notify(editor), notify(editor)]
        theirs = notify(make_user("editor"))
        response = editor_client.post(READ_ALL, follow=True)
        assert response.redirect_chain == [(LIST, 302)]
        assert "Marked 2 notifications read." in response.content.decode()
        assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_htmx_answers_the_list_and_the_badge(self, editor_client, editor):
        notify(editor)
        response = editor_client.post(READ_ALL, headers=HTMX)
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="notifications"')
        assert "notification--unread" not in html
        assert 'hx-swap-oob="true"' in html
        assert "Marked 1 notification read." in response.headers["HX-Trigger"]

    def test_permissions_and_csrf(self):
        assert_permission_matrix(
            READ_ALL, method="post", expected={"none": 403, "editor": 302, "reviewer": 302, "admin": 302}
        )
        assert_csrf_enforced(READ_ALL, role="editor")
