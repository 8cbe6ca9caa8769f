"""API auth and limits: Bearer tokens (only a hash stored, revocable), the browser session with CSRF
enforced, 401 JSON for everyone else, the per-token rate limit, the body size cap, and the page size cap."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from core import tokens
from core.models import ApiToken
from tests.api.conftest import ApiClient
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_hash_and_opens_the_api(editor):
    token, key = tokens.token_create(user=editor, name="training job")
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {row.key_hash, row.prefix, row.name} and key.startswith(row.prefix)
    response = ApiClient(key=key).get("/labels")
    assert response.status_code == 200
    assert "PERSON" in {label["name"] for label in response.json()}
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_an_unknown_revoked_or_inactive_token_gets_401_json(editor):
    token, key = tokens.token_create(user=editor, name="job")
    bad = ApiClient(key="fab_not-a-real-key").get("/labels")
    assert bad.status_code == 401 and "unknown or has been revoked" in bad.json()["message"]
    assert tokens.token_revoke(user=editor, token_id=token.pk)
    assert ApiClient(key=key).get("/labels").status_code == 401
    _, key = tokens.token_create(user=editor, name="again")
    editor.is_active = False
    editor.save()
    assert ApiClient(key=key).get("/labels").status_code == 401


def test_no_credentials_is_401_json_naming_how_to_authenticate():
    response = Client().get("/api/v1/stories")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Authorization: Bearer" in response.json()["message"]


def test_nobody_can_revoke_someone_elses_token(editor):
    token, key = tokens.token_create(user=editor, name="mine")
    other = make_user("editor")
    assert not tokens.token_revoke(user=other, token_id=token.pk)
    assert ApiClient(key=key).get("/labels").status_code == 200


def test_the_browser_session_works_and_csrf_is_enforced_on_writes(editor):
    story = make_story("Anna Petrova danced in Paris.")
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.get(f"/api/v1/stories/{story.pk}").status_code == 200
    body = json.dumps({"start": 0, "end": 12, "label": "PERSON", "version": 1})
    url = f"/api/v1/stories/{story.pk}/entities"
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    client.get("/account/")  # the page sets the CSRF cookie, as a browser would receive it
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(url, body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201
    assert accepted.json()["entity"]["text"] == "Anna Petrova"


def test_a_token_request_needs_no_csrf_token(editor_api):
    story = make_story("Anna Petrova danced in Paris.")
    editor_api.client = Client(enforce_csrf_checks=True)
    response = editor_api.post(
        f"/stories/{story.pk}/entities", {"start": 0, "end": 4, "label": "PERSON", "version": 1}
    )
    assert response.status_code == 201


@override_settings(FABULA_API_RATE="3/min")
def test_the_rate_limit_is_per_token_and_answers_429_with_retry_after(editor):
    first, second = ApiClient(editor), ApiClient(editor)
    assert [first.get("/labels").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/labels")
    assert refused.status_code == 429
    assert "3/min" in refused.json()["message"] and int(refused["Retry-After"]) > 0
    assert second.get("/labels").status_code == 200, "another token of the same user has its own count"


@override_settings(FABULA_API_MAX_BODY_BYTES=200)
def test_a_body_over_the_cap_is_413_before_it_is_read(admin_api):
    response = admin_api.post("/stories", {"stories": [{"text": "word " * 100}]})
    assert response.status_code == 413
    assert "limit is 200" in response.json()["message"]
    from stories.models import Story

    assert not Story.objects.exists()


def test_page_size_is_capped(editor_api):
    response = editor_api.get("/stories", {"page_size": 101})
    assert response.status_code == 400
    assert response.json()["details"] == {"page_size": ["At most 100 stories per page."]}


def test_the_api_token_command_prints_a_key_and_revokes(editor):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", editor.username, "--name", "nightly", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert ApiClient(key=key).get("/labels").status_code == 200
    assert ApiToken.objects.get(user=editor).name == "nightly"
    call_command("api_token", editor.username, "--revoke", stdout=out, stderr=err)
    assert "Revoked 1 token" in err.getvalue()
    assert ApiClient(key=key).get("/labels").status_code == 401
    with pytest.raises(CommandError, match="no account named 'ghost'"):
        call_command("api_token", "ghost", stdout=out, stderr=err)


def test_text_no_database_can_store_is_400_naming_the_field(admin_api, editor_api, story):
    nul = admin_api.post("/stories", {"stories": [{"text": "A story.", "meta": {"note": "a\x00b"}}]})
    assert nul.status_code == 400
    assert nul.json()["details"] == {
        "stories.0.meta.note": ["Contains a NUL character (\\u0000), which text cannot hold; remove it."]
    }
    surrogate = admin_api.client.post(
        "/api/v1/stories", '{"stories": [{"text": "bad \\ud800 text"}]}', content_type="application/json",
        headers=admin_api._headers(),
    )  # fmt: skip
    assert surrogate.status_code == 400 and "stories.0.text" in surrogate.json()["details"]
    assert editor_api.get("/stories", {"q": "a\x00"}).status_code == 400
    path = editor_api.post(f"/stories/{story.pk}/labels/GP%00E/review", {"decision": "accept", "version": 1})
    assert path.status_code == 400 and "NUL" in path.json()["message"]
    from stories.models import Story

    assert Story.objects.count() == 1


def test_a_body_that_is_not_json_is_400_saying_where(editor_api, story):
    response = editor_api.client.post(
        f"/api/v1/stories/{story.pk}/entities", '{"start": 1,', content_type="application/json",
        headers=editor_api._headers(),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["message"].startswith("The body is not valid JSON (Expecting property name")
