"""`manage.py extract [--story ID | --batch NAME | --all]`: re-run the model over stored stories.

Use it after changing SPACY_MODEL (or the active pipeline in the admin). It replaces only model
predictions no editor touched; editors' spans, decisions and characters are kept
(`annotations.services.extraction.reextract`). It also records each story's chapter headings
(Story.meta["chapters"]), Done and Approved stories included, whose entities it leaves alone.
`--distributed` queues the stories for Celery workers in chunks instead and waits for them with a
progress bar (`--no-wait` returns at once); see docs/scaling.md.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.management.waiting import check_distributed, queue_or_fail, wait_for_extraction
from annotations.services.extraction import ReextractReport, reextract
from annotations.services.pipeline import PipelineUnavailable
from core.arguments import positive_int
from stories.models import ImportBatch, Story


class Command(BaseCommand):
    help = "Re-run spaCy over stories, replacing only the model's untouched predictions."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--story", type=positive_int, action="append", metavar="ID", help="Story id (repeatable)."
        )
        which.add_argument(
            "--batch", metavar="NAME", help="Every story of the import batch(es) with this name."
        )
        which.add_argument("--all", action="store_true", help="Every story.")
        parser.add_argument("--processes", type=positive_int, default=1, help="spaCy worker processes.")
        parser.add_argument("--batch-size", type=positive_int, default=None, help="Texts per nlp.pipe batch.")
        parser.add_argument(
            "--distributed",
            action="store_true",
            help="Queue the stories for Celery workers and wait (needs PostgreSQL and CELERY_BROKER_URL).",
        )
        parser.add_argument("--no-wait", action="store_true", help="With --distributed: return once queued.")

    def handle(self, *args, **options) -> None:
        if options["no_wait"] and not options["distributed"]:
            raise CommandError("--no-wait goes with --distributed: without workers extraction runs here.")
        if options["distributed"]:
            check_distributed()
        stories = select_stories(story_ids=options["story"], batch=options["batch"])
        if options["distributed"]:
            self.distribute(stories, options)
            return
        total, clock = stories.count(), {"last": time.monotonic()}

        def progress(story: Story) -> None:
            if options["verbosity"] and time.monotonic() - clock["last"] >= 5:
                clock["last"] = time.monotonic()
                self.stdout.write(f"... story {story.pk} ({report_so_far.stories} of {total})")

        report_so_far = ReextractReport()
        try:
            report = reextract(
                stories=stories,
                batch_size=options["batch_size"],
                n_process=options["processes"],
                progress=progress,
                report=report_so_far,
            )
        except PipelineUnavailable as error:
            raise CommandError(str(error)) from None
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Re-extracted {report.stories} stories: {report.added} predictions added, "
                    f"{report.removed} untouched predictions replaced, {report.kept} edited or editor "
                    f"spans kept; characters: {report.characters_added} added, "
                    f"{report.characters_removed} replaced."
                )
            )
        if report.settled_skipped and options["verbosity"]:
            self.stdout.write(
                f"{report.settled_skipped} done or approved stories were left as they are: new suggestions "
                "would be unreviewed. Return or reopen them first to re-extract them."
            )

    def distribute(self, stories, options) -> None:
        token, total = queue_or_fail(
            list(stories.values_list("pk", flat=True)), rerun="the same command again"
        )
        skipped = stories.count() - total
        if options["verbosity"]:
            self.stdout.write(
                f"{total} stories queued for extraction"
                + (f"; {skipped} done or approved stories left as they are" if skipped else "")
                + "."
            )
        if options["no_wait"]:
            return
        progress = wait_for_extraction(
            self, token, total, verbosity=options["verbosity"], rerun="the same command again"
        )
        if options["verbosity"]:
            self.stdout.write(
                f"Re-extracted {progress.extracted} stories on the workers, {progress.failed} failed."
            )
        if progress.failed:
            raise CommandError(f"{progress.failed} stories failed; see the lines above.")


def select_stories(*, story_ids: list[int] | None, batch: str | None):
    if story_ids:
        stories = Story.objects.filter(pk__in=story_ids)
        missing = sorted(set(story_ids) - set(stories.values_list("pk", flat=True)))
        if missing:
            raise CommandError(
                f"No story with id {', '.join(map(str, missing))}; see the story list or admin."
            )
        return stories
    if batch is not None:
        if not ImportBatch.objects.filter(name=batch).exists():
            names = ", ".join(
                repr(n)
                for n in ImportBatch.objects.order_by("name").values_list("name", flat=True).distinct()[:10]
            )
            raise CommandError(f"No import batch named {batch!r}. Batches: {names or 'none yet'}.")
        return Story.objects.filter(batch__name=batch)
    return Story.objects.all()
