"""API test helpers: a client that sends one account's Bearer token, and a story with a suggestion."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from core import tokens
from tests.factories import make_entity, make_story, make_user


class ApiClient:
    """Django's test client speaking JSON with `Authorization: Bearer <token>`."""

    def __init__(self, user=None, key: str | None = None):
        self.client = Client()
        self.user = user
        self.key = key or (tokens.token_create(user=user, name="tests")[1] if user is not None else None)

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers())

    def send(self, method: str, path: str, body=None):
        data = json.dumps(body) if body is not None else ""
        call = getattr(self.client, method)
        return call(f"/api/v1{path}", data=data, content_type="application/json", headers=self._headers())

    def post(self, path: str, body=None):
        return self.send("post", path, body if body is not None else {})

    def patch(self, path: str, body=None):
        return self.send("patch", path, body)

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", headers=self._headers())


def api_as(role: str) -> ApiClient:
    return ApiClient(make_user(role))


@pytest.fixture
def editor_api(db):
    return api_as("editor")


@pytest.fixture
def reviewer_api(db):
    return api_as("reviewer")


@pytest.fixture
def admin_api(db):
    return api_as("admin")


@pytest.fixture
def story(db):
    """Two paragraphs; "Anna Petrova" is a pending model suggestion."""
    story = make_story("Anna Petrova danced in Paris with Boris.\n\nLater Boris went home to Moscow.")
    make_entity(story, "Anna Petrova")
    return story


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Rate-limit counts live in the cache, which outlives each test's rolled-back database."""
    from django.core.cache import cache

    cache.clear()
