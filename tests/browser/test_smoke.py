"""The browser can reach the live server, log in and see the story list."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.factories import make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_logs_in_and_sees_the_story_list(page, shot):
    make_user("editor", username="edna")
    make_story(title="The Dying Swan")
    log_in(page, "edna")
    assert page.get_by_text("The Dying Swan").is_visible()
    shot("smoke-story-list")
