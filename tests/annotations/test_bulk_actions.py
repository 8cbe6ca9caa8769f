"""Bulk actions in the reader: the apply-to-all preview lists every match and applies only the ticked
ones; over BULK_CONFIRM_OVER rows an unconfirmed request is answered with the question, not applied.
Also: the reader is never stored by the browser's cache."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotations.models import Edit, Entity, Label
from stories.models import Story
from tests.factories import make_entity, make_story

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def many_annas(n: int) -> tuple[Story, Entity]:
    text = " ".join(f"Anna met Boris {i}." for i in range(n))
    story = make_story(text)
    first = make_entity(story, "Anna", "PERSON", review_state="accepted")
    return story, first


def test_the_preview_lists_every_match_with_its_context(editor_client):
    story = make_story("Anna came home. Later Anna slept.\n\nBy the river, Anna sang.")
    anna = make_entity(story, "Anna", "PERSON", review_state="accepted")
    make_entity(story, "Anna", "ORG", occurrence=2)
    url = reverse("annotations:entity-apply-preview", args=[story.pk, anna.pk])
    html = editor_client.get(url, headers=HTMX).content.decode()
    assert html.count('name="match"') == 2
    assert f'value="{story.text.index("Later Anna") + 6}"' in html
    assert "Later <mark" in html and "By the river, <mark" in html  # the line breaks are folded
    assert '<span class="pill" title="tagged now">ORG</span>' in html


def test_only_the_ticked_mentions_are_tagged(editor_client):
    story = make_story("Anna came home. Later Anna slept. Then Anna sang.")
    anna = make_entity(story, "Anna", "PERSON", review_state="accepted")
    keep = story.text.index("Later Anna") + 6
    url = reverse("annotations:entity-apply-all", args=[story.pk, anna.pk])
    response = editor_client.post(url, {"version": 1, "choose": 1, "match": [keep]}, headers=HTMX)
    assert response.status_code == 200
    assert sorted(Entity.objects.filter(story=story).values_list("start", flat=True)) == [0, keep]
    none = editor_client.post(url, {"version": 2, "choose": 1}, headers=HTMX)
    assert none.status_code == 400 and "No mention is ticked" in none.content.decode()
    bad = editor_client.post(url, {"version": 2, "choose": 1, "match": ["-3"]}, headers=HTMX)
    assert bad.status_code == 400 and "got '-3'" in bad.content.decode()


def test_accept_all_over_a_hundred_asks_first_and_changes_nothing(editor_client):
    person = Label.objects.get(name="PERSON")
    text = " ".join(f"Boris{i}" for i in range(101))
    story = make_story(text)
    for i in range(101):
        make_entity(story, f"Boris{i}", "PERSON")
    url = reverse("annotations:label-review", args=[story.pk, person.pk])
    asked = editor_client.post(url, {"version": 1, "decision": "accept"}, headers=HTMX)
    html = asked.content.decode()
    assert asked.status_code == 200 and asked["HX-Retarget"] == "#bulk-confirm"
    assert "Accept all 101 PERSON suggestions at once?" in html and 'name="confirm" value="1"' in html
    assert Entity.objects.pending().filter(story=story).count() == 101 and not Edit.objects.exists()
    done = editor_client.post(url, {"version": 1, "decision": "accept", "confirm": 1}, headers=HTMX)
    assert done.status_code == 200
    assert not Entity.objects.pending().filter(story=story).exists()


def test_a_hundred_or_fewer_need_no_confirmation(editor_client):
    person = Label.objects.get(name="PERSON")
    story = make_story(" ".join(f"Boris{i}" for i in range(100)))
    for i in range(100):
        make_entity(story, f"Boris{i}", "PERSON")
    url = reverse("annotations:label-review", args=[story.pk, person.pk])
    response = editor_client.post(url, {"version": 1, "decision": "accept"}, headers=HTMX)
    assert "HX-Retarget" not in response and "fabula:changed" in response["HX-Trigger"]
    assert not Entity.objects.pending().filter(story=story).exists()


def test_apply_all_over_a_hundred_without_the_preview_asks_first(editor_client):
    story, anna = many_annas(102)
    url = reverse("annotations:entity-apply-all", args=[story.pk, anna.pk])
    asked = editor_client.post(url, {"version": 1})
    assert asked.status_code == 200 and "Tag 101 more “Anna” as PERSON?" in asked.content.decode()
    assert Entity.objects.filter(story=story).count() == 1
    done = editor_client.post(url, {"version": 1, "confirm": 1}, headers=HTMX)
    assert done.status_code == 200 and Entity.objects.filter(story=story).count() == 102


def test_the_reader_is_never_stored_by_the_browser(editor_client):
    story = make_story("Anna came home.")
    response = editor_client.get(reverse("annotations:story-detail", args=[story.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
