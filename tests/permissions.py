"""A reusable permission matrix: one URL, every kind of visitor, the status code each must get.

    from tests.permissions import assert_permission_matrix, assert_csrf_enforced

    def test_story_list_permissions(db):
        assert_permission_matrix("/", expected={"none": 403, "editor": 200, "reviewer": 200, "admin": 200})

    def test_assign_permissions(db):
        story = make_story()
        assert_permission_matrix(
            reverse("stories:story-assign"), method="post", data={"story": story.pk},
            expected={"editor": 403, "reviewer": 302, "admin": 302},
        )

Anonymous visitors are always checked: a plain request must be redirected (302) to the login page with
`?next=`, an htmx request must get 401 with `HX-Redirect` to the login page (see
stories/middleware.py). Each role gets a fresh account and a fresh client. `url` and `data` may be
callables taking the user, so a POST that changes the database can be given fresh objects per role.
Roles: "none" (an account without a group), "editor", "reviewer", "admin".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from tests.factories import make_user

HTMX_HEADERS = {"HX-Request": "true"}


def _value(value, user):
    return value(user) if callable(value) else value


def _send(client: Client, method: str, url: str, data, htmx: bool):
    headers = HTMX_HEADERS if htmx else {}
    if method == "get":
        return client.get(url, data or {}, headers=headers)
    return getattr(client, method)(url, data or {}, headers=headers)


def assert_anonymous_refused(url: str, *, method: str = "get", data: Any = None, htmx: bool = False):
    """An anonymous request is sent to the login page: 302 (plain) or 401 + HX-Redirect (htmx)."""
    login = resolve_url(settings.LOGIN_URL)
    response = _send(Client(), method, url, data, htmx)
    where = f"anonymous {'htmx ' if htmx else ''}{method.upper()} {url}"
    if htmx:
        assert response.status_code == 401, f"{where}: expected 401, got {response.status_code}"
        assert response.headers.get("HX-Redirect", "").startswith(f"{login}?next="), where
    else:
        assert response.status_code == 302, f"{where}: expected 302, got {response.status_code}"
        assert response["Location"].startswith(f"{login}?next="), f"{where}: went to {response['Location']}"
    return response


def assert_permission_matrix(
    url: str | Callable,
    *,
    expected: Mapping[str, int],
    method: str = "get",
    data: Any = None,
    htmx: bool = False,
) -> dict[str, Any]:
    """Check anonymous and each role in `expected` ({role: status}); returns {role: response}."""
    method = method.lower()
    assert_anonymous_refused(_value(url, None), method=method, data=_value(data, None), htmx=htmx)
    responses = {}
    for role, status in expected.items():
        user = make_user(role)
        client = Client()
        client.force_login(user)
        target = _value(url, user)
        response = _send(client, method, target, _value(data, user), htmx)
        assert response.status_code == status, (
            f"{role} {'htmx ' if htmx else ''}{method.upper()} {target}: "
            f"expected {status}, got {response.status_code}"
        )
        responses[role] = response
    return responses


def assert_csrf_enforced(url: str, *, data: Any = None, role: str = "admin", method: str = "post") -> None:
    """A logged-in POST without the CSRF token is refused with 403 (Django's test client skips the check)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role))
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 403, (
        f"{method.upper()} {url} without CSRF token got {response.status_code}"
    )
    assert b"CSRF" in response.content
