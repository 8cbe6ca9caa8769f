"""extract() (pipeline.py): constructed docs, then the real pipeline on data/samples."""

from __future__ import annotations

import pytest

from nlp.extraction import LAYERS, extract
from nlp.windows import pipe_windows
from tests.conftest import SAMPLES_DIR
from tests.nlp.helpers import tagged_story


def test_extract_links_person_spans_to_characters_protagonist_first(blank_nlp):
    text = (
        "Madame Petrova taught Anna Zhunussova. Anna danced; she was tired, and Anna slept. "
        "Petrova's class ended."
    )
    docs = tagged_story(
        blank_nlp,
        text,
        [
            ("Petrova", "GPE", 0),
            ("Anna Zhunussova", "PERSON", 0),
            ("Anna", "PERSON", 1),
            ("Petrova", "ORG", 1),
        ],
    )
    result = extract(docs)
    assert [c.name for c in result.characters] == ["Anna Zhunussova", "Madame Petrova"]
    assert result.characters[0].aliases == ["Anna"] and result.characters[0].gender == "female"
    rows = [(text[s.start : s.end], s.label, s.character) for s in result.spans]
    assert rows == [
        ("Madame Petrova", "PERSON", 1),
        ("Anna Zhunussova", "PERSON", 0),
        ("Anna", "PERSON", 0),
        ("Anna", "PERSON", 0),  # untagged by the model, tagged as a known name
        ("Petrova", "PERSON", 1),
    ]


def test_a_widened_span_keeps_the_character_of_its_name(blank_nlp):
    text = "Mr Pontifex smiled. Then old Pontifex laughed, and he left."
    docs = tagged_story(blank_nlp, text, [("Pontifex", "PERSON", 1)])
    result = extract(docs, layers=LAYERS)  # with "noun_phrases", LitBank's convention
    rows = [(text[s.start : s.end], result.characters[s.character].name) for s in result.spans]
    assert rows == [("Mr Pontifex", "Mr Pontifex"), ("old Pontifex", "Mr Pontifex")]
    assert result.characters[0].gender == "male"


@pytest.fixture(scope="module")
def samples(nlp):
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in sorted(SAMPLES_DIR.glob("*.txt"))]
    return {sd.context: (sd.text, extract(sd)) for sd in pipe_windows(texts, nlp=nlp)}


def labelled(sample, surface: str) -> set[str]:
    text, result = sample
    return {s.label for s in result.spans if text[s.start : s.end] == surface}


def character(sample, name: str):
    return next(c for c in sample[1].characters if c.name == name)


def test_samples_offsets_are_exact_and_clean(samples):
    for text, result in samples.values():
        for s in result.spans:
            surface = text[s.start : s.end]
            assert surface == surface.strip() and not surface.endswith(("'s", "’s", ",", "."))


def test_samples_anna_is_one_character_and_the_protagonist(samples):
    sample = samples["001_b126eebb701a6029.txt"]
    anna = sample[1].characters[0]
    assert anna.name == "Anna Zhunussova" and anna.aliases == ["Anna"] and anna.gender == "female"
    text, result = sample
    assert {s.character for s in result.spans if text[s.start : s.end] in {"Anna", "Anna Zhunussova"}} == {0}


def test_samples_noah_is_female_person_and_madame_petrova_keeps_her_title(samples):
    sample = samples["003_82bd803467e94874.txt"]
    assert labelled(sample, "Noah Kalmurzaeva") == {"PERSON"}
    noah = sample[1].characters[0]
    assert noah.name == "Noah Kalmurzaeva" and noah.gender == "female"
    assert character(sample, "Madame Petrova").gender == "female"


def test_samples_possessives_dropped_and_victoria_first(samples):
    text, result = samples["004_c36f7fb160905074.txt"]
    assert result.characters[0].name == "Victoria Bektemirova"
    assert "Victoria Bektemirova's" not in {text[s.start : s.end] for s in result.spans}


def test_samples_works_of_art_and_a_split_name_are_right(samples):
    assert labelled(samples["000_4e5102402ef939e4.txt"], "Swan Lake") == {"WORK_OF_ART"}
    ballet = samples["002_3644c97cb6daeaa2.txt"]
    assert labelled(ballet, "Swan Lake") == {"WORK_OF_ART"}
    assert labelled(ballet, "La Sylphide") == {"WORK_OF_ART"}
    assert labelled(ballet, "Natalia Makarova") == {"PERSON"}
    assert labelled(ballet, "Natalia") == labelled(ballet, "Makarova") == set()


def test_windows_give_the_same_extraction_as_one_piece(nlp):
    path = SAMPLES_DIR / "001_b126eebb701a6029.txt"
    text = path.read_text(encoding="utf-8")
    whole = extract(next(pipe_windows([(text, 1)], nlp=nlp)))
    windowed_docs = next(pipe_windows([(text, 1)], nlp=nlp, window_chars=600))
    assert len(windowed_docs.windows) > 3
    windowed = extract(windowed_docs)
    assert [(c.name, c.gender) for c in windowed.characters] == [(c.name, c.gender) for c in whole.characters]
    for s in windowed.spans:
        assert text[s.start : s.end].strip() == text[s.start : s.end] != ""
