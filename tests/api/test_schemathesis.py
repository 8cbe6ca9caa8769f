"""Schemathesis against the API's own OpenAPI schema, in process (WSGI, no network).

Every operation gets a bounded number of generated requests, sent with an admin's token (who may do
everything) to a database holding a story with entities and characters. Each answer must be no 5xx and
match the schema: a documented status code, content type and body shape. Derandomized, so a run is
repeatable; Hypothesis keeps no example database on disk.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core import tokens
from tests.factories import make_character, make_entity, make_story, make_user

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


from config.wsgi import application  # noqa: E402  (Django is set up before tests are collected)

# Loaded when the module is collected (the schema view touches no database); the lazy fixture loader
# is not used because it does not run on pytest 9.2.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema", application)


# The rows the auth_headers fixture made: generated ids are steered onto them two times in three, so
# most requests reach the endpoint's real work rather than a 404, and most writes carry the current
# version rather than a stale one.
KNOWN: dict[str, list[int]] = {}


@schema.hook
def map_path_parameters(context, path_parameters):
    for name, value in (path_parameters or {}).items():
        rows = KNOWN.get(name)
        if rows and isinstance(value, int) and value % 3:
            path_parameters[name] = rows[value % len(rows)]
    return path_parameters


@schema.hook
def map_body(context, body):
    if isinstance(body, dict) and isinstance(body.get("version"), int) and body["version"] % 3:
        from stories.models import Story

        body["version"] = Story.objects.get(pk=KNOWN["story_id"][0]).version
    return body


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """As Django's test client does: a request's end must not close the test's connection, which holds
    the transaction every test runs (and rolls back) in."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(db):
    story = make_story("Anna Petrova danced in Paris with Boris.\n\nLater Boris went home to Moscow.")
    anna = make_character(story, "Anna Petrova", aliases=["Anna"])
    boris = make_character(story, "Boris")
    entities = [make_entity(story, "Anna Petrova", character=anna), make_entity(story, "Paris", label="GPE")]
    done = make_story("Zoë sailed to Lisbon.", status="done")
    KNOWN.update(
        story_id=[story.pk, done.pk],
        entity_id=[e.pk for e in entities],
        character_id=[anna.pk, boris.pk],
    )
    _, key = tokens.token_create(user=make_user("admin"), name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@override_settings(FABULA_API_RATE="")
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_match_the_schema(case, auth_headers):
    case.call_and_validate(headers=auth_headers, checks=CHECKS)
