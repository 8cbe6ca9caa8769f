"""Celery tasks of the annotations app: `extract_stories`, one chunk of queued stories per task.

Acknowledged late (after the chunk is written) with a prefetch of one, so a worker that dies hands its
chunk to another. Connection errors retry with exponential backoff; when the retries run out, the
chunk's stories are recorded as failed with the reason (if the database takes the write) and a re-run
of the command queues them again. spaCy is loaded once per worker process, as it starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from celery.signals import worker_process_init
from django.db import connections

from annotations.services.distributed import CONNECTION_ERRORS, extract_queued, record_failure
from core.queue import app

log = logging.getLogger(__name__)

MAX_RETRIES = 6


@app.task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def extract_stories(self, story_ids: list[int], token: str) -> int:
    try:
        return extract_queued(story_ids, dt.datetime.fromisoformat(token))
    except CONNECTION_ERRORS as error:
        if not connections["default"].in_atomic_block:
            connections.close_all()  # the retry opens a fresh connection
        if self.request.retries >= MAX_RETRIES:
            reason = f"the database kept failing after {MAX_RETRIES} retries: {error}"
            try:
                record_failure(story_ids, reason)
            except CONNECTION_ERRORS:
                log.error("stories %s stay queued: %s", story_ids, reason)
            return 0
        raise self.retry(exc=error, countdown=min(60, 2 ** (self.request.retries + 1))) from None


@worker_process_init.connect
def load_the_pipeline(**_) -> None:
    """Load spaCy as the worker process starts, not inside its first task."""
    from annotations.services.pipeline import PipelineUnavailable, drafting_nlp

    try:
        nlp = drafting_nlp()
        log.info("spaCy pipeline %s loaded in worker process %s", nlp.meta.get("name"), os.getpid())
    except (PipelineUnavailable, *CONNECTION_ERRORS) as error:
        log.warning("spaCy not loaded at start (%s); the first task loads it", error)
    finally:
        connections.close_all()  # a forked process must not keep a connection it did not open
