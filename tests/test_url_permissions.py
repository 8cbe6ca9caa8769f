"""A safety net over every URL the apps define: none may be reached without the right account.

Each app's own tests check its views in detail. This test walks the URL resolver, so a view added
later without a permission check fails here even if nobody wrote a test for it.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from annotations.models import Edit, Entity, Label
from core.notifications import notify
from core.tokens import token_create
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
    "agreement",
    "export",
    "export-jobs",
    "export-job",
    "export-job-download",
    "story-assign",
    "story-assign-double",
    "adjudication",
    "adjudication-decide",
    "adjudication-finish",
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
    token, _key = token_create(user=make_user("editor"), name="someone else's")
    return {
        "pk": story.pk,
        "entity_id": entity.pk,
        "character_id": character.pk,
        "label_id": Label.objects.get(name="PERSON").pk,
        "story_id": story.pk,
        "batch_id": 1,
        "notification_id": notification.pk,
        "edit_id": edit.pk,
        "token_id": token.pk,
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


# --- The API ---------------------------------------------------------------------------------
# Every operation in the API's schema, for every kind of caller. Anonymous callers get a JSON 401 (not
# the login redirect), role-less accounts 403 everywhere, editors 403 on what reviewers or admins do.
API_OPEN = {"/api/v1/docs", "/api/v1/schema"}
API_NOT_FOR_EDITORS = {
    ("post", "/api/v1/stories"),
    ("get", "/api/v1/export"),
    ("get", "/api/v1/dashboard"),
    ("post", "/api/v1/stories/{story_id}/assign"),
    ("post", "/api/v1/stories/{story_id}/approve"),
    ("post", "/api/v1/stories/{story_id}/return"),
    ("post", "/api/v1/stories/{story_id}/reopen"),
}


def _api_operations(ids) -> list[tuple[str, str, str]]:
    from django.test import Client

    schema = Client().get("/api/v1/schema").json()
    values = {"story_id": ids["pk"], "entity_id": ids["entity_id"], "character_id": ids["character_id"],
              "label": "PERSON"}  # fmt: skip
    operations = []
    for template, methods in schema["paths"].items():
        url = template
        for name, value in values.items():
            url = url.replace("{" + name + "}", str(value))
        assert "{" not in url, f"no test value for a parameter in {template!r}"
        operations += [(method, template, url) for method in methods]
    return operations


def _api_call(client, method: str, url: str, headers=None):
    if method in ("get", "delete"):
        return getattr(client, method)(url, headers=headers or {})
    return getattr(client, method)(url, "{}", content_type="application/json", headers=headers or {})


def test_every_api_url_is_in_the_schema(ids):
    api = next(
        e for e in get_resolver().url_patterns if isinstance(e, URLResolver) and e.namespace == "api-v1"
    )
    documented = {template for _method, template, _url in _api_operations(ids)}
    for pattern in api.url_patterns:
        route = "/api/v1/" + str(pattern.pattern).replace("<", "{").replace(">", "}")
        if route == "/api/v1/":
            continue  # ninja's index of the API; it answers 404
        assert route in documented | API_OPEN, f"{route} is served but not in the API schema"


def test_anonymous_api_callers_get_401_json_everywhere(client, ids):
    operations = _api_operations(ids)
    assert len(operations) > 20
    for method, template, url in operations:
        response = _api_call(client, method, url)
        assert response.status_code == 401, (
            f"{method.upper()} {template}: anonymous got {response.status_code}"
        )
        assert response["Content-Type"].startswith("application/json")
    for url in API_OPEN:
        assert client.get(url).status_code == 200


def _token_headers(role: str) -> dict:
    return {"Authorization": f"Bearer {token_create(user=make_user(role), name='walk')[1]}"}


def test_an_api_token_without_a_role_is_refused_everywhere(client, ids):
    headers = _token_headers("none")
    for method, template, url in _api_operations(ids):
        status = _api_call(client, method, url, headers).status_code
        assert status == 403, f"{method.upper()} {template}: a role-less token got {status}"


def test_editor_tokens_cannot_reach_reviewer_operations(client, ids):
    headers = _token_headers("editor")
    operations = {(method, template): url for method, template, url in _api_operations(ids)}
    assert set(operations) >= API_NOT_FOR_EDITORS
    for method, template in API_NOT_FOR_EDITORS:
        status = _api_call(client, method, operations[(method, template)], headers).status_code
        assert status == 403, f"{method.upper()} {template}: an editor's token got {status}"
