"""Extraction: turn spaCy's output for one story into the draft editors start from.

Contract: `extract(story_docs)` is pure. It takes a `nlp.windows.StoryDocs` (a story's text and its
(offset, Doc) windows) and returns an `Extraction`: entity rows with exact character offsets into the
story text, and characters with the entities that mention them. No database access, no spaCy objects.
"""

from __future__ import annotations

from nlp.extraction.pipeline import extract
from nlp.extraction.types import CharacterRow, EntityRow, Extraction

__all__ = ["CharacterRow", "EntityRow", "Extraction", "extract"]
