"""Span cleaning: `clean(text, spans)` returns non-overlapping spans sorted by start, with exact edges (no
whitespace, edge punctuation or possessive), titles kept with their names ("Mr. Darcy") and misfired
numeric labels (DATE "Makarova") treated as the names they are. Pure string work, O(n).
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS

from nlp.extraction.boundaries import trim_person
from nlp.extraction.types import Span
from nlp.extraction.vocabulary import (
    DATE_WORDS,
    NAME_LABELS,
    NUMERIC_LABELS,
    SAINT,
    is_title,
    title_key,
    title_start,
)

EDGE_PUNCT = "\"'“”‘’«»()[]{}<>,;:!?*_—–-/\\|"
POSSESSIVE = re.compile(r"\s?['’]s$")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past whitespace, edge punctuation and a trailing possessive."""
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in EDGE_PUNCT):
            start += 1
        while start < end and (text[end - 1].isspace() or text[end - 1] in EDGE_PUNCT):
            end -= 1
        match = POSSESSIVE.search(text, start, end)
        if match and match.start() > start:
            end = match.start()
        # A final full stop belongs to the sentence, unless it ends an abbreviation ("Jr.", "Co.", "St.").
        if end - start > 1 and text[end - 1] == "." and len(text[start:end].split()[-1]) > 4:
            end -= 1
        if (start, end) == before:
            return start, end


def is_numeric_misfire(text: str, span: Span) -> bool:
    """A DATE/TIME/... span of only capitalised non-date words ("Makarova"): spaCy saw an unknown name."""
    if span.label not in NUMERIC_LABELS:
        return False
    words = text[span.start : span.end].split()
    return all(
        w[:1].isupper() and not any(c.isdigit() for c in w) and w.lower() not in DATE_WORDS for w in words
    )


COMMA_SPLIT = re.compile(r"^([A-Z][\w’'-]*)\s?,\s+(?=[A-Z])")
SUFFIXES = {"esq", "jr", "sr", "junior", "senior"}


def drop_interjection(text: str, start: int, end: int, label: str) -> int:
    """ "True , Florence" / "Wal, Beasley" tagged as one span: the name is the part after the comma."""
    if label in {"GPE", "LOC", "FAC"}:
        return start  # "Richmond, Virginia" is one place
    match = COMMA_SPLIT.match(text[start:end])
    if match and title_key(text[start + match.end() : end].split()[0]) not in SUFFIXES:
        return start + match.end()
    return start


def clean(text: str, spans: list[Span]) -> list[Span]:
    cleaned: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        start, end = trim(text, span.start, span.end)
        if start >= end:
            continue
        start = drop_interjection(text, start, end, span.label)
        span = Span(start, end, span.label, span.fixed)
        if span.fixed:
            pass
        elif is_numeric_misfire(text, span):
            span = replace(span, label="PERSON?")  # settled by merge_name_runs below
        if not span.fixed and (span.label in NAME_LABELS or span.label == "PERSON?"):
            words = text[start:end].split()
            new_start = title_start(text, start)
            has_name = not all(is_title(w) for w in words)
            if has_name and (new_start < start or is_title(words[0])):
                span = Span(new_start, end, "PERSON")  # a title makes whatever follows a person
        if span.label == "PERSON" and not span.fixed:
            span = Span(*trim_person(text, span.start, span.end), "PERSON")
        if cleaned and span.start < cleaned[-1].end:
            # Overlap (a title reached back into the previous span): a rule's span wins, then the longer.
            previous = cleaned[-1]
            if previous.fixed or span.end - span.start <= previous.end - previous.start:
                continue
            cleaned.pop()
        cleaned.append(span)
    return merge_name_runs(text, cleaned)


def merge_name_runs(text: str, spans: list[Span]) -> list[Span]:
    """Join "Natalia"(GPE) + " " + "Makarova"(DATE misfire) into one PERSON span; resolve leftover misfires.

    spaCy splitting one capitalised name into pieces with unrelated labels is the signature of a name it did
    not know; the misfire is the evidence, so the run becomes PERSON. A lone misfire is dropped.
    """
    out: list[Span] = []
    for span in spans:
        if (
            out
            and text[out[-1].end : span.start] == " "
            and text[out[-1].start : out[-1].end].split()[-1] in SAINT
            and "PERSON" in (out[-1].label, span.label)
            and not (out[-1].fixed or span.fixed)
        ):
            out[-1] = Span(out[-1].start, span.end, "PERSON")  # "St." + "Aubert": one name, cut at the stop
            continue
        if out and text[out[-1].end : span.start] == " " and "PERSON?" in (out[-1].label, span.label):
            other = span.label if out[-1].label == "PERSON?" else out[-1].label
            if other in NAME_LABELS or other == "PERSON?":
                out[-1] = Span(out[-1].start, span.end, "PERSON")
                continue
        out.append(span)
    return [s for s in out if s.label != "PERSON?" and not _not_a_name(text, s)]


def _not_a_name(text: str, span: Span) -> bool:
    """A PERSON span with no capital letter ("bush"), made only of titles ("Uncle") or one function word
    ("Shall") names nobody."""
    if span.label != "PERSON":
        return False
    surface = text[span.start : span.end]
    if " " not in surface and surface.lower() in STOP_WORDS:
        return True  # "Shall", "Ours": a function word capitalised because it opens a sentence
    return surface.islower() or all(is_title(w) for w in surface.split())
