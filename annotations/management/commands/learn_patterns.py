"""`manage.py learn_patterns [--min-count N] [--min-stories N] [--min-agreement X] [--dry-run]`.

Turns editors' consistent corrections ("Swan Lake" relabelled WORK_OF_ART in story after story) into
LearnedPattern rows that the rule layer applies in later `ingest`/`extract` runs
(`annotations.services.patterns.patterns_learn`). Admins review, edit and disable them in the admin.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.services.patterns import patterns_learn


def fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.5 <= number <= 1.0:
        raise CommandError(f"--min-agreement must be a number between 0.5 and 1.0, not {value!r}")
    return number


class Command(BaseCommand):
    help = "Learn entity patterns from editors' consistent relabels and additions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-count", type=int, default=3, help="Edits needed (default 3).")
        parser.add_argument("--min-stories", type=int, default=2, help="Distinct stories (default 2).")
        parser.add_argument(
            "--min-agreement", type=fraction, default=0.9, help="Share agreeing (default 0.9)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be learned; write nothing."
        )

    def handle(self, *args, **options) -> None:
        if options["min_count"] < 1 or options["min_stories"] < 1:
            raise CommandError("--min-count and --min-stories must be at least 1")
        proposals = patterns_learn(
            min_count=options["min_count"],
            min_stories=options["min_stories"],
            min_agreement=options["min_agreement"],
            dry_run=options["dry_run"],
        )
        if not options["verbosity"]:
            return
        for p in proposals:
            action = p.action or "would learn"
            self.stdout.write(
                f"{action}: {p.text!r} → {p.label} ({p.count} edits in {len(p.stories)} stories, "
                f"agreement {p.agreement:.0%})"
            )
        created = sum(p.action == "created" for p in proposals)
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(proposals)} patterns qualify, {created} new"
                + (" (dry run: nothing written)" if options["dry_run"] else "")
                + ". They apply to the next ingest/extract run."
            )
        )
