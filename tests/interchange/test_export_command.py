"""`manage.py export`: options, output to a file or stdout, clear errors, nothing half-written."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from spacy.tokens import DocBin

from tests.interchange.export_data import ANNA, make_export_set

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_jsonl_to_stdout_with_filters():
    sets = make_export_set()
    out, err = run("--format", "jsonl", "--status", "all", "--batch", "spring", "--labels", "GPE", "-o", "-")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == [sets[k].pk for k in ("anna", "macbeth", "plain", "draft")]
    assert [[s["label"] for s in r["spans"]] for r in records] == [["GPE"], ["GPE"], [], ["GPE"]]
    assert "Exported 4 stories as jsonl to -" in err


def test_each_format_to_a_file(tmp_path):
    make_export_set()
    for name, suffix in [
        ("jsonl", "jsonl"),
        ("spacy", "spacy"),
        ("conll", "conll"),
        ("brat", "zip"),
        ("csv", "csv"),
    ]:
        target = tmp_path / f"out.{suffix}"
        run("--format", name, "-o", str(target))
        assert target.stat().st_size > 0, name
    docs = list(
        DocBin()
        .from_bytes((tmp_path / "out.spacy").read_bytes())
        .get_docs(__import__("spacy").blank("en").vocab)
    )
    assert docs[0].text == ANNA
    assert zipfile.ZipFile(tmp_path / "out.zip").testzip() is None
    assert not list(tmp_path.glob(".*partial"))


def test_spacy_zip_is_sharded(tmp_path):
    make_export_set()
    target = tmp_path / "train.zip"
    run("--format", "spacy", "--shard-size", "2", "-o", str(target))
    with zipfile.ZipFile(target) as archive:
        assert [len(DocBin().from_bytes(archive.read(n))) for n in archive.namelist()] == [2, 1]


def test_model_layer_and_doccano_flavor_and_per_entity():
    sets = make_export_set()
    ids = f"{sets['anna'].pk},{sets['plain'].pk}"
    out, _ = run("--format", "jsonl", "--layer", "model", "--ids", ids, "--flavor", "doccano", "-o", "-")
    assert len(out.splitlines()) == 2
    first = json.loads(out.splitlines()[0])
    assert [23, 28, "LOC"] in first["label"]
    out, _ = run("--format", "csv", "--per-entity", "-o", "-")
    assert (
        out.splitlines()[0]
        == "story_id,story_title,start,end,label,text,origin,state,character_id,character_name"
    )


def test_an_empty_selection_still_writes_a_valid_file_and_says_so(tmp_path):
    make_export_set()
    target = tmp_path / "none.zip"
    _, err = run("--format", "brat", "--status", "returned", "-o", str(target))
    assert "warning: no story matches these filters (status returned)" in err
    assert zipfile.ZipFile(target).namelist() == ["fabula/annotation.conf"]


def test_warnings_are_reported():
    make_export_set()
    _, err = run("--format", "conll", "-o", "-")
    assert "warning: story" in err and "BIO cannot nest" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "finished"], "--status: Select a valid choice"),
        (["--batch", "nope"], "No import batch is named 'nope'. Known batches: spring."),
        (["--labels", "PERSON,HERO"], "Unknown label(s) HERO."),
        (["--ids", "1,x"], "A story id is a whole number of 1 or more"),
        (["--since", "2026-13-01"], "--since: Enter a valid date."),
        (
            ["--since", "2026-05-02", "--until", "2026-05-01"],
            "The start date 2026-05-02 is after the end date",
        ),
    ],
)
def test_bad_options_give_a_clear_error(args, message):
    make_export_set()
    with pytest.raises(CommandError, match=__import__("re").escape(message)):
        run("--format", "jsonl", *args, "-o", "-")


def test_binary_format_refuses_a_text_stdout_and_missing_folder(tmp_path):
    make_export_set()
    with pytest.raises(CommandError, match="binary"):
        run("--format", "brat", "-o", "-")
    with pytest.raises(CommandError, match="does not exist"):
        run("--format", "jsonl", "-o", str(tmp_path / "missing" / "x.jsonl"))
    with pytest.raises(CommandError, match="ending in .zip"):
        run("--format", "spacy", "--shard-size", "5", "-o", str(tmp_path / "x.spacy"))


def test_failure_midway_leaves_no_file(tmp_path, monkeypatch):
    make_export_set()
    from interchange.writers import jsonl

    def broken(stories, *, options, warn):
        yield b"{}\n"
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jsonl, "write", broken)
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        run("--format", "jsonl", "-o", str(target))
    assert list(tmp_path.iterdir()) == []


def test_stdout_bytes_when_binary_buffer_available(tmp_path):
    make_export_set()

    class Binary(io.StringIO):
        def __init__(self):
            super().__init__()
            self.buffer = io.BytesIO()

    out = Binary()
    call_command("export", "--format", "brat", "-o", "-", stdout=out, stderr=StringIO())
    assert zipfile.ZipFile(io.BytesIO(out.buffer.getvalue())).namelist()[-1] == "fabula/annotation.conf"
