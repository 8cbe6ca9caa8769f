"""nlp.extraction.lexicon: the word lists from the packages, and their JSON copy for later processes."""

from __future__ import annotations

import json

import pytest

from nlp.extraction import lexicon


def test_the_lists_hold_given_names_and_places_and_keep_them_apart():
    given, places = lexicon.world_given_names(), lexicon.place_names()
    assert {"Sergei", "Olga", "Tamara", "Anna"} <= given
    assert {"Riga", "Odessa", "Odesa", "Paris", "Kyrgyzstan"} <= places
    assert "Paris" not in given and "Florence" not in given  # a large place is not taken for a person
    assert {"Arkady", "Grigori", "Stepan"} <= given  # romanised from Faker's Cyrillic lists


def test_cyrillic_names_get_the_spellings_stories_use():
    assert {"Arkady", "Arkadiy", "Arkadi"} <= lexicon.romanised("Аркадий")
    assert {"Sergei", "Sergey"} <= lexicon.romanised("Сергей")
    assert {"Alexei", "Aleksei"} <= lexicon.romanised("Алексей")
    assert {"Natalia", "Nataliya"} <= lexicon.romanised("Наталия")


def test_a_built_list_is_kept_for_the_next_process_and_a_bad_copy_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setattr(lexicon.tempfile, "gettempdir", lambda: str(tmp_path))
    assert lexicon._cached("demo", "spacy", lambda: {"Olga", "Riga"}) == {"Olga", "Riga"}
    [copy] = list(tmp_path.glob("fabula-lexicon-*/demo-*.json"))
    assert json.loads(copy.read_text(encoding="utf-8")) == ["Olga", "Riga"]

    def must_not_build():
        pytest.fail("the copy should have been read")

    assert lexicon._cached("demo", "spacy", must_not_build) == {"Olga", "Riga"}
    copy.write_text('{"not": "a list"', encoding="utf-8")
    assert lexicon._cached("demo", "spacy", lambda: {"Pavel"}) == {"Pavel"}
    assert json.loads(copy.read_text(encoding="utf-8")) == ["Pavel"]
