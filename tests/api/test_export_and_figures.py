"""API export (the same bytes as `manage.py export` for the same options, streamed) and the dashboard's
figures as JSON; both reviewer-only; labels for every role."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.http import StreamingHttpResponse

from annotations.models import Label
from annotations.selectors.dashboard import evaluation_compute, evaluation_stories
from tests.annotations.review_cases import build_evaluation_case
from tests.interchange.export_data import make_export_set

pytestmark = pytest.mark.django_db


def _command(*args: str) -> bytes:
    out = io.StringIO()
    call_command("export", *args, "-o", "-", stdout=out, stderr=io.StringIO(), verbosity=0)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("params", "args"),
    [
        ({}, "--format jsonl"),
        ({"status": "all", "flavor": "doccano"}, "--format jsonl --status all --flavor doccano"),
        ({"format": "csv", "status": "all", "per_entity": "true"}, "--format csv --status all --per-entity"),
        ({"format": "conll", "labels": "GPE", "batch": "spring"}, "--format conll --labels GPE --batch spring"),  # noqa: E501
        (
            {"status": "all", "layer": "model", "pending": "include"},
            "--format jsonl --status all --layer model --pending include",
        ),
    ],
)  # fmt: skip
def test_export_streams_the_same_bytes_as_the_command(reviewer_api, params, args):
    make_export_set()
    response = reviewer_api.get("/export", params)
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body and body == _command(*args.split())
    assert "attachment" in response["Content-Disposition"]


def test_export_refusals(editor_api, reviewer_api):
    assert editor_api.get("/export").status_code == 403
    bad = reviewer_api.get("/export", {"labels": "NOPE", "ids": "1,x"})
    assert bad.status_code == 400
    assert set(bad.json()["details"]) == {"labels", "ids"}
    assert reviewer_api.get("/export", {"format": "pdf"}).status_code == 400
    dates = reviewer_api.get("/export", {"since": "2026-02-01", "until": "2026-01-01"})
    assert dates.status_code == 400 and "after the end date" in dates.json()["message"]


def test_dashboard_figures_are_the_dashboards(reviewer_api, editor_api):
    build_evaluation_case()
    response = reviewer_api.get("/dashboard")
    assert response.status_code == 200
    data = response.json()
    scores = {row["label"]: row for row in data["scores"]}
    assert (scores["PERSON"]["tp"], scores["PERSON"]["fp"], scores["PERSON"]["fn"]) == (2, 2, 0)
    assert scores["PERSON"]["precision"] == 0.5 and scores["GPE"]["precision"] is None
    assert (data["overall"]["tp"], data["overall"]["fp"], data["overall"]["fn"]) == (2, 3, 3)
    result = evaluation_compute(stories=evaluation_stories())
    assert data["stories"] == result.stories == 2
    assert {(c["kind"], c["predicted"], c["gold"]) for c in data["confusions"]} >= {
        ("label", "PERSON", "GPE")
    }
    assert {row["status"]: row["count"] for row in data["statuses"]}["approved"] == 2
    everything = reviewer_api.get("/dashboard", {"status": "all"}).json()
    assert everything["stories"] == 3
    assert reviewer_api.get("/dashboard", {"status": "nope"}).status_code == 400
    assert reviewer_api.get("/dashboard", {"batch": 999}).status_code == 404
    assert editor_api.get("/dashboard").status_code == 403


def test_labels_list(editor_api):
    labels = editor_api.get("/labels").json()
    assert [row["name"] for row in labels] == list(Label.objects.values_list("name", flat=True))
    assert set(labels[0]) == {"name", "description", "color", "hotkey", "shown", "order"}
