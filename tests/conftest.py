"""Shared fixtures: the real spaCy pipeline (loaded once per session), a blank one, and logged-in clients."""

from __future__ import annotations

import importlib

import pytest
import spacy

from tests.factories import make_user

SAMPLES_DIR = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "samples"


def seed_rows() -> None:
    """Put back the rows that data migrations seed (labels, groups), using the migrations' own code."""
    from django.apps import apps

    importlib.import_module("annotations.migrations.0002_default_labels").seed_labels(apps, None)
    importlib.import_module("stories.migrations.0002_roles").create_groups(apps, None)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database rolls back between tests, a process's cache
    does not, and cached dashboard figures or chunks from one test must not answer in the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _seed_rows_after_flush(request):
    """Transactional tests (the browser's live server needs them) flush every table when they end, the
    seeded labels and groups included. Serialized rollback should restore them but does not when the
    live server is involved, so each transactional test seeds them itself before it starts."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    if transactional or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        seed_rows()


@pytest.fixture(scope="session")
def blank_nlp():
    return spacy.blank("en")


@pytest.fixture(scope="session")
def nlp():
    """The project's real pipeline (settings.SPACY_MODEL), loaded once as ingest loads it.

    Named explicitly: a session fixture may not query the database for the admin's pipeline choice,
    and tests never set one."""
    from django.conf import settings

    from nlp.loading import get_nlp

    return get_nlp(settings.SPACY_MODEL)


@pytest.fixture
def editor(db):
    return make_user("editor", username="ed")


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", username="rev")


@pytest.fixture
def admin_user(db):
    return make_user("admin", username="boss")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client
