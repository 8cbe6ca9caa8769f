"""The filtered story stream every export format reads.

`export_stories(filters=...)` yields plain `ExportStory` rows, never model instances: stories come from
one `.iterator(chunk_size=...)` query, and each chunk's entities and characters are fetched with one query
each, so memory stays flat whatever the size of the set. Layer `final` is the editors' decided set:
accepted and imported entities, plus pending suggestions only when `pending="include"` asks for them.
Layer `model` is the model's original predictions (model_* columns). Each entity says its review state.
With `annotator`, each story's layer is that annotator's (double annotation) instead of the story's own;
with `votes`, each final span carries every annotator's label for exactly its bounds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from annotations.models import Character, Entity
from annotations.selectors.adjudication import span_votes
from stories.models import Story

LAYERS = ("final", "model")
PENDING_CHOICES = ("exclude", "include")
DEFAULT_CHUNK_SIZE = 200


@dataclass(frozen=True, slots=True)
class ExportEntity:
    start: int
    end: int
    label: str
    text: str
    origin: str
    character: int | None  # the linked Character's id
    state: str = "accepted"  # the review state: accepted or pending (rejected only in the model layer)
    id: int | None = (
        None  # the Entity row's id in the final layer (the API names it); None in the model layer
    )
    votes: dict | None = None  # {annotator: label or None} for a double-annotated story's final span


@dataclass(slots=True)
class ExportCharacter:
    id: int
    name: str
    aliases: list[str]
    gender: str
    mentions: int = 0


@dataclass(slots=True)
class ExportStory:
    id: int
    title: str
    text: str
    entities: list[ExportEntity]
    characters: list[ExportCharacter]
    meta: dict


@dataclass(frozen=True)
class ExportFilters:
    """What to export. `status` "all" means every status; empty tuples mean "no restriction"."""

    status: str = Story.Status.APPROVED
    batch: str | None = None
    labels: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    ids: tuple[int, ...] = ()
    layer: str = "final"
    pending: str = "exclude"  # "include" adds suggestions nobody has decided yet to the final layer
    annotator: str | None = None  # a username: export that annotator's layer of each story instead
    votes: bool = False  # final layer: each span of a double-annotated story says how each annotator voted


def export_story_queryset(*, filters: ExportFilters) -> QuerySet[Story]:
    """The stories an export covers, ordered by id; dates bound the story's last change, inclusive."""
    stories = Story.objects.all()
    if filters.status != "all":
        stories = stories.filter(status=filters.status)
    if filters.batch:
        stories = stories.filter(batch__name=filters.batch)
    if filters.since:
        stories = stories.filter(updated_at__date__gte=filters.since)
    if filters.until:
        stories = stories.filter(updated_at__date__lte=filters.until)
    if filters.ids:
        stories = stories.filter(pk__in=filters.ids)
    if filters.annotator:
        # The annotator's layers of the chosen stories; each is exported under its story's id and hash.
        layers = Story.with_layers.filter(
            layer_of__in=stories.values("pk"), annotator__username=filters.annotator
        )
        return layers.order_by("layer_of")
    return stories.order_by("pk")


def export_story_count(*, filters: ExportFilters) -> int:
    return export_story_queryset(filters=filters).count()


def export_stories(*, filters: ExportFilters, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[ExportStory]:
    """Yield the filtered stories with their entities and characters, `chunk_size` stories per query round."""
    layered = ("layer_of__sha256", "annotator__username") if filters.annotator else ()
    stories = (
        export_story_queryset(filters=filters)
        .select_related("batch", *(("layer_of", "annotator") if filters.annotator else ()))
        .only(
            *layered,
            "layer_of",  # read for every story, so loaded with it rather than one query each
            "pk",
            "title",
            "text",
            "source_name",
            "sha256",
            "status",
            "word_count",
            "meta",
            "created_at",
            "updated_at",
            "batch__name",
        )
        .iterator(chunk_size=chunk_size)
    )
    for chunk in itertools.batched(stories, chunk_size):
        ids = [story.pk for story in chunk]
        entities = _entities_by_story(ids, filters)
        characters = _characters_by_story(ids, filters.layer)
        votes = span_votes(ids) if filters.votes else {}
        for story in chunk:
            exported = _export_story(
                story, entities.get(story.pk, []), characters.get(story.pk, []), filters.layer
            )
            if story.pk in votes:
                exported.entities = [_voted(e, votes[story.pk]) for e in exported.entities]
            yield exported


def _voted(entity: ExportEntity, votes: dict) -> ExportEntity:
    return dataclasses.replace(entity, votes=votes.get((entity.start, entity.end)))


def _entities_by_story(ids: list[int], filters: ExportFilters) -> dict[int, list[ExportEntity]]:
    rows = Entity.objects.filter(story_id__in=ids)
    if filters.layer == "model":
        rows = rows.exclude(model_label="").exclude(model_start=None).exclude(model_end=None)
        if filters.labels:
            rows = rows.filter(model_label__in=filters.labels)
        values = rows.values_list(
            "story_id", "model_start", "model_end", "model_label", "character_id", "character__origin",
            "review_state",
        )  # fmt: skip
    else:
        rows = rows.final()
        if filters.pending != "include":
            rows = rows.exclude(review_state=Entity.ReviewState.PENDING)
        if filters.labels:
            rows = rows.filter(label_id__in=filters.labels)
        values = rows.values_list(
            "story_id", "start", "end", "label_id", "text", "origin", "character_id", "review_state", "pk"
        )
    by_story: dict[int, list] = defaultdict(list)
    for row in values:
        by_story[row[0]].append(row[1:])
    return by_story


def _characters_by_story(ids: list[int], layer: str) -> dict[int, list[ExportCharacter]]:
    rows = Character.objects.filter(story_id__in=ids)
    if layer == "model":
        rows = rows.filter(origin=Character.Origin.MODEL)
    by_story: dict[int, list[ExportCharacter]] = defaultdict(list)
    for story_id, pk, name, aliases, gender in rows.order_by("pk").values_list(
        "story_id", "pk", "name", "aliases", "gender"
    ):
        by_story[story_id].append(
            ExportCharacter(id=pk, name=name, aliases=list(aliases or []), gender=gender)
        )
    return by_story


def _export_story(story: Story, rows: list, characters: list[ExportCharacter], layer: str) -> ExportStory:
    known = {character.id for character in characters}
    if layer == "model":
        # The model layer rebuilds entities from the original prediction; its text is re-sliced because the
        # stored `text` column follows the editor's current bounds. A set removes the (rare) duplicates left
        # when two edited rows came from one prediction.
        unique = {
            (
                start,
                end,
                label,
                character if character in known and origin == Character.Origin.MODEL else None,
                state,
            )
            for start, end, label, character, origin, state in rows
        }
        entities = [
            ExportEntity(start, end, label, story.text[start:end], Entity.Origin.MODEL, character, state)
            for start, end, label, character, state in unique
        ]
    else:
        entities = [
            ExportEntity(
                start, end, label, text, origin, character if character in known else None, state, pk
            )
            for start, end, label, text, origin, character, state, pk in rows
        ]
    entities.sort(key=lambda entity: (entity.start, -entity.end, entity.label))
    mentions = Counter(entity.character for entity in entities if entity.character is not None)
    for character in characters:
        character.mentions = mentions[character.id]
    meta = {
        "source": story.source_name,
        "batch": story.batch.name if story.batch else None,
        "status": story.status,
        "sha256": story.layer_of.sha256 if story.layer_of_id else story.sha256,
        "word_count": story.word_count,
        "layer": layer,
        "created_at": story.created_at.isoformat(),
        "updated_at": story.updated_at.isoformat(),
        "import": story.meta,
        # The chapter headings found at ingest, as offsets into the text ({"title", "start", "end"}).
        "chapters": (story.meta or {}).get("chapters", []),
    }
    if story.layer_of_id:
        meta["annotator"] = story.annotator.get_username()
    return ExportStory(
        id=story.layer_of_id or story.pk,
        title=story.title,
        text=story.text,
        entities=entities,
        characters=characters,
        meta=meta,
    )
