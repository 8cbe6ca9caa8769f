"""Saving an annotated record's entities and characters as given (origin imported, accepted).

Labels are checked against `ImportLabels` (known, mapped with --label-map, or created with --create-labels);
anything that cannot be stored as it is raises `RecordRejected`, which fails that one record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from annotations.models import SPAN_EDGE_WHITESPACE, Character, Entity, validate_label_name
from annotations.services.extraction import Rows, rows_save
from annotations.services.labels import label_get_or_create
from stories.models import Story
from stories.sources.records import StoryRecord

EDGE_WHITESPACE = "".join(SPAN_EDGE_WHITESPACE)


class RecordRejected(ValueError):
    """A record that cannot be stored as it is (e.g. an unknown label); the message says how to fix it."""


@dataclass(frozen=True)
class ImportLabels:
    """The labels an annotated import may use: known ones, renamed by `label_map`; new ones if `create`."""

    known: frozenset[str]
    label_map: dict[str, str]
    create: bool = False
    dry_run: bool = False

    def resolve(self, name: str, where: str) -> str:
        """The label to store for the file's `name`; an unknown one is created or rejected."""
        label = self.label_map.get(name, name)
        if label not in self.known and not self._created(label, where):
            raise RecordRejected(
                f"unknown label {label!r} ({where}); add it under Labels in "
                f"the admin, map it with --label-map {label}=PERSON, or pass --create-labels"
            )
        return label

    def _created(self, name: str, where: str) -> bool:
        """With --create-labels, an unknown label becomes a new Label (not in a dry run); a name that
        is not a valid label name fails the record, dry run or not.

        Created inside the story's transaction, so a story that fails leaves no stray label behind."""
        if not self.create:
            return False
        try:
            validate_label_name(name)
            if not self.dry_run:
                label_get_or_create(name=name, description="Created by an annotated import.")
        except ValidationError as exc:
            raise RecordRejected(
                f"cannot create label {name!r} ({where}): {' '.join(exc.messages)} "
                f"Map it to a valid name with --label-map '{name}=NEW_NAME'."
            ) from exc
        return True


def save_imported_entities(story: Story, record: StoryRecord, labels: ImportLabels) -> tuple[int, int]:
    """Store an annotated record's entities and characters (not in a dry run); returns their counts."""
    characters, by_ref = imported_characters(story, record)
    entities, links = imported_entities(story, record, labels, by_ref)
    if not labels.dry_run:
        rows_save(Rows(characters=characters, entities=entities, links=links))
    return len(entities), len(characters)


def imported_characters(story: Story, record: StoryRecord) -> tuple[list[Character], dict[object, int]]:
    """The record's characters, and each one's reference (its "id", else its place) -> its index."""
    characters: list[Character] = []
    by_ref: dict[object, int] = {}
    for index, row in enumerate(record.characters or []):
        gender = row.get("gender") or Character.Gender.UNKNOWN
        if gender not in Character.Gender.values:
            raise RecordRejected(
                f"character {row['name']!r} has gender {gender!r}; "
                f"use one of {', '.join(Character.Gender.values)}"
            )
        by_ref[row.get("id", index)] = index
        characters.append(
            Character(
                story=story,
                name=row["name"][:300],
                aliases=[a for a in row.get("aliases") or [] if isinstance(a, str)],
                gender=gender,
                origin=Character.Origin.IMPORTED,
            )
        )
    return characters, by_ref


def imported_entities(
    story: Story, record: StoryRecord, labels: ImportLabels, by_ref: dict[object, int]
) -> tuple[list[Entity], dict[int, int]]:
    """The record's spans as Entity rows (repeats stored once), and entity index -> character index links."""
    entities: list[Entity] = []
    links: dict[int, int] = {}
    seen: set[tuple[int, int, str]] = set()
    for index, span in enumerate(record.spans or []):
        start, end = span["start"], span["end"]
        label = labels.resolve(span["label"], span.get("where") or f"span {index}")
        covered = story.text[start:end]
        if covered != covered.strip(EDGE_WHITESPACE):
            raise RecordRejected(f"span {index} [{start}, {end}) {covered!r} starts or ends with whitespace")
        if (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        ref = span.get("character")
        if ref is not None:
            if ref not in by_ref:
                raise RecordRejected(f'span {index} names character {ref!r}, which is not in "characters"')
            links[len(entities)] = by_ref[ref]
        entities.append(
            Entity(
                story=story,
                start=start,
                end=end,
                text=covered,
                label_id=label,
                origin=Entity.Origin.IMPORTED,
                review_state=Entity.ReviewState.ACCEPTED,
            )
        )
    return entities, links
