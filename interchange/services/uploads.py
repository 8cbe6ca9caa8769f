"""Imports from the browser: keep the uploaded files, then run the same `ingest` service over them.

Contract: `receive_upload(files, user=, name=)` checks each file (.txt, .jsonl or .zip, a zip's members
safe and within INGEST_UPLOAD_MAX_BYTES), writes them under INGEST_UPLOAD_DIR and returns a new RUNNING
ImportBatch, or raises UploadRefused with a message for the person and nothing written.
`start_import(batch)` runs it as a Celery task when a broker is configured, in-process otherwise;
`run_import(batch_id)` is the body: ingest (on PostgreSQL with a broker: store, then queue the
extraction for all workers), error paths shown as the uploaded names, and the files removed.
"""

from __future__ import annotations

import shutil
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection

from annotations.services.distributed import queue_extraction
from core.queue import app, broker_configured
from interchange.services.ingest import DatabaseWentAway, ingest
from stories.models import ImportBatch

ACCEPTED = (".txt", ".jsonl", ".zip")


class UploadRefused(Exception):
    """The upload cannot be imported; the message says which file and why."""


def receive_upload(files, *, user, name: str = "") -> ImportBatch:
    """Store the uploaded files in a folder of their own and open a batch for them."""
    if not files:
        raise UploadRefused("Choose at least one .txt, .jsonl or .zip file to import.")
    for upload in files:
        if not upload.name.lower().endswith(ACCEPTED):
            raise UploadRefused(
                f"{upload.name}: not a .txt, .jsonl or .zip file. Export plain text (UTF-8) or JSONL, or zip "
                "a folder of them."
            )
    folder = Path(settings.INGEST_UPLOAD_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        budget = [settings.INGEST_UPLOAD_MAX_BYTES]
        for index, upload in enumerate(files):
            # Each file gets its own sub-folder: two uploads may share a name.
            target = folder / f"{index:03d}" / Path(upload.name).name
            target.parent.mkdir()
            if upload.name.lower().endswith(".zip"):
                _unzip(upload, target.parent / Path(upload.name).stem, budget)
            else:
                with target.open("wb") as out:
                    for piece in upload.chunks():
                        out.write(piece)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ImportBatch.objects.create(
        name=name or f"upload {', '.join(upload.name for upload in files)}"[:200],
        created_by=user if getattr(user, "pk", None) else None,
        source_paths=[upload.name for upload in files],
        upload_dir=str(folder),
    )


def _unzip(upload, into: Path, budget: list[int]) -> None:
    """Extract the .txt and .jsonl members; refuse paths that leave the folder and oversized archives."""
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile:
        raise UploadRefused(
            f"{upload.name}: not a readable zip file. Zip the folder again and retry."
        ) from None
    with archive:
        for member in archive.infolist():
            path = PurePosixPath(member.filename)
            if member.is_dir() or path.suffix.lower() not in (".txt", ".jsonl"):
                continue
            if path.is_absolute() or ".." in path.parts:
                raise UploadRefused(
                    f"{upload.name}: the member {member.filename!r} points outside the archive."
                )
            budget[0] -= member.file_size
            if budget[0] < 0:
                limit = settings.INGEST_UPLOAD_MAX_BYTES // (1024 * 1024)
                raise UploadRefused(
                    f"{upload.name}: more than {limit} MB once unzipped. Split it, or import it with "
                    "`manage.py ingest` on the server."
                )
            target = into.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)


def start_import(batch: ImportBatch) -> None:
    if broker_configured():
        # By name: the task module imports this one.
        app.send_task("interchange.tasks.import_upload", args=[batch.pk])
    else:
        run_import(batch.pk)


def run_import(batch_id: int) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    folder = Path(batch.upload_dir)
    distributed = broker_configured() and connection.vendor == "postgresql"
    try:
        report = ingest([folder], batch=batch, user=batch.created_by, extract=not distributed)
        if distributed:
            queue_extraction(report.stored_ids)
    except DatabaseWentAway:
        raise  # the files stay, so a retry of the task imports the rest
    else:
        batch.refresh_from_db()
        batch.errors = [{**error, "path": shown_name(error["path"], folder)} for error in batch.errors]
        batch.upload_dir = ""
        batch.save(update_fields=["errors", "upload_dir"])
        shutil.rmtree(folder, ignore_errors=True)


def shown_name(path: str, folder: Path) -> str:
    """An uploaded file's name as the person chose it: the upload folder and its index are dropped."""
    try:
        parts = Path(path).relative_to(folder).parts
    except ValueError:
        return path
    return str(PurePosixPath(*parts[1:])) if len(parts) > 1 else str(PurePosixPath(*parts))
