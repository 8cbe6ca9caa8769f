"""Double annotation in Chromium: two editors annotate one story differently, each in a browser context
of their own and neither able to open the other's layer; the reviewer adjudicates from the keyboard,
approves, and the JSONL export holds the merged layer with each annotator's votes."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from annotations.models import Entity
from annotations.services.layers import layers_assign
from stories.models import Story
from tests.browser.conftest import log_in
from tests.browser.test_editor_flow import colleague_page, drag_select, edit_response, idle
from tests.factories import make_entity, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEXT = "Anna Petrova danced in Paris with Boris.\n\nLater Anna left Moscow for Rome."


def tag(page, needle: str, key: str) -> None:
    drag_select(page, needle)
    with edit_response(page) as answer:
        page.keyboard.press(key)
    assert answer.value.ok
    idle(page)


def annotate(page, username: str, story: Story, tags: list[tuple[str, str]], shot=None) -> Story:
    log_in(page, username)
    page.goto(f"/stories/{story.pk}/")  # the story's address opens the editor's own layer
    layer = Story.with_layers.get(layer_of=story, annotator__username=username)
    page.wait_for_url(f"**/stories/{layer.pk}/")
    expect(page.get_by_text("your own layer")).to_be_visible()
    idle(page)
    for needle, key in tags:
        tag(page, needle, key)
    if shot:
        shot("double-annotation-own-layer", doc=True)
    page.get_by_role("button", name="Mark my layer done").click()
    expect(page.locator("#story-status")).to_have_text("Done")
    return layer


def test_two_editors_a_reviewer_and_the_export(page, shot, browser, live_server, tmp_path):
    anna, ben = make_user("editor", "anna"), make_user("editor", "ben")
    rita = make_user("reviewer", "rita")
    story = make_story(TEXT, title="Two rivers")
    make_entity(story, "Anna Petrova", "PERSON", review_state=Entity.ReviewState.ACCEPTED)
    make_entity(story, "Paris", "GPE", review_state=Entity.ReviewState.ACCEPTED)
    layers_assign(story=story, editors=[anna, ben], by=rita)

    # anna calls Rome a location; ben, in a browser of his own, a city. Both tag Moscow alike.
    with colleague_page(browser, live_server) as other:
        annas = annotate(page, "anna", story, [("Moscow", "3"), ("Rome", "4")], shot=shot)
        log_in(other, "ben")
        other.goto(f"/stories/{annas.pk}/")  # no peeking at anna's layer
        expect(other.get_by_text("Annotators see only their own layer")).to_be_visible()
        annotate(other, "ben", story, [("Moscow", "3"), ("Rome", "3")])
        idle(other)
    story.refresh_from_db()
    assert story.status == Story.Status.ADJUDICATION

    # The reviewer finds it under "To adjudicate" and settles the one difference with the number key.
    page.get_by_role("button", name="Log out").click()
    log_in(page, "rita")
    page.goto("/review/?status=adjudication")
    page.get_by_role("link", name="Two rivers").click()
    page.get_by_role("heading", name="Adjudication: Two rivers").wait_for()
    expect(page.locator(".open-count")).to_have_text("1")
    # Anna Petrova, Paris and Moscow were merged at once; only the paragraph that differs is shown.
    expect(page.locator(".adjudication-summary")).to_contain_text("Merged automatically: 3 spans")
    assert page.locator(".adj-final mark").all_inner_texts() == ["Moscow"]
    shot("adjudication", doc=True, full_page=True)
    page.locator("body").press("2")  # ben's version: Rome GPE
    page.locator(".review-notice").get_by_text("Took ben's version").wait_for()
    expect(page.locator(".open-count")).to_have_text("0")
    shot("adjudication-settled", doc=True, full_page=True)
    page.locator("body").press("f")
    page.wait_for_url(f"**/review/{story.pk}/")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved “Two rivers”.").wait_for()

    # The export holds the merged layer, each span with how each annotator voted.
    page.get_by_role("link", name="Export").click()
    page.get_by_label("Format").select_option("jsonl")
    page.get_by_label("Annotators' votes on each span").check()
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download fabula-").click(timeout=30_000)
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    [record] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    spans = {(s["text"], s["label"]): s["votes"] for s in record["spans"]}
    assert spans == {
        ("Anna Petrova", "PERSON"): {"anna": "PERSON", "ben": "PERSON"},
        ("Paris", "GPE"): {"anna": "GPE", "ben": "GPE"},
        ("Moscow", "GPE"): {"anna": "GPE", "ben": "GPE"},
        ("Rome", "GPE"): {"anna": "LOC", "ben": "GPE"},
    }
