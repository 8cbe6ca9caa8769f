"""The database itself refuses entities that break the offset rules, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from annotations.models import Entity
from tests.factories import make_story

pytestmark = pytest.mark.django_db


def _insert(story, start, end, label="PERSON"):
    # Past the end of the text, pad the covered text so only the bounds trigger can object.
    text = story.text[start:end].ljust(max(end - start, 0), "x")
    with transaction.atomic():
        Entity.objects.create(story=story, start=start, end=end, text=text, label_id=label)


def test_a_valid_entity_is_stored():
    story = make_story("Anna met Boris.")
    _insert(story, 0, 4)
    assert Entity.objects.get().text == "Anna"


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        (4, 4, "empty"),
        (5, 3, "reversed"),
        (0, 5, "ends on whitespace"),
        (4, 8, "starts on whitespace"),
        (9, 40, "past the end of the text"),
    ],
)
def test_database_rejects_bad_offsets(start, end, why):
    story = make_story("Anna met Boris.")
    with pytest.raises(IntegrityError):
        _insert(story, start, end)
    assert not Entity.objects.exists(), why


def test_text_must_match_offsets():
    story = make_story("Anna met Boris.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Entity.objects.create(story=story, start=0, end=4, text="Ann", label_id="PERSON")


def test_same_offsets_and_label_twice_is_rejected():
    story = make_story("Anna met Boris.")
    _insert(story, 0, 4)
    with pytest.raises(IntegrityError):
        _insert(story, 0, 4)
    _insert(story, 0, 4, label="ORG")  # a different label on the same offsets is allowed
    assert Entity.objects.count() == 2
