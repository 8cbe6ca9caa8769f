"""Defence in depth: login throttling, no caching of authenticated pages, and the CSP header."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db


def _log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_many_wrong_passwords_lock_that_username_and_address_out(client, settings):
    make_user("editor", username="anna", password="the-right-one")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, "anna", "wrong").status_code == 200  # the form again, with its error
    locked = _log_in(client, "anna", "wrong")
    assert locked.status_code == 429
    for _ in range(20):  # 25 wrong passwords in all
        _log_in(client, "anna", "wrong")
    right = _log_in(client, "anna", "the-right-one")
    assert right.status_code == 429 and not _logged_in(client)
    page = html.unescape(right.content.decode())
    assert "Too many failed log-ins for “anna” from this address: log-in is locked for 15 minutes." in page
    assert 'name="password"' in page  # still the login page


def test_the_lock_is_per_username_and_address_and_ends_after_the_cool_off(client, settings):
    make_user("editor", username="anna", password="the-right-one")
    make_user("editor", username="boris", password="his-own")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "anna", "wrong")
    # A stranger's failures lock neither a colleague at the same address nor anna at her own desk.
    assert _log_in(Client(), "boris", "his-own").status_code == 302
    assert _log_in(Client(), "anna", "the-right-one", address="10.0.0.2").status_code == 302
    assert _log_in(client, "anna", "the-right-one").status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME)
    assert _log_in(client, "anna", "the-right-one").status_code == 302 and _logged_in(client)


def test_the_limit_comes_from_settings(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("editor", username="anna", password="the-right-one")
    assert _log_in(client, "anna", "wrong").status_code == 200
    assert _log_in(client, "anna", "wrong").status_code == 429


def test_a_right_password_before_the_limit_resets_the_count(client, settings):
    make_user("editor", username="anna", password="the-right-one")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, "anna", "wrong")
    assert _log_in(client, "anna", "the-right-one").status_code == 302
    client.post("/logout/")
    assert _log_in(client, "anna", "wrong").status_code == 200  # counting starts again


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?mine=1",
        "/stories/{pk}/",
        "/review/",
        "/review/{pk}/",
        "/export/",
        "/notifications/",
        "/dashboard/",
    ],
)
def test_authenticated_pages_are_private_no_store(client, path):
    story = make_story()
    client.force_login(make_user("admin"))
    response = client.get(path.format(pk=story.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_every_page_sends_the_content_security_policy(client):
    client.force_login(make_user("editor"))
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy and directives["object-src"] == "'none'"
