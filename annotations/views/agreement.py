"""The reviewers' Agreement page: how far annotators of double-annotated stories agree, per pair, per label
and per story, with charts; filter by batch. Reviewer/admin only; with HX-Request only `agreement-body`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations.charts import ChartRow, Series, bar_chart
from annotations.forms.review import AgreementFilterForm
from annotations.selectors.agreement import agreement_cached, agreement_stories, waiting_stories
from core.access import reviewer_required
from core.http import HtmxHttpRequest
from nlp.scoring import format_score
from stories.models import ImportBatch

if TYPE_CHECKING:
    from nlp.agreement import Agreement, Figures

TEMPLATE = "annotations/agreement.html"
FIGURE_SERIES = [
    Series("exact F1", "#4c78a8"),
    Series("overlap F1", "#72b7b2"),
    Series("κ", "#f58518"),
    Series("α", "#54a24b"),
]
STORIES_LISTED = 200
# Landis and Koch's bands, the usual reading of κ; the last row holds stories where κ is undefined.
KAPPA_BANDS = [
    ("below 0", None, 0),
    ("0–0.2 slight", 0, 0.2),
    ("0.2–0.4 fair", 0.2, 0.4),
    ("0.4–0.6 moderate", 0.4, 0.6),
    ("0.6–0.8 substantial", 0.6, 0.8),
    ("0.8–1 almost perfect", 0.8, None),
]


def _values(figures: Figures) -> list[float | None]:
    return [figures.exact_f1, figures.overlap_f1, figures.kappa, figures.alpha]


def kappa_bands(result: Agreement) -> list[tuple[str, int]]:
    """(band, stories) for each of KAPPA_BANDS, then the stories whose κ is undefined."""
    kappas = [s.figures.kappa for s in result.stories]
    bands = [
        (name, sum(1 for k in kappas if k is not None and (lo is None or k >= lo) and (hi is None or k < hi)))
        for name, lo, hi in KAPPA_BANDS
    ]
    return [*bands, ("undefined", sum(1 for k in kappas if k is None))]


def agreement_context(*, batch: ImportBatch | None) -> dict:
    """The figures and the three charts; stories listed worst κ first (undefined last)."""
    stories = agreement_stories(batch=batch)
    result = agreement_cached(stories=stories)
    worst_first = sorted(
        result.stories, key=lambda s: (s.figures.kappa is None, s.figures.kappa or 0, s.story)
    )
    bands = kappa_bands(result)
    return {
        "result": result,
        "double_stories": stories.count(),
        "waiting": waiting_stories(stories=stories),
        "stories_listed": worst_first[:STORIES_LISTED],
        "pair_chart": bar_chart(
            title="Agreement per pair of annotators",
            rows=[ChartRow(f"{p.a} / {p.b}", _values(p.figures)) for p in result.pairs],
            series=FIGURE_SERIES,
            max_value=1,
            fmt=format_score,
        ),
        "label_chart": bar_chart(
            title="Agreement per label",
            rows=[ChartRow(label, _values(f)) for label, f in result.labels.items()],
            series=FIGURE_SERIES,
            max_value=1,
            fmt=format_score,
        ),
        "band_chart": bar_chart(
            title="Stories by κ",
            rows=[ChartRow(name, [n], "#f58518") for name, n in bands] if result.stories else [],
            series=[Series("", "")],
        ),
    }


@require_GET
@reviewer_required
def agreement_page(request: HtmxHttpRequest) -> HttpResponse:
    form = AgreementFilterForm(request.GET)
    valid = form.is_valid()
    batch = form.cleaned_data.get("batch") if valid else None
    context = {"form": form, "batch": batch, **agreement_context(batch=batch)}
    template = TEMPLATE + ("#agreement-body" if request.htmx else "")
    return render(request, template, context, status=200 if valid else 400)
