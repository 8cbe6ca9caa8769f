"""`ingest(paths)`: files -> records (`interchange.readers`) -> one `nlp.pipe` pass -> stories and entities.

Stories are written a chunk at a time (INGEST_CHUNK_SIZE), each chunk in one transaction with the batch's
counts, so the batch always tells the truth and a re-run finishes an interrupted import (seen texts are
duplicates). A chunk of extracted stories, or of stories with no rows of their own (`--no-extract`),
goes in a few bulk inserts; if the database refuses them, story by story under savepoints, so a refused
one fails alone. Annotated records skip the model. Bad input is an error on the report, never an exception; a
lost database is `DatabaseWentAway`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.utils import timezone

from annotations.services.extraction import Rows, extraction_rows, known_labels, rows_save, rows_save_all
from annotations.services.pipeline import drafting_nlp
from interchange.readers import iter_records
from interchange.services.imported_entities import ImportLabels, RecordRejected, save_imported_entities
from interchange.services.stories_from_records import story_from_record, titled_by_protagonist
from nlp.layers import layers_of
from nlp.loading import pipeline_info
from stories.models import ImportBatch, Story
from stories.services import (
    stories_duplicate_of,
    stories_insert,
    story_duplicate_of,
    text_sha256,
    word_count,
)
from stories.sources.records import SourceError, StoryRecord

# The connection broke (server stopped, restarted, or this backend was terminated).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


@dataclass
class IngestReport:
    batch: ImportBatch | None = None
    dry_run: bool = False
    pipeline: str = ""
    imported: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (where, "duplicate of story N")
    # Ids of the stories behind `duplicates`, for a distributed re-run that finishes their extraction.
    duplicate_ids: list[int] = field(default_factory=list)
    stored_ids: list[int] = field(default_factory=list)
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


class DatabaseWentAway(Exception):
    """The database connection was lost; every stored story is whole and the batch says so."""

    def __init__(self, error: Exception, report: IngestReport | None = None):
        self.report = report
        super().__init__(database_gone_message(error, report))


def database_gone_message(error: Exception, report: IngestReport | None = None) -> str:
    """One line: what happened, what is stored, and that running the same command again resumes."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    stored = ""
    if report is not None and report.batch is not None:
        stored = f" {report.imported} stories of batch {report.batch.name!r} were stored whole before that."
    return (
        f"The database went away ({reason}).{stored} Run the same command again when it is back to "
        "resume: stories already stored are skipped."
    )


@dataclass
class _Pending:
    record: StoryRecord
    sha256: str


def ingest(
    paths: Iterable[str | Path],
    *,
    batch_name: str = "",
    batch: ImportBatch | None = None,
    user=None,
    dry_run: bool = False,
    processes: int = 1,
    batch_size: int | None = None,
    chunk_size: int | None = None,
    extract: bool = True,
    label_map: dict[str, str] | None = None,
    create_labels: bool = False,
    max_bytes: int | None = None,
    progress: Callable[[Event], None] | None = None,
) -> IngestReport:
    """Import every story under `paths` into a new batch (or `batch`, made by the Import page); returns
    the counts. `dry_run` reads and extracts, writes nothing. A lost database raises DatabaseWentAway."""
    paths = [str(p) for p in paths]
    return ingest_records(
        iter_records(paths, max_bytes=max_bytes), source_paths=paths, batch_name=batch_name, batch=batch,
        user=user, dry_run=dry_run, processes=processes, batch_size=batch_size, chunk_size=chunk_size,
        extract=extract, label_map=label_map, create_labels=create_labels, progress=progress,
    )  # fmt: skip


def ingest_records(
    items: Iterable[StoryRecord | SourceError],
    *,
    source_paths: list[str],
    batch_name: str = "",
    batch: ImportBatch | None = None,
    user=None,
    dry_run: bool = False,
    processes: int = 1,
    batch_size: int | None = None,
    chunk_size: int | None = None,
    extract: bool = True,
    label_map: dict[str, str] | None = None,
    create_labels: bool = False,
    progress: Callable[[Event], None] | None = None,
) -> IngestReport:
    """`ingest()` for records read elsewhere (the API's posted stories); `source_paths` go on the batch."""
    paths = source_paths
    report = IngestReport(dry_run=dry_run)  # the clock includes loading the pipeline
    run: _Run | None = None
    completed = False
    try:
        connections["default"].ensure_connection()  # a database that is down fails now, not after spaCy
        nlp = drafting_nlp() if extract else None
        name, version = pipeline_info(nlp) if nlp is not None else ("", "")
        report.pipeline = f"{name} {version}".strip()
        if not dry_run:
            report.batch = _open_batch(batch, batch_name, user=user, paths=paths, pipeline=(name, version))
        labels = known_labels()
        import_labels = ImportLabels(
            known=labels, label_map=label_map or {}, create=create_labels, dry_run=dry_run
        )
        run = _Run(
            report,
            labels=labels,
            import_labels=import_labels,
            progress=progress,
            chunk_size=chunk_size or settings.INGEST_CHUNK_SIZE,
        )
        records = run.feed(items, needs_model=extract)
        _extract_and_store(run, records, nlp, processes=processes, batch_size=batch_size)
        run.flush()
        completed = True
    except CONNECTION_ERRORS as error:
        raise DatabaseWentAway(error, report) from error
    finally:
        report.finished = time.monotonic()
        if run is not None:
            run.close_batch(completed=completed)
        elif report.batch is not None:
            _Run.mark_interrupted(report.batch)
    return report


def _open_batch(
    batch: ImportBatch | None, batch_name: str, *, user, paths: list[str], pipeline: tuple[str, str]
) -> ImportBatch:
    name, version = pipeline
    if batch is not None:
        batch.pipeline_name, batch.pipeline_version = name, version
        batch.state = ImportBatch.State.RUNNING
        batch.save(update_fields=["pipeline_name", "pipeline_version", "state"])
        return batch
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
    from nlp.windows import pipe_windows  # imports spaCy, which `ingest --no-extract` never needs

    if processes > 1 and not connections["default"].in_atomic_block:
        # Forked spaCy workers must not inherit the open database connection; only this
        # process touches the database, and it reconnects on its next query.
        connections.close_all()
    layers = layers_of(nlp)
    for story_docs in pipe_windows(records, nlp=nlp, n_process=processes, batch_size=batch_size):
        run.store_extracted(story_docs.context, run_extraction(story_docs, layers))


def run_extraction(story_docs, layers):
    """nlp.extraction.extract with the pipeline's rule layers, imported on first use: it imports spaCy."""
    from nlp.extraction import extract

    return extract(story_docs, layers)


# A chunk's outcome for one story, applied to the report only once the chunk has committed.
@dataclass
class _Outcome:
    kind: str  # imported, duplicate or failed
    where: str
    detail: str
    record: StoryRecord | None = None
    story_id: int | None = None
    entities: int = 0
    characters: int = 0
    skipped: int = 0
    error: SourceError | None = None


class _Run:
    """The state of one ingest: what is in flight, the chunk being written, and the report."""

    def __init__(
        self, report: IngestReport, *, labels, import_labels: ImportLabels, progress, chunk_size: int
    ):
        self.report = report
        self.labels = labels  # for the model's entities
        self.import_labels = import_labels  # for an annotated record's entities
        self.progress = progress
        self.chunk_size = chunk_size
        # Read but not yet written, so a duplicate inside spaCy's current batch or the current chunk
        # is caught too. Written stories leave it (the database answers for them) except in a dry run.
        self.in_flight: dict[str, str] = {}
        # (story, how to write its rows, how to build its rows without writing: extracted stories only)
        self.chunk: list[tuple[_Pending, Callable[[Story], tuple[int, int, int]], Callable | None]] = []

    def feed(self, items: Iterable[StoryRecord | SourceError], *, needs_model: bool) -> Iterator:
        """Yield (text, _Pending) for stories the model must read; handle everything else on the spot.

        Records are read a group at a time so that one query finds which of them are stored already,
        before the model spends anything on a duplicate."""
        for group in _groups(items):
            records = [(item, text_sha256(item.text)) for item in group if not isinstance(item, SourceError)]
            stored = stories_duplicate_of(sha256s=[sha for _, sha in records]) if records else {}
            shas = iter(records)
            for item in group:
                if isinstance(item, SourceError):
                    self.fail(item)
                    continue
                _, sha = next(shas)
                duplicate = self.in_flight_duplicate(sha) or (
                    (f"duplicate of story {stored[sha]}", stored[sha]) if sha in stored else None
                )
                if duplicate:
                    detail, story_id = duplicate
                    self.emit("duplicate", item.where, detail)
                    self.report.duplicates.append((item.where, detail))
                    if story_id:
                        self.report.duplicate_ids.append(story_id)
                    continue
                self.in_flight[sha] = item.where
                if item.spans is not None:
                    self.store_annotated(_Pending(item, sha))
                elif needs_model:
                    yield item.text, _Pending(item, sha)
                else:
                    self.store(_Pending(item, sha), None)

    def in_flight_duplicate(self, sha: str) -> tuple[str, None] | None:
        if sha in self.in_flight:
            return f"duplicate of {self.in_flight[sha]} (earlier in this run)", None
        return None

    def store_extracted(self, pending: _Pending, extraction) -> None:
        pending.record = titled_by_protagonist(pending.record, extraction)

        def rows_of(story: Story) -> Rows:
            return extraction_rows(story=story, extraction=extraction, labels=self.labels)

        def write(story: Story) -> tuple[int, int, int]:
            rows = rows_of(story)
            if not self.report.dry_run:
                rows_save(rows)
            return len(rows.entities), len(rows.characters), rows.skipped

        self.store(pending, write, rows_of=rows_of)

    def store_annotated(self, pending: _Pending) -> None:
        def write(story: Story) -> tuple[int, int, int]:
            return (*save_imported_entities(story, pending.record, self.import_labels), 0)

        self.store(pending, write)

    def store(
        self,
        pending: _Pending,
        write_rows: Callable[[Story], tuple[int, int, int]] | None,
        *,
        rows_of: Callable[[Story], Rows] | None = None,
    ) -> None:
        """Queue the story for the current chunk (write_rows None: the story alone, no rows); a full
        chunk is written at once."""
        self.chunk.append((pending, write_rows, rows_of))
        if len(self.chunk) >= self.chunk_size:
            self.flush()

    def flush(self) -> None:
        """Write the chunk and the batch's new counts in one transaction, then report its outcomes."""
        chunk, self.chunk = self.chunk, []
        if not chunk:
            return
        if self.report.dry_run:
            outcomes = [self._dry(pending, write_rows or _no_rows) for pending, write_rows, _ in chunk]
        else:
            with transaction.atomic():
                outcomes = self._write_chunk(chunk)
                self._save_counts(outcomes)
        for (pending, _, _), outcome in zip(chunk, outcomes, strict=True):
            if not self.report.dry_run:
                self.in_flight.pop(pending.sha256, None)
            self._apply(outcome)

    def _dry(self, pending: _Pending, write_rows) -> _Outcome:
        record = pending.record
        try:
            entities, characters, skipped = write_rows(story_from_record(record, pending.sha256, None))
        except RecordRejected as error:
            self.in_flight.pop(pending.sha256, None)
            return _Outcome(
                "failed", record.where, str(error), error=SourceError(record.source, str(error), record.line)
            )
        return _Outcome("imported", record.where, "ok (dry run)", record, None, entities, characters, skipped)

    def _write_chunk(self, chunk) -> list[_Outcome]:
        """The chunk's stories that have no rows, or rows the model drafted, in a few bulk inserts under
        one savepoint; a story with imported annotations, or every story if the database refuses the
        bulk insert (another import stored one of these texts meanwhile), one at a time under its own
        savepoint, so that a refusal undoes only its story."""
        bulk = [entry for entry in chunk if entry[1] is None or entry[2] is not None]
        outcomes: dict[str, _Outcome] = {}
        if bulk:
            try:
                with transaction.atomic():
                    outcomes = self._write_bulk(bulk)
            except (IntegrityError, RecordRejected):
                outcomes = {}
        return [
            outcomes.get(pending.sha256) or self._write(pending, write_rows or _no_rows, rows_of is not None)
            for pending, write_rows, rows_of in chunk
        ]

    def _write_bulk(self, chunk) -> dict[str, _Outcome]:
        """The stories and their history in two statements (stories_insert: COPY on PostgreSQL), then
        the drafted stories' characters and entities in two more: for short stories, per-story inserts
        and savepoints cost as much as extraction."""
        now = timezone.now()
        stories = []
        for pending, _, rows_of in chunk:
            story = story_from_record(pending.record, pending.sha256, self.report.batch)
            if rows_of is not None:
                story.extracted_at = now
            stories.append(story)
        stories_insert(stories=stories)
        rows = [
            rows_of(story) if rows_of else _NO_ROWS
            for (_, _, rows_of), story in zip(chunk, stories, strict=True)
        ]
        rows_save_all([story_rows for story_rows in rows if story_rows is not _NO_ROWS])
        return {
            pending.sha256: _Outcome(
                "imported",
                pending.record.where,
                f"story {story.pk}",
                pending.record,
                story.pk,
                len(story_rows.entities),
                len(story_rows.characters),
                story_rows.skipped,
            )
            for (pending, _, _), story, story_rows in zip(chunk, stories, rows, strict=True)
        }

    def _write(self, pending: _Pending, write_rows, extracted: bool) -> _Outcome:
        """One story and its rows under a savepoint: a refusal undoes only this story."""
        record = pending.record
        try:
            with transaction.atomic():
                story = story_from_record(record, pending.sha256, self.report.batch)
                if extracted:
                    story.extracted_at = timezone.now()
                story.save(force_insert=True)
                entities, characters, skipped = write_rows(story)
        except RecordRejected as error:
            return _Outcome(
                "failed", record.where, str(error), error=SourceError(record.source, str(error), record.line)
            )
        except IntegrityError as error:
            duplicate = story_duplicate_of(sha256=pending.sha256)
            if duplicate:  # another ingest imported the same text meanwhile
                return _Outcome(
                    "duplicate", record.where, f"duplicate of story {duplicate}", story_id=duplicate
                )
            reason = f"the database refused it: {error}"
            return _Outcome(
                "failed", record.where, reason, error=SourceError(record.source, reason, record.line)
            )
        return _Outcome(
            "imported", record.where, f"story {story.pk}", record, story.pk, entities, characters, skipped
        )

    def _apply(self, outcome: _Outcome) -> None:
        report = self.report
        if outcome.kind == "failed":
            self.fail(outcome.error)
            return
        if outcome.kind == "duplicate":
            report.duplicates.append((outcome.where, outcome.detail))
            if outcome.story_id:
                report.duplicate_ids.append(outcome.story_id)
            self.emit("duplicate", outcome.where, outcome.detail)
            return
        report.imported += 1
        if outcome.story_id:
            report.stored_ids.append(outcome.story_id)
        report.words += word_count(outcome.record.text)
        report.entities += outcome.entities
        report.characters += outcome.characters
        report.skipped_spans += outcome.skipped
        self.emit("imported", outcome.where, outcome.detail)

    def _save_counts(self, outcomes: list[_Outcome]) -> None:
        """The batch's counts including this chunk, written in the chunk's own transaction."""
        report = self.report
        failed = [o.error for o in outcomes if o.kind == "failed"]
        ImportBatch.objects.filter(pk=report.batch.pk).update(
            imported_count=report.imported + sum(o.kind == "imported" for o in outcomes),
            duplicate_count=len(report.duplicates) + sum(o.kind == "duplicate" for o in outcomes),
            failed_count=report.failed + len(failed),
            errors=error_rows([*report.errors, *failed]),
        )

    def fail(self, error: SourceError) -> None:
        self.report.errors.append(error)
        self.emit("failed", error.where, error.reason)

    def emit(self, kind: str, where: str, detail: str) -> None:
        if self.progress:
            self.progress(Event(kind=kind, where=where, detail=detail, report=self.report))

    def close_batch(self, *, completed: bool) -> None:
        """Record the final counts and the state: finished, or interrupted when the run stopped early."""
        batch, report = self.report.batch, self.report
        if batch is None:
            return
        batch.imported_count = report.imported
        batch.duplicate_count = len(report.duplicates)
        batch.failed_count = report.failed
        batch.errors = error_rows(report.errors)
        if completed:
            batch.finished_at = timezone.now()
            batch.state = ImportBatch.State.FINISHED
        else:
            batch.state = ImportBatch.State.INTERRUPTED
        _save_even_after_a_lost_connection(batch)

    @staticmethod
    def mark_interrupted(batch: ImportBatch) -> None:
        batch.state = ImportBatch.State.INTERRUPTED
        _save_even_after_a_lost_connection(batch)


def _no_rows(story: Story) -> tuple[int, int, int]:
    return 0, 0, 0


_NO_ROWS = Rows(characters=[], entities=[], links={})

# How far the reading runs ahead of the model, so that one query checks a group's duplicates: a chunk's
# worth of records, or fewer when they are long (memory stays bounded by a few novels, not a hundred).
GROUP_RECORDS, GROUP_CHARS = 100, 2_000_000


def _groups(items: Iterable[StoryRecord | SourceError]) -> Iterator[list[StoryRecord | SourceError]]:
    group: list[StoryRecord | SourceError] = []
    chars = 0
    for item in items:
        group.append(item)
        chars += 0 if isinstance(item, SourceError) else len(item.text)
        if len(group) >= GROUP_RECORDS or chars >= GROUP_CHARS:
            yield group
            group, chars = [], 0
    if group:
        yield group


def _save_even_after_a_lost_connection(batch: ImportBatch) -> None:
    """Save the batch; after a lost connection, try once on a new one. Never mask the error that
    stopped the run: when the database is really down, the counts written with each chunk stand."""
    connection = connections["default"]
    if connection.in_atomic_block:  # pragma: no cover - ingest never runs inside a caller's transaction
        with contextlib.suppress(DatabaseError):
            batch.save()
        return
    for attempt in range(2):
        try:
            batch.save()
            return
        except DatabaseError:
            if attempt:
                return
            connection.close()  # a broken connection stays broken: the retry opens a new one


def error_rows(errors: Iterable[SourceError]) -> list[dict]:
    return [
        {"path": e.path, "line": e.line, "reason": e.reason}
        if e.line
        else {"path": e.path, "reason": e.reason}
        for e in errors
    ]
