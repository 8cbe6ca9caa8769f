"""Each export format, loaded back with the library or tool that consumes it."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import srsly.msgpack
from spacy.tokens import DocBin
from spacy.training import Corpus

from interchange.readers.brat import parse_standoff
from interchange.selectors.export import ExportFilters, export_stories
from interchange.writers import ExportOptions, conll, spacy_docbin, write
from interchange.writers.tokens import tokenizer_nlp
from tests.interchange.export_data import ANNA, MACBETH, make_export_set

pytestmark = pytest.mark.django_db


def export(name: str, filters: ExportFilters | None = None, **options) -> tuple[bytes, list[str]]:
    warnings: list[str] = []
    stories = export_stories(filters=filters or ExportFilters(), chunk_size=2)
    data = b"".join(write(name, stories, options=ExportOptions(**options), warn=warnings.append))
    return data, warnings


FINAL_ANNA = [
    (0, 12, "PERSON"),
    (0, 4, "PERSON"),
    (23, 28, "GPE"),
    (34, 39, "PERSON"),
    (42, 46, "PERSON"),
    (55, 60, "PERSON"),
]


class TestJsonl:
    def test_fabula_shape_final_layer(self):
        sets = make_export_set()
        lines = export("jsonl")[0].decode().splitlines()
        records = [json.loads(line) for line in lines]
        assert [r["title"] for r in records] == ["Anna’s dance", "Macbeth", "Plain"]  # approved only
        anna = records[0]
        assert list(anna) == ["id", "title", "text", "spans", "characters", "meta"]
        assert anna["id"] == sets["anna"].pk and anna["text"] == ANNA
        assert [(s["start"], s["end"], s["label"]) for s in anna["spans"]] == FINAL_ANNA  # no rejected
        for span in anna["spans"]:
            assert anna["text"][span["start"] : span["end"]] == span["text"]
        characters = {c["name"]: c for c in anna["characters"]}
        assert characters["Anna Petrova"] == {
            "id": characters["Anna Petrova"]["id"],
            "name": "Anna Petrova",
            "aliases": ["Anna"],
            "gender": "female",
            "mentions": 3,
        }
        assert anna["spans"][0]["character"] == characters["Anna Petrova"]["id"]
        assert anna["spans"][4]["origin"] == "editor"
        assert {k: anna["meta"][k] for k in ("batch", "status", "sha256", "layer")} == {
            "batch": "spring",
            "status": "approved",
            "sha256": sets["anna"].sha256,
            "layer": "final",
        }
        assert "“at dawn”" in lines[1]  # UTF-8, not \u escapes

    def test_model_layer_uses_original_predictions(self):
        make_export_set()
        records = [json.loads(x) for x in export("jsonl", ExportFilters(layer="model"))[0].splitlines()]
        spans = [(s["start"], s["end"], s["label"], s["origin"]) for s in records[0]["spans"]]
        # "Paris" as the model said it (LOC), the rejected "smiled" kept, the editor's "Anna" left out.
        assert (23, 28, "LOC", "model") in spans
        assert (47, 53, "EVENT", "model") in spans
        assert all(start != 42 for start, *_ in spans)
        assert [s["label"] for s in records[1]["spans"]] == ["PERSON", "GPE"]  # "Donald" was an editor's

    def test_filters(self):
        sets = make_export_set()

        def titles(**filters):
            return [json.loads(x)["title"] for x in export("jsonl", ExportFilters(**filters))[0].splitlines()]

        assert titles(status="all") == ["Anna’s dance", "Macbeth", "Plain", "Draft"]
        assert titles(status="done") == ["Draft"]
        assert titles(status="all", batch="spring") == ["Anna’s dance", "Macbeth", "Plain", "Draft"]
        assert titles(status="approved", batch="spring") == ["Anna’s dance", "Macbeth", "Plain"]
        assert titles(ids=(sets["macbeth"].pk,)) == ["Macbeth"]
        today = sets["anna"].updated_at.date()
        assert titles(since=today, until=today) == ["Anna’s dance", "Macbeth", "Plain"]
        assert titles(since=today.replace(year=today.year + 1)) == []
        gpe = [json.loads(x) for x in export("jsonl", ExportFilters(labels=("GPE",)))[0].splitlines()]
        assert [[s["text"] for s in r["spans"]] for r in gpe] == [["Paris"], ["Zürich"], []]

    def test_doccano_flavor(self):
        make_export_set()
        record = json.loads(export("jsonl", flavor="doccano")[0].splitlines()[0])
        assert record["text"] == ANNA
        assert record["label"] == [list(span) for span in FINAL_ANNA]
        assert "spans" not in record


class TestSpacyDocBin:
    def test_docbin_loads_with_entities_overlaps_characters_and_user_data(self):
        sets = make_export_set()
        data, warnings = export("spacy")
        docs = list(DocBin().from_bytes(data).get_docs(tokenizer_nlp().vocab))
        assert [doc.text for doc in docs] == [ANNA, MACBETH, "Nothing happens here at all."]
        anna = docs[0]
        ents = [(e.start_char, e.end_char, e.label_) for e in anna.ents]
        assert ents == [
            (0, 12, "PERSON"),
            (23, 28, "GPE"),
            (34, 39, "PERSON"),
            (42, 46, "PERSON"),
            (55, 60, "PERSON"),
        ]
        assert [(s.start_char, s.end_char, s.label_) for s in anna.spans["overlaps"]] == [(0, 4, "PERSON")]
        assert [(s.start_char, s.end_char, s.label_) for s in anna.spans["sc"]] == FINAL_ANNA
        characters = [(s.text, s.label_) for s in anna.spans["characters"]]
        assert characters[:2] == [("Anna Petrova", "Anna Petrova"), ("Anna", "Anna Petrova")]
        assert anna.user_data["id"] == sets["anna"].pk
        assert anna.user_data["title"] == "Anna’s dance"
        assert [c["name"] for c in anna.user_data["characters"]] == ["Anna Petrova", "Boris", "Anna’s mother"]
        # "Donald" inside "MacDonald" is kept exactly, by splitting the token, and reported.
        macbeth = docs[1]
        assert [(e.text, e.label_) for e in macbeth.ents] == [
            ("Donald", "PERSON"),
            ("Lady\nMacbeth", "PERSON"),
            ("Zürich", "GPE"),
        ]
        assert any(f"story {sets['anna'].pk}: 1 overlapping" in w for w in warnings)
        assert any(f"story {sets['macbeth'].pk}: split 1 token" in w for w in warnings)

    def test_same_stories_give_the_same_bytes(self):
        make_export_set()
        assert export("spacy")[0] == export("spacy")[0]
        assert export("spacy", shard_size=2)[0] == export("spacy", shard_size=2)[0]
        # The msgpack registry snapshot used while writing is gone afterwards.
        assert "get_all" not in srsly.msgpack.msgpack_encoders.__dict__

    def test_spacy_train_corpus_reader_reads_the_file_and_the_unzipped_shards(self, tmp_path):
        """`spacy train` reads paths.train with spacy.training.Corpus: a .spacy file or a folder of them."""
        make_export_set()
        (tmp_path / "train.spacy").write_bytes(export("spacy")[0])
        with zipfile.ZipFile(io.BytesIO(export("spacy", shard_size=2)[0])) as archive:
            archive.extractall(tmp_path / "shards")
        nlp = tokenizer_nlp()
        for path in (tmp_path / "train.spacy", tmp_path / "shards"):
            examples = list(Corpus(path)(nlp))
            assert len(examples) == 3, path
            reference = {e.reference.text: e.reference for e in examples}[ANNA]
            assert [(e.text, e.label_) for e in reference.ents][:2] == [
                ("Anna Petrova", "PERSON"),
                ("Paris", "GPE"),
            ]

    def test_sharded_zip_holds_docbins_of_n_docs(self):
        make_export_set()
        data, _ = export("spacy", shard_size=2)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.namelist() == ["fabula-00001.spacy", "fabula-00002.spacy"]
            sizes = [len(DocBin().from_bytes(archive.read(n))) for n in archive.namelist()]
        assert sizes == [2, 1]
        assert [d.text for d in spacy_docbin.read_zip(data)][1] == MACBETH


class TestConll:
    def test_every_entity_reappears_when_read_back(self):
        make_export_set()
        data, warnings = export("conll")
        text = data.decode()
        assert text.startswith("-DOCSTART- -X- -X- O\n\n")
        documents = conll.read(text)
        assert len(documents) == 3
        assert conll.entities(ANNA, documents[0]) == [s for s in FINAL_ANNA if s != (0, 4, "PERSON")]
        assert conll.entities(MACBETH, documents[1]) == [
            (7, 13, "PERSON"),
            (18, 30, "PERSON"),
            (34, 40, "GPE"),
        ]
        assert documents[2] and all(tag == "O" for _, tag in documents[2])
        assert any("'Anna' overlaps a longer span" in w for w in warnings)
        for line in text.splitlines():
            assert line == "" or len(line.split(" ")) == 4

    def test_sentences_from_sentencizer_never_split_an_entity(self):
        make_export_set()
        blocks = export("conll", ExportFilters(ids=()))[0].decode().split("\n\n")
        assert "Anna -X- _ B-PERSON\nsmiled -X- _ O\n. -X- _ O" in blocks


class TestBrat:
    def test_zip_of_txt_and_ann_pairs(self):
        sets = make_export_set()
        data, _ = export("brat")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            anna_stem = f"fabula/{sets['anna'].pk:06d}-anna-s-dance"
            assert f"{anna_stem}.txt" in names and "fabula/annotation.conf" in names
            assert archive.read(f"{anna_stem}.txt").decode() == ANNA
            ann = archive.read(f"{anna_stem}.ann").decode()
            macbeth_ann = archive.read(f"fabula/{sets['macbeth'].pk:06d}-macbeth.ann").decode()
            conf = archive.read("fabula/annotation.conf").decode()
        assert ann.splitlines()[:3] == [
            "T1\tPERSON 0 12\tAnna Petrova",
            "A1\tCharacter T1 C1",
            "#1\tAnnotatorNotes T1\tAnna Petrova",
        ]
        # Read back with Fabula's brat reader (the one `ingest` uses): offsets, labels and characters.
        spans, characters = parse_standoff(ann, ANNA)
        assert [(s["start"], s["end"], s["label"]) for s in spans] == FINAL_ANNA
        assert [c["name"] for c in characters] == ["Anna Petrova", "Boris"]
        assert [s.get("character") for s in spans] == ["C1", "C1", None, "C2", "C1", "C2"]
        # A span across a line break becomes two fragments, each on one line.
        assert "T2\tPERSON 18 22;23 30\tLady Macbeth" in macbeth_ann
        macbeth_spans, _ = parse_standoff(macbeth_ann, MACBETH)
        assert (18, 30, "PERSON", "Lady\nMacbeth") in [
            (s["start"], s["end"], s["label"], s["text"]) for s in macbeth_spans
        ]
        assert (
            "GPE\n" in conf and "Character Arg:<ENTITY>, Value:C1|C2\n" in conf
        )  # the unmentioned mother has no value


class TestCsv:
    def test_one_row_per_character(self):
        sets = make_export_set()
        rows = list(csv.DictReader(io.StringIO(export("csv")[0].decode())))
        assert [
            (r["story_id"], r["name"], r["aliases"], r["gender"], r["mentions"], r["first_offset"])
            for r in rows
        ] == [
            (str(sets["anna"].pk), "Anna Petrova", "Anna", "female", "3", "0"),
            (str(sets["anna"].pk), "Boris", "", "male", "2", "34"),
            (str(sets["anna"].pk), "Anna’s mother", "Mother", "unknown", "0", ""),
            (str(sets["macbeth"].pk), "Lady Macbeth", "", "female", "1", "18"),
        ]

    def test_one_row_per_entity(self):
        make_export_set()
        rows = list(csv.DictReader(io.StringIO(export("csv", per_entity=True)[0].decode())))
        assert len(rows) == 9
        assert rows[6] == {**rows[6], "text": "Donald", "start": "7", "end": "13", "character_name": ""}
        assert rows[7]["text"] == "Lady\nMacbeth" and rows[7]["character_name"] == "Lady Macbeth"


def test_writers_stream_one_story_at_a_time():
    """Writers pull stories lazily: the first bytes come out before the second story is read."""
    make_export_set()
    for name in ("jsonl", "conll", "csv", "brat"):
        pulled = []

        def stories(pulled=pulled):
            for story in export_stories(filters=ExportFilters()):
                pulled.append(story.id)
                yield story

        chunks = write(name, stories(), options=ExportOptions(), warn=lambda _: None)
        first = next(chunk for chunk in chunks if chunk)
        assert first and len(pulled) == 1, name


def test_selector_queries_per_chunk_not_per_story(django_assert_num_queries):
    """One query streams the stories; each chunk costs one query for entities and one for characters."""
    make_export_set()
    with django_assert_num_queries(1 + 2 * 2):  # 4 stories in chunks of 2
        stories = list(export_stories(filters=ExportFilters(status="all"), chunk_size=2))
    assert [len(story.entities) for story in stories] == [6, 3, 0, 1]
