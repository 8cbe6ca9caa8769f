"""A safety net over every URL the apps define: none may be reached without the right account.

Each app's own tests check its views in detail. This test walks the URL resolver, so a view added
later without a permission check fails here even if nobody wrote a test for it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from annotations.models import Edit, Entity, Label
from core.notifications import notify
from tests.factories import make_character, make_entity, make_story, make_user
from tests.permissions import assert_anonymous_refused

pytestmark = pytest.mark.django_db

APPS = ("core", "stories", "annotations", "interchange")
# Reviewer-only URL names: an editor must get 403 on them.
REVIEWER_ONLY = {
    "review-queue",
    "review-detail",
    "review-approve",
    "review-return",
    "review-reopen",
    "review-entity-revert",
    "review-entity-accept",
    "review-entity-reject",
    "review-edit-revert",
    "dashboard",
    "export",
    "story-assign",
}


def _app_patterns():
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.app_name in APPS:
            for pattern in entry.url_patterns:
                if isinstance(pattern, URLPattern):
                    yield entry.app_name, pattern


def _fill(route: str, ids: dict[str, object]) -> str:
    path = route
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<str:{name}>", str(value))
    assert "<" not in path, f"no test value for a parameter in {route!r}"
    return "/" + path


@pytest.fixture
def ids():
    story = make_story("Anna Petrova danced in Paris with Boris.")
    character = make_character(story, "Anna Petrova")
    entity = make_entity(story, "Anna Petrova", character=character)
    assert Entity.objects.filter(pk=entity.pk).exists()
    edit = Edit.objects.create(story=story, action=Edit.Action.CHARACTER_CREATE, summary="Created")
    notification = notify(recipient=make_user("editor"), kind="approved", message="news", url="/")
    return {
        "pk": story.pk,
        "entity_id": entity.pk,
        "character_id": character.pk,
        "label_id": Label.objects.get(name="PERSON").pk,
        "story_id": story.pk,
        "batch_id": 1,
        "notification_id": notification.pk,
        "edit_id": edit.pk,
    }


def _urls(ids):
    urls = []
    for app, pattern in _app_patterns():
        urls.append((f"{app}:{pattern.name}", pattern.name, _fill(str(pattern.pattern), ids)))
    assert len(urls) > 10, "the resolver walk found too few URLs; is this test still looking at the apps?"
    assert {app for app, _pattern in _app_patterns()} == set(APPS), "an app's URLs are missing from the walk"
    return urls


def test_anonymous_visitors_are_sent_to_log_in_everywhere(ids):
    for _full_name, _name, url in _urls(ids):
        for method in ("get", "post"):
            for htmx in (False, True):
                assert_anonymous_refused(url, method=method, htmx=htmx)


def test_an_account_without_a_role_is_refused_everywhere(client, ids):
    client.force_login(make_user("none"))
    for full_name, _name, url in _urls(ids):
        for method in ("get", "post"):
            status = getattr(client, method)(url, follow=True).status_code
            assert status in (403, 405), (
                f"{full_name} {method.upper()} {url}: a role-less account got {status}"
            )


def test_editors_cannot_reach_reviewer_pages(client, ids):
    client.force_login(make_user("editor"))
    names = {name for _full, name, _url in _urls(ids)}
    assert REVIEWER_ONLY & names, "expected reviewer-only URLs to exist"
    for full_name, name, url in _urls(ids):
        if name in REVIEWER_ONLY:
            for method in ("get", "post"):
                status = getattr(client, method)(url, follow=True).status_code
                assert status in (403, 405), f"{full_name} {method.upper()} {url}: an editor got {status}"
