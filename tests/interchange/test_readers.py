"""Reading sources: path expansion, per-file errors, titles, JSONL lines, and the reader registry."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from interchange import readers as sources
from interchange.readers import iter_records
from stories.sources.records import SourceError, StoryRecord
from stories.sources.titles import derive_title, heading_of
from tests.conftest import SAMPLES_DIR

LIMIT = 10_000


def read(*paths, max_bytes=LIMIT) -> list:
    return list(iter_records([str(p) for p in paths], max_bytes=max_bytes))


def errors(items) -> list[SourceError]:
    return [item for item in items if isinstance(item, SourceError)]


def test_the_samples_folder_gives_five_stories_in_name_order():
    items = read(SAMPLES_DIR)
    assert all(isinstance(item, StoryRecord) for item in items)
    assert [Path(item.source).name for item in items] == sorted(p.name for p in SAMPLES_DIR.glob("*.txt"))
    first = items[0]
    assert first.text.startswith("Almasbek Kuznetsova stepped into the grand ballroom")
    # Hash-like file names are no title; the opening words are.
    assert first.title == "Almasbek Kuznetsova stepped into the grand ballroom, her…"
    assert first.meta == {"encoding": "utf-8", "title_from": "opening"}
    mojibake = next(item for item in items if item.source.endswith("002_3644c97cb6daeaa2.txt"))
    assert mojibake.meta["repairs"][0]["fix"] == "mojibake"


def test_folders_are_searched_recursively_and_hidden_files_skipped(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("Deep story.")
    (tmp_path / "top.txt").write_text("Top story.")
    (tmp_path / "notes.md").write_text("Not a story.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("hidden")
    assert [item.text for item in read(tmp_path)] == ["Deep story.", "Top story."]


def test_globs_expand_and_a_file_named_twice_is_read_once(tmp_path):
    for name in ("one.txt", "two.txt", "three.md"):
        (tmp_path / name).write_text(f"Story {name}.")
    items = read(f"{tmp_path}/*.txt", tmp_path / "one.txt")
    assert sorted(item.text for item in items) == ["Story one.txt.", "Story two.txt."]


def test_an_explicit_file_is_read_whatever_its_suffix(tmp_path):
    path = tmp_path / "chapter.md"
    path.write_text("Chapter one.")
    assert read(path)[0].text == "Chapter one."


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda d: d / "missing.txt", "no such file or folder"),
        (lambda d: f"{d}/*.nothing", "no file matches this pattern"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "folder has no .txt or .jsonl files"),
        (lambda d: (d / "e.txt").write_bytes(b"") and d / "e.txt" or d / "e.txt", "the file is empty"),
        (lambda d: (d / "w.txt").write_text(" \n\t\n") and d / "w.txt", "only whitespace"),
        (lambda d: (d / "b.txt").write_bytes(b"GIF89a\x00\x01\x00") and d / "b.txt", "binary file"),
        (lambda d: (d / "u.txt").write_bytes(bytes(range(0x80, 0x100)) * 4) and d / "u.txt", "undecodable"),
        (
            lambda d: (d / "big.txt").write_text("word " * 3000) and d / "big.txt",
            "over the 10,000-byte limit",
        ),
    ],
)
def test_each_bad_input_is_one_error_naming_the_path(tmp_path, make, reason):
    target = make(tmp_path)
    (tmp_path / "good.txt").write_text("A good story.")
    items = read(target, tmp_path / "good.txt")
    (error,) = errors(items)
    assert error.path == str(target)
    assert reason in error.reason
    assert [item.text for item in items if isinstance(item, StoryRecord)] == ["A good story."]


def test_utf16_and_cp1252_files_import(tmp_path):
    (tmp_path / "a.txt").write_bytes(codecs.BOM_UTF16_LE + "“Zoë” – naïve…\r\n".encode("utf-16-le"))
    (tmp_path / "b.txt").write_bytes("“Zoë” – naïve… café".encode("cp1252"))
    a, b = read(tmp_path)
    assert (a.text, a.meta["encoding"], a.meta["newlines"]) == ("“Zoë” – naïve…\n", "utf-16", "crlf")
    assert (b.text, b.meta["encoding"]) == ("“Zoë” – naïve… café", "cp1252")


def test_a_heading_becomes_the_title_and_stays_in_the_text(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("The Nose\n\nMajor Kovalyov woke up.\n")
    (record,) = read(path)
    assert record.title == "The Nose"
    assert record.text == "The Nose\n\nMajor Kovalyov woke up.\n"
    assert record.meta["title_from"] == "heading"


@pytest.mark.parametrize(
    "text, heading",
    [
        ("The Nose\n\nText.", "The Nose"),
        ("Chapter 1: Why?\n\nText.", "Chapter 1: Why?"),
        ("A sentence that ends.\n\nText.", None),  # final full stop: prose, not a heading
        ("The Nose\nText right after.", None),  # no blank line after it
        ("Only a line", None),
        (" ".join(["word"] * 20) + "\n\nText.", None),  # too long for a heading
    ],
)
def test_heading_rules(text, heading):
    assert heading_of(text) == heading


def test_titles_fall_back_to_the_file_name_then_the_opening():
    assert derive_title("It was late.", "01_the-overcoat.txt") == ("The overcoat", "file name")
    assert derive_title("It was late.", "000_4e5102402ef939e4.txt") == ("It was late", "opening")


def write_jsonl(path: Path, lines: list) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def test_jsonl_lines_become_stories_with_their_line_numbers(tmp_path):
    path = write_jsonl(
        tmp_path / "set.jsonl",
        [
            {"text": "First story.", "title": "One", "meta": {"author": "A"}},
            "",
            {"text": "Second\r\nstory."},
            "{not json",
            {"title": "no text"},
            ["a", "list"],
            {"text": "   "},
        ],
    )
    items = read(path)
    records = [item for item in items if isinstance(item, StoryRecord)]
    assert [(r.text, r.title, r.line) for r in records] == [
        ("First story.", "One", 1),
        ("Second\nstory.", "Second story", 3),
    ]
    assert records[0].meta == {"author": "A", "title_from": "title"}
    assert records[0].spans is None and records[0].characters is None
    assert [(e.line, e.reason.split(" (")[0].split(":")[0]) for e in errors(items)] == [
        (4, "malformed JSON"),
        (5, 'missing "text"'),
        (6, 'expected a JSON object with a "text", got list'),
        (7, '"text" is empty or only whitespace'),
    ]
    assert str(errors(items)[0]).startswith(f"{path}:4: malformed JSON")


def test_jsonl_in_fabula_shape_keeps_spans_characters_and_the_text_verbatim(tmp_path):
    text = "Anna met Boris in Paris.\r\n"
    line = {
        "text": text,
        "spans": [{"start": 0, "end": 4, "label": "PERSON", "character": 7}],
        "characters": [{"id": 7, "name": "Anna", "aliases": [], "gender": "female"}],
    }
    (record,) = read(write_jsonl(tmp_path / "a.jsonl", [line]))
    assert record.text == text  # offsets point into it: no newline normalisation
    assert record.spans == line["spans"]
    assert record.characters == line["characters"]


@pytest.mark.parametrize(
    "span, reason",
    [
        ({"start": 20, "end": 40, "label": "GPE"}, "outside the text"),
        ({"start": 0, "end": 4, "label": "PERSON", "text": "Ann"}, "covers 'Anna' but says 'Ann'"),
        ({"start": "0", "end": 4, "label": "PERSON"}, "integer character offsets"),
        ({"start": 0, "end": 4}, '"label" must be a non-empty string'),
    ],
)
def test_bad_spans_fail_their_line(tmp_path, span, reason):
    (error,) = read(write_jsonl(tmp_path / "a.jsonl", [{"text": "Anna met Boris.", "spans": [span]}]))
    assert error.line == 1
    assert reason in error.reason


def test_a_jsonl_line_over_the_limit(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [{"text": "x " * 100}, {"text": "Short."}])
    items = read(path, max_bytes=100)
    assert [getattr(i, "text", None) for i in items] == [None, "Short."]
    assert "over the 100-byte limit" in items[0].reason


def test_folder_readers_come_before_the_plain_walk(tmp_path, monkeypatch):
    detect = lambda folder: any(folder.glob("*.ann"))  # noqa: E731
    (tmp_path / "doc.txt").write_text("Text.")
    (tmp_path / "doc.ann").write_text("T1\tPERSON 0 4\tText")

    def read_brat(folder, max_bytes):
        yield StoryRecord(text="Text.", title="brat", source=str(folder), spans=[])

    monkeypatch.setattr(sources, "FOLDER_READERS", ((detect, read_brat),))
    (record,) = read(tmp_path)
    assert (record.title, record.spans) == ("brat", [])
