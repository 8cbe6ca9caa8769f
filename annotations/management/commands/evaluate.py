"""Score the model's original predictions against the reviewed final annotations.

`manage.py evaluate [--batch NAME] [--status approved|done|...|all] [--top N] [--json]` prints precision,
recall and F1 per label and overall (strict: same start, end and label) and the most frequent
confusions. Exits non-zero with a message when the batch is unknown or no story matches.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from annotations.selectors.dashboard import (
    EVALUATION_STATUSES,
    batch_by_name,
    evaluation_compute,
    evaluation_stories,
    pending_left_out,
)
from nlp.scoring import EvaluationResult, LabelScore, format_score
from stories.models import ImportBatch, Story


class Command(BaseCommand):
    help = "Compare the model's original predictions with the final annotations of reviewed stories."

    def add_arguments(self, parser):
        parser.add_argument("--batch", metavar="NAME", help="Only stories imported in this batch.")
        parser.add_argument(
            "--status",
            default=Story.Status.APPROVED.value,
            choices=EVALUATION_STATUSES,
            help="Only stories with this status (default: approved; 'all' for every story).",
        )
        parser.add_argument("--top", type=int, default=10, help="How many confusions to list (default 10).")
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, **options):
        if options["top"] < 0:
            raise CommandError(f"--top must be 0 or more, not {options['top']}.")
        batch = None
        if options["batch"]:
            batch = batch_by_name(options["batch"])
            if batch is None:
                known = (
                    ", ".join(sorted(set(ImportBatch.objects.values_list("name", flat=True)))) or "none yet"
                )
                raise CommandError(f"No import batch named {options['batch']!r}. Known batches: {known}.")
        stories = evaluation_stories(status=options["status"], batch=batch)
        if not stories.exists():
            where = f" in batch {batch.name!r}" if batch else ""
            raise CommandError(
                f"No stories with status {options['status']!r}{where} to evaluate. Approve stories in the "
                "review queue first, or choose another --status (e.g. --status all)."
            )
        result = evaluation_compute(stories=stories)
        left_out = pending_left_out(stories=stories)
        if options["json"]:
            self.stdout.write(
                json.dumps({**as_dict(result, options["top"]), "pending_left_out": left_out}, indent=2)
            )
        else:
            self.stdout.write(render_table(result, options["top"]))
            if left_out:
                self.stdout.write(f"{left_out} pending suggestions nobody has decided were left out.")


def _row(score: LabelScore) -> list[str]:
    return [
        score.label,
        str(score.gold),
        str(score.predicted),
        str(score.tp),
        str(score.fp),
        str(score.fn),
        format_score(score.precision),
        format_score(score.recall),
        format_score(score.f1),
    ]


def render_table(result: EvaluationResult, top: int) -> str:
    """A plain-text report: one line per label, the overall line, then the top confusions."""
    header = ["label", "final", "model", "tp", "fp", "fn", "precision", "recall", "f1"]
    rows = [_row(score) for score in result.labels]
    overall = _row(result.overall)
    widths = [max(len(r[i]) for r in [header, overall, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    out = [
        f"Evaluated {result.stories} {'story' if result.stories == 1 else 'stories'} "
        f"({result.stories_exact} unchanged from the model's draft). "
        "A span counts only if start, end and label all match.",
        "",
        line(header),
        line(["-" * w for w in widths]),
        *(line(r) for r in rows),
        line(["-" * w for w in widths]),
        line(overall),
        f"macro-averaged F1: {format_score(result.macro_f1)}",
        "",
    ]
    confusions = result.top_confusions(top)
    if not confusions:
        out.append("No confusions: every model span matches the final annotations.")
    else:
        out.append("Most frequent confusions (model → final):")
        for c in confusions:
            out.append(
                f"  {c.count:>5}  {c.predicted or '(nothing)'} → {c.gold or '(nothing)'}  [{c.description}]"
            )
    return "\n".join(out)


def as_dict(result: EvaluationResult, top: int) -> dict:
    def score(s: LabelScore) -> dict:
        fields = ("tp", "fp", "fn", "precision", "recall", "f1")
        return {"label": s.label, **{name: getattr(s, name) for name in fields}}

    return {
        "stories": result.stories,
        "stories_exact": result.stories_exact,
        "labels": [score(s) for s in result.labels],
        "overall": score(result.overall),
        "macro_f1": result.macro_f1,
        "confusions": [
            {"kind": c.kind, "model": c.predicted, "final": c.gold, "count": c.count}
            for c in result.top_confusions(top)
        ],
    }
