"""The database itself guards a story's text: its stored length, and no change after import."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.factories import make_story

pytestmark = pytest.mark.django_db


def test_story_text_length_is_checked():
    story = make_story("Anna met Boris.")
    story.text_length = 3
    with pytest.raises(IntegrityError), transaction.atomic():
        story.save()


def test_story_text_cannot_change_after_import():
    story = make_story("Anna met Boris.")
    story.text = "Anna met Boris!"
    with pytest.raises(IntegrityError), transaction.atomic():
        story.save()


def test_saving_other_fields_keeps_the_text_and_passes_the_rules():
    story = make_story("Anna met Boris.")
    story.title = "Renamed"
    story.save()  # Django writes every column, the unchanged text included
    story.refresh_from_db()
    assert (story.title, story.text) == ("Renamed", "Anna met Boris.")
