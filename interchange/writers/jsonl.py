"""JSONL: one story per line, character offsets (the Fabula shape that `ingest` reads back).

Fabula flavour: {"id", "title", "text",
"spans": [{"start", "end", "label", "text", "origin", "character", "state", "votes"?}],
"characters": [{"id", "name", "aliases", "gender", "mentions"}], "meta": {...}}.
doccano flavour: {"id", "text", "label": [[start, end, label]], "title", "meta"}, as doccano imports it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from interchange.selectors.export import ExportStory


def _span(e) -> dict:
    span = {
        "start": e.start, "end": e.end, "label": e.label, "text": e.text, "origin": e.origin,
        "character": e.character, "state": e.state,
    }  # fmt: skip
    if e.votes is not None:
        span["votes"] = e.votes
    return span


def story_record(story: ExportStory) -> dict:
    return {
        "id": story.id,
        "title": story.title,
        "text": story.text,
        # Built by hand: dataclasses.asdict deep-copies recursively and was a third of the export time.
        "spans": [_span(e) for e in story.entities],
        "characters": [
            {"id": c.id, "name": c.name, "aliases": c.aliases, "gender": c.gender, "mentions": c.mentions}
            for c in story.characters
        ],
        "meta": story.meta,
    }


def doccano_record(story: ExportStory) -> dict:
    return {
        "id": story.id,
        "text": story.text,
        "label": [[entity.start, entity.end, entity.label] for entity in story.entities],
        "title": story.title,
        "meta": story.meta,
    }


def write(stories: Iterable[ExportStory], *, options, warn) -> Iterator[bytes]:
    build = doccano_record if options.flavor == "doccano" else story_record
    for story in stories:
        yield (json.dumps(build(story), ensure_ascii=False) + "\n").encode()
