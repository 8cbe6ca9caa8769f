"""`manage.py ingest PATH...`: import stories from text files, folders, globs and JSONL.

Why a command and not an upload page: batches are large and long-running, and admins script them.
All logic lives in `interchange.services` (entry point `interchange.services.ingest.ingest`); this
prints progress (a bar on a terminal, plain lines otherwise), one line per file that failed or was
skipped, and a closing summary. It exits non-zero when any file failed, never with a traceback for
bad input or a lost database. `--distributed` stores first, then queues the extraction for Celery
workers and waits for them (`--no-wait` returns at once); see docs/scaling.md.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from annotations.services.pipeline import PipelineUnavailable
from core import roles
from core.arguments import positive_int
from interchange.services.ingest import (
    CONNECTION_ERRORS,
    DatabaseWentAway,
    Event,
    IngestReport,
    database_gone_message,
    ingest,
)
from interchange.services.layer_import import layers_ingest


def label_pair(value: str) -> tuple[str, str]:
    source, sep, target = value.partition("=")
    if not sep or not source or not target:
        raise ValueError(value)
    return source, target


def label_pairs(value: str) -> list[tuple[str, str]]:
    """`PER=PERSON,LOC=LOC` (or one pair): several mappings in one option."""
    return [label_pair(part.strip()) for part in value.split(",") if part.strip()]


def importer(username: str | None, *, option: str = "--user"):
    """The account named by `option`, or None; an unknown name is a CommandError that lists the others."""
    if username is None:
        return None
    users = get_user_model().objects
    try:
        return users.get_by_natural_key(username)
    except users.model.DoesNotExist:
        known = ", ".join(users.order_by("username").values_list("username", flat=True)[:20]) or "none"
        raise CommandError(f"{option} {username!r}: no such account. Accounts: {known}.") from None


class Command(BaseCommand):
    # The system checks import every URLconf, the admin and the API (about a second of start-up) for a
    # command that serves none of them; `manage.py check` and the servers still run them.
    requires_system_checks = []
    help = (
        "Import stories from .txt files, folders (searched recursively), glob patterns and .jsonl files, "
        "run spaCy over them and store the draft annotations. Content already imported is skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files, folders or quoted globs.")
        parser.add_argument("--batch", default="", help="Name of the import batch (default: date and time).")
        parser.add_argument("--dry-run", action="store_true", help="Read and extract, but write nothing.")
        parser.add_argument("--processes", type=positive_int, default=1, help="spaCy worker processes.")
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=None,
            help="Texts per nlp.pipe batch (SPACY_BATCH_SIZE).",
        )
        parser.add_argument(
            "--no-extract", action="store_true", help="Store the texts without running spaCy."
        )
        parser.add_argument(
            "--max-bytes",
            type=positive_int,
            default=None,
            help=f"Largest file (or JSONL line) accepted, in bytes (default {settings.INGEST_MAX_BYTES:,}).",
        )
        parser.add_argument(
            "--label-map",
            type=label_pairs,
            action="extend",
            default=[],
            metavar="FROM=TO[,FROM=TO]",
            help="Rename labels of an annotated import: --label-map PER=PERSON,VEH=PRODUCT (repeatable).",
        )
        parser.add_argument(
            "--user",
            default=None,
            metavar="USERNAME",
            help="Record this account as the batch's importer (default: none, shown as 'command line').",
        )
        parser.add_argument(
            "--create-labels",
            action="store_true",
            help="Create labels an annotated import uses that do not exist yet (default: refuse the story).",
        )
        parser.add_argument(
            "--annotator",
            default=None,
            metavar="USERNAME",
            help="Import annotated JSONL as this user's layer of the stored stories with the same text "
            "(double annotation), instead of as new stories.",
        )
        parser.add_argument(
            "--distributed",
            action="store_true",
            help="Store the texts, then queue the extraction for Celery workers and wait for them "
            "(needs PostgreSQL and CELERY_BROKER_URL).",
        )
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="With --distributed: print the batch and return once the work is queued.",
        )

    def handle(self, *args, **options) -> None:
        if options["no_wait"] and not options["distributed"]:
            raise CommandError("--no-wait goes with --distributed: without workers the import runs here.")
        if options["distributed"] and (options["dry_run"] or options["no_extract"]):
            raise CommandError(
                "--distributed queues the extraction; it cannot go with --dry-run or --no-extract."
            )
        if options["annotator"] is not None:
            return self.run_layers(options)
        try:
            self.run(options)
        except DatabaseWentAway as error:
            raise CommandError(str(error)) from None
        except CONNECTION_ERRORS as error:
            raise CommandError(database_gone_message(error)) from None

    def run(self, options) -> None:
        distributed = options["distributed"]
        if distributed:
            # Celery and the queue load only for --distributed: a plain import does not pay their start-up.
            from annotations.management.waiting import check_distributed

            check_distributed()
        user = importer(options["user"])
        progress = Progress(self, verbosity=options["verbosity"])
        try:
            report = ingest(
                options["paths"],
                batch_name=options["batch"],
                user=user,
                dry_run=options["dry_run"],
                processes=options["processes"],
                batch_size=options["batch_size"],
                extract=not (options["no_extract"] or distributed),
                label_map=dict(options["label_map"]),
                create_labels=options["create_labels"],
                max_bytes=options["max_bytes"],
                progress=progress,
            )
        except PipelineUnavailable as error:
            raise CommandError(str(error)) from None
        except KeyboardInterrupt:
            raise CommandError(
                f"Interrupted ({counts(progress.report) if progress.report else 'nothing imported'}). "
                "No story is half-written; run the same command again to finish."
            ) from None
        finally:
            progress.close()
        if options["verbosity"]:
            self.stdout.write(summary(report, queued=distributed))
        unextracted = self.distribute(report, options) if distributed else 0
        if report.failed or unextracted:
            parts = [f"{report.failed} file(s) or record(s) failed"] if report.failed else []
            parts += [f"{unextracted} stories failed to extract"] if unextracted else []
            raise CommandError(f"{' and '.join(parts)}; see the lines above.")

    def run_layers(self, options) -> None:
        """--annotator: every line becomes that user's layer of the story with its text."""
        annotator = importer(options["annotator"], option="--annotator")
        if not (annotator.is_active and roles.can_edit(annotator)):
            raise CommandError(
                f"--annotator {annotator.get_username()!r} cannot have a layer: the account is inactive or "
                "has no Editors/Reviewers role. Give it a role in the admin first."
            )
        if options["dry_run"] or options["distributed"]:
            raise CommandError(
                "--annotator imports layers here and now; it goes with neither --dry-run nor --distributed."
            )
        report = layers_ingest(
            options["paths"], annotator=annotator, label_map=dict(options["label_map"]),
            create_labels=options["create_labels"], by=importer(options["user"]),
            max_bytes=options["max_bytes"] or settings.INGEST_MAX_BYTES,
        )  # fmt: skip
        for line in report.failed:
            self.stderr.write(f"failed: {line}")
        self.stdout.write(
            f"{report.layers} layers of {annotator.get_username()} imported ({report.spans} spans), "
            f"{len(report.failed)} failed."
        )
        if report.failed:
            raise CommandError(f"{len(report.failed)} line(s) were not imported; see the lines above.")

    def distribute(self, report: IngestReport, options) -> int:
        """Queue the batch's new stories and the left-overs of an earlier run; wait unless --no-wait.
        Returns how many stories failed to extract."""
        from annotations.management.waiting import queue_or_fail, wait_for_extraction
        from annotations.services.distributed import leftover_ids

        ids = report.stored_ids + leftover_ids(report.duplicate_ids)
        token, total = queue_or_fail(ids, rerun="the same command again")
        batch = report.batch
        where = reverse("interchange:batch-detail", args=[batch.pk])
        if options["no_wait"]:
            self.stdout.write(
                f"Batch {batch.name!r} (id {batch.pk}): {total} stories queued for extraction. "
                f"Follow it on {where}."
            )
            return 0
        progress = wait_for_extraction(
            self, token, total, verbosity=options["verbosity"], rerun="the same command again"
        )
        if options["verbosity"]:
            self.stdout.write(
                f"Batch {batch.name!r}: {progress.extracted} stories extracted by the workers, "
                f"{progress.failed} failed."
            )
        return progress.failed


class Progress:
    """A tqdm bar on a terminal; otherwise a plain line every few seconds. Failures always get a line."""

    INTERVAL = 5.0

    def __init__(self, command: BaseCommand, *, verbosity: int):
        self.command = command
        self.verbosity = verbosity
        self.bar = None
        self.report: IngestReport | None = None
        self.first, self.last = True, time.monotonic()
        if verbosity and command.stdout.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit=" stories", file=command.stdout._out, dynamic_ncols=True)

    def __call__(self, event: Event) -> None:
        self.report = event.report
        if self.first:  # the clock starts with the first story, not while the pipeline loads
            self.first, self.last = False, time.monotonic()
        if event.kind == "failed":
            self._line(self.command.style.ERROR(f"FAILED {event.where}: {event.detail}"), err=True)
        elif event.kind == "duplicate" and self.verbosity:
            self._line(self.command.style.WARNING(f"skipped {event.where}: {event.detail}"))
        elif event.kind == "imported" and self.verbosity >= 2:
            self._line(f"imported {event.where} as {event.detail}")
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(f"{event.report.words_per_second:,.0f} words/s", refresh=False)
        elif self.verbosity and time.monotonic() - self.last >= self.INTERVAL:
            self.last = time.monotonic()
            self._line(f"... {counts(event.report)}, {event.report.words_per_second:,.0f} words/s")

    def _line(self, text: str, *, err: bool = False) -> None:
        stream = self.command.stderr if err else self.command.stdout
        if self.bar is not None:
            self.bar.clear()
        stream.write(text)
        if self.bar is not None:
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def counts(report: IngestReport) -> str:
    return f"{report.imported} imported, {len(report.duplicates)} duplicates, {report.failed} failed"


def summary(report: IngestReport, *, queued: bool = False) -> str:
    head = "Dry run (nothing written)" if report.dry_run else f"Batch {report.batch.name!r}"
    lines = [
        f"{head}: {counts(report)}.",
        f"  {report.words:,} words, {report.entities:,} entities, {report.characters:,} characters"
        f" in {report.elapsed:.1f}s ({report.words_per_second:,.0f} words/s)"
        + (
            f", pipeline {report.pipeline}"
            if report.pipeline
            else (", extraction queued for the workers" if queued else ", no extraction")
        ),
    ]
    if report.errors:
        lines.append("  Failed:")
        lines += [f"    {error.where}: {error.reason}" for error in report.errors]
    return "\n".join(lines)
