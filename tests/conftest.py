"""Shared fixtures: the real spaCy pipeline (loaded once per session), a blank one, and logged-in clients."""

from __future__ import annotations

import pytest
import spacy

from tests.factories import make_user

SAMPLES_DIR = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "samples"


@pytest.fixture(scope="session")
def blank_nlp():
    return spacy.blank("en")


@pytest.fixture(scope="session")
def nlp():
    """The project's real pipeline, as ingest loads it."""
    from stories.nlp import get_nlp

    return get_nlp()


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
