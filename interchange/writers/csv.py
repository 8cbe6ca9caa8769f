"""CSV (RFC 4180, UTF-8, header row). Default: one row per character, columns
story_id, story_title, character_id, name, aliases ("; "-separated), gender, mentions, first_offset
(the start of its first mention, empty if none). With `per_entity`: one row per entity, columns
story_id, story_title, start, end, label, text, origin, state, character_id, character_name.
"""

from __future__ import annotations

import csv as csv_module
import io
from collections.abc import Iterable, Iterator

from interchange.selectors.export import ExportStory

CHARACTER_COLUMNS = [
    "story_id",
    "story_title",
    "character_id",
    "name",
    "aliases",
    "gender",
    "mentions",
    "first_offset",
]
ENTITY_COLUMNS = [
    "story_id",
    "story_title",
    "start",
    "end",
    "label",
    "text",
    "origin",
    "state",
    "character_id",
    "character_name",
]


def character_rows(story: ExportStory) -> Iterator[list]:
    first: dict[int, int] = {}
    for entity in story.entities:
        if entity.character is not None:
            first.setdefault(entity.character, entity.start)
    for character in story.characters:
        yield [
            story.id,
            story.title,
            character.id,
            character.name,
            "; ".join(character.aliases),
            character.gender,
            character.mentions,
            first.get(character.id, ""),
        ]


def entity_rows(story: ExportStory) -> Iterator[list]:
    names = {character.id: character.name for character in story.characters}
    for entity in story.entities:
        yield [
            story.id,
            story.title,
            entity.start,
            entity.end,
            entity.label,
            entity.text,
            entity.origin,
            entity.state,
            entity.character if entity.character is not None else "",
            names.get(entity.character, ""),
        ]


def write(stories: Iterable[ExportStory], *, options, warn) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv_module.writer(buffer, lineterminator="\r\n")
    writer.writerow(ENTITY_COLUMNS if options.per_entity else CHARACTER_COLUMNS)
    rows = entity_rows if options.per_entity else character_rows
    for story in stories:
        writer.writerows(rows(story))
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
