"""Extraction: `extract(story_docs)` turns spaCy's windows of one story (a `nlp.windows.StoryDocs`) into
the draft editors start from, an `Extraction` of entity rows at exact story offsets and characters.
Pure: no database access, no spaCy objects in the result.
"""

from __future__ import annotations

from nlp.extraction.pipeline import extract
from nlp.extraction.types import CharacterRow, EntityRow, Extraction
from nlp.layers import DEFAULT_LAYERS, LAYERS, layers_of

__all__ = ["DEFAULT_LAYERS", "LAYERS", "CharacterRow", "EntityRow", "Extraction", "extract", "layers_of"]
