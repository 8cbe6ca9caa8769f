"""The export options' story ids: whole numbers only, and an absurdly long one is refused, not a crash."""

from __future__ import annotations

import pytest

from interchange.forms.export import ExportForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ids", ["9" * 30, "1,x", "²", "-3"])
def test_bad_story_ids_are_a_form_error(ids):
    form = ExportForm({"format": "jsonl", "status": "all", "layer": "final", "ids": ids})
    assert not form.is_valid()
    assert "A story id is a whole number" in form.errors["ids"][0]


def test_good_story_ids_are_read():
    form = ExportForm({"format": "jsonl", "status": "all", "layer": "final", "ids": "3, 12"})
    assert form.is_valid() and form.filters().ids == (3, 12)
