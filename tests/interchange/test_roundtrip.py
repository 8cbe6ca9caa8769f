"""Round trip: export, ingest into an empty database, export again; the bytes match in every format.

The only differences allowed are ids, timestamps and, for entities first written by the model or an
editor, `origin` (an import stores its entities as origin "imported"). A second round trip, from the
re-imported database, must then match with nothing but ids and timestamps changed.
"""

from __future__ import annotations

import io
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from interchange.writers import spacy_docbin
from stories.models import ImportBatch, Story
from tests.interchange.export_data import make_export_set

pytestmark = pytest.mark.django_db
FORMATS = {
    "jsonl": "out.jsonl",
    "doccano": "out.doccano.jsonl",
    "spacy": "out.spacy",
    "conll": "out.conll",
    "brat": "out.zip",
    "csv": "out.csv",
    "csv-entities": "out.entities.csv",
}
EXTRA = {
    "doccano": ["--format", "jsonl", "--flavor", "doccano"],
    "csv-entities": ["--format", "csv", "--per-entity"],
}


def export_all(folder: Path, *, layer: str = "final") -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    outputs = {}
    for name, filename in FORMATS.items():
        args = EXTRA.get(name, ["--format", name])
        call_command(
            "export",
            *args,
            "--status",
            "all",
            "--layer",
            layer,
            "-o",
            str(folder / filename),
            stderr=StringIO(),
        )
        outputs[name] = (folder / filename).read_bytes()
    return outputs


def empty_database() -> None:
    Story.objects.all().delete()  # characters and annotations go with their stories
    ImportBatch.objects.all().delete()


def ingest(path: Path, *args: str) -> None:
    call_command("ingest", str(path), "--no-extract", *args, stdout=StringIO(), stderr=StringIO())


class Renumber:
    """Replace each distinct id by its order of first appearance, so links survive and values do not."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], int] = {}

    def __call__(self, kind: str, value: str) -> str:
        return f"<{kind}{self.seen.setdefault((kind, value), len(self.seen) + 1)}>"


TIMESTAMP = re.compile(r'"(created_at|updated_at)": "[^"]+"')


def normalise_jsonl(data: bytes, *, origin: bool) -> str:
    ids = Renumber()
    text = TIMESTAMP.sub(r'"\1": "<time>"', data.decode())
    text = re.sub(r'^\{"id": (\d+)', lambda m: '{"id": ' + ids("story", m[1]), text, flags=re.M)
    text = re.sub(r'"(character|id)": (\d+)', lambda m: f'"{m[1]}": ' + ids("character", m[2]), text)
    if origin:
        text = re.sub(r'"origin": "\w+"', '"origin": "<origin>"', text)
    return text


def normalise_csv(
    data: bytes, *, origin: bool, id_columns: tuple[int, ...], origin_column: int | None
) -> str:
    ids = Renumber()
    rows = []
    for row in __import__("csv").reader(io.StringIO(data.decode(), newline="")):
        if rows:
            for column in id_columns:
                row[column] = ids(str(column), row[column]) if row[column] else ""
            if origin and origin_column is not None:
                row[origin_column] = "<origin>"
        rows.append(row)
    return repr(rows)


def normalise_brat(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(re.sub(r"/\d{6}-", "/<id>-", n), archive.read(n)) for n in archive.namelist()]


def normalise_spacy(data: bytes) -> list[dict]:
    """Every token, entity, span group and user_data value of each Doc, ids and timestamps renumbered.
    (The ids are also in the DocBin's string table, so its raw bytes cannot be renumbered in place.)"""
    ids = Renumber()
    canonical = []
    for doc in spacy_docbin.read_docs(data):
        user_data = dict(doc.user_data)
        user_data["id"] = ids("story", str(user_data["id"]))
        user_data["meta"] = {**user_data["meta"], "created_at": "<time>", "updated_at": "<time>"}
        user_data["characters"] = [
            {**c, "id": ids("character", str(c["id"]))} for c in user_data["characters"]
        ]
        groups = {
            key: [
                (
                    s.start_char,
                    s.end_char,
                    s.label_,
                    ids("character", s.kb_id_) if key == "characters" else s.kb_id_,
                )
                for s in group
            ]
            for key, group in sorted(doc.spans.items())
        }
        canonical.append(
            {
                "tokens": [(t.text, t.whitespace_) for t in doc],
                "ents": [(e.start_char, e.end_char, e.label_) for e in doc.ents],
                "spans": groups,
                "user_data": user_data,
            }
        )
    return canonical


def normalised(outputs: dict[str, bytes], *, origin: bool) -> dict[str, object]:
    return {
        "jsonl": normalise_jsonl(outputs["jsonl"], origin=origin),
        "doccano": normalise_jsonl(outputs["doccano"], origin=origin),
        "spacy": normalise_spacy(outputs["spacy"]),
        "conll": outputs["conll"],  # no ids, no timestamps: compared as they are
        "brat": normalise_brat(outputs["brat"]),
        "csv": normalise_csv(outputs["csv"], origin=origin, id_columns=(0, 2), origin_column=None),
        "csv-entities": normalise_csv(
            outputs["csv-entities"], origin=origin, id_columns=(0, 8), origin_column=6
        ),
    }


def test_jsonl_round_trip_reproduces_every_format(tmp_path):
    make_export_set()
    first = export_all(tmp_path / "first")
    empty_database()
    ingest(tmp_path / "first" / "out.jsonl", "--batch", "spring")
    second = export_all(tmp_path / "second")
    assert b'"origin": "imported"' in second["jsonl"]  # the import marks its entities as imported
    expected, got = normalised(first, origin=True), normalised(second, origin=True)
    for name in FORMATS:
        assert got[name] == expected[name], name
    # Once imported, another round trip changes nothing but ids and timestamps.
    empty_database()
    ingest(tmp_path / "second" / "out.jsonl", "--batch", "spring")
    third = export_all(tmp_path / "third")
    expected, got = normalised(second, origin=False), normalised(third, origin=False)
    for name in FORMATS:
        assert got[name] == expected[name], name
    assert third["conll"] == first["conll"] and third["brat"] != b""


def test_statuses_sources_and_metadata_are_restored(tmp_path):
    sets = make_export_set()
    first = export_all(tmp_path / "first")
    empty_database()
    ingest(tmp_path / "first" / "out.jsonl", "--batch", "spring")
    restored = Story.objects.get(title="Draft")
    assert (restored.status, restored.source_name, restored.meta) == (
        "done",
        "samples/04.txt",
        {"encoding": "utf-8", "bom": False, "title_from": "file name"},
    )
    assert restored.sha256 == sets["draft"].sha256
    assert first["jsonl"].count(b"\n") == 4


def test_brat_round_trip(tmp_path):
    make_export_set()
    first = export_all(tmp_path / "first")
    empty_database()
    with zipfile.ZipFile(io.BytesIO(first["brat"])) as archive:
        archive.extractall(tmp_path / "unzipped")
    ingest(tmp_path / "unzipped")
    second = export_all(tmp_path / "second")
    assert normalise_brat(second["brat"]) == normalise_brat(first["brat"])
    assert second["conll"] == first["conll"]


def test_model_layer_round_trip_of_the_predictions(tmp_path):
    """The model layer exports as plain annotated JSONL too, so predictions can be moved between sites."""
    make_export_set()
    first = export_all(tmp_path / "first", layer="model")
    empty_database()
    ingest(tmp_path / "first" / "out.jsonl", "--batch", "spring")
    second = export_all(tmp_path / "second")
    assert second["conll"] == first["conll"] and normalise_brat(second["brat"]) == normalise_brat(
        first["brat"]
    )
