"""In Chromium: the API docs page renders from Fabula's own files, and a person makes and revokes a token."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import log_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_without_any_outside_request(page, live_server, shot):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").filter(has_text="Fabula API").wait_for()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/stories/{story_id}/predictions").count()
    assert hosts == {urlsplit(live_server.url).netloc}
    shot("api-docs")


def test_a_person_makes_and_revokes_a_token(page, shot):
    make_user("editor", username="edna")
    log_in(page, "edna")
    page.get_by_role("link", name="edna").click()
    page.get_by_label("Name").fill("training job")
    page.get_by_role("button", name="Make a token").click()
    key = page.get_by_test_id("new-token").inner_text()
    assert key.startswith("fab_")
    assert page.get_by_role("cell", name="training job", exact=True).is_visible()
    shot("account-token-made", doc=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile(r"Revoke\W+training job")).click()
    page.get_by_text("You have no API tokens.").wait_for()
    assert not page.get_by_test_id("new-token").count()
