"""The chapter menu in Chromium: a novel ingested with its headings, the menu lists them, and a click
opens the part of the story that holds the chapter, scrolled to its heading."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from playwright.sync_api import expect

from stories.models import Story
from tests.browser.conftest import log_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADINGS = ["CHAPTER I. The Lake", "CHAPTER II. The Heron", "CHAPTER III. Winter", "CHAPTER IV. The Thaw"]


def novel() -> str:
    paragraphs = [
        "Mara Lind rowed across the lake at dawn, and the heron watched her from the reeds.",
        "Her brother Jonas mended the nets on the jetty and whistled an old tune from Uppsala.",
        "When the mist lifted, Mara could see the church of Sankt Olof on the far shore.",
    ]
    body = "\n\n".join(paragraphs * 3)
    return "\n\n".join(f"{heading}\n\n{body}" for heading in HEADINGS)


@override_settings(READER_CHUNK_PARAGRAPHS=6)
def test_the_chapter_menu_opens_a_chapter_at_its_heading(page, shot, tmp_path):
    (tmp_path / "the-lake.txt").write_text(novel(), encoding="utf-8")
    call_command("ingest", str(tmp_path), "--batch", "novels", stdout=StringIO(), stderr=StringIO())
    story = Story.objects.get()
    assert [c["title"] for c in story.meta["chapters"]] == HEADINGS
    make_user("editor", username="edna")
    log_in(page, "edna")
    page.goto(f"/stories/{story.pk}/")

    menu = page.get_by_role("navigation", name="Chapters (4)")
    expect(menu.get_by_role("link")).to_have_text(HEADINGS)
    menu.get_by_role("link", name="CHAPTER III. Winter").click()
    page.wait_for_url(f"**/stories/{story.pk}/?chapter=3#chapter-3")
    heading = page.locator("#chapter-3")
    expect(heading).to_have_text("CHAPTER III. Winter")
    expect(heading).to_be_in_viewport()
    expect(menu.locator(".chapter--here")).to_have_text("CHAPTER III. Winter")
    # The heading is no entity: nothing in it is marked.
    expect(heading.locator("mark")).to_have_count(0)
    shot("reader-chapters", doc=True)
