"""`manage.py ingest` on annotated sets: Prodigy and doccano JSONL, brat folders, LitBank; validation."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Character, Entity, Label
from interchange.readers.checks import span_cut_problem
from stories.models import Story

pytestmark = pytest.mark.django_db
# Two unmodified LitBank documents (A Room with a View, Heart of Darkness); credits in its README.md.
LITBANK = Path(__file__).resolve().parents[1] / "fixtures" / "litbank"
LITBANK_MAP = "PER=PERSON,LOC=LOC,GPE=GPE,FAC=FAC,ORG=ORG,VEH=PRODUCT"


def ingest(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest", *args, "--no-extract", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_jsonl(path: Path, *objects) -> Path:
    path.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects), "utf-8")
    return path


def entities_of(story: Story) -> list[tuple[int, int, str, str]]:
    return list(story.entities.order_by("start", "-end").values_list("start", "end", "label_id", "origin"))


def test_prodigy_spans_are_imported_as_accepted_imported_entities(tmp_path):
    text = "Anna Petrova met Boris in Paris."
    path = write_jsonl(
        tmp_path / "prodigy.jsonl",
        {
            "text": text,
            "spans": [
                {"start": 0, "end": 12, "label": "PER", "token_start": 0, "token_end": 1},
                {"start": 26, "end": 31, "label": "GPE", "text": "Paris"},
            ],
            "answer": "accept",
            "_input_hash": 1,
            "meta": {"source": "x"},
        },
    )
    ingest(str(path), "--label-map", "PER=PERSON")
    story = Story.objects.get()
    assert entities_of(story) == [(0, 12, "PERSON", "imported"), (26, 31, "GPE", "imported")]
    assert set(story.entities.values_list("review_state", flat=True)) == {"accepted"}
    assert story.meta["prodigy"] == {"source": "x"}


def test_prodigy_rejected_answer_is_refused_with_the_line(tmp_path):
    path = write_jsonl(
        tmp_path / "p.jsonl",
        {"text": "Anna came.", "spans": [], "answer": "accept", "_task_hash": 2},
        {"text": "Boris left.", "spans": [{"start": 0, "end": 5, "label": "PERSON"}], "answer": "reject"},
    )
    with pytest.raises(CommandError):
        out, err = ingest(str(path))
    assert list(Story.objects.values_list("text", flat=True)) == ["Anna came."]


def test_doccano_label_lists_and_entities(tmp_path):
    path = write_jsonl(
        tmp_path / "doccano.jsonl",
        {"id": 7, "text": "Anna lives in Oslo.", "label": [[0, 4, "PERSON"], [14, 18, "GPE"]]},
        {
            "text": "Boris saw Rome.",
            "entities": [{"id": 1, "start_offset": 10, "end_offset": 14, "label": "GPE"}],
        },
    )
    ingest(str(path))
    anna, boris = Story.objects.order_by("pk")
    assert entities_of(anna) == [(0, 4, "PERSON", "imported"), (14, 18, "GPE", "imported")]
    assert entities_of(boris) == [(10, 14, "GPE", "imported")]


def run_failing(path: Path, *args: str) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command("ingest", str(path), *args, "--no-extract", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"text": "Anna came.", "spans": [{"start": 0, "end": 40, "label": "PERSON"}]},
            "is outside the text (0..10)",
        ),
        (
            {"text": "Cafe\u0301 Anna", "spans": [{"start": 0, "end": 4, "label": "ORG"}]},
            "offset 4 separates a character from its combining mark (U+0301)",
        ),
        (
            {"text": "Anna came.", "spans": [{"start": 0, "end": 4, "label": "PERSON", "text": "Anne"}]},
            "covers 'Anna' but says 'Anne'",
        ),
        ({"text": "Anna came.", "spans": [{"start": 0, "end": 4, "label": "HERO"}]}, "unknown label 'HERO'"),
        ('{"text": "Anna came.", "spans": [', "malformed JSON"),
        ({"text": "Anna came.", "label": [[0, 4]]}, "must be a list of [start, end, label] triples"),
    ],
)
def test_bad_records_name_file_and_line_and_import_nothing_of_that_story(tmp_path, line, message):
    path = write_jsonl(tmp_path / "bad.jsonl", {"text": "A good story about Oslo.", "spans": []}, line)
    output = run_failing(path)
    assert f"{path}:2: " in output and message in output
    assert list(Story.objects.values_list("text", flat=True)) == ["A good story about Oslo."]
    assert not Entity.objects.exists()


def test_unknown_label_rolls_back_the_whole_story_and_create_labels_accepts_it(tmp_path):
    line = {
        "text": "Anna rode the Orient Express.",
        "spans": [{"start": 0, "end": 4, "label": "PERSON"}, {"start": 14, "end": 28, "label": "TRAIN"}],
        "characters": [{"id": "a", "name": "Anna"}],
    }
    line["spans"][0]["character"] = "a"
    path = write_jsonl(tmp_path / "t.jsonl", line)
    output = run_failing(path)
    assert "unknown label 'TRAIN'" in output and "--create-labels" in output
    assert not Story.objects.exists() and not Character.objects.exists() and not Entity.objects.exists()
    ingest(str(path), "--create-labels")
    assert Label.objects.filter(name="TRAIN").exists()
    story = Story.objects.get()
    assert entities_of(story) == [(0, 4, "PERSON", "imported"), (14, 28, "TRAIN", "imported")]
    assert story.entities.get(start=0).character.name == "Anna"


def test_span_cut_problem_catches_surrogates_and_marks():
    assert "surrogate pair" in span_cut_problem("a\ud83d\ude00b", 0, 2)
    assert "starts on a combining mark" in span_cut_problem("e\u0301te", 1, 3)
    assert span_cut_problem("e\u0301te", 0, 3) is None


def write_brat(folder: Path, name: str, text: str, ann: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, "utf-8")
    (folder / f"{name}.ann").write_text(ann, "utf-8")


def test_brat_folder_with_characters_fragments_and_nesting(tmp_path):
    text = "Lady\nMacbeth met the Lady of Cawdor in Fife."
    write_brat(
        tmp_path / "set" / "sub",
        "one",
        text,
        "T1\tPER 0 4;5 12\tLady Macbeth\nA1\tCharacter T1 C1\n#1\tAnnotatorNotes T1\tLady Macbeth\n"
        "T2\tPER 17 35\tthe Lady of Cawdor\nT3\tGPE 29 35\tCawdor\nT4\tGPE 39 43\tFife\n"
        "R1\tRel Arg1:T1 Arg2:T2\n",
    )
    ingest(str(tmp_path / "set"), "--label-map", "PER=PERSON")
    story = Story.objects.get()
    assert story.text == text and story.meta["brat"] == "one.ann"
    assert entities_of(story) == [
        (0, 12, "PERSON", "imported"),
        (17, 35, "PERSON", "imported"),
        (29, 35, "GPE", "imported"),
        (39, 43, "GPE", "imported"),
    ]
    character = Character.objects.get()
    assert (character.name, character.origin) == ("Lady Macbeth", "imported")
    assert list(character.mentions.values_list("start", flat=True)) == [0]


@pytest.mark.parametrize(
    ("ann", "message"),
    [
        ("T1\tPER 0 4\tAnna\nT2\tPER 0\tBad\n", ".ann:2: malformed T line"),
        ("T1\tPER 0 400\tAnna\n", ".ann:1: span [0, 400) is outside the text"),
        ("T1\tPER 0 4\tAnne\n", ".ann:1: offsets cover 'Anna' but the line says 'Anne'"),
        ("T1\tHERO 0 4\tAnna\n", "unknown label 'HERO' (line 1)"),
        ("T1\tPER 0 4\tAnna\nA1\tCharacter T9 C1\n", ".ann:2: the Character attribute points at T9"),
    ],
)
def test_bad_brat_lines_reject_the_story_with_file_and_line(tmp_path, ann, message):
    write_brat(tmp_path / "set", "bad", "Anna came home.", ann)
    write_brat(tmp_path / "set", "good", "Boris came home.", "T1\tPER 0 5\tBoris\n")
    output = run_failing(tmp_path / "set", "--label-map", "PER=PERSON")
    assert message in output
    assert list(Story.objects.values_list("text", flat=True)) == ["Boris came home."]


def test_litbank_imports_cleanly_with_nested_entities_kept():
    expected: set[tuple[str, int, int, str]] = set()
    mapping = dict(pair.split("=") for pair in LITBANK_MAP.split(","))
    for ann in sorted(LITBANK.glob("*.ann")):
        for line in ann.read_text("utf-8").splitlines():
            match = re.match(r"T\d+\t(\S+) (\d+) (\d+)\t", line)
            expected.add((ann.stem, int(match[2]), int(match[3]), mapping[match[1]]))
    out, _ = ingest(str(LITBANK), "--label-map", LITBANK_MAP, "--batch", "litbank")
    assert "2 imported, 0 duplicates, 0 failed" in out
    stored = {
        (Path(source).stem, start, end, label)
        for source, start, end, label in Entity.objects.values_list(
            "story__source_name", "start", "end", "label_id"
        )
    }
    assert stored == expected and len(stored) == 344
    assert {label for *_, label in stored} == {"PERSON", "LOC", "GPE", "FAC", "ORG", "PRODUCT"}
    assert Entity.objects.filter(label_id="PRODUCT").count() == 18  # every VEH, as PRODUCT
    by_story: dict[str, list[tuple[int, int]]] = {}
    for stem, start, end, _ in stored:
        by_story.setdefault(stem, []).append((start, end))
    nested = [
        (stem, inner)
        for stem, bounds in by_story.items()
        for inner in bounds
        if any(outer != inner and outer[0] <= inner[0] and inner[1] <= outer[1] for outer in bounds)
    ]
    assert len(nested) == 51  # LitBank nests mentions ("the wife of [his brother]"): all kept
