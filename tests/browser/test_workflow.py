"""Workflow states in Chromium: a story assigned to one editor is read-only for another, who is told
whose it is; the export of an approved set holds only accepted entities."""

from __future__ import annotations

import json
import pathlib

import pytest
from playwright.sync_api import expect

from annotations.models import Entity
from tests.browser.conftest import log_in
from tests.factories import make_entity, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_second_editor_reads_but_cannot_edit_the_first_ones_story(page, shot):
    olga = make_user("editor", username="olga")
    make_user("editor", username="ed")
    story = make_story("Anna Pavlova danced in Paris.", title="Olga's story", assigned_to=olga)
    anna = make_entity(story, "Anna Pavlova")
    log_in(page, "ed")
    page.goto(f"/stories/{story.pk}/")
    expect(page.locator("#read-only")).to_contain_text("assigned to olga")
    expect(page.locator(".toolbar")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)
    page.locator(f"#entity-{anna.pk}").click()
    expect(page.locator("#entity-panel")).to_contain_text("Anna Pavlova")
    expect(page.locator("#entity-panel").get_by_role("button", name="Accept")).to_have_count(0)
    shot("editor-someone-elses-story")
    anna.refresh_from_db()
    assert anna.review_state == Entity.ReviewState.PENDING


def test_the_export_of_an_approved_set_has_only_accepted_entities(page):
    make_user("reviewer", username="rita")
    story = make_story("Anna met Boris in Paris.", title="Approved", status="approved")
    make_entity(story, "Anna", review_state="accepted")
    make_entity(story, "Paris", "GPE", review_state="rejected")
    other = make_story("Mary met Tom.", title="Still open", status="in_progress")
    make_entity(other, "Mary")  # pending, and not approved: neither may leak into the export
    log_in(page, "rita")
    page.goto("/export/")
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download fabula-").click(timeout=30_000)
    text = pathlib.Path(download.value.path()).read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert [line["title"] for line in lines] == ["Approved"]
    assert [(s["text"], s["state"]) for s in lines[0]["spans"]] == [("Anna", "accepted")]


def test_the_reviewer_reverts_one_change_from_the_diff_and_approves(page, shot):
    make_user("reviewer", username="rita")
    story = make_story("Anna met Boris in Paris.", title="To review", status="done")
    make_entity(story, "Anna", review_state="accepted")
    paris = make_entity(story, "Paris", "GPE", model_label="PERSON", review_state="accepted")
    make_entity(story, "Boris", review_state="rejected")
    log_in(page, "rita")
    page.goto(f"/review/{story.pk}/")
    relabelled = page.locator("#changes-relabelled .change")
    expect(relabelled).to_contain_text("Paris")
    shot("review-revert-before", doc=True)
    # htmx wires up swapped-in content only once it settles; a long settle makes the key below land in
    # that window every time, as it does now and then on a loaded machine.
    page.evaluate("htmx.config.defaultSettleDelay = 800")
    relabelled.get_by_role("button", name="Revert").click()
    expect(page.locator("#review-diff .review-notice")).to_contain_text(
        "Reverted “Paris” to the model's draft."
    )
    expect(page.locator("#changes-relabelled")).to_contain_text("None.")
    expect(page.locator("#changes-removed .change")).to_contain_text("Boris")
    paris.refresh_from_db()
    assert (paris.label_id, paris.review_state) == ("PERSON", "accepted")
    page.keyboard.press("a")
    expect(page.locator("#review-actions .badge")).to_have_text("Approved")
    story.refresh_from_db()
    assert story.status == "approved"
    expect(page.locator("#review-diff")).not_to_contain_text("Revert takes back")
    shot("review-revert-approved")
