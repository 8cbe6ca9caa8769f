"""Export jobs: one export requested on the Export page, written to a file by a worker (or in-process).

The row is the job's whole state: who asked, the options, how far it got, why it failed, and where the
finished file is. `file_name` is set only once the file is complete, so a download never sees a
half-written file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"
        # Finished, and its file since removed by the clean-up (older than FABULA_EXPORT_KEEP_HOURS).
        EXPIRED = "expired", "Expired"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=20)
    # The Export page's options as submitted (the same keys as `manage.py export`'s flags).
    filters = models.JSONField(default=dict)
    state = models.CharField(max_length=20, choices=State, default=State.QUEUED, db_index=True)
    done = models.PositiveIntegerField(default=0)  # stories written so far
    total = models.PositiveIntegerField(default=0)  # stories the filters matched when the job started
    error = models.TextField(blank=True)
    # What the writers adjusted (nested spans in CoNLL, split tokens): the first few lines and a count.
    warnings = models.JSONField(default=list, blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    # Relative to FABULA_EXPORT_DIR; blank until the file is complete.
    file_name = models.CharField(max_length=300, blank=True)
    download_name = models.CharField(max_length=300, blank=True)  # what the browser saves it as
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Moves with every progress write: a running job whose row stands still has lost its process.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_job_by_requester")]

    def __str__(self) -> str:
        return f"{self.format} export {self.pk} ({self.state})"

    @property
    def running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if self.state == self.State.FINISHED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
