"""`manage.py train [--status approved] [--batch NAME] [--base MODEL] [--max-minutes N] [--dev-fraction F]`.

Fine-tunes a spaCy pipeline on the editors' final annotations of approved stories
(`annotations.services.training.model_train`), reports new vs base scores on held-out stories, saves it
under MODELS_DIR/<timestamp>/ and says how to switch Fabula to it. Refuses when there is too little data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.services.training import TooLittleData, model_train
from stories.models import ImportBatch, Story


class RawOutput:
    """spaCy's logger writes whole lines itself; Django's OutputWrapper would add a second newline."""

    def __init__(self, out) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()


def score_line(name: str, scores: dict) -> str:
    return f"{name:<10} P {scores['p']:.3f}  R {scores['r']:.3f}  F1 {scores['f']:.3f}"


class Command(BaseCommand):
    help = "Train a spaCy NER pipeline from approved stories and compare it with the current one."

    def add_arguments(self, parser: CommandParser) -> None:
        statuses = [*Story.Status.values, "all"]
        parser.add_argument("--status", default=Story.Status.APPROVED, choices=statuses)
        parser.add_argument("--batch", metavar="NAME", help="Only stories of this import batch.")
        parser.add_argument(
            "--base", default=settings.SPACY_MODEL, help="Pipeline to fine-tune (name or path)."
        )
        parser.add_argument("--max-minutes", type=float, default=10.0, help="Stop training after N minutes.")
        parser.add_argument("--max-steps", type=int, default=2000, help="Stop after N updates.")
        parser.add_argument("--dev-fraction", type=float, default=0.2, help="Share of stories held out.")
        parser.add_argument("--min-stories", type=int, default=5, help="Refuse with fewer stories.")
        parser.add_argument("--min-entities", type=int, default=50, help="Refuse with fewer entities.")

    def handle(self, *args, **options) -> None:
        if not 0 < options["dev_fraction"] < 1:
            raise CommandError(
                f"--dev-fraction must be between 0 and 1 (exclusive), not {options['dev_fraction']}"
            )
        if options["max_minutes"] <= 0 or options["max_steps"] <= 0:
            raise CommandError("--max-minutes and --max-steps must be positive")
        stories = (
            Story.objects.all()
            if options["status"] == "all"
            else Story.objects.filter(status=options["status"])
        )
        if options["batch"]:
            if not ImportBatch.objects.filter(name=options["batch"]).exists():
                raise CommandError(
                    f"No import batch named {options['batch']!r}; see the admin's import batches."
                )
            stories = stories.filter(batch__name=options["batch"])
        try:
            result = model_train(
                stories=stories.order_by("pk"),
                base=options["base"],
                max_minutes=options["max_minutes"],
                max_steps=options["max_steps"],
                dev_fraction=options["dev_fraction"],
                min_stories=options["min_stories"],
                min_entities=options["min_entities"],
                stdout=RawOutput(self.stdout),
            )
        except (TooLittleData, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Trained on {result.train_docs} docs, held out {result.dev_docs} ({result.steps_note}).\n"
            f"Held-out entity scores:\n  {score_line('base', result.base_scores)}\n"
            f"  {score_line('new', result.new_scores)}"
        )
        if result.layers:
            f1 = result.layers["f1"]
            self.stdout.write(
                f"Rule layers judged on the {result.layers['stories']} held-out stories (entity F1): all "
                f"{f1['all']:.3f}, none {f1['none']:.3f}, "
                + ", ".join(f"{k} {v:.3f}" for k, v in f1.items() if k.startswith("without"))
                + f". Drafting with this pipeline applies: {', '.join(result.layers['layers']) or 'none'}"
                f" (F1 {f1['chosen']:.3f})."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Saved to {result.path}. Use it with SPACY_MODEL={result.path} or choose it as the active "
                f"pipeline in the admin (Active spaCy pipeline), then run manage.py extract."
            )
        )
