"""Review state in every export: decided entities only by default, each span's state in JSONL and CSV, and
a warning when pending suggestions go into a format that cannot mark them."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import make_entity, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    story = make_story("Anna met Boris in Paris.", status="in_progress")
    make_entity(story, "Anna", review_state="accepted")
    make_entity(story, "Boris")  # pending
    make_entity(story, "Paris", label="GPE", review_state="rejected")
    return story


def export(*args) -> tuple[bytes, str]:
    out, err = io.BytesIO(), StringIO()

    class Binary(StringIO):
        buffer = out

    call_command("export", "--status", "all", *args, "-o", "-", stdout=Binary(), stderr=err)
    return out.getvalue(), err.getvalue()


def spans(data: bytes) -> list[tuple[str, str]]:
    return [(s["text"], s["state"]) for line in data.splitlines() for s in json.loads(line)["spans"]]


def test_jsonl_has_only_decided_entities_by_default(story):
    data, err = export("--format", "jsonl")
    assert spans(data) == [("Anna", "accepted")]
    assert "warning" not in err


def test_jsonl_with_pending_included_marks_each_state(story):
    data, _ = export("--format", "jsonl", "--pending", "include")
    assert spans(data) == [("Anna", "accepted"), ("Boris", "pending")]


def test_csv_carries_a_state_column(story):
    data, _ = export("--format", "csv", "--per-entity", "--pending", "include")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert [(row["text"], row["state"]) for row in rows] == [("Anna", "accepted"), ("Boris", "pending")]


@pytest.mark.parametrize("name", ["conll", "brat", "spacy"])
def test_stateless_formats_leave_pending_out_unless_asked_and_then_say_so(story, name):
    _, err = export("--format", name)
    assert "pending" not in err
    _, err = export("--format", name, "--pending", "include")
    assert "warning: --pending include: pending suggestions are in this" in err
    assert "cannot mark them" in err


def conll_tags(data: bytes) -> dict[str, str]:
    """Token -> its IOB tag (the last column), from the document's token lines."""
    lines = [line.split() for line in data.decode().splitlines()]
    return {cols[0]: cols[-1] for cols in lines if cols and cols[0] != "-DOCSTART-"}


def test_conll_tags_only_accepted_entities_by_default(story):
    tags = conll_tags(export("--format", "conll")[0])
    assert (tags["Anna"], tags["Boris"], tags["Paris"]) == ("B-PERSON", "O", "O")
    tags = conll_tags(export("--format", "conll", "--pending", "include")[0])
    assert (tags["Boris"], tags["Paris"]) == ("B-PERSON", "O")


def test_the_export_page_offers_the_choice_and_warns_for_stateless_formats(story, client):
    from django.urls import reverse

    from tests.factories import make_user

    client.force_login(make_user("reviewer"))
    url = reverse("interchange:export")
    page = client.get(url).content.decode()
    assert 'name="pending"' in page and "Leave out pending suggestions" in page
    summary = client.get(
        url,
        {"format": "conll", "status": "all", "layer": "final", "pending": "include"},
        headers={"HX-Request": "true"},
    )
    html = summary.content.decode()
    assert "pending suggestions included" in html and "CoNLL cannot mark them" in html
    download = client.get(url, {"format": "jsonl", "status": "all", "layer": "final", "download": "1"})
    assert spans(b"".join(download.streaming_content)) == [("Anna", "accepted")]
