"""Agreement between the annotators of double-annotated stories: span F1, Cohen's κ, Krippendorff's α.

`manage.py agreement [--batch NAME] [--json] [--per-story]` prints the figures per pair of annotators
and per label; with --json one object. Exits non-zero when the batch is unknown or no story has two
done layers.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from annotations.selectors.agreement import agreement_compute, agreement_stories, waiting_stories
from annotations.selectors.dashboard import batch_by_name
from nlp.agreement import Agreement, Figures
from nlp.scoring import format_score
from stories.models import ImportBatch


class Command(BaseCommand):
    help = "Measure how far the annotators of double-annotated stories agree, per pair and per label."

    def add_arguments(self, parser):
        parser.add_argument("--batch", metavar="NAME", help="Only stories imported in this batch.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of tables.")
        parser.add_argument(
            "--per-story",
            action="store_true",
            help="Also list every story's figures (with --json: 'per_story').",
        )

    def handle(self, *args, **options):
        batch = None
        if options["batch"]:
            batch = batch_by_name(options["batch"])
            if batch is None:
                known = (
                    ", ".join(sorted(set(ImportBatch.objects.values_list("name", flat=True)))) or "none yet"
                )
                raise CommandError(f"No import batch named {options['batch']!r}. Known batches: {known}.")
        stories = agreement_stories(batch=batch)
        where = f" in batch {batch.name!r}" if batch else ""
        if not stories.exists():
            raise CommandError(
                f"No double-annotated stories{where}. Assign stories to two or more editors first "
                "(manage.py assign --batch NAME --editors a,b --double), or import a layer with "
                "manage.py ingest FILE --annotator USERNAME."
            )
        result = agreement_compute(stories=stories, per_story=options["per_story"])
        if result.is_empty:
            raise CommandError(
                f"None of the {stories.count()} double-annotated stories{where} has two layers marked done "
                "yet; agreement is measured once at least two annotators of a story have finished."
            )
        waiting = waiting_stories(stories=stories)
        if options["json"]:
            self.stdout.write(
                json.dumps(as_dict(result, waiting=waiting, per_story=options["per_story"]), indent=2)
            )
        else:
            self.stdout.write(render_tables(result, waiting=waiting, per_story=options["per_story"]))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _figures(figures: Figures) -> dict:
    return {
        "span_f1": _round(figures.exact_f1),
        "span_f1_overlap": _round(figures.overlap_f1),
        "kappa": _round(figures.kappa),
        "alpha": _round(figures.alpha),
        "stories": figures.stories,
        "tokens": figures.tokens,
    }


def as_dict(result: Agreement, *, waiting: int = 0, per_story: bool = False) -> dict:
    """The --json object: `pairs` and `labels` as documented, plus `overall` and counts."""
    out = {
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                **_figures(p.figures),
                "spans_a": p.figures.spans.a,
                "spans_b": p.figures.spans.b,
            }
            for p in result.pairs
        ],
        "labels": {label: _figures(figures) for label, figures in result.labels.items()},
        "overall": _figures(result.figures),
        "annotators": result.annotators,
        "stories": result.figures.stories,
        "stories_waiting": waiting,
    }
    if per_story:
        out["per_story"] = [
            {"story": s.story, "title": s.title, "annotators": s.annotators, **_figures(s.figures)}
            for s in result.stories
        ]
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _cells(figures: Figures) -> list[str]:
    return [format_score(v) for v in (figures.exact_f1, figures.overlap_f1, figures.kappa, figures.alpha)]


def render_tables(result: Agreement, *, waiting: int = 0, per_story: bool = False) -> str:
    """Plain text: the overall line, one line per pair, one per label, and optionally one per story."""
    figures = ["exact F1", "overlap F1", "kappa", "alpha"]
    pairs = [[f"{p.a} / {p.b}", str(p.figures.stories), *_cells(p.figures)] for p in result.pairs]
    labels = [[label, str(f.spans.a + f.spans.b), *_cells(f)] for label, f in result.labels.items()]
    overall = ", ".join(
        f"{name} {value}" for name, value in zip(figures, _cells(result.figures), strict=True)
    )
    count = result.figures.stories
    out = [
        f"Agreement over {count} double-annotated {'story' if count == 1 else 'stories'} "
        f"({result.figures.tokens} tokens), {len(result.annotators)} annotators."
        + (f" {waiting} more wait for a second layer to be done." if waiting else ""),
        "",
        *_table(["pair", "stories", *figures], pairs),
        "",
        *_table(["label", "spans", *figures], labels),
        "",
        f"Overall: {overall} (kappa: mean over pairs; alpha: all annotators at once).",
    ]
    if per_story:
        rows = [[f"{s.story} {s.title}", " ".join(s.annotators), *_cells(s.figures)] for s in result.stories]
        out += ["", *_table(["story", "annotators", *figures], rows)]
    return "\n".join(out)
