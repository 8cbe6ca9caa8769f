"""Exports from the Export page as jobs: `request_export(form, user=)` opens an ExportJob and starts it on
the workers (a broker configured) or in this process; `run_export(job_id)` writes the file under
FABULA_EXPORT_DIR with progress, renaming it into place only when complete; `clean_exports()` removes
old files. `plan_export(form)` is the one recipe the streamed download and the jobs both follow.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import notifications
from core.models import Notification
from core.queue import broker_configured, run_in_background
from interchange.forms.export import DEFAULT_SHARD_SIZE, ExportForm
from interchange.models import ExportJob
from interchange.selectors.export import ExportFilters, ExportStory, export_stories, export_story_count
from interchange.writers import ExportOptions, get_format, write

logger = logging.getLogger(__name__)

TASK_NAME = "interchange.tasks.export_job"
PROGRESS_SECONDS = 0.5  # the page polls once a second; writing progress more often is wasted work
# A job that took this long gets a notification as well: its requester may have left the page.
NOTIFY_AFTER_SECONDS = 10
# A running job whose row has not moved for this long lost its process (a restart, a killed worker).
STALE_SECONDS = 600
KEPT_WARNINGS = 20


@dataclass(frozen=True)
class ExportPlan:
    """What one export writes: the format, the stories, the writer's options and the download's name."""

    name: str
    filters: ExportFilters
    options: ExportOptions
    total: int
    download_name: str
    content_type: str

    def chunks(self, stories: Iterable[ExportStory], *, warn) -> Iterator[bytes]:
        return (chunk for chunk in write(self.name, stories, options=self.options, warn=warn) if chunk)


def plan_export(form: ExportForm) -> ExportPlan:
    """spaCy sets bigger than one shard, or with a shard size, become a zip of DocBins, as with
    `manage.py export --shard-size N -o NAME.zip`."""
    filters, name = form.filters(), form.cleaned_data["format"]
    total = export_story_count(filters=filters)
    zipped = name == "spacy" and (bool(form.cleaned_data.get("shard_size")) or total > DEFAULT_SHARD_SIZE)
    kind = get_format(name)
    extension, content_type = (".zip", "application/zip") if zipped else (kind.extension, kind.content_type)
    return ExportPlan(
        name=name,
        filters=filters,
        options=form.options(zipped=zipped),
        total=total,
        download_name=f"fabula-{filters.status}-{filters.layer}-{dt.date.today():%Y%m%d}{extension}",
        content_type=content_type,
    )


def submitted_options(form: ExportForm) -> dict[str, str]:
    """The options as the form received them (non-empty only), so the job validates them again as given."""
    return {name: form.data[name] for name in form.fields if form.data.get(name) not in (None, "")}


def running_job(user) -> ExportJob | None:
    return (
        ExportJob.objects.filter(
            requested_by=user, state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING]
        )
        .order_by("-created_at")
        .first()
    )


def request_export(form: ExportForm, *, user) -> ExportJob:
    """Open a job for the valid `form` and start it; while `user` has one running, that one is returned.

    Each request first marks lost jobs failed and removes expired files, so a deployment without a
    scheduler still cleans up after itself.
    """
    mark_stale_jobs()
    clean_exports()
    if job := running_job(user):
        return job
    plan = plan_export(form)
    job = ExportJob.objects.create(
        requested_by=user,
        format=plan.name,
        filters=submitted_options(form),
        total=plan.total,
        download_name=plan.download_name,
        content_type=plan.content_type,
    )
    run_in_background(TASK_NAME, job.pk, body=run_export)
    job.refresh_from_db()
    return job


def run_export(job_id: int) -> None:
    """Write the job's file; record it finished with the file, or failed with the reason.

    Safe to run twice (a redelivered task): a finished or failed job is left alone, a running one is
    written again from the start under a partial name of its own.
    """
    claimed = ExportJob.objects.filter(
        pk=job_id, state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING]
    ).update(state=ExportJob.State.RUNNING, started_at=timezone.now(), done=0, updated_at=timezone.now())
    if not claimed:
        return
    job = ExportJob.objects.get(pk=job_id)
    warnings: list[str] = []
    partial: Path | None = None
    try:
        form = ExportForm(job.filters)
        if not form.is_valid():
            raise ExportRefused(
                "The options are no longer valid: "
                + "; ".join(form.error_lines())
                + ". Check them and export again."
            )
        plan = plan_export(form)
        folder = Path(settings.FABULA_EXPORT_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        final_name = f"{job.pk}-{secrets.token_hex(8)}{Path(plan.download_name).suffix}"
        partial = folder / f".{final_name}.partial"
        ExportJob.objects.filter(pk=job.pk).update(total=plan.total)
        stories = _counted(export_stories(filters=plan.filters), job.pk)
        with partial.open("wb") as handle:
            for chunk in plan.chunks(stories, warn=warnings.append):
                handle.write(chunk)
        size = partial.stat().st_size
        # The rename is what makes the file visible: the row names it only after, so a download
        # always finds a whole file.
        os.replace(partial, folder / final_name)
        partial = None
        _finish(job, final_name, size, plan.total, warnings)
    except Exception as error:
        if not isinstance(error, ExportRefused | OSError):
            logger.exception("Export job %s failed", job.pk)
        _fail(job, _reason(error))
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


class ExportRefused(Exception):
    """The job cannot run as asked; the message says why and what to do."""


def _counted(stories: Iterator[ExportStory], job_id: int) -> Iterator[ExportStory]:
    """Pass the stories on, writing how many the writer has taken to the job's row every so often."""
    written_at = time.monotonic()
    for done, story in enumerate(stories, start=1):
        yield story
        if time.monotonic() - written_at >= PROGRESS_SECONDS:
            ExportJob.objects.filter(pk=job_id).update(done=done, updated_at=timezone.now())
            written_at = time.monotonic()


def _reason(error: Exception) -> str:
    if isinstance(error, ExportRefused):
        return str(error)
    if isinstance(error, OSError):
        return (
            f"Could not write the export file in {settings.FABULA_EXPORT_DIR}: {error.strerror or error}. "
            "Ask an admin to check that folder (space left, permissions), then export again."
        )
    return (
        f"The export stopped with an error ({type(error).__name__}: {error}). Export again; if it fails "
        "again, an admin can find the details in the server log."
    )


@transaction.atomic
def _finish(job: ExportJob, file_name: str, size: int, total: int, warnings: list[str]) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.FINISHED,
        done=total,
        total=total,
        file_name=file_name,
        size=size,
        warnings=warnings[:KEPT_WARNINGS],
        warning_count=len(warnings),
        finished_at=now,
        updated_at=now,
    )
    count = f"{total} stor{'y' if total == 1 else 'ies'}"
    _notify(job, Notification.Kind.EXPORT_READY, f"Your {job.format} export of {count} is ready to download.")


@transaction.atomic
def _fail(job: ExportJob, reason: str) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportJob.State.FAILED, error=reason, finished_at=now, updated_at=now
    )
    _notify(job, Notification.Kind.EXPORT_FAILED, f"Your {job.format} export failed: {reason}")


def _notify(job: ExportJob, kind: str, message: str) -> None:
    if job.requested_by_id is None:
        return
    if (timezone.now() - job.created_at).total_seconds() < NOTIFY_AFTER_SECONDS:
        return  # the page showed it to them as it happened
    notifications.notify(
        recipient=job.requested_by,
        kind=kind,
        message=message,
        url=reverse("interchange:export-job", args=[job.pk]),
    )


def mark_stale_jobs() -> int:
    """Record as failed the jobs whose process was lost; returns how many.

    A running job writes its row at least every PROGRESS_SECONDS while stories flow; without a broker a
    queued job starts at once, so one still queued after a minute never will (its thread was lost).
    Queued jobs on a broker wait for a worker however long that takes.
    """
    now = timezone.now()
    lost = ExportJob.objects.filter(
        state=ExportJob.State.RUNNING, updated_at__lt=now - dt.timedelta(seconds=STALE_SECONDS)
    )
    if not broker_configured():
        lost = lost | ExportJob.objects.filter(
            state=ExportJob.State.QUEUED, updated_at__lt=now - dt.timedelta(seconds=60)
        )
    return lost.update(
        state=ExportJob.State.FAILED,
        error="The export stopped: the process writing it ended (a restart, a stopped worker). Export again.",
        finished_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class CleanReport:
    expired: int  # finished jobs whose file was removed
    removed: int  # files removed in all (theirs, and leftovers nobody names)


def clean_exports(*, keep_hours: float | None = None) -> CleanReport:
    """Remove export files older than `keep_hours` (FABULA_EXPORT_KEEP_HOURS): finished jobs' files (the
    job becomes Expired) and leftovers no finished job names, such as a killed writer's partial file."""
    hours = settings.FABULA_EXPORT_KEEP_HOURS if keep_hours is None else keep_hours
    cutoff = timezone.now() - dt.timedelta(hours=hours)
    folder = Path(settings.FABULA_EXPORT_DIR)
    removed = 0
    old = list(
        ExportJob.objects.filter(state=ExportJob.State.FINISHED, finished_at__lt=cutoff).values_list(
            "pk", "file_name"
        )
    )
    for _, file_name in old:
        if file_name and (folder / file_name).exists():
            (folder / file_name).unlink(missing_ok=True)
            removed += 1
    expired = ExportJob.objects.filter(pk__in=[pk for pk, _ in old]).update(
        state=ExportJob.State.EXPIRED, file_name=""
    )
    if folder.is_dir():
        named = set(
            ExportJob.objects.filter(state=ExportJob.State.FINISHED).values_list("file_name", flat=True)
        )
        for path in folder.iterdir():
            if path.is_file() and path.name not in named and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
                removed += 1
    return CleanReport(expired=expired, removed=removed)


def job_file(job: ExportJob) -> Path | None:
    """The finished job's file, or None when there is none to serve (not finished, expired, or gone)."""
    if job.state != ExportJob.State.FINISHED or not job.file_name:
        return None
    path = Path(settings.FABULA_EXPORT_DIR) / job.file_name
    return path if path.is_file() else None
