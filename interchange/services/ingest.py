"""`ingest(paths)`: files -> records (`interchange.readers`) -> one `nlp.pipe` pass -> stories and entities.

Each story is written whole in one transaction, so a re-run finishes an interrupted one (seen texts are
duplicates); annotated records skip the model. Bad input is an error on the report, never an exception.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from annotations.services.extraction import extraction_rows, known_labels, rows_save
from annotations.services.pipeline import drafting_nlp
from interchange.readers import iter_records
from interchange.services.imported_entities import ImportLabels, RecordRejected, save_imported_entities
from interchange.services.stories_from_records import story_from_record, titled_by_protagonist
from nlp.extraction import extract as run_extraction
from nlp.loading import pipeline_info
from nlp.windows import pipe_windows
from stories.models import ImportBatch, Story
from stories.services import story_duplicate_of, text_sha256, word_count
from stories.sources.records import SourceError, StoryRecord


@dataclass
class IngestReport:
    batch: ImportBatch | None = None
    dry_run: bool = False
    pipeline: str = ""
    imported: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (where, "duplicate of story N")
    errors: list[SourceError] = field(default_factory=list)
    words: int = 0
    entities: int = 0
    characters: int = 0
    skipped_spans: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def failed(self) -> int:
        return len(self.errors)

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def words_per_second(self) -> float:
        return self.words / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class Event:
    """One record's outcome, for progress displays: kind is imported, duplicate or failed."""

    kind: str
    where: str
    detail: str
    report: IngestReport


@dataclass
class _Pending:
    record: StoryRecord
    sha256: str


def ingest(
    paths: Iterable[str | Path],
    *,
    batch_name: str = "",
    user=None,
    dry_run: bool = False,
    processes: int = 1,
    batch_size: int | None = None,
    extract: bool = True,
    label_map: dict[str, str] | None = None,
    create_labels: bool = False,
    max_bytes: int | None = None,
    progress: Callable[[Event], None] | None = None,
) -> IngestReport:
    """Import every story under `paths`; returns the counts. `dry_run` reads and extracts, writes nothing."""
    paths = [str(p) for p in paths]
    return ingest_records(
        iter_records(paths, max_bytes=max_bytes), source_paths=paths, batch_name=batch_name, user=user,
        dry_run=dry_run, processes=processes, batch_size=batch_size, extract=extract, label_map=label_map,
        create_labels=create_labels, progress=progress,
    )  # fmt: skip


def ingest_records(
    items: Iterable[StoryRecord | SourceError],
    *,
    source_paths: list[str],
    batch_name: str = "",
    user=None,
    dry_run: bool = False,
    processes: int = 1,
    batch_size: int | None = None,
    extract: bool = True,
    label_map: dict[str, str] | None = None,
    create_labels: bool = False,
    progress: Callable[[Event], None] | None = None,
) -> IngestReport:
    """`ingest()` for records read elsewhere (the API's posted stories); `source_paths` go on the batch."""
    paths = source_paths
    report = IngestReport(dry_run=dry_run)  # the clock includes loading the pipeline
    nlp = drafting_nlp() if extract else None
    name, version = pipeline_info(nlp) if nlp is not None else ("", "")
    report.pipeline = f"{name} {version}".strip()
    if not dry_run:
        report.batch = _new_batch(batch_name, user=user, paths=paths, pipeline=(name, version))
    labels = known_labels()
    import_labels = ImportLabels(
        known=labels, label_map=label_map or {}, create=create_labels, dry_run=dry_run
    )
    run = _Run(report, labels=labels, import_labels=import_labels, progress=progress)
    completed = False
    try:
        records = run.feed(items, needs_model=extract)
        _extract_and_store(run, records, nlp, processes=processes, batch_size=batch_size)
        completed = True
    finally:
        report.finished = time.monotonic()
        run.close_batch(completed=completed)
    return report


def _new_batch(batch_name: str, *, user, paths: list[str], pipeline: tuple[str, str]) -> ImportBatch:
    name, version = pipeline
    return ImportBatch.objects.create(
        name=batch_name or f"ingest {timezone.now():%Y-%m-%d %H:%M}",
        created_by=user if getattr(user, "pk", None) else None,
        source_paths=paths,
        pipeline_name=name,
        pipeline_version=version,
    )


def _extract_and_store(run: _Run, records: Iterator, nlp, *, processes: int, batch_size: int | None) -> None:
    """Drive `run.feed` to the end: its records go through one `nlp.pipe` pass, each result is stored."""
    if nlp is None:
        for _ in records:  # pragma: no cover - feed() yields only records that need the model
            pass
        return
    if processes > 1 and not connections["default"].in_atomic_block:
        # Forked spaCy workers must not inherit the open database connection; only this
        # process touches the database, and it reconnects on its next query.
        connections.close_all()
    for story_docs in pipe_windows(records, nlp=nlp, n_process=processes, batch_size=batch_size):
        run.store_extracted(story_docs.context, run_extraction(story_docs))


class _Run:
    """The state of one ingest: what is in flight, what was seen, and the report."""

    def __init__(self, report: IngestReport, *, labels, import_labels: ImportLabels, progress):
        self.report = report
        self.labels = labels  # for the model's entities
        self.import_labels = import_labels  # for an annotated record's entities
        self.progress = progress
        # Read but not yet written, so a duplicate inside spaCy's current batch is caught too. Written
        # stories leave it (the database answers for them) except in a dry run, which writes nothing.
        self.in_flight: dict[str, str] = {}

    def feed(self, items: Iterable[StoryRecord | SourceError], *, needs_model: bool) -> Iterator:
        """Yield (text, _Pending) for stories the model must read; handle everything else on the spot."""
        for item in items:
            if isinstance(item, SourceError):
                self.fail(item)
                continue
            sha = text_sha256(item.text)
            duplicate = self.duplicate_of(sha)
            if duplicate:
                self.emit("duplicate", item.where, duplicate)
                self.report.duplicates.append((item.where, duplicate))
                continue
            self.in_flight[sha] = item.where
            if item.spans is not None:
                self.store_annotated(_Pending(item, sha))
            elif needs_model:
                yield item.text, _Pending(item, sha)
            else:
                self.store(_Pending(item, sha), lambda story: (0, 0))

    def duplicate_of(self, sha: str) -> str | None:
        if sha in self.in_flight:
            return f"duplicate of {self.in_flight[sha]} (earlier in this run)"
        story_id = story_duplicate_of(sha256=sha)
        return f"duplicate of story {story_id}" if story_id else None

    def store_extracted(self, pending: _Pending, extraction) -> None:
        pending.record = titled_by_protagonist(pending.record, extraction)

        def write(story: Story) -> tuple[int, int]:
            rows = extraction_rows(story=story, extraction=extraction, labels=self.labels)
            self.report.skipped_spans += rows.skipped
            if not self.report.dry_run:
                rows_save(rows)
            return len(rows.entities), len(rows.characters)

        self.store(pending, write)

    def store_annotated(self, pending: _Pending) -> None:
        self.store(pending, lambda story: save_imported_entities(story, pending.record, self.import_labels))

    def store(self, pending: _Pending, write_rows: Callable[[Story], tuple[int, int]]) -> None:
        """Write the story and its rows in one transaction; a refusal fails only this record."""
        record = pending.record
        try:
            if self.report.dry_run:
                entities, characters = write_rows(story_from_record(record, pending.sha256, None))
                story_id = None
            else:
                with transaction.atomic():
                    story = story_from_record(record, pending.sha256, self.report.batch)
                    story.save(force_insert=True)
                    entities, characters = write_rows(story)
                story_id = story.pk
                self.in_flight.pop(pending.sha256, None)
        except RecordRejected as error:
            self.in_flight.pop(pending.sha256, None)
            self.fail(SourceError(record.source, str(error), record.line))
            return
        except IntegrityError as error:
            self.in_flight.pop(pending.sha256, None)
            duplicate = story_duplicate_of(sha256=pending.sha256)
            if duplicate:  # another ingest imported the same text meanwhile
                self.report.duplicates.append((record.where, f"duplicate of story {duplicate}"))
                self.emit("duplicate", record.where, f"duplicate of story {duplicate}")
                return
            self.fail(SourceError(record.source, f"the database refused it: {error}", record.line))
            return
        self.report.imported += 1
        self.report.words += word_count(record.text)
        self.report.entities += entities
        self.report.characters += characters
        self.emit("imported", record.where, f"story {story_id}" if story_id else "ok (dry run)")

    def fail(self, error: SourceError) -> None:
        self.report.errors.append(error)
        self.emit("failed", error.where, error.reason)

    def emit(self, kind: str, where: str, detail: str) -> None:
        if self.progress:
            self.progress(Event(kind=kind, where=where, detail=detail, report=self.report))

    def close_batch(self, *, completed: bool) -> None:
        """Record the counts, also after an interruption (finished_at stays empty then)."""
        batch, report = self.report.batch, self.report
        if batch is None:
            return
        batch.imported_count = report.imported
        batch.duplicate_count = len(report.duplicates)
        batch.failed_count = report.failed
        batch.errors = [
            {"path": e.path, "line": e.line, "reason": e.reason}
            if e.line
            else {"path": e.path, "reason": e.reason}
            for e in report.errors
        ]
        if completed:
            batch.finished_at = timezone.now()
        with contextlib.suppress(DatabaseError):  # never mask the error that stopped the run
            batch.save()
