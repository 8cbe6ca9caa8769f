"""Reads for the Import page and the batch page: recent batches, and one batch's progress and report."""

from __future__ import annotations

from annotations.services.distributed import BatchCounts
from stories.models import ImportBatch, Story


def recent_batches(limit: int = 10) -> list[ImportBatch]:
    return list(ImportBatch.objects.select_related("created_by").order_by("-started_at")[:limit])


def batch_context(batch: ImportBatch) -> dict:
    counts = BatchCounts.of(batch)
    failed_stories = list(
        Story.objects.filter(batch=batch, extraction_error__isnull=False)
        .order_by("pk")
        .values("pk", "title", "extraction_error")[:50]
    )
    running = batch.state == ImportBatch.State.RUNNING or counts.waiting > 0
    return {"batch": batch, "counts": counts, "failed_stories": failed_stories, "running": running}
