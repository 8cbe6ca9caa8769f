"""The reader in Chromium, continued: redo (and after a reload), the label picker, Back after an edit,
the URL that follows the part being read and the parts above loading on the way up, the apply-to-all
preview's tick boxes, the one question before a bulk action over a hundred rows, and the inspector on
a narrow screen. Each step is checked in the database as well as on the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotations.models import Edit, Entity
from stories.models import Story
from tests.browser.conftest import log_in
from tests.browser.test_editor_flow import dom_select, edit_response, idle, mark, settled
from tests.factories import make_character, make_entity, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _idle_before_teardown(page):
    """See test_editor_flow: a panel refresh still running while the database is flushed is flaky."""
    yield
    idle(page)


def open_story(page, story: Story, query: str = "") -> None:
    log_in(page, "edna")
    page.goto(f"/stories/{story.pk}/{query}")
    idle(page)


def test_x_pressed_straight_after_a_rejects_the_next_entity_not_the_accepted_one(page):
    """Focus moves to the next entity only once the edit's answer is drawn; a key pressed before that
    acts on the entity focus is moving to."""
    make_user("editor", username="edna")
    story = make_story("Anna met Boris and Clara in Paris.", title="Quick keys")
    boris = make_entity(story, "Boris", "PERSON")
    clara = make_entity(story, "Clara", "PERSON")
    open_story(page, story)
    mark(page, boris).click()
    page.keyboard.press("a")
    page.keyboard.press("x")
    expect(mark(page, boris)).to_have_attribute("data-state", "accepted")
    expect(page.locator(f"#entity-{clara.pk}")).to_have_count(0)  # a rejected suggestion is not drawn
    idle(page)
    boris.refresh_from_db()
    clara.refresh_from_db()
    assert (boris.review_state, clara.review_state) == ("accepted", "rejected")


def test_ctrl_z_undoes_ctrl_shift_z_redoes_and_the_redo_survives_a_reload(page, shot):
    make_user("editor", username="edna")
    story = make_story("Anna met Boris and Clara in Paris.", title="Redo")
    boris = make_entity(story, "Boris", "PERSON")
    clara = make_entity(story, "Clara", "PERSON")
    open_story(page, story)
    mark(page, boris).click()
    with edit_response(page) as answer:
        page.keyboard.press("a")  # accept Boris, on to Clara
    assert answer.value.status == 200
    settled(page, story)
    with edit_response(page) as answer:
        page.keyboard.press("x")  # reject Clara
    assert answer.value.status == 200
    settled(page, story)
    idle(page)

    for _ in range(2):  # undo both
        with edit_response(page) as answer:
            page.keyboard.press("Control+z")
        assert answer.value.status == 200
        settled(page, story)
        idle(page)
    boris.refresh_from_db()
    clara.refresh_from_db()
    assert (boris.review_state, clara.review_state) == ("pending", "pending")
    expect(page.locator("#story-text mark.entity--pending")).to_have_count(2)

    with edit_response(page) as answer:
        page.keyboard.press("Control+Shift+Z")  # redo the accept of Boris
    assert answer.value.status == 200
    settled(page, story)
    boris.refresh_from_db()
    assert boris.review_state == "accepted"
    expect(mark(page, boris)).to_have_attribute("data-state", "accepted")
    idle(page)

    # The redo stack is the server's: after a reload the history panel still offers the next redo.
    page.reload()
    idle(page)
    redo = page.locator("#history-panel").get_by_role("button", name="Redo: Rejected “Clara”")
    expect(redo).to_be_visible()
    page.locator("#history-panel").scroll_into_view_if_needed()
    shot("editor-redo", doc=True)
    page.locator("#story-text").focus()
    with edit_response(page) as answer:
        page.keyboard.press("Control+Shift+Z")
    assert answer.value.status == 200
    settled(page, story)
    assert not Entity.objects.filter(pk=clara.pk, review_state="pending").exists()
    expect(mark(page, clara)).to_have_count(0)  # a rejected suggestion is not drawn
    idle(page)
    expect(page.locator("#history-panel").get_by_role("button", name="Redo", exact=False)).to_have_count(0)
    assert list(Edit.objects.order_by("id").values_list("action", flat=True)) == [
        "accept", "reject", "undo", "undo", "redo", "redo"
    ]  # fmt: skip


def test_the_label_picker_reaches_a_label_without_a_key(page, shot):
    make_user("editor", username="edna")
    story = make_story("Anna left Paris on Monday with Boris.", title="Picker")
    boris = make_entity(story, "Boris", "ORG", review_state="accepted")
    open_story(page, story)

    dom_select(page, "Monday")
    page.keyboard.press("l")
    picker = page.get_by_role("dialog", name="Tag with a label")
    expect(picker).to_be_visible()
    field = picker.get_by_role("combobox")
    expect(field).to_be_focused()
    field.type("dat")
    expect(picker.locator("[role=option]:not([hidden])")).to_have_count(1)
    expect(picker.get_by_role("option", name="DATE")).to_have_attribute("aria-selected", "true")
    assert field.get_attribute("aria-activedescendant") == picker.get_by_role(
        "option", name="DATE"
    ).get_attribute("id")
    shot("editor-label-picker", doc=True)
    with edit_response(page) as answer:
        field.press("Enter")
    assert answer.value.status == 200
    expect(picker).to_be_hidden()
    settled(page, story)
    monday = Entity.objects.get(story=story, text="Monday")
    assert monday.label_id == "DATE"
    expect(mark(page, monday)).to_have_attribute("data-label", "DATE")
    idle(page)

    # On a focused entity, / opens it too; arrows move through the filtered list; Esc closes untouched.
    mark(page, boris).click()
    page.keyboard.press("/")
    expect(picker).to_be_visible()
    field.type("e")  # PERSON first (a name that starts with e wins over one containing it: EVENT)
    expect(picker.get_by_role("option", name="EVENT")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(mark(page, boris)).to_be_focused()
    boris.refresh_from_db()
    assert boris.label_id == "ORG"
    page.keyboard.press("l")
    field.type("time")
    field.press("ArrowDown")
    field.press("ArrowUp")
    with edit_response(page) as answer:
        field.press("Enter")
    assert answer.value.status == 200
    settled(page, story)
    boris.refresh_from_db()
    assert boris.label_id == "TIME"
    # Every label is there, not only the ones with a digit.
    assert page.locator("#label-picker [role=option]").count() > 9


def test_back_after_an_edit_shows_the_saved_state(page):
    make_user("editor", username="edna")
    story = make_story("Anna met Boris in Paris.", title="Back")
    boris = make_entity(story, "Boris", "PERSON")
    open_story(page, story)
    mark(page, boris).click()
    with edit_response(page) as answer:
        page.keyboard.press("a")
    assert answer.value.status == 200
    settled(page, story)
    idle(page)
    page.get_by_role("link", name="Stories").first.click()
    page.wait_for_url("**/")
    page.go_back()
    page.wait_for_url(f"**/stories/{story.pk}/")
    # The span is solid, the page knows the version it is at, and its next edit is not refused.
    expect(mark(page, boris)).to_have_attribute("data-state", "accepted")
    settled(page, story)
    idle(page)
    mark(page, boris).click()
    with edit_response(page) as answer:
        page.keyboard.press("3")
    assert answer.value.status == 200
    boris.refresh_from_db()
    assert boris.label_id == "GPE"


def test_back_to_a_page_the_browser_kept_redraws_it_when_the_story_moved(page, settings):
    """The pageshow check itself: a page restored from memory asks the live endpoint and reloads."""
    make_user("editor", username="edna")
    story = make_story("Anna met Boris in Paris.", title="Kept")
    boris = make_entity(story, "Boris", "PERSON")
    open_story(page, story)
    # Someone accepts Boris while this page is away; the page is then shown as if from the bfcache.
    Entity.objects.filter(pk=boris.pk).update(review_state="accepted")
    Story.objects.filter(pk=story.pk).update(version=2)
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(mark(page, boris)).to_have_attribute("data-state", "accepted", timeout=5_000)
    expect(page.locator("#reader")).to_have_attribute("data-version", "2")


def novel_text(parts: int, per_part: int) -> str:
    paragraph = "Mara Lind rowed across the lake at dawn while Jonas mended the nets on the old jetty. " * 3
    return "\n\n".join(
        f"Part {p + 1}, paragraph {n + 1}. {paragraph}" for p in range(parts) for n in range(per_part)
    )


def test_the_url_follows_the_part_and_scrolling_up_loads_the_parts_above(page, settings, shot):
    settings.READER_CHUNK_PARAGRAPHS = 6
    make_user("editor", username="edna")
    story = make_story(novel_text(5, 6), title="A long one")
    for n in range(30):
        make_entity(story, "Mara Lind", "PERSON", occurrence=n * 3)
    open_story(page, story, "?chunk=3")
    expect(page.locator("#chunk-3")).to_be_attached()
    # Part 3 (index 2) loads above without moving what is on screen.
    expect(page.locator("#chunk-2")).to_be_attached(timeout=5_000)
    idle(page)
    top = page.evaluate("document.querySelector('#chunk-3').getBoundingClientRect().top")
    assert -5 < top < 400, top  # part 4 is still where the reader opened it
    assert page.url.endswith("?chunk=3")

    # Scrolling down into part 5 moves the URL there; a reload comes back to part 5.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(page.locator("#chunk-4")).to_be_attached()
    page.locator("#chunk-4 p").nth(2).scroll_into_view_if_needed()
    page.wait_for_function("() => location.search === '?chunk=4'", timeout=5_000)
    page.reload()
    idle(page)
    assert page.url.endswith("?chunk=4")
    expect(page.locator("#chunk-4 p").first).to_be_in_viewport()

    # Scrolling up from there loads every part above, in order, until the start of the story.
    for index in (3, 2, 1, 0):
        page.evaluate("window.scrollTo(0, 0)")
        expect(page.locator(f"#chunk-{index}")).to_be_attached(timeout=5_000)
    expect(page.locator("#chunk-above")).to_have_count(0)
    order = page.evaluate(
        "[...document.querySelectorAll('#story-text section.chunk')].map(s => s.dataset.chunk)"
    )
    assert order == ["0", "1", "2", "3", "4"]
    page.evaluate("window.scrollTo(0, 0)")  # at the top of the story: a plain URL again
    page.wait_for_function("() => location.search === ''", timeout=5_000)
    assert page.locator("#story-text mark.entity").count() == 30


def test_the_apply_all_preview_lists_each_match_and_tags_only_the_ticked(page, shot):
    make_user("editor", username="edna")
    text = "Anna came home. Later Anna slept.\n\nBy the river, Anna sang. Anna laughed."
    story = make_story(text, title="Apply")
    anna = make_entity(story, "Anna", "PERSON", review_state="accepted")
    open_story(page, story)
    mark(page, anna).click()
    page.get_by_role("link", name="Apply to all mentions…").click()
    expect(page.locator("#apply-preview input[name=match]")).to_have_count(3)
    expect(page.locator("#apply-preview .apply-match-list")).to_contain_text("By the river, Anna sang.")
    page.locator("#apply-preview input[name=match]").nth(1).uncheck()  # "By the river, Anna sang"
    page.get_by_role("button", name="Tag the ticked as PERSON").scroll_into_view_if_needed()
    shot("editor-apply-preview", doc=True)
    with edit_response(page) as answer:
        page.get_by_role("button", name="Tag the ticked as PERSON").click()
    assert answer.value.status == 200
    settled(page, story)
    starts = sorted(Entity.objects.filter(story=story).values_list("start", flat=True))
    assert starts == [0, text.index("Later Anna") + 6, text.index("Anna laughed")]


def test_a_bulk_action_over_a_hundred_asks_once(page, shot):
    make_user("editor", username="edna")
    story = make_story(" ".join(f"Boris{i} rowed." for i in range(120)), title="Many")
    for i in range(120):
        make_entity(story, f"Boris{i}", "PERSON")
    open_story(page, story)
    before = page.evaluate("document.getElementById('story-text').getBoundingClientRect().top")
    with edit_response(page) as answer:
        page.locator("#legend").get_by_role("button", name="Accept all 120 PERSON suggestions").click()
    assert answer.value.status == 200
    question = page.get_by_role("alertdialog", name="Accept all 120 PERSON suggestions at once?")
    expect(question).to_be_visible()
    assert page.evaluate("document.getElementById('story-text').getBoundingClientRect().top") == before
    assert Entity.objects.pending().filter(story=story).count() == 120 and not Edit.objects.exists()
    shot("editor-bulk-confirm", doc=True)
    question.get_by_role("link", name="Cancel").click()
    expect(question).to_have_count(0)
    assert Entity.objects.pending().filter(story=story).count() == 120

    page.locator("#legend").get_by_role("button", name="Accept all 120 PERSON suggestions").click()
    expect(question).to_be_visible()  # asked again: Cancel sent nothing
    with edit_response(page) as answer:
        question.get_by_role("button", name="Yes, accept all 120").click()
    assert answer.value.status == 200
    settled(page, story)
    assert not Entity.objects.pending().filter(story=story).exists()
    expect(page.locator("#story-text mark.entity--pending")).to_have_count(0)
    expect(question).to_have_count(0)


def test_on_a_narrow_screen_the_inspector_stays_over_the_text(page, shot):
    page.set_viewport_size({"width": 800, "height": 900})
    make_user("editor", username="edna")
    paragraphs = [f"Paragraph {n}: the lake was calm and the reeds were still at dawn." for n in range(60)]
    paragraphs[32] = "Far down, Anna met Boris by the jetty."
    story = make_story("\n\n".join(paragraphs), title="Narrow")
    boris = make_entity(story, "Boris", "PERSON")
    open_story(page, story)
    mark(page, boris).scroll_into_view_if_needed()
    mark(page, boris).click()
    panel = page.locator("#entity-panel")
    expect(panel.locator(".entity-text")).to_have_text("Boris")
    expect(panel).to_be_in_viewport()
    box = panel.bounding_box()
    assert (
        box["y"] >= 0 and box["y"] + box["height"] <= 900 and box["x"] >= 0 and box["x"] + box["width"] <= 800
    )
    # The span clicked is still visible above the sheet.
    span = mark(page, boris).bounding_box()
    assert span["y"] >= 0 and span["y"] + span["height"] <= box["y"], (span, box)
    shot("editor-narrow-inspector", doc=True)
    with edit_response(page) as answer:
        page.keyboard.press("a")
    assert answer.value.status == 200
    settled(page, story)
    # Esc closes the sheet.
    idle(page)
    page.keyboard.press("Escape")
    expect(panel.locator(".entity-text")).to_have_count(0)


def test_a_characters_edit_opens_in_view_however_far_down_the_list(page):
    make_user("editor", username="edna")
    story = make_story("Anna met Boris in Paris.", title="Many characters")
    for n in range(45):
        make_character(story, f"Character {n:02d}")
    open_story(page, story)
    last = page.get_by_role("link", name="Edit Character 44")
    last.scroll_into_view_if_needed()
    expect(page.locator("#entity-panel")).not_to_be_in_viewport()  # the side column scrolled past it
    last.click()
    heading = page.locator("#entity-panel h2")
    expect(heading).to_have_text("Character: Character 44")
    expect(heading).to_be_in_viewport()
