"""Layers in and out: `ingest --annotator` (doccano, Prodigy and Fabula shapes), `export --annotator`
and the final layer's per-span votes."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Entity
from annotations.selectors.layers import layer_spans, layers_of
from stories.models import Story
from stories.services import text_sha256
from tests.factories import make_user

TEXT = "Anna Petrova danced in Paris with Boris."
pytestmark = pytest.mark.django_db


@pytest.fixture
def story(db):
    make_user("editor", "anna"), make_user("editor", "ben")
    return Story.objects.create(title="Paris", text=TEXT, text_length=len(TEXT), sha256=text_sha256(TEXT))


def jsonl(tmp_path, name, *records) -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def import_both(tmp_path):
    doccano = jsonl(tmp_path, "anna.jsonl", {"text": TEXT, "label": [[0, 12, "PERSON"], [23, 28, "GPE"]]})
    prodigy = jsonl(
        tmp_path, "ben.jsonl",
        {"text": TEXT, "answer": "accept", "_input_hash": 1,
         "spans": [{"start": 0, "end": 12, "label": "PERSON"}, {"start": 34, "end": 39, "label": "PERSON"}]},
    )  # fmt: skip
    call_command("ingest", doccano, "--annotator", "anna")
    call_command("ingest", prodigy, "--annotator", "ben")


def test_imported_layers_are_done_and_send_the_story_to_adjudication(story, tmp_path, capsys):
    import_both(tmp_path)
    assert "1 layers of ben imported (2 spans), 0 failed." in capsys.readouterr().out
    layers = layers_of(story)
    assert [(layer.username, layer.done) for layer in layers] == [("anna", True), ("ben", True)]
    assert [(s.text, s.label) for s in layer_spans(layers[0])] == [
        ("Anna Petrova", "PERSON"),
        ("Paris", "GPE"),
    ]
    story.refresh_from_db()
    assert story.status == Story.Status.ADJUDICATION and story.layer_count == 2
    assert list(Entity.objects.final().filter(story=story).values_list("text", flat=True)) == ["Anna Petrova"]


def test_a_fabula_shaped_line_with_characters(story, tmp_path):
    line = {
        "text": TEXT,
        "spans": [{"start": 0, "end": 12, "label": "PERSON", "character": 7}],
        "characters": [{"id": 7, "name": "Anna Petrova", "aliases": ["Anna"], "gender": "female"}],
    }
    call_command("ingest", jsonl(tmp_path, "a.jsonl", line), "--annotator", "anna")
    layer = Story.with_layers.get(layer_of=story, annotator__username="anna")
    entity = Entity.objects.get(story=layer)
    assert entity.character.name == "Anna Petrova" and entity.character.aliases == ["Anna"]


def test_unknown_user_and_unmatched_text_are_clear_errors(story, tmp_path, capsys):
    path = jsonl(tmp_path, "x.jsonl", {"text": "A text nobody imported.", "label": [[0, 1, "PERSON"]]})
    with pytest.raises(CommandError, match="--annotator 'zed': no such account"):
        call_command("ingest", path, "--annotator", "zed")
    with pytest.raises(CommandError, match="1 line"):
        call_command("ingest", path, "--annotator", "anna")
    assert "x.jsonl:1: no stored story has this text" in capsys.readouterr().err
    assert not Story.with_layers.filter(layer_of__isnull=False).exists()


def read(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def test_export_one_annotators_layer_and_the_votes(story, tmp_path):
    import_both(tmp_path)
    out = tmp_path / "anna-out.jsonl"
    call_command("export", "--format", "jsonl", "--status", "all", "--annotator", "anna", "-o", str(out))
    [record] = read(out)
    assert record["id"] == story.pk and record["meta"]["annotator"] == "anna"
    assert record["meta"]["sha256"] == story.sha256
    assert [(s["text"], s["label"]) for s in record["spans"]] == [
        ("Anna Petrova", "PERSON"),
        ("Paris", "GPE"),
    ]
    conll = tmp_path / "ben.conll"
    call_command("export", "--format", "conll", "--status", "all", "--annotator", "ben", "-o", str(conll))
    assert "B-PERSON" in conll.read_text() and "Boris" in conll.read_text()
    voted = tmp_path / "final.jsonl"
    call_command("export", "--format", "jsonl", "--status", "all", "--votes", "-o", str(voted))
    [final] = read(voted)
    assert final["spans"][0]["votes"] == {"anna": "PERSON", "ben": "PERSON"}
    plain = tmp_path / "plain.jsonl"
    call_command("export", "--format", "jsonl", "--status", "all", "-o", str(plain))
    assert "votes" not in read(plain)[0]["spans"][0]  # the default shape is unchanged
    with pytest.raises(CommandError, match="Votes go with the stories' final layer"):
        call_command("export", "--format", "jsonl", "--annotator", "anna", "--votes", "-o", str(plain))
    with pytest.raises(CommandError, match="'olga' has no layer"):
        call_command("export", "--format", "jsonl", "--annotator", "olga", "-o", str(plain))
