"""API character writes: list, create, rename, set gender, merge, split, delete (each versioned)."""

from __future__ import annotations

import pytest

from annotations.models import Character, Entity
from tests.factories import make_character, make_entity

pytestmark = pytest.mark.django_db


def test_list_and_create(editor_api, story):
    anna = make_character(story, "Anna Petrova", aliases=["Anna"])
    Entity.objects.filter(story=story).update(character=anna)
    listed = editor_api.get(f"/stories/{story.pk}/characters").json()
    assert listed == [{"id": anna.pk, "name": "Anna Petrova", "aliases": ["Anna"], "gender": "unknown",
                       "origin": "model", "mentions": 1}]  # fmt: skip
    created = editor_api.post(f"/stories/{story.pk}/characters", {"name": "  Boris  ", "version": 1})
    assert created.status_code == 201
    assert created.json()["character"]["name"] == "Boris" and created.json()["version"] == 2
    assert Character.objects.get(name="Boris").origin == "editor"
    blank = editor_api.post(f"/stories/{story.pk}/characters", {"name": "", "version": 2})
    assert blank.status_code == 400 and "name" in blank.json()["details"]


def test_rename_and_gender(editor_api, story):
    anna = make_character(story, "Anna")
    url = f"/stories/{story.pk}/characters/{anna.pk}"
    response = editor_api.patch(url, {"name": "Anna Petrova", "gender": "female", "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 3
    anna.refresh_from_db()
    assert (anna.name, anna.aliases, anna.gender) == ("Anna Petrova", ["Anna"], "female")
    same = editor_api.patch(url, {"name": "Anna Petrova", "version": 3})
    assert same.status_code == 400 and "already called" in same.json()["message"]
    bad = editor_api.patch(url, {"gender": "robot", "version": 3})
    assert bad.status_code == 400 and "gender" in bad.json()["details"]
    assert editor_api.patch(url, {"version": 3}).status_code == 400


def test_merge_split_and_delete(editor_api, story):
    anna = make_character(story, "Anna Petrova")
    annushka = make_character(story, "Annushka")
    Entity.objects.filter(story=story).update(character=annushka)
    base = f"/stories/{story.pk}/characters"
    merged = editor_api.post(f"{base}/{annushka.pk}/merge", {"into": anna.pk, "version": 1})
    assert merged.status_code == 200 and merged.json()["character"]["aliases"] == ["Annushka"]
    assert not Character.objects.filter(pk=annushka.pk).exists()
    assert Entity.objects.get(story=story).character == anna
    assert editor_api.post(f"{base}/{anna.pk}/merge", {"into": anna.pk, "version": 2}).status_code == 400
    assert editor_api.post(f"{base}/{anna.pk}/merge", {"into": 99999, "version": 2}).status_code == 404
    split = editor_api.post(f"{base}/{anna.pk}/split", {"alias": "Annushka", "version": 2})
    assert split.status_code == 200 and split.json()["character"]["name"] == "Annushka"
    not_alias = editor_api.post(f"{base}/{anna.pk}/split", {"alias": "Boris", "version": 3})
    assert not_alias.status_code == 400 and "not an alias" in not_alias.json()["message"]
    make_entity(story, "Boris", character=anna)
    deleted = editor_api.delete(f"{base}/{anna.pk}?version=3")
    assert deleted.status_code == 200 and deleted.json()["version"] == 4
    assert not Character.objects.filter(pk=anna.pk).exists()
    assert Entity.objects.get(text="Boris").character is None
    # A reviewer on a page from before the split deletes the character the editor split off.
    from tests.api.conftest import api_as

    stale = api_as("reviewer").delete(f"{base}/{Character.objects.get().pk}?version=2")
    assert stale.status_code == 409 and stale.json()["version"] == 4
    assert Character.objects.count() == 1
