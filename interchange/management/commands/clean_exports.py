"""`manage.py clean_exports [--older-than HOURS]`: remove the Export page's files older than that.

Finished jobs' files become Expired (the page says so); leftovers no job names, such as a killed
worker's partial file, go too. Each new export request does the same, so this is for a nightly timer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from interchange.services.exports import clean_exports, mark_stale_jobs


class Command(BaseCommand):
    help = "Remove export files older than FABULA_EXPORT_KEEP_HOURS (or --older-than HOURS)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            help="Hours a file is kept (default: FABULA_EXPORT_KEEP_HOURS).",
        )

    def handle(self, *args, **options) -> None:
        hours = options["older_than"]
        if hours is not None and hours < 0:
            raise CommandError(f"--older-than {hours:g}: give a number of hours of 0 or more, e.g. 24.")
        lost = mark_stale_jobs()
        report = clean_exports(keep_hours=hours)
        if options["verbosity"]:
            self.stdout.write(
                f"Removed {plural(report.removed, 'file')} from {settings.FABULA_EXPORT_DIR} "
                f"({plural(report.expired, 'finished export')} expired); "
                f"{plural(lost, 'lost job')} marked failed."
            )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
