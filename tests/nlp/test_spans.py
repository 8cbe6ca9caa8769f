"""Span cleaning (spans.py): edges, possessives, titles, misfired labels, names of nobody."""

from __future__ import annotations

from nlp.extraction.spans import clean
from tests.nlp.helpers import span, surfaces


def test_clean_drops_possessives_and_edge_punctuation():
    text = "Victoria Bektemirova's love. “Anna,” she said. Jarndyce 's case."
    spans = [
        span(text, "Victoria Bektemirova's", "PERSON"),
        span(text, "“Anna,”", "PERSON"),
        span(text, "Jarndyce 's", "PERSON"),
    ]
    assert surfaces(text, clean(text, spans)) == [
        ("Victoria Bektemirova", "PERSON"),
        ("Anna", "PERSON"),
        ("Jarndyce", "PERSON"),
    ]


def test_clean_keeps_titles_with_names_and_makes_them_people():
    text = "Her coach, the venerable Madame Petrova, met Mr. Darcy and Sir Walter."
    spans = [span(text, "Petrova", "GPE"), span(text, "Darcy", "PERSON"), span(text, "Walter", "ORG")]
    assert surfaces(text, clean(text, spans)) == [
        ("Madame Petrova", "PERSON"),
        ("Mr. Darcy", "PERSON"),
        ("Sir Walter", "PERSON"),
    ]


def test_clean_mends_a_name_spacy_split_into_unrelated_labels():
    text = "She studied under the legendary Natalia Makarova in 1990."
    spans = [span(text, "Natalia", "GPE"), span(text, "Makarova", "DATE"), span(text, "1990", "DATE")]
    assert surfaces(text, clean(text, spans)) == [("Natalia Makarova", "PERSON"), ("1990", "DATE")]


def test_clean_keeps_the_name_after_an_interjection():
    text = '" True , Florence , but no . " Wal, Beasley! Richmond , Virginia .'
    spans = [span(text, "True , Florence", "WORK_OF_ART"), span(text, "Wal, Beasley", "ORG")]
    spans.append(span(text, "Richmond , Virginia", "GPE"))
    assert surfaces(text, clean(text, spans)) == [
        ("Florence", "WORK_OF_ART"),
        ("Beasley", "ORG"),
        ("Richmond , Virginia", "GPE"),
    ]


def test_clean_drops_person_spans_that_name_nobody():
    text = "The bush moved. Uncle laughed."
    spans = [span(text, "bush", "PERSON"), span(text, "Uncle", "PERSON")]
    assert clean(text, spans) == []
