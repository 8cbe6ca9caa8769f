"""Helpers for the nlp tests: spans by their surface, a StoryDocs with given entities, scores by label."""

from __future__ import annotations

from nlp.extraction.types import Span
from nlp.windows import StoryDocs


def span(text: str, surface: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(start, start + len(surface), label)


def surfaces(text: str, spans) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


def tagged_story(blank_nlp, text: str, ents: list[tuple[str, str, int]]) -> StoryDocs:
    """A StoryDocs whose single window carries the given (surface, label, nth occurrence) entities."""
    doc = blank_nlp(text)
    doc.ents = [doc.char_span(s.start, s.end, label=s.label) for s in (span(text, *e) for e in ents)]
    return StoryDocs(context=None, text=text, windows=[(0, doc)])


def by_label(result):
    return {score.label: score for score in result.labels}
