"""Notifications in Chromium: a reviewer approves a story, its editor sees the badge, opens the list and marks
the notification read; the badge updates in place."""

from __future__ import annotations

import pytest

from core.models import Notification
from stories.models import Story
from tests.browser.conftest import log_in
from tests.factories import make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_sees_the_approval_in_notifications(page, shot):
    editor = make_user("editor", username="edna")
    make_user("reviewer", username="rita")
    story = make_story("Anna Pavlova danced in Paris.", title="The Dying Swan", status=Story.Status.DONE)
    story.assigned_to = editor
    story.save()

    # The reviewer sees the story waiting and approves it through the review page.
    log_in(page, "rita")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_text("1 story awaiting review").wait_for()
    page.get_by_role("link", name="Open the review queue").click()
    page.get_by_role("link", name="The Dying Swan").click()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved “The Dying Swan”.").wait_for()
    assert Notification.objects.filter(recipient=editor, kind="approved").count() == 1
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")

    # The editor logs in and finds the badge in the top bar.
    log_in(page, "edna")
    badge = page.get_by_role("link", name="Notifications: 1 unread")
    assert badge.is_visible()
    assert badge.locator(".pill").inner_text() == "1"
    shot("notifications-badge")
    badge.click()
    page.get_by_role("heading", name="Notifications").wait_for()
    item = page.locator("li.notification--unread")
    assert "rita approved “The Dying Swan”." in item.inner_text()
    assert item.get_by_role("link").get_attribute("href") == f"/stories/{story.pk}/"
    shot("notifications-page", doc=True)

    # Marking it read swaps the item and the badge in place (htmx), without a reload.
    page.evaluate("window.__stayed = true")
    item.get_by_role("button", name="Mark read").click()
    page.wait_for_function("() => !document.querySelector('li.notification--unread')")
    assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
    assert page.locator("#notification-badge .pill").count() == 0
    assert page.evaluate("window.__stayed") is True
    assert Notification.objects.get(recipient=editor).read_at is not None
    shot("notifications-read")

    # The link opens the story.
    page.get_by_role("link", name="rita approved “The Dying Swan”.").click()
    page.wait_for_url(f"**/stories/{story.pk}/")
