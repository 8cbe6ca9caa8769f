"""Extraction spread over Celery workers: queue stories in chunks, and what a worker does with a chunk.

Contract: `queue_extraction(ids)` marks the stories queued under one token (a timestamp) and sends one
task per chunk; `extract_queued(ids, token)` (the task's body, in a worker) locks the chunk's stories
that are still queued under that token (SKIP LOCKED, so two workers never take the same story), runs
the model and rewrites each story's draft as `extract` does, keeping editors' work, then clears the mark.
Re-delivering a task is harmless: what was written is no longer queued under its token. A story whose
extraction raises keeps its mark with the reason in `extraction_error`; `ExtractionProgress` counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from annotations.services.extraction import (
    ReextractReport,
    extract,
    known_labels,
    replace_untouched,
    store_chapters,
)
from annotations.services.pipeline import drafting_nlp
from core.queue import app
from nlp.layers import layers_of
from stories.models import ImportBatch, Story

CONNECTION_ERRORS = (OperationalError, InterfaceError)


def chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for offset in range(0, len(ids), size):
        yield ids[offset : offset + size]


def queue_extraction(story_ids: Iterable[int], *, chunk_size: int | None = None) -> tuple[dt.datetime, int]:
    """Mark the stories queued and send their tasks; returns (token, number of stories queued).

    Done and Approved stories are left out (new suggestions would be unreviewed, as in `extract`). The
    marks are written before anything is sent, so a broker lost half-way leaves the rest marked and a
    re-run (`leftover_ids`) sends them again.
    """
    ids = sorted(
        Story.objects.filter(pk__in=list(story_ids))
        .exclude(status__in=[Story.Status.DONE, Story.Status.APPROVED])
        .values_list("pk", flat=True)
    )
    token = timezone.now()
    size = chunk_size or settings.EXTRACTION_CHUNK_SIZE
    for chunk in chunks(ids, 1000):
        Story.objects.filter(pk__in=chunk).update(extraction_queued_at=token, extraction_error=None)
    for chunk in chunks(ids, size):
        # By name: the task module imports this one.
        app.send_task("annotations.tasks.extract_stories", args=[chunk, token.isoformat()])
    return token, len(ids)


def leftover_ids(story_ids: Iterable[int]) -> list[int]:
    """Of `story_ids`, those queued by an earlier run that never finished (lost broker or workers)."""
    return list(
        Story.objects.filter(pk__in=list(story_ids), extraction_queued_at__isnull=False).values_list(
            "pk", flat=True
        )
    )


@dataclass(frozen=True)
class ExtractionProgress:
    """How far the stories queued under one token are: extracted, failed (with a reason), waiting."""

    total: int
    waiting: int
    failed: int

    @property
    def extracted(self) -> int:
        return self.total - self.waiting - self.failed

    @property
    def done(self) -> bool:
        return self.waiting == 0

    @classmethod
    def of(cls, token: dt.datetime, total: int) -> ExtractionProgress:
        counts = Story.objects.filter(extraction_queued_at=token).aggregate(
            waiting=Count("pk", filter=Q(extraction_error=None)),
            failed=Count("pk", filter=~Q(extraction_error=None)),
        )
        return cls(total=total, waiting=counts["waiting"], failed=counts["failed"])


def failures(token: dt.datetime, limit: int = 50) -> list[tuple[int, str, str]]:
    """(story id, title, reason) of the stories under `token` whose extraction failed."""
    rows = Story.objects.filter(extraction_queued_at=token).exclude(extraction_error=None).order_by("pk")
    return list(rows.values_list("pk", "title", "extraction_error")[:limit])


@dataclass(frozen=True)
class BatchCounts:
    """What the batch page shows: stories stored, extracted, failed, and still waiting for a worker."""

    stored: int
    extracted: int
    failed: int
    waiting: int

    @property
    def percent(self) -> int:
        settled = self.extracted + self.failed
        return 100 if not self.stored else round(100 * min(settled, self.stored) / self.stored)

    @classmethod
    def of(cls, batch: ImportBatch) -> BatchCounts:
        counts = Story.objects.filter(batch=batch).aggregate(
            stored=Count("pk"),
            extracted=Count("pk", filter=Q(extracted_at__isnull=False, extraction_queued_at__isnull=True)),
            failed=Count("pk", filter=~Q(extraction_error=None)),
            waiting=Count("pk", filter=Q(extraction_queued_at__isnull=False, extraction_error=None)),
        )
        return cls(**counts)


def extract_queued(story_ids: list[int], token: dt.datetime) -> int:
    """Extract the stories of `story_ids` still queued under `token`; returns how many were written.

    The chunk is one transaction holding its stories' row locks while spaCy runs, so a second worker
    (a re-delivered task) skips them instead of doing the work twice; each story has a savepoint, so
    one that fails is recorded and the others are written. Connection errors propagate: the task
    retries the chunk with backoff.
    """
    from nlp.windows import pipe_windows  # imports spaCy

    nlp, labels = drafting_nlp(), known_labels()
    layers = layers_of(nlp)  # the rule layers this pipeline was trained to want (nlp.layers)
    with transaction.atomic():
        stories = list(
            Story.objects.select_for_update(skip_locked=True)
            .filter(pk__in=story_ids, extraction_queued_at=token, extraction_error=None)
            .order_by("pk")
        )
        if not stories:
            return 0
        written = 0
        try:
            for story_docs in pipe_windows(((s.text, s) for s in stories), nlp=nlp):
                draft = lambda docs=story_docs: extract(docs, layers)  # noqa: E731
                written += _write_one(story_docs.context, draft, labels)
        except CONNECTION_ERRORS:
            raise
        except Exception:  # noqa: BLE001 - spaCy failed inside the batch: find the story, one at a time
            for story in stories[written:]:
                alone = lambda s=story: extract(next(iter(pipe_windows([(s.text, s)], nlp=nlp))), layers)  # noqa: E731
                written += _write_one(story, alone, labels)
    return written


def _write_one(story: Story, extraction, labels: frozenset[str]) -> int:
    """Write one story's draft under a savepoint; on failure record why on the story. Returns 1 or 0."""
    try:
        with transaction.atomic():
            store_chapters(story)
            replace_untouched(story=story, extraction=extraction(), labels=labels, report=ReextractReport())
            Story.objects.filter(pk=story.pk).update(
                extracted_at=timezone.now(), extraction_queued_at=None, extraction_error=None
            )
        return 1
    except CONNECTION_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - one bad story must not stop its chunk
        record_failure([story.pk], f"{type(error).__name__}: {error}")
        return 0


def record_failure(story_ids: list[int], reason: str) -> None:
    """Keep the stories queued but failed, with the reason, so the batch page lists them and a re-run
    retries them."""
    Story.objects.filter(pk__in=story_ids, extraction_queued_at__isnull=False).update(
        extraction_error=reason[:2000] or "failed"
    )
