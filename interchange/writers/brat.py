"""brat standoff: a zip with `<name>.txt` + `<name>.ann` per story and an `annotation.conf` at the root.

`.txt` is the story text exactly (UTF-8, offsets are in characters as brat and INCEpTION count them).
`.ann` holds one `T` line per entity, `T1<TAB>PERSON 0 12<TAB>Anna Petrova`; an entity that crosses a line
break is written as fragments (`0 4;5 12`) because brat keeps each line's text on one line. A mention of a
character gets an attribute `A1<TAB>Character T1 C2` (C2 = the second character with mentions) and a note
`#1<TAB>AnnotatorNotes T1<TAB>Anna Petrova` naming it. Both are core brat features that INCEpTION's brat
importer reads. `annotation.conf` declares the labels and the Character values, so brat opens the folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from interchange.selectors.export import ExportStory
from interchange.writers.zipstream import ZipStream

ROOT = "fabula"


def file_stem(story: ExportStory) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", story.title).strip("-").lower()[:50] or "story"
    return f"{story.id:06d}-{slug}"


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut [start, end) at line breaks into the non-empty, whitespace-trimmed pieces brat needs."""
    pieces: list[tuple[int, int]] = []
    position = start
    for line in text[start:end].split("\n"):
        left = position + (len(line) - len(line.lstrip()))
        right = position + len(line.rstrip())
        if right > left:
            pieces.append((left, right))
        position += len(line) + 1
    return pieces


def mentioned(story: ExportStory) -> list:
    """The characters brat can carry: those with a mention (brat has nowhere to put the others)."""
    linked = {entity.character for entity in story.entities}
    return [character for character in story.characters if character.id in linked]


def story_ann(story: ExportStory) -> str:
    index = {character.id: number for number, character in enumerate(mentioned(story), start=1)}
    names = {character.id: character.name for character in story.characters}
    lines: list[str] = []
    attribute = 0
    for number, entity in enumerate(story.entities, start=1):
        pieces = fragments(story.text, entity.start, entity.end)
        offsets = ";".join(f"{left} {right}" for left, right in pieces)
        shown = " ".join(story.text[left:right] for left, right in pieces)
        lines.append(f"T{number}\t{entity.label} {offsets}\t{shown}")
        if entity.character in index:
            attribute += 1
            lines.append(f"A{attribute}\tCharacter T{number} C{index[entity.character]}")
            lines.append(f"#{attribute}\tAnnotatorNotes T{number}\t{_one_line(names[entity.character])}")
    return "".join(line + "\n" for line in lines)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def annotation_conf(labels: set[str], characters: int) -> str:
    values = "|".join(f"C{number}" for number in range(1, max(characters, 1) + 1))
    return (
        "[entities]\n"
        + "".join(f"{label}\n" for label in sorted(labels))
        + "\n[relations]\n\n[events]\n\n[attributes]\n"
        + f"Character Arg:<ENTITY>, Value:{values}\n"
    )


def write(stories: Iterable[ExportStory], *, options, warn) -> Iterator[bytes]:
    archive = ZipStream()
    labels: set[str] = set()
    most_characters = 0
    for story in stories:
        stem = f"{ROOT}/{file_stem(story)}"
        yield from archive.add(f"{stem}.txt", story.text.encode())
        yield from archive.add(f"{stem}.ann", story_ann(story).encode())
        labels.update(entity.label for entity in story.entities)
        most_characters = max(most_characters, len(mentioned(story)))
    yield from archive.add(f"{ROOT}/annotation.conf", annotation_conf(labels, most_characters).encode())
    yield from archive.close()
