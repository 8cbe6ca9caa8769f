"""The story list in Chromium: search as you type, shareable URLs, the back button, assigning, and
errors shown instead of dropped (static/js/app.js)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from annotations.models import Label
from core import roles
from stories.models import Story
from tests.browser.conftest import log_in
from tests.factories import make_batch, make_character, make_entity, make_story, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def table_titles(page) -> list[str]:
    return page.locator("#story-table .story-title").all_inner_texts()


def test_search_filters_and_back_button(page, shot):
    batch = make_batch("autumn")
    make_story("A ballerina in a white dress.", title="Swan Lake", batch=batch, status=Story.Status.DONE)
    make_story("Peasants dance in the village.", title="Giselle", batch=batch)
    make_story("A nutcracker comes alive.", title="The Nutcracker", batch=batch)
    make_user("editor", username="edna")
    log_in(page, "edna")
    assert table_titles(page) == ["Giselle", "Swan Lake", "The Nutcracker"]

    page.keyboard.press("/")  # the search shortcut
    page.keyboard.type("ballerina")
    page.wait_for_url(re.compile(r"/\?q=ballerina$"))  # empty fields are left out of the shared URL
    assert table_titles(page) == ["Swan Lake"]

    page.get_by_label("Search").fill("")
    page.get_by_label("Status").select_option("new")
    page.wait_for_url(re.compile(r"/\?status=new$"))
    assert table_titles(page) == ["Giselle", "The Nutcracker"]
    shot("story-list-filtered", doc=True)

    page.get_by_role("link", name="Title").click()  # header sort: title, descending next
    page.wait_for_url(re.compile(r"sort=-title"))
    assert table_titles(page) == ["The Nutcracker", "Giselle"]
    assert page.get_by_label("Sort by").input_value() == "-title"  # the form follows the URL

    page.go_back()
    page.wait_for_url(re.compile(r"/\?status=new$"))
    assert table_titles(page) == ["Giselle", "The Nutcracker"]
    assert page.get_by_label("Status").input_value() == "new"
    assert page.get_by_label("Sort by").input_value() == ""

    # The shared URL opens as a full page with the same filters.
    page.goto("/?q=nutcracker")
    assert table_titles(page) == ["The Nutcracker"]
    assert page.get_by_label("Search").input_value() == "nutcracker"


def test_reviewer_assigns_and_sees_refusals(page, shot):
    for name in ("PERSON", "GPE"):  # transactional tests flush the labels the migration seeded
        Label.objects.get_or_create(name=name)
    batch = make_batch("samples")
    make_story("Anna Zhunussova danced Swan Lake in Paris.", title="Swan Lake", batch=batch)
    editor = make_user("editor", username="edna")
    giselle = make_story("Giselle met Albrecht in Vienna.", title="Giselle", batch=batch, assigned_to=editor)
    make_entity(giselle, "Giselle")
    make_entity(giselle, "Vienna", label="GPE")
    make_character(giselle, "Giselle")
    make_story(
        "Clara dreamt of the Nutcracker.",
        title="The Nutcracker",
        batch=batch,
        status=Story.Status.RETURNED,
        assigned_to=editor,
        review_comment="Clara is a PERSON in every chapter; two mentions are still untagged.",
    )
    make_story("Odette flew over the lake.", title="Odette", batch=batch, status=Story.Status.APPROVED)
    leaver = make_user("editor", username="leaver")
    reviewer = make_user("reviewer", username="rita")
    log_in(page, "rita")
    shot("story-list", doc=True)

    page.get_by_label("Assign “Swan Lake” to").select_option(label="edna")
    page.get_by_role("button", name="Save assignment of “Swan Lake”").click()
    page.get_by_role("status").get_by_text("1 story assigned to edna.").wait_for()
    assert Story.objects.get(title="Swan Lake").assigned_to == editor

    # Someone deactivates an account while the page is open: the refusal is shown, not dropped.
    leaver.is_active = False
    leaver.save()
    page.get_by_label("Assign “Swan Lake” to").select_option(label="leaver")
    page.get_by_role("button", name="Save assignment of “Swan Lake”").click()
    alert = page.locator("#errors")
    alert.get_by_text("Nothing was assigned").wait_for()
    assert "Select a valid choice" in alert.inner_text()
    assert Story.objects.get(title="Swan Lake").assigned_to == editor

    # The reviewer loses the role: the server's 403 message reaches the page.
    reviewer.groups.remove(Group.objects.get(name=roles.REVIEWERS))
    page.get_by_label("Assign “Swan Lake” to").select_option(label="Nobody")
    page.get_by_role("button", name="Save assignment of “Swan Lake”").click()
    alert.get_by_text("Only reviewers and admins can assign stories.").wait_for()
    shot("story-list-error")
    assert Story.objects.get(title="Swan Lake").assigned_to == editor
    alert.get_by_role("button", name="Dismiss").click()
    assert alert.inner_text().strip() == ""


def test_bulk_assign_and_my_queue(page):
    stories = [make_story(title=f"Story {n}") for n in range(3)]
    make_user("editor", username="edna")
    make_user("admin", username="root")
    log_in(page, "root")
    select_all = page.get_by_label("Select all stories on this page")
    select_all.check()
    assert page.locator("input[form=bulk-assign]:checked").count() == 3
    select_all.uncheck()
    assert page.locator("input[form=bulk-assign]:checked").count() == 0
    page.get_by_label("Select “Story 0”").check()
    page.get_by_label("Select “Story 2”").check()
    page.get_by_label("Assign selected to").select_option(label="edna")
    page.get_by_role("button", name="Assign selected").click()
    page.get_by_text("2 stories assigned to edna.").wait_for()
    assert {s.title for s in Story.objects.filter(assigned_to__username="edna")} == {"Story 0", "Story 2"}
    assert Story.objects.get(pk=stories[1].pk).assigned_to is None

    page.get_by_role("button", name="Log out").click()
    log_in(page, "edna")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My queue").click()
    page.wait_for_url(re.compile(r"\?mine=1$"))
    assert table_titles(page) == ["Story 0", "Story 2"]


def test_a_capped_list_pages_to_its_cap_and_says_more_than(page, monkeypatch):
    monkeypatch.setattr("core.pagination.MAX_PAGES", 2)  # the live server runs in this process
    for number in range(55):
        make_story(title=f"Story {number:02}")
    make_user("editor", username="edna")
    log_in(page, "edna")
    assert page.locator(".table-summary").inner_text() == "Showing 1–25 of more than 50 stories"
    page.get_by_role("link", name="Next →").click()  # htmx swaps the table in place
    page.wait_for_url(re.compile(r"page=2"))
    assert table_titles(page)[0] == "Story 25"
    assert page.locator(".pagination").get_by_text("Page 2 of more than 2").is_visible()
    assert page.get_by_role("link", name="Next →").count() == 0
    assert page.get_by_text("reverse the sort, to reach the rest").is_visible()
    page.get_by_role("link", name="Title").click()  # reversed, the last stories come first
    page.wait_for_url(re.compile(r"sort=-title"))
    assert table_titles(page)[0] == "Story 54"
