"""Extraction: turn spaCy's output for one story into the draft editors start from.

Contract: `extract(story_docs)` is pure. It takes a `nlp.windows.StoryDocs` (a story's text and its
(offset, Doc) windows) and returns plain rows: entity spans with exact character offsets into the
story text, and characters with the spans that mention them. No database access, no spaCy objects
in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SpanRow:
    start: int
    end: int
    label: str
    character: int | None = None  # index into Extraction.characters


@dataclass
class CharacterRow:
    name: str
    aliases: list[str] = field(default_factory=list)
    gender: str = "unknown"  # female, male, nonbinary, unknown


@dataclass
class Extraction:
    spans: list[SpanRow]
    characters: list[CharacterRow]


from nlp.extraction.pipeline import extract  # noqa: E402

__all__ = ["CharacterRow", "Extraction", "SpanRow", "extract"]
