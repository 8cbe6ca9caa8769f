"""The My account page: a person makes an API token (shown once), sees their tokens, revokes their own."""

from __future__ import annotations

import re

import pytest

from core import tokens
from core.models import ApiToken
from tests.factories import make_user
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_account_page_permissions():
    assert_permission_matrix(
        "/account/", expected={"none": 403, "editor": 200, "reviewer": 200, "admin": 200}
    )


def test_making_a_token_shows_its_key_once_and_stores_only_a_hash(editor_client, editor):
    response = editor_client.post("/account/tokens/", {"name": "training job"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r'data-testid="new-token">(fab_[^<]+)<', html).group(1)
    token = ApiToken.objects.get(user=editor)
    assert token.name == "training job" and tokens.key_hash(key) == token.key_hash
    assert "training job" in html and token.prefix in html
    again = editor_client.get("/account/").content.decode()
    assert "training job" in again and key not in again


def test_a_token_needs_a_name(editor_client, editor):
    response = editor_client.post("/account/tokens/", {"name": "  "}, headers=HTMX)
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert editor_client.post("/account/tokens/", {"name": ""}).status_code == 400


def test_revoking_removes_only_ones_own_token(editor_client, editor):
    mine, _ = tokens.token_create(user=editor, name="mine")
    theirs, _ = tokens.token_create(user=make_user("editor"), name="theirs")
    assert editor_client.post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 404
    response = editor_client.post(f"/account/tokens/{mine.pk}/revoke/", headers=HTMX)
    assert response.status_code == 200 and "You have no API tokens." in response.content.decode()
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["theirs"]
    plain = editor_client.post(f"/account/tokens/{mine.pk}/revoke/")
    assert plain.status_code == 404
