"""The review round trip in Chromium: a reviewer returns a story with a comment, the editor sees it, fixes
the story and marks it done, the reviewer approves it and downloads a spaCy export that DocBin reads."""

from __future__ import annotations

import pytest
import spacy
from playwright.sync_api import expect
from spacy.tokens import DocBin

from annotations.models import Edit, Entity
from stories.models import Story
from tests.browser.conftest import log_in
from tests.factories import make_entity, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Anna Pavlova danced in Paris with Boris.\n\nBoris watched from the wings."
COMMENT = "The second Boris is a person, as the model said."


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")


def test_return_fix_approve_and_export(page, shot, tmp_path):
    editor = make_user("editor", username="edna")
    make_user("reviewer", username="rita")
    story = make_story(TEXT, title="The Dying Swan", status=Story.Status.DONE, assigned_to=editor)
    accepted = Entity.ReviewState.ACCEPTED
    make_entity(story, "Anna Pavlova", "PERSON", review_state=accepted)
    make_entity(story, "Paris", "GPE", model_label="PERSON", review_state=accepted)
    make_entity(story, "Boris", "ORG", model_label="ORG", review_state=Entity.ReviewState.REJECTED)
    # The editor wrongly relabelled the model's right guess; a Done story has nothing left pending.
    boris = make_entity(story, "Boris", "ORG", occurrence=1, model_label="PERSON", review_state=accepted)
    make_entity(story, "wings", "LOC", origin=Entity.Origin.EDITOR, review_state=accepted)

    # The reviewer finds the story in the queue and reads what the editor changed.
    log_in(page, "rita")
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="The Dying Swan").wait_for()
    shot("review-queue", doc=True)
    page.get_by_role("link", name="The Dying Swan").click()
    page.get_by_role("heading", name="Changes against the model's draft").wait_for()
    assert page.locator("#changes-relabelled").get_by_text("Paris", exact=True).is_visible()
    assert page.locator("#changes-removed").get_by_text("Boris").is_visible()
    assert page.locator("#changes-added").get_by_text("wings").is_visible()
    shot("review-detail", doc=True, full_page=True)

    # ...and returns it from the keyboard (r, type, Ctrl+Enter): the htmx answer replaces the panel in place.
    page.locator("body").press("r")
    comment_box = page.get_by_label("Return to the editor with a comment")
    assert comment_box.evaluate("box => box === document.activeElement")
    comment_box.press_sequentially(COMMENT)
    comment_box.press("Control+Enter")
    page.get_by_text("Returned “The Dying Swan” to the editor.").wait_for()
    story.refresh_from_db()
    assert (story.status, story.review_comment) == (Story.Status.RETURNED, COMMENT)

    # The editor sees the comment in their queue, fixes the story and marks it done.
    log_out(page)
    log_in(page, "edna")
    page.goto("/")
    page.get_by_text(COMMENT).wait_for()
    shot("editor-sees-review-comment", doc=True)
    page.get_by_role("link", name="The Dying Swan").click()
    page.locator(f"#entity-{boris.pk}").click()
    page.keyboard.press("1")  # PERSON, as the reviewer asked
    page.wait_for_function(f"() => document.querySelector('#entity-{boris.pk}').dataset.label === 'PERSON'")
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_function("() => document.querySelector('#story-status').textContent.trim() === 'Done'")
    story.refresh_from_db()
    assert story.status == Story.Status.DONE

    # The reviewer approves it, then downloads the spaCy export.
    log_out(page)
    log_in(page, "rita")
    page.goto(f"/review/{story.pk}/")
    assert page.get_by_text(f"Last returned with: “{COMMENT}”").is_visible()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved “The Dying Swan”.").wait_for()
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED
    assert list(
        Edit.objects.filter(story=story, action__in=["approve", "return"]).values_list("action", flat=True)
    )[::-1] == ["return", "approve"]

    page.get_by_role("link", name="Export").click()
    page.get_by_label("Format").select_option("spacy")
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download fabula-").click(timeout=30_000)
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    docs = list(DocBin().from_disk(path).get_docs(spacy.blank("en").vocab))
    assert len(docs) == 1 and docs[0].text == TEXT
    assert [(e.start_char, e.end_char, e.label_) for e in docs[0].ents] == [
        (0, 12, "PERSON"),
        (23, 28, "GPE"),
        (TEXT.index("Boris", 40), TEXT.index("Boris", 40) + 5, "PERSON"),
        (TEXT.index("wings"), TEXT.index("wings") + 5, "LOC"),
    ]

    # The dashboard scores the model on the approved story. Model: Anna PERSON, Paris PERSON, Boris ORG,
    # Boris PERSON; final: Anna PERSON, Paris GPE, Boris PERSON, wings LOC: tp 2, fp 2, fn 2.
    # expect() waits for the navigation: a plain read straight after the click can still see the Export page.
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("tr.overall td")).to_have_text(["4", "4", "2", "2", "2", "0.500", "0.500", "0.500"])
    expect(page.locator("svg[aria-label='Precision, recall and F1 per label'] rect")).to_have_count(3 * 5)
    shot("dashboard", doc=True, full_page=True)


def test_review_keys_approve_next_and_queue(page):
    """a approves, n opens the next story in the queue, g goes back to the queue."""
    make_user("reviewer", username="rita")
    first = make_story("Anna danced.", title="First", status=Story.Status.DONE)
    second = make_story("Boris watched.", title="Second", status=Story.Status.DONE)
    log_in(page, "rita")
    page.goto(f"/review/{first.pk}/")
    page.locator("body").press("a")
    page.get_by_text("Approved “First”.").wait_for()
    first.refresh_from_db()
    assert first.status == Story.Status.APPROVED
    page.locator("body").press("n")
    page.wait_for_url(f"**/review/{second.pk}/")
    page.locator("body").press("g")
    page.wait_for_url("**/review/")
