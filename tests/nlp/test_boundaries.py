"""Mention boundaries (boundaries.py): PERSON spans grow over describing words and lose non-names."""

from __future__ import annotations

from nlp.extraction.boundaries import extend_modifiers
from nlp.extraction.spans import clean
from tests.nlp.helpers import span, surfaces


def test_person_spans_grow_over_the_words_that_describe_them():
    text = (
        "Then old Pontifex met the late John Astor and my dear Watson. Dear Judy : her sister Celia saw "
        "the poet Syme, the amiable Miss Sedley and uncle Charles."
    )
    names = ["Pontifex", "John Astor", "Watson", "Judy", "Celia", "Syme", "Miss Sedley", "Charles"]
    spans = [span(text, name, "PERSON") for name in names]
    assert [text[s.start : s.end] for s in extend_modifiers(text, spans)] == [
        "old Pontifex",
        "the late John Astor",
        "Watson",  # "my dear X" is how one speaks to someone, not part of the name
        "Dear Judy",
        "Celia",  # a relation ("her sister"), not a title
        "Syme",  # a noun, not a describing word
        "the amiable Miss Sedley",
        "uncle Charles",
    ]


def test_person_spans_lose_words_that_are_not_names():
    text = "Stephen answered. Sometimes Dick strayed in. CHAPTER I. Down went Alice."
    spans = [
        span(text, "Stephen answered", "PERSON"),
        span(text, "Sometimes Dick", "PERSON"),
        span(text, "CHAPTER I. Down", "PERSON"),
    ]
    assert surfaces(text, clean(text, spans)) == [("Stephen", "PERSON"), ("Dick", "PERSON")]
