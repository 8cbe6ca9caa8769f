"""The reviewers' dashboard: model scores per label with a chart, stories by status, work per editor,
label frequencies. Reviewer/admin only; with HX-Request only the `dashboard-body` partial is rendered.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations.charts import ChartRow, Series, bar_chart
from annotations.forms.review import DashboardFilterForm
from annotations.selectors.dashboard import figures
from core.access import reviewer_required
from core.http import HtmxHttpRequest
from nlp.scoring import format_score
from stories.models import ImportBatch, Story

TEMPLATE = "annotations/dashboard.html"
SCORE_SERIES = [Series("precision", "#4c78a8"), Series("recall", "#f58518"), Series("F1", "#54a24b")]
STATUS_COLORS = {
    Story.Status.NEW: "#9e9e9e",
    Story.Status.IN_PROGRESS: "#4c78a8",
    Story.Status.ADJUDICATION: "#b279a2",
    Story.Status.DONE: "#f2b701",
    Story.Status.APPROVED: "#54a24b",
    Story.Status.RETURNED: "#e45756",
}


def dashboard_context(*, batch: ImportBatch | None, status: str) -> dict:
    """Everything the page shows, with the four charts laid out (see annotations.charts)."""
    found = figures(batch=batch, status=status)
    result, statuses, work, labels = found.result, found.statuses, found.work, found.labels
    scores = [*result.labels, result.overall]
    return {
        "status_label": dict(Story.Status.choices).get(status, "any status"),
        "result": result,
        "pending_left_out": found.pending_left_out,
        "statuses": statuses,
        "work": work,
        "labels": labels,
        "score_chart": bar_chart(
            title="Precision, recall and F1 per label",
            rows=[ChartRow(s.label, [s.precision, s.recall, s.f1]) for s in scores if s.gold or s.predicted],
            series=SCORE_SERIES,
            max_value=1,
            fmt=format_score,
        ),
        "status_chart": bar_chart(
            title="Stories by status",
            rows=[ChartRow(name, [n], STATUS_COLORS[value]) for value, name, n in statuses],
            series=[Series("", "")],
        ),
        "work_chart": bar_chart(
            title="Edits per user",
            rows=[ChartRow(row["user__username"], [row["edits"]], "#72b7b2") for row in work],
            series=[Series("", "")],
        ),
        "label_chart": bar_chart(
            title="Spans per label: final set and model draft",
            rows=[ChartRow(row["label"], [row["final"], row["model"]], row["color"]) for row in labels],
            series=[Series("final set", "#4c78a8"), Series("model draft", "#bbbbbb")],
        ),
    }


@require_GET
@reviewer_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    # Scores default to approved stories; the select must show that, so the default goes into the data.
    form = DashboardFilterForm({"status": Story.Status.APPROVED.value, **request.GET.dict()})
    valid = form.is_valid()
    batch = form.cleaned_data.get("batch") if valid else None
    status = (form.cleaned_data.get("status") if valid else None) or Story.Status.APPROVED
    context = {
        "form": form,
        "status": status,
        "batch": batch,
        **dashboard_context(batch=batch, status=status),
    }
    template = TEMPLATE + ("#dashboard-body" if request.htmx else "")
    return render(request, template, context, status=200 if valid else 400)
