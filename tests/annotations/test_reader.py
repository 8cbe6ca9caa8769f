"""The reader: paragraphs and chunks, escaped HTML with entity marks, legend, and flat query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from annotations.models import Entity
from annotations.rendering import label_style
from annotations.selectors.reader import (
    chunk_count,
    chunk_of_offset,
    legend,
    paragraph_containing,
    reader_chunk,
    split_paragraphs,
)
from stories.models import Story
from tests.factories import make_entity, make_story

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def paragraphs(n: int, words: str = "Anna met Boris in Paris") -> str:
    return "\n\n".join(f"{words} number {i}." for i in range(n))


def test_split_paragraphs_on_blank_lines_keeps_exact_offsets():
    text = "First line\nstill first.\n\n  Second.\n \n\nThird"
    bounds = split_paragraphs(text)
    pieces = [text[s:e] for s, e in zip(bounds[0::2], bounds[1::2], strict=True)]
    assert pieces == ["First line\nstill first.", "Second.", "Third"]


def test_text_without_blank_lines_is_split_into_lines_when_long():
    text = "\n".join(["A line of a story with one paragraph per line."] * 1000)
    assert len(split_paragraphs(text)) == 2000


@override_settings(READER_CHUNK_PARAGRAPHS=2)
def test_every_offset_finds_its_paragraph_and_chunk():
    text = "  Anna.\n\nBoris and Olga\nmet.\n \n\nIn Paris.\n\n\nThe end"
    story = make_story(text)
    bounds = split_paragraphs(text)
    pairs = list(zip(bounds[0::2], bounds[1::2], strict=True))
    for offset in range(len(text)):
        # The last paragraph starting at or before the offset, found the slow way.
        i = max([n for n, (start, _) in enumerate(pairs) if start <= offset], default=0)
        assert chunk_of_offset(story, offset) == i // 2, offset
        inside = next(((s, e) for s, e in pairs if s <= offset < e), None)
        assert paragraph_containing(story, offset, offset + 1) == inside, offset


def test_label_colours_come_from_one_stylesheet_not_per_mark(editor_client):
    from annotations.models import Label
    from annotations.rendering import label_css

    odd = Label(name='X"]{}body{display:none', color="#000000")
    css = label_css([Label.objects.get(name="PERSON"), odd])
    assert css.splitlines()[0] == '[data-label="PERSON"]{--entity:#ffd6a5;--entity-fg:#111111}'
    # A name made before names were checked cannot end the CSS string: its quote and braces are escaped.
    assert css.splitlines()[1].startswith('[data-label="X\\000022\\00005d\\00007b\\00007d')
    assert css.count('"') == 4
    story = make_story("Anna met Boris.")
    make_entity(story, "Anna")
    page = editor_client.get(f"/stories/{story.pk}/").content.decode()
    assert "<style" not in page and ' style="' not in page
    href = re.search(r'<link rel="stylesheet" href="(/labels\.css\?v=[0-9a-f]+)">', page).group(1)
    sheet = editor_client.get(href)
    assert sheet["Content-Type"].startswith("text/css")
    assert '[data-label="PERSON"]{--entity:#ffd6a5' in sheet.content.decode()
    assert sheet["Cache-Control"] == "private, max-age=31536000, immutable"
    assert 'data-label="PERSON" data-start="0"' in page


def test_the_label_stylesheet_url_changes_with_a_colour(editor_client):
    from annotations.models import Label
    from annotations.views.labels import label_stylesheet_url

    before = label_stylesheet_url()
    Label.objects.filter(name="PERSON").update(color="#123456")
    after = label_stylesheet_url()
    assert before != after
    assert editor_client.get(before)["Cache-Control"] == "private, no-cache"  # stale: not to be kept
    assert "--entity:#123456" in editor_client.get(after).content.decode()


def test_label_text_colour_has_contrast():
    assert label_style("#ffd6a5").endswith("--entity-fg:#111111")
    assert label_style("#1d3557").endswith("--entity-fg:#ffffff")
    assert label_style("javascript:x") == label_style("#cccccc")


def test_chunk_html_escapes_text_and_marks_entities():
    story = make_story('Anna said <script>alert("x")</script> & left.\n\nParis & Co.')
    make_entity(story, "Anna", review_state="pending")
    make_entity(story, "Paris", "GPE", review_state="accepted")
    make_entity(story, "left", "ORG", review_state="rejected")
    html = reader_chunk(story=Story.objects.defer("text").get(), index=0).html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; " in html and "<script>" not in html
    anna = re.search(r'<mark id="entity-\d+" class="entity entity--pending"[^>]*data-label="PERSON" '
                     r'data-start="0" data-end="4" data-state="pending"[^>]*>Anna</mark>', html)  # fmt: skip
    assert anna and 'tabindex="-1" role="button"' in anna.group(0)
    assert re.search(r'class="entity" [^>]*data-label="GPE"[^>]*>Paris</mark>', html)
    assert ">left</mark>" not in html  # rejected predictions are not in the final set
    assert html.count('<p class="para"') == 2


@override_settings(READER_CHUNK_PARAGRAPHS=3)
def test_chunks_are_paragraph_windows():
    story = make_story(paragraphs(7))
    assert chunk_count(story) == 3
    last = reader_chunk(story=story, index=2)
    assert last.html.count("<p ") == 1 and last.next_index is None and last.prev_index == 1
    assert chunk_of_offset(story, story.text.index("number 4")) == 1
    assert reader_chunk(story=story, index=99).index == 2


def test_legend_counts_final_entities_and_pending_ones():
    story = make_story("Anna met Boris in Paris.")
    make_entity(story, "Anna", review_state="pending")
    make_entity(story, "Boris", review_state="accepted")
    make_entity(story, "Paris", "GPE", review_state="rejected")
    rows = {item["label"].name: (item["total"], item["pending"]) for item in legend(story=story)}
    assert rows["PERSON"] == (2, 1) and rows["GPE"] == (0, 0)


def test_a_one_chunk_storys_legend_counts_the_rows_its_chunk_read():
    story = make_story("Anna met Boris.\n\n \n\nIn Paris, Anna.")
    make_entity(story, "Anna", review_state="pending")
    make_entity(story, "Boris", review_state="accepted")
    make_entity(story, "Paris", "GPE", review_state="pending")
    make_entity(story, "Anna", occurrence=1, review_state="rejected")  # not in the final set
    chunk = reader_chunk(story=story, index=0)
    assert chunk.count == 1 and len(chunk.story_rows) == 3
    assert legend(story=story, rows=chunk.story_rows) == legend(story=story)


@override_settings(READER_CHUNK_PARAGRAPHS=1)
def test_a_chunk_of_a_longer_story_reads_only_its_own_rows():
    story = make_story("Anna met Boris.\n\nIn Paris, Anna.")
    make_entity(story, "Anna")
    make_entity(story, "Paris", "GPE")
    first = reader_chunk(story=story, index=0)
    assert first.count == 2 and first.story_rows is None
    assert "Paris</mark>" not in first.html and "Anna</mark>" in first.html


def test_the_reader_page_reads_each_thing_once(editor_client):
    story = make_story("Anna met Boris in Paris.\n\nThe end.")
    make_entity(story, "Anna")
    editor_client.get(f"/stories/{story.pk}/")
    with CaptureQueriesContext(connection) as captured:
        assert editor_client.get(f"/stories/{story.pk}/").status_code == 200
    tables = [re.findall(r'FROM "(\w+)"', q["sql"])[-1] for q in captured]  # the outermost FROM
    # The session, the user with its roles, the story, the labels, the story's entities (the chunk and
    # the legend), the history, and the unread notifications.
    assert tables == [
        "django_session", "auth_user", "stories_story", "annotations_label", "annotations_entity",
        "annotations_edit", "core_notification",
    ]  # fmt: skip


def test_the_cached_label_tools_follow_every_label_change(editor_client):
    from annotations.models import Label

    story = make_story("Anna met Boris.")
    url = f"/stories/{story.pk}/"

    def tools() -> str:
        page = editor_client.get(url).content.decode()
        return page[page.index('<div class="toolbar"') : page.index("</dialog>")]

    before = tools()
    assert tools() == before  # from the cache now
    Label.objects.filter(name="PERSON").update(description="People, by name")
    assert 'title="People, by name"' in tools()
    Label.objects.filter(name="PERSON").update(hotkey="p")
    assert "<kbd>p</kbd> PERSON</button>" in tools()
    Label.objects.filter(name="PERSON").update(shown=False)
    assert 'class="label-button" data-label="PERSON"' not in tools()
    Label.objects.create(name="SHIP", description="A vessel", order=0)
    assert tools().index('data-label="SHIP"') < tools().index('data-label="GPE"')


def many_entities(count: int) -> Story:
    story = make_story(paragraphs(count // 2))
    rows = []
    for match in re.finditer(r"Anna|Boris", story.text):
        rows.append(Entity(story=story, start=match.start(), end=match.end(), text=match.group(),
                               label_id="PERSON", review_state="pending", model_label="PERSON"))  # fmt: skip
    Entity.objects.bulk_create(rows[:count])
    return story


def queries(client, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(captured)


@override_settings(READER_CHUNK_PARAGRAPHS=500)
def test_reader_queries_stay_flat_as_entities_grow(editor_client):
    small, large = many_entities(10), many_entities(200)
    counts = []
    for story in (small, large):
        editor_client.get(f"/stories/{story.pk}/")  # warms the paragraph cache, as the first view does
        counts.append(queries(editor_client, f"/stories/{story.pk}/"))
        counts.append(queries(editor_client, f"/stories/{story.pk}/?chunk=0", headers=HTMX))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    assert large.entities.count() == 200


def test_the_reader_reads_the_labels_and_the_history_once(editor_client):
    story = make_story("Anna met Boris in Paris.")
    response = editor_client.post(
        f"/stories/{story.pk}/entities/",
        {"start": 0, "end": 4, "label": "PERSON", "version": 1},
        headers=HTMX,
    )
    assert response.status_code == 200
    editor_client.get(f"/stories/{story.pk}/")
    with CaptureQueriesContext(connection) as captured:
        html = editor_client.get(f"/stories/{story.pk}/").content.decode()
    reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT")]
    assert sum('FROM "annotations_label"' in sql for sql in reads) == 1, reads
    assert sum('FROM "annotations_edit"' in sql for sql in reads) == 1, reads
    # The one history read still gives the undo button its key and the stylesheet its version.
    assert re.search(r'aria-label="Undo: Tagged[^"]*">Undo <kbd>u</kbd>', html), html
    assert re.search(r'href="/labels\.css\?v=[0-9a-f]+"', html)


@override_settings(READER_CHUNK_PARAGRAPHS=500)
def test_edit_queries_stay_flat_as_entities_grow(editor_client):
    counts = []
    for story in (many_entities(10), many_entities(200)):
        editor_client.get(f"/stories/{story.pk}/")
        target = story.entities.order_by("start")[3]
        with CaptureQueriesContext(connection) as captured:
            response = editor_client.post(
                f"/stories/{story.pk}/entities/{target.pk}/label/",
                {"label": "ORG", "version": 1},
                headers=HTMX,
            )
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_a_returned_story_shows_the_reviewers_comment_to_the_editor(editor_client):
    story = make_story(status=Story.Status.RETURNED, review_comment="Tag <Swan Lake> as a work of art.")
    html = editor_client.get(f"/stories/{story.pk}/").content.decode()
    assert "Returned by the reviewer:" in html
    assert "Tag &lt;Swan Lake&gt; as a work of art." in html  # escaped, like all story data
    story.status = Story.Status.IN_PROGRESS
    story.save()
    assert "Returned by the reviewer:" not in editor_client.get(f"/stories/{story.pk}/").content.decode()
