"""Reads for agreement between annotators: `agreement_stories()` picks the double-annotated stories,
`agreement_compute()` streams their done layers (a few hundred stories at a time) into nlp.agreement,
and `agreement_cached()` reuses the figures until a story or one of its layers changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from annotations.selectors.dashboard import cached
from annotations.selectors.layers import double_stories, layered_annotations
from stories.models import ImportBatch, Story

if TYPE_CHECKING:
    from nlp.agreement import Agreement, StoryLayers

# nlp.agreement (and numpy with it) is imported on first use, not here: the URL conf imports this module,
# and a web process that never opens the Agreement page should not pay for numpy.

CHUNK = 200


def agreement_stories(*, batch: ImportBatch | None = None) -> QuerySet[Story]:
    """Stories annotated in layers, of `batch` if given, by id."""
    return double_stories(batch=batch)


def _story_layers(stories: QuerySet[Story]) -> Iterator[StoryLayers]:
    from nlp.agreement import StoryLayers

    ids = stories.values_list("id", flat=True).iterator(chunk_size=2000)
    while chunk := list(itertools.islice(ids, CHUNK)):
        layered = layered_annotations(chunk)
        for pk, title, text in (
            Story.objects.filter(pk__in=chunk).order_by("id").values_list("id", "title", "text")
        ):
            # A layer counts once its annotator marked it done: half an annotation is not a disagreement.
            done = [item for item in layered.get(pk, []) if item.layer.done]
            yield StoryLayers(
                story=pk,
                title=title,
                text=text,
                layers={
                    item.layer.username: [(s.start, s.end, s.label) for s in item.spans] for item in done
                },
            )


def agreement_compute(*, stories: QuerySet[Story], per_story: bool = True) -> Agreement:
    """Agreement over the done layers of `stories`; stories with fewer than two done layers are left out."""
    from nlp.agreement import agreement

    return agreement(_story_layers(stories), per_story=per_story)


def agreement_cached(*, stories: QuerySet[Story]) -> Agreement:
    """`agreement_compute()`, reused while no story and no layer changed (dashboard.cached's key counts
    the layers' rows too: an annotator's edits bump their layer's row, not the story's)."""
    query = str(stories.order_by("id").values("id").query)
    return cached(f"agreement|{query}", lambda: agreement_compute(stories=stories))


def waiting_stories(*, stories: QuerySet[Story]) -> int:
    """How many of `stories` are left out for now: fewer than two of their layers are done."""
    done = Story.with_layers.filter(layer_of__in=stories.values("id"), status=Story.Status.DONE)
    measured = done.order_by().values("layer_of").annotate(n=Count("id")).filter(n__gte=2).count()
    return stories.count() - measured
