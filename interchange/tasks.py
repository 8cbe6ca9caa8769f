"""Celery tasks of the interchange app: `import_upload`, one browser upload run by the ingest service;
`export_job`, one export requested on the Export page, written to a file.

Late acknowledgement as for extraction; a lost database retries with backoff, and a re-run skips the
stories already stored, so a retried import finishes without duplicates.
"""

from __future__ import annotations

from django.db import connections

from core.queue import app
from interchange.services.exports import run_export
from interchange.services.ingest import DatabaseWentAway
from interchange.services.uploads import run_import


@app.task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=6)
def import_upload(self, batch_id: int) -> None:
    try:
        run_import(batch_id)
    except DatabaseWentAway as error:
        connections.close_all()
        raise self.retry(exc=error, countdown=min(60, 2 ** (self.request.retries + 1))) from None


@app.task(acks_late=True, reject_on_worker_lost=True)
def export_job(job_id: int) -> None:
    """One export job from the Export page; a redelivered message writes the file again from the start."""
    run_export(job_id)
