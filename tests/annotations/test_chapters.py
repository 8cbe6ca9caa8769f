"""Chapters end to end: ingest stores a long story's headings in Story.meta["chapters"], `extract` adds
them to stories imported before, the reader's chapter menu deep-links to each heading, and the JSONL
export carries them as meta.chapters with offsets."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

from nlp.chapters import find_chapters
from stories.models import Story
from tests.factories import make_story

pytestmark = pytest.mark.django_db

PARAGRAPH = "Mara Lind rowed across the lake at dawn, and the heron watched her from the reeds."


def novel() -> str:
    body = "\n\n".join([PARAGRAPH] * 4)
    return "\n\n".join(f"{h}\n\n{body}" for h in ("CHAPTER I.", "CHAPTER II. The Heron", "CHAPTER III."))


def test_ingest_stores_the_chapters_and_keeps_headings_out_of_entities(tmp_path, nlp):
    (tmp_path / "lake.txt").write_text(novel(), encoding="utf-8")
    call_command("ingest", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    story = Story.objects.get()
    assert [c["title"] for c in story.meta["chapters"]] == [
        "CHAPTER I.",
        "CHAPTER II. The Heron",
        "CHAPTER III.",
    ]
    assert [story.text[c["start"] : c["start"] + 7] for c in story.meta["chapters"]] == ["CHAPTER"] * 3
    headings = [(c["start"], story.text.index("\n", c["start"])) for c in story.meta["chapters"]]
    entities = list(story.entities.values_list("start", "end", "text"))
    assert entities and not any(
        s < h_end and e > h_start for s, e, _ in entities for h_start, h_end in headings
    )
    assert not story.characters.filter(name__in=["I.", "I", "II", "III"]).exists()


def test_extract_gives_chapters_to_stories_imported_before_even_settled_ones():
    story = make_story(novel())
    approved = make_story(novel() + "\n\nThe end.", status="approved")
    assert "chapters" not in story.meta
    call_command("extract", "--all", stdout=StringIO())
    for one in (story, approved):
        one.refresh_from_db()
        assert one.meta["chapters"] == [c.as_dict() for c in find_chapters(one.text)]
    assert not approved.entities.exists()  # a settled story gets no new suggestions


@override_settings(READER_CHUNK_PARAGRAPHS=2)
def test_the_reader_menu_links_each_chapter_to_its_heading(editor_client):
    text = novel()
    story = make_story(text, meta={"chapters": [c.as_dict() for c in find_chapters(text)]})
    page = editor_client.get(f"/stories/{story.pk}/").content.decode()
    assert 'aria-labelledby="chapters-title"' in page
    for number, title in enumerate(["CHAPTER I.", "CHAPTER II. The Heron", "CHAPTER III."], start=1):
        assert f'?chapter={number}#chapter-{number}">{title}</a>' in page
    third = editor_client.get(f"/stories/{story.pk}/?chapter=3").content.decode()
    assert 'id="chapter-3"' in third and 'id="chapter-1"' not in third  # the chunk holding chapter III
    assert f'class="chapter--here"><a href="/stories/{story.pk}/?chapter=3' in third
    missing = editor_client.get(f"/stories/{story.pk}/?chapter=9")
    assert (
        missing.status_code == 404
        and "no chapter &#x27;9&#x27;: it has chapters 1 to 3" in missing.content.decode()
    )


def test_a_story_without_chapters_has_no_menu(editor_client):
    story = make_story(PARAGRAPH)
    assert (
        'aria-labelledby="chapters-title"' not in editor_client.get(f"/stories/{story.pk}/").content.decode()
    )
    assert editor_client.get(f"/stories/{story.pk}/?chapter=1").status_code == 404


def test_jsonl_export_carries_the_chapters_with_offsets():
    text = novel()
    chapters = [c.as_dict() for c in find_chapters(text)]
    make_story(text, meta={"chapters": chapters})
    out = StringIO()
    call_command("export", "--format", "jsonl", "--status", "all", "-o", "-", stdout=out, stderr=StringIO())
    [row] = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    assert row["meta"]["chapters"] == chapters
    assert [row["text"][c["start"] : c["end"]].split("\n")[0] for c in row["meta"]["chapters"]] == [
        "CHAPTER I.",
        "CHAPTER II. The Heron",
        "CHAPTER III.",
    ]
