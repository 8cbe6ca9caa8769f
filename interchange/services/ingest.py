"""The import pipeline: source files -> decoded records -> spaCy -> stories with their draft annotations.

Contract: `ingest(paths, ...)` streams records from `interchange.readers`, skips content already imported
("duplicate of story N", also within one run), runs the stories that need the model through ONE
`nlp.pipe` pass (`nlp.windows.pipe_windows`), and writes each story together with its annotations and
characters in one transaction, so an interrupted run leaves no half story and a re-run finishes the
job. Records that carry annotations (annotated JSONL, brat) skip the model; their spans are stored
as origin=imported, accepted. Bad input becomes an error entry on the report, never an exception.
Memory stays flat: only the records inside spaCy's current batch are held.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from annotations.models import SPAN_EDGE_WHITESPACE, Character, Entity, Label
from annotations.services.extraction import Rows, extraction_rows, known_labels, rows_save
from annotations.services.pipeline import drafting_nlp
from interchange.readers import iter_records
from nlp.extraction import extract as run_extraction
from nlp.loading import pipeline_info
from nlp.windows import pipe_windows
from stories.models import ImportBatch, Story
from stories.services import story_duplicate_of, text_sha256, word_count
from stories.sources.records import SourceError, StoryRecord

EDGE_WHITESPACE = "".join(SPAN_EDGE_WHITESPACE)


class RecordRejected(ValueError):
    """A record that cannot be stored as it is (e.g. an unknown label); the message says how to fix it."""


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
    report = IngestReport(dry_run=dry_run)  # the clock includes loading the pipeline
    nlp = drafting_nlp() if extract else None
    name, version = pipeline_info(nlp) if nlp is not None else ("", "")
    report.pipeline = f"{name} {version}".strip()
    if not dry_run:
        report.batch = ImportBatch.objects.create(
            name=batch_name or f"ingest {timezone.now():%Y-%m-%d %H:%M}",
            created_by=user if getattr(user, "pk", None) else None,
            source_paths=paths,
            pipeline_name=name,
            pipeline_version=version,
        )
    run = _Run(report, labels=known_labels(), label_map=label_map or {}, progress=progress)
    run.create_labels = create_labels
    completed = False
    try:
        records = run.feed(iter_records(paths, max_bytes=max_bytes), needs_model=extract)
        if nlp is None:
            for _ in records:  # pragma: no cover - feed() yields only records that need the model
                pass
        else:
            if processes > 1 and not connections["default"].in_atomic_block:
                # Forked spaCy workers must not inherit the open database connection; only this
                # process touches the database, and it reconnects on its next query.
                connections.close_all()
            for story_docs in pipe_windows(records, nlp=nlp, n_process=processes, batch_size=batch_size):
                run.store_extracted(story_docs.context, run_extraction(story_docs))
        completed = True
    finally:
        report.finished = time.monotonic()
        run.close_batch(completed=completed)
    return report


class _Run:
    """The state of one ingest: what is in flight, what was seen, and the report."""

    def __init__(self, report: IngestReport, *, labels, label_map, progress):
        self.report = report
        self.labels = labels
        self.label_map = label_map
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
        self.store(pending, lambda story: imported_rows_save(story, pending.record, self))

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


def titled_by_protagonist(record: StoryRecord, extraction) -> StoryRecord:
    """A story with no heading or telling file name is titled after its protagonist ("Anna Zhunussova").

    A reader recognises a biography by its subject sooner than by its opening words, which stay in
    the metadata. The protagonist is the most-mentioned character. A story short enough to be its own
    title ("Zoë danced in Paris") keeps it.
    """
    if record.meta.get("title_from") != "opening" or not record.title.endswith("…"):
        return record
    if not extraction.characters:
        return record
    mentions = Counter(span.character for span in extraction.spans if span.character is not None)
    if not mentions:
        return record
    protagonist = extraction.characters[mentions.most_common(1)[0][0]].name
    meta = {**record.meta, "title_from": "protagonist", "opening": record.title}
    return dataclasses.replace(record, title=protagonist, meta=meta)


def story_from_record(record: StoryRecord, sha256: str, batch: ImportBatch | None) -> Story:
    meta = dict(record.meta)
    # Fabula's own export re-imported: keep the story's status, source and metadata as they were, so
    # exporting it again gives the same bytes (see interchange.readers.annotated.parse_fabula_export).
    restored = meta.pop("restored", None) or {}
    if record.line and not restored:
        meta["source_line"] = record.line
    return Story(
        title=(record.title or record.where)[:300],
        text=record.text,
        text_length=len(record.text),
        source_name=(restored.get("source") or record.source)[-500:],
        sha256=sha256,
        batch=batch,
        status=restored.get("status") or Story.Status.NEW,
        word_count=word_count(record.text),
        meta=meta,
    )


def imported_rows_save(story: Story, record: StoryRecord, run: _Run) -> tuple[int, int]:
    """Store an annotated record's spans (origin imported, accepted) and characters as given."""
    characters: list[Character] = []
    by_ref: dict[object, int] = {}
    for index, row in enumerate(record.characters or []):
        gender = row.get("gender") or Character.Gender.UNKNOWN
        if gender not in Character.Gender.values:
            raise RecordRejected(
                f"character {row['name']!r} has gender {gender!r}; "
                f"use one of {', '.join(Character.Gender.values)}"
            )
        by_ref[row.get("id", index)] = index
        characters.append(
            Character(
                story=story,
                name=row["name"][:300],
                aliases=[a for a in row.get("aliases") or [] if isinstance(a, str)],
                gender=gender,
                origin=Character.Origin.IMPORTED,
            )
        )
    entities: list[Entity] = []
    links: dict[int, int] = {}
    seen: set[tuple[int, int, str]] = set()
    for index, span in enumerate(record.spans or []):
        start, end = span["start"], span["end"]
        label = run.label_map.get(span["label"], span["label"])
        if label not in run.labels and not label_created(label, run):
            raise RecordRejected(
                f"unknown label {label!r} ({span.get('where') or f'span {index}'}); add it under Labels in "
                f"the admin, map it with --label-map {label}=PERSON, or pass --create-labels"
            )
        covered = story.text[start:end]
        if covered != covered.strip(EDGE_WHITESPACE):
            raise RecordRejected(f"span {index} [{start}, {end}) {covered!r} starts or ends with whitespace")
        if (start, end, label) in seen:
            continue
        seen.add((start, end, label))
        ref = span.get("character")
        if ref is not None:
            if ref not in by_ref:
                raise RecordRejected(f'span {index} names character {ref!r}, which is not in "characters"')
            links[len(entities)] = by_ref[ref]
        entities.append(
            Entity(
                story=story,
                start=start,
                end=end,
                text=covered,
                label_id=label,
                origin=Entity.Origin.IMPORTED,
                review_state=Entity.ReviewState.ACCEPTED,
            )
        )
    if not run.report.dry_run:
        rows_save(Rows(characters=characters, entities=entities, links=links))
    return len(entities), len(characters)


def label_created(name: str, run: _Run) -> bool:
    """With --create-labels, an unknown label of an annotated import becomes a new Label (not in a dry run).

    Created inside the story's transaction, so a story that fails leaves no stray label behind."""
    if not getattr(run, "create_labels", False) or len(name) > 40:
        return False
    if not run.report.dry_run:
        Label.objects.get_or_create(name=name, defaults={"description": "Created by an annotated import."})
    return True
