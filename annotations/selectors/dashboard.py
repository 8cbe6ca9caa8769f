"""Reads for evaluation and the reviewers' dashboard: model-vs-final scores, status counts, work per editor.

`evaluation_stories()` picks the stories to score, `evaluation_compute()` streams their annotations
(ordered by story, never all stories at once) into nlp.scoring.evaluate(). The dashboard reads all its
figures through `figures()`, which recomputes only when a story changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from annotations.models import Edit, Entity, Label
from nlp.scoring import EvaluationResult, Span, evaluate
from stories.models import ImportBatch, Story
from stories.selectors import corpus_state

ALL = "all"
EVALUATION_STATUSES = [ALL, *Story.Status.values]
REVIEW_ACTIONS = (Edit.Action.APPROVE, Edit.Action.RETURN)
CACHE_SECONDS = 24 * 60 * 60


def evaluation_stories(
    *, status: str = Story.Status.APPROVED, batch: ImportBatch | None = None
) -> QuerySet[Story]:
    """Stories to evaluate: with `status` ('all' for any) and, if given, from `batch`."""
    stories = Story.objects.all()
    if status != ALL:
        stories = stories.filter(status=status)
    if batch is not None:
        stories = stories.filter(batch=batch)
    return stories.order_by("id")


def _story_pairs(stories: QuerySet[Story]) -> Iterator[tuple[list[Span], list[Span]]]:
    rows = (
        Entity.objects.filter(story__in=stories.values("id"))
        .order_by("story_id", "id")
        .values_list(
            "story_id", "start", "end", "label_id", "review_state", "model_start", "model_end", "model_label"
        )
        .iterator(chunk_size=5000)
    )
    pending = next(rows, None)
    # Walk stories and entity rows in step, so stories without any entity still count.
    for story_id in stories.values_list("id", flat=True).iterator(chunk_size=5000):
        predicted: list[Span] = []
        gold: list[Span] = []
        while pending is not None and pending[0] == story_id:
            _, start, end, label, state, m_start, m_end, m_label = pending
            # Only decided spans count: a suggestion nobody judged is neither right nor wrong yet.
            if state != Entity.ReviewState.PENDING:
                if m_label:
                    predicted.append((m_start, m_end, m_label))
                if state != Entity.ReviewState.REJECTED:
                    gold.append((start, end, label))
            pending = next(rows, None)
        yield predicted, gold


def evaluation_compute(*, stories: QuerySet[Story]) -> EvaluationResult:
    """Score the model's original predictions against the decided annotations of `stories`."""
    return evaluate(_story_pairs(stories))


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard counts, for one batch (or all) and one evaluated status."""

    result: EvaluationResult
    pending_left_out: int
    statuses: list[tuple[str, str, int]]
    work: list[dict]
    labels: list[dict]


def figures(*, batch: ImportBatch | None, status: str) -> Figures:
    """The dashboard's figures, computed once and then reused until any story changes (see cached())."""
    evaluated = evaluation_stories(status=status, batch=batch)
    return cached(
        f"figures|{batch.pk if batch else ''}|{status}",
        lambda: Figures(
            result=evaluation_compute(stories=evaluated),
            pending_left_out=pending_left_out(stories=evaluated),
            statuses=status_counts(batch=batch),
            work=editor_work(batch=batch),
            labels=label_frequencies(batch=batch),
        ),
    )


def cached[T](name: str, compute: Callable[[], T]) -> T:
    """`compute()`, reused while no story has changed.

    The key holds stories.selectors.corpus_state(): every edit, review decision, assignment and
    re-extraction bumps a story's updated_at (annotations.services.changes), a new story raises the highest
    id and a deleted one the deletion counter, so a stale figure is never served. One key for the whole
    corpus rather than one per filtered set: reading it is three index probes whatever the filter, which
    keeps a cached dashboard over 100,000 stories at the cost of one over 1,000; the price is that any
    change anywhere recomputes, which an edit does at most once per dashboard view. The workers need no
    shared cache to stay correct.
    """
    colours = "|".join(
        f"{name}={color}" for name, color in Label.objects.order_by("name").values_list("name", "color")
    )
    key = hashlib.sha256(f"{name}|{corpus_state()}|{colours}".encode()).hexdigest()
    key = f"fabula:dashboard:{key}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def pending_left_out(*, stories: QuerySet[Story]) -> int:
    """How many suggestions the evaluation of `stories` left out because nobody has decided them."""
    return Entity.objects.pending().filter(story__in=stories.values("id")).count()


def batch_by_name(name: str) -> ImportBatch | None:
    """The most recent batch called `name` (names are not unique; the newest wins)."""
    return ImportBatch.objects.filter(name=name).order_by("-started_at", "-id").first()


def status_counts(*, batch: ImportBatch | None = None) -> list[tuple[str, str, int]]:
    """(status value, display name, count) for every status, zeros included, in workflow order."""
    stories = Story.objects.all() if batch is None else Story.objects.filter(batch=batch)
    counts = dict(stories.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(value, name, counts.get(value, 0)) for value, name in Story.Status.choices]


def editor_work(*, batch: ImportBatch | None = None) -> list[dict]:
    """Per user: edits made, distinct done-or-approved stories they edited, approvals and returns given."""
    edits = Edit.objects.filter(user__isnull=False)
    if batch is not None:
        edits = edits.filter(story__batch=batch)
    not_review = ~Q(action__in=REVIEW_ACTIONS)
    rows = (
        edits.order_by()
        .values("user__username")
        .annotate(
            edits=Count("id", filter=not_review),
            stories_done=Count(
                "story",
                distinct=True,
                filter=not_review & Q(story__status__in=[Story.Status.DONE, Story.Status.APPROVED]),
            ),
            approvals=Count("id", filter=Q(action=Edit.Action.APPROVE)),
            returns=Count("id", filter=Q(action=Edit.Action.RETURN)),
        )
    )
    return sorted(rows, key=lambda row: (-row["edits"], -row["approvals"], row["user__username"]))


def label_frequencies(*, batch: ImportBatch | None = None) -> list[dict]:
    """Per label: spans in the final set and in the model's original draft, most frequent first."""
    # Annotators' layers are not the corpus: their spans would count each double-annotated story twice.
    entities = Entity.objects.filter(story__layer_of__isnull=True)
    if batch is not None:
        entities = entities.filter(story__batch=batch)
    final = dict(
        entities.final()
        .order_by()
        .values_list("label_id")
        .annotate(n=Count("id"))
        .values_list("label_id", "n")
    )
    model = dict(
        entities.model_draft()
        .order_by()
        .values_list("model_label")
        .annotate(n=Count("id"))
        .values_list("model_label", "n")
    )
    colors = dict(Label.objects.values_list("name", "color"))
    rows = [
        {
            "label": name,
            "color": colors.get(name, "#cccccc"),
            "final": final.get(name, 0),
            "model": model.get(name, 0),
        }
        for name in set(final) | set(model)
    ]
    return sorted(rows, key=lambda row: (-row["final"], -row["model"], row["label"]))
