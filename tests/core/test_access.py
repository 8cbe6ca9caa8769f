"""core.access: one decorator for every role check, a 403 that says which role is needed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from core import roles
from core.access import NO_EDITOR_ROLE, NO_REVIEWER_ROLE, editor_required, reviewer_required, role_required
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def view(request):
    return HttpResponse("ran")


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize(
    ("role", "editor_ok", "reviewer_ok"),
    [("none", False, False), ("editor", True, False), ("reviewer", True, True), ("admin", True, True)],
)
def test_the_two_roles_pages_ask_for(role, editor_ok, reviewer_ok):
    user = make_user(role)
    for decorator, allowed, message in (
        (editor_required, editor_ok, NO_EDITOR_ROLE),
        (reviewer_required, reviewer_ok, NO_REVIEWER_ROLE),
    ):
        if allowed:
            assert decorator(view)(request_by(user)).content == b"ran"
        else:
            with pytest.raises(PermissionDenied, match=message[:40]):
                decorator(view)(request_by(user))


def test_role_required_names_what_is_missing():
    guarded = role_required(roles.is_admin, "Only admins can do this.")(view)
    with pytest.raises(PermissionDenied, match="Only admins can do this."):
        guarded(request_by(make_user("reviewer")))
    assert guarded(request_by(make_user("admin"))).status_code == 200
    assert guarded.__name__ == "view"
