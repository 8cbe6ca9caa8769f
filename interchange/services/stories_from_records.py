"""Turning a read StoryRecord into an unsaved Story row, and titling an untitled story after its protagonist.

Plain construction: nothing here touches the database; `interchange.services.ingest` saves the rows.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from nlp.chapters import find_chapters
from stories.models import ImportBatch, Story
from stories.services import word_count
from stories.sources.records import StoryRecord


def titled_by_protagonist(record: StoryRecord, extraction) -> StoryRecord:
    """A story with no heading or telling file name is titled after its protagonist ("Anna Zhunussova").

    A reader recognises a biography by its subject sooner than by its opening words, which stay in
    the metadata. The protagonist is the most-mentioned character. A story short enough to be its own
    title ("Zoë danced in Paris") keeps it.
    """
    if record.meta.get("title_from") != "opening" or not record.title.endswith("…"):
        return record
    if not extraction.characters:
        return record
    mentions = Counter(span.character for span in extraction.spans if span.character is not None)
    if not mentions:
        return record
    protagonist = extraction.characters[mentions.most_common(1)[0][0]].name
    meta = {**record.meta, "title_from": "protagonist", "opening": record.title}
    return dataclasses.replace(record, title=protagonist, meta=meta)


def story_from_record(record: StoryRecord, sha256: str, batch: ImportBatch | None) -> Story:
    meta = dict(record.meta)
    # Fabula's own export re-imported: keep the story's status, source and metadata as they were, so
    # exporting it again gives the same bytes (see interchange.readers.annotated.parse_fabula_export).
    restored = meta.pop("restored", None) or {}
    if record.line and not restored:
        meta["source_line"] = record.line
    if "chapters" not in meta and (chapters := find_chapters(record.text)):
        meta["chapters"] = [c.as_dict() for c in chapters]  # offsets into the text, for the reader's menu
    return Story(
        title=(record.title or record.where)[:300],
        text=record.text,
        text_length=len(record.text),
        source_name=(restored.get("source") or record.source)[-500:],
        sha256=sha256,
        batch=batch,
        status=restored.get("status") or Story.Status.NEW,
        word_count=word_count(record.text),
        meta=meta,
    )
