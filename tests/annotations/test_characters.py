"""Character services: create, rename, gender, merge, split an alias, delete; each one undoable Edit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from annotations.models import Character, Edit, Entity
from annotations.selectors.reader import character_panel
from annotations.services import characters
from tests.factories import make_character, make_entity, make_story

pytestmark = pytest.mark.django_db
TEXT = "Anna Zhunussova danced. Anna smiled at Boris. Later Anya and Boris left."


@pytest.fixture
def story():
    return make_story(TEXT)


def test_panel_lists_mention_counts_and_first_appearance(story):
    anna = make_character(story, "Anna Zhunussova", aliases=["Anna"])
    boris = make_character(story, "Boris")
    make_character(story, "Nobody")
    make_entity(story, "Anna Zhunussova", character=anna)
    make_entity(story, "Anna", occurrence=1, character=anna)
    make_entity(story, "Boris", occurrence=1, character=boris)
    make_entity(story, "Boris", character=boris, review_state="rejected")
    rows = character_panel(story=story)
    assert [(c.name, c.mention_count, c.first_start) for c in rows] == [
        ("Anna Zhunussova", 2, 0), ("Boris", 1, TEXT.rindex("Boris")), ("Nobody", 0, None),
    ]  # fmt: skip
    assert rows[0].first_chunk == 0


def test_create_and_rename_keeps_the_old_name_as_alias(story):
    characters.character_create(story=story, name="  Anna   Z ", user=None, version=1)
    anna = Character.objects.get()
    assert anna.name == "Anna Z" and anna.origin == "editor"
    characters.character_rename(story=story, pk=anna.pk, name="Anna Zhunussova", user=None, version=2)
    anna.refresh_from_db()
    assert anna.name == "Anna Zhunussova" and anna.aliases == ["Anna Z"]
    with pytest.raises(ValidationError, match="needs a name"):
        characters.character_rename(story=story, pk=anna.pk, name="  ", user=None, version=3)


def test_set_gender(story):
    boris = make_character(story, "Boris")
    characters.character_set_gender(story=story, pk=boris.pk, gender="male", user=None, version=1)
    boris.refresh_from_db()
    assert boris.gender == "male"
    with pytest.raises(ValidationError, match="Unknown gender"):
        characters.character_set_gender(story=story, pk=boris.pk, gender="robot", user=None, version=2)


def test_merge_moves_mentions_and_combines_aliases(story):
    anna = make_character(story, "Anna Zhunussova", aliases=["Zhunussova"])
    short = make_character(story, "Anna", aliases=["Anya", "Zhunussova"])
    mention = make_entity(story, "Anna", occurrence=1, character=short)
    characters.character_merge(story=story, source_pk=short.pk, target_pk=anna.pk, user=None, version=1)
    anna.refresh_from_db()
    mention.refresh_from_db()
    assert anna.aliases == ["Zhunussova", "Anna", "Anya"]
    assert mention.character == anna and not Character.objects.filter(pk=short.pk).exists()
    edit = Edit.objects.get()
    assert edit.action == "character_merge" and edit.summary == "Merged “Anna” into “Anna Zhunussova”"
    with pytest.raises(ValidationError, match="two different"):
        characters.character_merge(story=story, source_pk=anna.pk, target_pk=anna.pk, user=None, version=2)


def test_split_an_alias_into_its_own_character(story):
    anna = make_character(story, "Anna Zhunussova", aliases=["Anya"], gender="female")
    anya = make_entity(story, "Anya", character=anna)
    full = make_entity(story, "Anna Zhunussova", character=anna)
    characters.character_split(story=story, pk=anna.pk, alias="Anya", user=None, version=1)
    new = Character.objects.get(name="Anya")
    anya.refresh_from_db()
    full.refresh_from_db()
    anna.refresh_from_db()
    assert anya.character == new and full.character == anna and anna.aliases == [] and new.gender == "female"
    with pytest.raises(ValidationError, match="not an alias"):
        characters.character_split(story=story, pk=anna.pk, alias="Anya", user=None, version=2)


def test_delete_unlinks_mentions(story):
    boris = make_character(story, "Boris")
    mention = make_entity(story, "Boris", character=boris)
    characters.character_delete(story=story, pk=boris.pk, user=None, version=1)
    mention.refresh_from_db()
    assert mention.character is None and Entity.objects.count() == 1
    assert not Character.objects.exists()
