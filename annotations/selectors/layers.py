"""Annotators' layers of double-annotated stories, as plain data (not nlp.layers' rule layers).

Contract (other modules build on these names): `layers_of(story)` lists a story's layers (`Layer`:
annotator, done); `layer_spans(layer)` and `layer_characters(layer)` give one layer's final set and
characters; `layered_annotations(stories)` gives all of that for many stories in three queries;
`double_stories(batch=...)` are the stories that have layers. Spans are sorted by (start, end).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from annotations.models import Character, Entity
from stories.models import ImportBatch, Story


@dataclass(frozen=True)
class Span:
    """One entity of a layer's final set: [start, end) into the story's text, its label's name."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class CharacterData:
    name: str
    aliases: tuple[str, ...]
    gender: str  # one of Character.Gender's values: female, male, nonbinary, unknown


@dataclass
class Layer:
    """One annotator's layer of the story `story_id`; `pk` is the layer's own (hidden) Story row."""

    pk: int
    story_id: int
    annotator: object  # the User
    status: str
    version: int = 0

    @property
    def done(self) -> bool:
        """The annotator has marked their layer done (it is then read-only)."""
        return self.status == Story.Status.DONE

    @property
    def username(self) -> str:
        return self.annotator.get_username()


@dataclass
class LayerAnnotations:
    layer: Layer
    spans: list[Span] = field(default_factory=list)
    characters: list[CharacterData] = field(default_factory=list)


def _layers(queryset: QuerySet[Story]) -> list[Layer]:
    rows = queryset.select_related("annotator").defer("text").order_by("layer_of", "annotator__username")
    return [
        Layer(pk=row.pk, story_id=row.layer_of_id, annotator=row.annotator, status=row.status,
              version=row.version)
        for row in rows
    ]  # fmt: skip


def layers_of(story: Story | int) -> list[Layer]:
    """The annotators' layers of `story` (a Story or its id), by annotator username; [] if single."""
    story_id = story if isinstance(story, int) else story.pk
    return _layers(Story.with_layers.filter(layer_of_id=story_id))


def layer_of_user(story: Story | int, user) -> Layer | None:
    """`user`'s layer of `story`, or None when they have none."""
    story_id = story if isinstance(story, int) else story.pk
    found = _layers(Story.with_layers.filter(layer_of_id=story_id, annotator=user))
    return found[0] if found else None


def _span(row: dict) -> Span:
    return Span(start=row["start"], end=row["end"], label=row["label"], text=row["text"])


def _character(row: dict) -> CharacterData:
    return CharacterData(name=row["name"], aliases=tuple(row["aliases"] or ()), gender=row["gender"])


def _layer_id(layer: Layer | Story | int) -> int:
    return layer if isinstance(layer, int) else layer.pk


def layer_spans(layer: Layer | Story | int) -> list[Span]:
    """The layer's final set (everything its annotator did not reject), by (start, end)."""
    rows = Entity.objects.final().filter(story_id=_layer_id(layer)).order_by("start", "end", "label")
    return [_span(row) for row in rows.values("start", "end", "label", "text")]


def layer_characters(layer: Layer | Story | int) -> list[CharacterData]:
    """The layer's characters, in the order they were created."""
    rows = Character.objects.filter(story_id=_layer_id(layer)).order_by("id")
    return [_character(row) for row in rows.values("name", "aliases", "gender")]


def layered_annotations(stories: Iterable[Story | int]) -> dict[int, list[LayerAnnotations]]:
    """{story id: its layers with their spans and characters} for many stories, in three queries.

    Stories without layers are left out. Within a story, layers are ordered by annotator username.
    """
    ids = [s if isinstance(s, int) else s.pk for s in stories]
    layers = _layers(Story.with_layers.filter(layer_of_id__in=ids))
    by_pk = {layer.pk: LayerAnnotations(layer=layer) for layer in layers}
    entities = Entity.objects.final().filter(story_id__in=list(by_pk)).order_by("story", "start", "end")
    for row in entities.values("story_id", "start", "end", "label", "text").iterator(chunk_size=5000):
        by_pk[row["story_id"]].spans.append(_span(row))
    characters = Character.objects.filter(story_id__in=list(by_pk)).order_by("story", "id")
    for row in characters.values("story_id", "name", "aliases", "gender"):
        by_pk[row["story_id"]].characters.append(_character(row))
    out: dict[int, list[LayerAnnotations]] = defaultdict(list)
    for item in by_pk.values():
        out[item.layer.story_id].append(item)
    return dict(out)


def double_stories(*, batch: ImportBatch | str | None = None) -> QuerySet[Story]:
    """Stories annotated in layers (any status), optionally of one batch (an ImportBatch or its name)."""
    stories = Story.objects.filter(layer_count__isnull=False)
    if isinstance(batch, str):
        stories = stories.filter(batch__name=batch)
    elif batch is not None:
        stories = stories.filter(batch=batch)
    return stories.order_by("id")
