"""core.auth: the request's user comes with its roles in one query, and no auth query repeats in a request."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import roles
from core.auth import RoleModelBackend
from tests.factories import make_entity, make_story, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "editor", "reviewer"),
    [("none", False, False), ("editor", True, False), ("reviewer", True, True), ("admin", True, True)],
)
def test_the_user_comes_with_its_roles_in_one_query(django_assert_num_queries, role, editor, reviewer):
    user = make_user(role)
    with django_assert_num_queries(1):
        loaded = RoleModelBackend().get_user(user.pk)
        assert (roles.can_edit(loaded), roles.is_reviewer(loaded)) == (editor, reviewer)


def test_an_inactive_or_unknown_user_is_not_loaded():
    user = make_user("editor")
    user.is_active = False
    user.save()
    assert RoleModelBackend().get_user(user.pk) is None
    assert RoleModelBackend().get_user(user.pk + 1000) is None


def test_a_user_loaded_otherwise_reads_its_roles_once(django_assert_num_queries):
    user = make_user("reviewer")
    user.groups.create(name="Translators")  # not a role: it changes nothing
    plain = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert roles.is_reviewer(plain) and roles.can_edit(plain) and roles.is_reviewer(plain)


AUTH_QUERY = re.compile(r'FROM "(django_session|auth_user|auth_group|auth_user_groups)"')


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_no_auth_query_repeats_within_a_request(role):
    user = make_user(role)
    story = make_story("Anna met Boris in Paris.\n\nThe end.")
    make_entity(story, "Anna")
    client = Client()
    client.force_login(user)
    pages = [f"/stories/{story.pk}/", f"/stories/{story.pk}/characters/", "/notifications/", "/account/"]
    if role == "reviewer":
        pages += ["/review/", f"/review/{story.pk}/"]
    for url in pages:
        client.get(url)  # caches warm, as after a first visit
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        auth = [q["sql"] for q in captured if AUTH_QUERY.search(q["sql"])]
        # The session, then the user with its roles: nothing about who is asking is read twice.
        assert len(auth) == 2, (url, auth)
        assert 'FROM "django_session"' in auth[0], (url, auth)
        assert auth[1].startswith('SELECT "auth_user"') and '"_fabula_in_editors"' in auth[1], (url, auth)


def test_the_session_store_reads_live_sessions_and_refuses_expired_or_deleted_ones():
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    user = make_user("editor")
    client = Client()
    client.force_login(user)
    assert client.get("/account/").status_code == 200

    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    expired = client.get("/account/")
    assert expired.status_code == 302 and "/login/" in expired["Location"]

    client.force_login(user)
    Session.objects.filter(session_key=client.session.session_key).delete()  # as logging out elsewhere does
    gone = client.get("/account/")
    assert gone.status_code == 302 and "/login/" in gone["Location"]
