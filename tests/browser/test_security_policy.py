"""Every main page under the Content-Security-Policy in Chromium: no violation reaches the console, label
colours still arrive (from the label stylesheet), and htmx swaps still work."""

from __future__ import annotations

import pytest

from annotations.models import Entity, Label
from core.notifications import notify
from stories.models import Story
from tests.browser.conftest import ARTIFACTS, log_in
from tests.factories import make_entity, make_story, make_user

# Named to run after test_editor_flow.py: a live-server test's flush recreates content types, which
# that module's serialized rollback cannot reload over.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSON_RGB = "rgb(255, 214, 165)"  # #ffd6a5, PERSON's seeded colour


@pytest.fixture
def violations(page):
    """Console messages and page errors that are CSP refusals, collected across navigations."""
    seen: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"{page.url}: page error {error}"))
    # A violation event catches what the console might phrase differently, and names the element.
    page.context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' at ' + e.sourceFile + ':'"
        " + e.lineNumber + ' on ' + (e.target && e.target.outerHTML || '').slice(0, 200)));"
    )
    return seen


@pytest.fixture
def csp_shot(page):
    """A screenshot that leaves the page alone. Playwright's default hides the text caret with a style
    attribute on the focused field, and htmx copies `style` onto the element that replaces it: a
    violation the test itself would cause."""

    def take(name: str, *, full_page: bool = False) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page, caret="initial")

    return take


def _background(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("el => getComputedStyle(el).backgroundColor")


def test_every_main_page_works_under_the_csp(page, csp_shot, violations):
    admin = make_user("admin", username="ada")
    story = make_story("Anna Petrova danced in Paris with Boris.", title="The Dying Swan", assigned_to=admin)
    anna = make_entity(story, "Anna Petrova", review_state=Entity.ReviewState.PENDING)
    make_entity(story, "Paris", "GPE", review_state=Entity.ReviewState.ACCEPTED)
    done = make_story("Mary met Boris in London.", title="Swan Lake", status=Story.Status.DONE)
    make_entity(done, "Mary", review_state=Entity.ReviewState.ACCEPTED)
    notify(recipient=admin, kind="approved", message="Your story was approved.", url="/")

    log_in(page, "ada")
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Story list: the search is an htmx swap of the table.
    page.get_by_role("link", name="The Dying Swan").wait_for()
    page.goto("/?mine=1")
    page.get_by_role("link", name="The Dying Swan").wait_for()

    # The reader: marks, toolbar and legend take PERSON's colour from the label stylesheet.
    page.goto(f"/stories/{story.pk}/")
    mark = f"#entity-{anna.pk}"
    page.locator(mark).wait_for()
    # A pending mark mixes its label colour with white; the variable it mixes is PERSON's.
    variable = page.locator(mark).evaluate("el => getComputedStyle(el).getPropertyValue('--entity').trim()")
    assert variable == "#ffd6a5"
    assert _background(page, '.label-button[data-label="PERSON"]') == PERSON_RGB
    assert _background(page, '#legend .swatch[data-label="PERSON"]') == PERSON_RGB
    # htmx: clicking a mark swaps the inspector in; accepting there swaps the paragraph.
    page.locator(mark).click()
    page.locator("#entity-panel").get_by_text("Anna Petrova").first.wait_for()
    page.locator("#entity-panel").get_by_role("button", name="Accept").first.click()
    page.wait_for_function(f"() => document.querySelector('{mark}').dataset.state === 'accepted'")
    assert Entity.objects.get(pk=anna.pk).review_state == Entity.ReviewState.ACCEPTED
    assert _background(page, mark) == PERSON_RGB  # the swapped-in paragraph is coloured too
    csp_shot("csp-reader")

    # The entity's own page and the character list.
    page.goto(f"/stories/{story.pk}/entities/{anna.pk}/")
    assert _background(page, "mark.entity") == PERSON_RGB

    # Review queue and detail; approving is an htmx swap of the actions panel.
    page.goto("/review/")
    page.get_by_role("link", name="Swan Lake").click()
    page.get_by_role("heading", name="Changes against the model's draft").wait_for()
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved “Swan Lake”.").wait_for()
    csp_shot("csp-review-approved")
    assert Story.objects.get(pk=done.pk).status == Story.Status.APPROVED

    # Dashboard: label swatches coloured by the stylesheet; the chart legend draws its own keys.
    page.goto("/dashboard/?status=all")
    assert _background(page, '.swatch[data-label="PERSON"]') == PERSON_RGB
    csp_shot("csp-dashboard", full_page=True)

    # Export: changing an option swaps the summary in over htmx.
    page.goto("/export/")
    summary = page.locator("#export-summary").inner_text()
    page.get_by_label("Status").select_option("all")
    page.wait_for_function("old => document.querySelector('#export-summary').innerText !== old", arg=summary)

    # Notifications: mark all read over htmx.
    page.goto("/notifications/")
    page.get_by_role("link", name="Your story was approved.").wait_for()
    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_function("() => !document.querySelector('.notification--unread')")

    # The admin: index, the label list and a label's form (the colour picker).
    page.goto("/admin/")
    page.get_by_role("link", name="Labels").first.click()
    page.get_by_role("link", name="PERSON").click()
    assert page.locator("#id_color").get_attribute("type") == "color"
    person = Label.objects.get(name="PERSON")
    page.goto(f"/admin/annotations/label/{person.pk}/change/")

    # Error pages render under the policy too.
    page.goto("/stories/999999/")
    page.get_by_text("Not found").first.wait_for()

    assert violations == []


def test_a_label_colour_changed_in_the_admin_reaches_the_reader(page, violations):
    make_user("admin", username="ada")
    story = make_story("Anna met Boris.")
    make_entity(story, "Anna", review_state=Entity.ReviewState.ACCEPTED)
    Label.objects.filter(name="PERSON").update(color="#1d3557")
    log_in(page, "ada")
    page.goto(f"/stories/{story.pk}/")
    assert _background(page, "mark.entity") == "rgb(29, 53, 87)"
    assert page.locator("mark.entity").evaluate("el => getComputedStyle(el).color") == "rgb(255, 255, 255)"
    assert violations == []
