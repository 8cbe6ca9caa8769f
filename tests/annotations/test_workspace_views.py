"""Workspace views over HTTP: full pages and htmx partials, permissions, CSRF, 400/404/409, XSS."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Character, Edit, Entity, Label
from annotations.services.changes import edit_undo
from annotations.services.editing import entity_accept
from stories.models import Story
from tests.factories import make_character, make_entity, make_story
from tests.permissions import assert_csrf_enforced, assert_permission_matrix

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "Anna Zhunussova danced Swan Lake in Moscow.\n\nAnna met Boris. Anya waved at Boris."


def world() -> dict:
    story = make_story(TEXT)
    anna = make_character(story, "Anna Zhunussova", aliases=["Anya"])
    boris = make_character(story, "Boris")
    return {
        "story": story,
        "pending": make_entity(story, "Anna Zhunussova", review_state="pending", character=anna),
        "moscow": make_entity(story, "Moscow", "GPE", review_state="accepted"),
        "boris": make_entity(story, "Boris", review_state="accepted", character=boris),
        "anna": anna,
        "boris_character": boris,
    }


def url(name: str, w: dict, **extra) -> str:
    kwargs = {"pk": w["story"].pk, **extra}
    return reverse(f"annotations:{name}", kwargs=kwargs)


# name -> (method, url kwargs from the world, POST data from the world); every one of them succeeds.
ENDPOINTS = {
    "story-detail": ("get", lambda w: {}, None),
    "story-legend": ("get", lambda w: {}, None),
    "story-history": ("get", lambda w: {}, None),
    "story-panels": ("get", lambda w: {}, None),
    "character-list": ("get", lambda w: {}, None),
    "character-detail": ("get", lambda w: {"character_id": w["anna"].pk}, None),
    "entity-detail": ("get", lambda w: {"entity_id": w["pending"].pk}, None),
    "entity-apply-preview": ("get", lambda w: {"entity_id": w["boris"].pk}, None),
    "entity-create": ("post", lambda w: {}, lambda w: {"start": 23, "end": 27, "label": "WORK_OF_ART"}),
    "entity-label": ("post", lambda w: {"entity_id": w["moscow"].pk}, lambda w: {"label": "LOC"}),
    "entity-resize": ("post", lambda w: {"entity_id": w["moscow"].pk},
                      lambda w: {"side": "start", "direction": "widen"}),
    "entity-delete": ("post", lambda w: {"entity_id": w["pending"].pk}, lambda w: {}),
    "entity-accept": ("post", lambda w: {"entity_id": w["pending"].pk}, lambda w: {}),
    "entity-link": ("post", lambda w: {"entity_id": w["moscow"].pk}, lambda w: {"new_name": "Moscow"}),
    "entity-apply-all": ("post", lambda w: {"entity_id": w["boris"].pk}, lambda w: {}),
    "label-review": ("post", lambda w: {"label_id": Label.objects.get(name="PERSON").pk},
                     lambda w: {"decision": "accept"}),
    "story-done": ("post", lambda w: {}, lambda w: {"settle": "reject"}),
    "story-undo": ("post", lambda w: {}, lambda w: {}),
    "story-redo": ("post", lambda w: {}, lambda w: {}),
    "character-create": ("post", lambda w: {}, lambda w: {"name": "Swan"}),
    "character-rename": ("post", lambda w: {"character_id": w["boris_character"].pk},
                         lambda w: {"name": "Boris B"}),
    "character-gender": ("post", lambda w: {"character_id": w["anna"].pk}, lambda w: {"gender": "female"}),
    "character-merge": ("post", lambda w: {},
                        lambda w: {"source": w["boris_character"].pk, "target": w["anna"].pk}),
    "character-split": ("post", lambda w: {"character_id": w["anna"].pk}, lambda w: {"alias": "Anya"}),
    "character-delete": ("post", lambda w: {"character_id": w["boris_character"].pk}, lambda w: {}),
}  # fmt: skip


def prepare(name: str):
    """A fresh world per visitor; story-undo needs something to undo first."""
    method, url_kwargs, data = ENDPOINTS[name]
    w = world()
    if name in ("story-undo", "story-redo"):
        entity_accept(story=w["story"], pk=w["pending"].pk, user=None, version=1)
    if name == "story-redo":
        edit_undo(story=Story.objects.get(pk=w["story"].pk), edit=None, version=2, user=None)
    version = Story.objects.get(pk=w["story"].pk).version
    body = {**data(w), "version": version} if data else None
    return method, url(name, w, **url_kwargs(w)), body


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_permission_matrix(name):
    worlds = {}

    def for_user(user):
        key = user.pk if user else None
        if key not in worlds:
            worlds[key] = prepare(name)
        return worlds[key]

    method = ENDPOINTS[name][0]
    ok = 200 if method == "get" else 302
    assert_permission_matrix(
        lambda user: for_user(user)[1], data=lambda user: for_user(user)[2], method=method,
        expected={"none": 403, "editor": ok, "reviewer": ok, "admin": ok},
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(n for n, spec in ENDPOINTS.items() if spec[0] == "post"))
def test_every_post_works_with_htmx_and_needs_csrf(name, editor_client):
    method, target, body = prepare(name)
    response = editor_client.post(target, body, headers=HTMX)
    assert response.status_code == 200, response.content
    assert b"<html" not in response.content
    if name == "story-done":  # a done story reads differently: the whole reader reloads
        assert response["HX-Refresh"] == "true"
        return
    event = json.loads(response["HX-Trigger"])["fabula:changed"]
    assert event["version"] == body["version"] + 1 and event["message"]
    if event["refresh"]:
        assert response["HX-Reswap"] == "none"
    else:
        assert response["HX-Retarget"].startswith("#chunk-") and response["HX-Reswap"] == "outerHTML"
        start = response["HX-Retarget"].split('data-start="')[1].split('"')[0]
        assert response.content.startswith(f'<p class="para" data-start="{start}"'.encode())
        assert response.content.count(b"<p ") == 1 and b"<section" not in response.content
        assert b"<mark" in response.content or name == "entity-delete"  # the paragraph, and nothing else
        assert b'id="legend"' not in response.content and b'id="entity-panel"' not in response.content
    method, target, body = prepare(name)
    assert_csrf_enforced(target, data=body)


def test_reader_full_page_and_chunks(editor_client, settings):
    settings.READER_CHUNK_PARAGRAPHS = 1
    w = world()
    page = editor_client.get(url("story-detail", w)).content.decode()
    assert "<html" in page and 'id="chunk-0"' in page and 'id="chunk-1"' not in page
    assert 'hx-trigger="revealed"' in page and "?chunk=1" in page  # more on scroll, or by the link
    for part in ('id="legend"', 'id="character-panel"', 'id="history-panel"', 'id="entity-panel"', "<dialog"):
        assert part in page
    assert 'data-label="PERSON"' in page and "Anna Zhunussova" in page
    # The characters panel loads itself after the page; without JavaScript its own URL shows it.
    assert 'hx-trigger="load, fabula:characters' in page and "Show the characters" in page
    assert 'class="character"' not in page
    own_page = editor_client.get(url("character-list", w)).content.decode()
    assert "<html" in own_page and own_page.count('class="character"') == 2
    partial = editor_client.get(url("story-detail", w) + "?chunk=1", headers=HTMX).content.decode()
    assert "<html" not in partial and 'id="chunk-1"' in partial and "Anna met" in partial
    second_page = editor_client.get(url("story-detail", w) + "?chunk=1").content.decode()
    assert "<html" in second_page and 'id="chunk-1"' in second_page and "Previous: part 1" in second_page


@pytest.mark.parametrize(
    ("name", "marker"),
    [("story-legend", 'id="legend"'), ("story-history", 'id="history-panel"'),
     ("story-panels", 'id="history-panel"'),
     ("character-list", 'id="character-panel"'), ("entity-detail", 'id="entity-panel"'),
     ("character-detail", "Split “Anya” off into its own character")],
)  # fmt: skip
def test_panels_as_partials_and_as_pages(name, marker, editor_client):
    w = world()
    extra = {
        "entity-detail": {"entity_id": w["pending"].pk},
        "character-detail": {"character_id": w["anna"].pk},
    }
    extra = extra.get(name, {})
    partial = editor_client.get(url(name, w, **extra), headers=HTMX).content.decode()
    assert marker in partial and "<html" not in partial
    page = editor_client.get(url(name, w, **extra)).content.decode()
    assert marker in page and "<html" in page


def test_panels_show_what_the_editor_needs(editor_client):
    w = world()
    characters = editor_client.get(url("character-list", w), headers=HTMX).content.decode()
    assert "Anna Zhunussova" in characters and "1 mention" in characters and "Anya" in characters
    entity = editor_client.get(
        url("entity-detail", w, entity_id=w["pending"].pk), headers=HTMX
    ).content.decode()
    assert "Suggested" in entity and "Accept" in entity and "Reject" in entity
    preview = editor_client.get(url("entity-apply-preview", w, entity_id=w["boris"].pk), headers=HTMX).content
    assert "appears 1 more time" in preview.decode()
    assert "Tag the ticked as PERSON (Boris)" in preview.decode()
    anna = Entity.objects.create(story=w["story"], start=45, end=49, text="Anna", label_id="PERSON",
                                     review_state="accepted", origin="editor")  # fmt: skip
    preview = editor_client.get(
        url("entity-apply-preview", w, entity_id=anna.pk), headers=HTMX
    ).content.decode()
    assert "No other “Anna” needs changing; 1 overlap other entities" in preview  # inside "Anna Zhunussova"


def test_xss_story_is_shown_as_text(editor_client):
    story = make_story(
        "<script>alert('pwned')</script> <img src=x onerror=alert(1)> Anna.", title="<b>Evil</b>"
    )
    page = editor_client.get(reverse("annotations:story-detail", args=[story.pk])).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Evil</b>" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page


def test_plain_post_redirects_back_to_the_entity(editor_client):
    w = world()
    response = editor_client.post(
        url("entity-label", w, entity_id=w["moscow"].pk), {"label": "LOC", "version": 1}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#entity-{w['moscow'].pk}")
    page = editor_client.get(response["Location"]).content.decode()
    assert "“Moscow”: GPE → LOC" in page  # the success message


def test_invalid_span_is_400_with_a_message(editor_client):
    w = world()
    create = url("entity-create", w)
    response = editor_client.post(
        create, {"start": 43, "end": 45, "label": "PERSON", "version": 1}, headers=HTMX
    )
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")
    assert "no word" in response.content.decode() or "paragraph" in response.content.decode()
    response = editor_client.post(create, {"start": 0, "end": 4, "label": "NOPE", "version": 1}, headers=HTMX)
    assert response.status_code == 400 and "Unknown label" in response.content.decode()
    assert Entity.objects.count() == 3 and Story.objects.get().version == 1


def test_missing_entity_is_404(editor_client):
    w = world()
    response = editor_client.post(url("entity-delete", w, entity_id=999999), {"version": 1}, headers=HTMX)
    assert response.status_code == 404 and "no longer exists" in response.content.decode()
    assert editor_client.get(url("entity-detail", w, entity_id=999999)).status_code == 404


def test_concurrent_edit_conflict_is_409_and_nothing_is_overwritten(editor, reviewer):
    w = world()
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(reviewer)
    target = url("entity-label", w, entity_id=w["moscow"].pk)
    assert first.post(target, {"label": "LOC", "version": 1}, headers=HTMX).status_code == 200
    stale = second.post(target, {"label": "FAC", "version": 1}, headers=HTMX)
    assert stale.status_code == 409
    assert "ed changed this (“Moscow”: GPE → LOC) after your page loaded it" in stale.content.decode()
    assert json.loads(stale["HX-Trigger"])["fabula:stale"]["version"] == 2
    w["moscow"].refresh_from_db()
    assert w["moscow"].label_id == "LOC" and Edit.objects.count() == 1
    page = second.post(target, {"label": "FAC", "version": 1})  # without htmx: the refreshed reader
    assert page.status_code == 409
    html = page.content.decode()
    assert (
        "<html" in html and "Not saved." in html and 'data-version="2"' in html and 'data-label="LOC"' in html
    )


def test_two_editors_on_different_entities_from_one_stale_page_both_save(editor, reviewer):
    w = world()
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(reviewer)
    moscow = url("entity-label", w, entity_id=w["moscow"].pk)
    boris = url("entity-label", w, entity_id=w["boris"].pk)
    assert first.post(moscow, {"label": "LOC", "version": 1}, headers=HTMX).status_code == 200
    answer = second.post(boris, {"label": "ORG", "version": 1}, headers=HTMX)
    assert answer.status_code == 200
    # The second page missed the first change: it is told to reload what it shows.
    event = json.loads(answer["HX-Trigger"])["fabula:changed"]
    assert event["version"] == 3 and event["refresh"] is True and answer["HX-Reswap"] == "none"
    w["moscow"].refresh_from_db()
    w["boris"].refresh_from_db()
    assert (w["moscow"].label_id, w["boris"].label_id) == ("LOC", "ORG")
    # Its own earlier change never clashes with itself, even from the older version.
    again = second.post(boris, {"label": "PERSON", "version": 1}, headers=HTMX)
    assert again.status_code == 200


def test_undo_refused_is_400_with_the_reason(editor_client):
    w = world()
    gpe_edit = editor_client.post(
        url("entity-label", w, entity_id=w["moscow"].pk), {"label": "LOC", "version": 1}
    )
    assert gpe_edit.status_code == 302
    editor_client.post(url("entity-label", w, entity_id=w["moscow"].pk), {"label": "FAC", "version": 2})
    earlier = Edit.objects.order_by("id").first()
    response = editor_client.post(url("story-undo", w), {"version": 3, "edit": earlier.pk}, headers=HTMX)
    assert response.status_code == 400 and "a later change touched" in response.content.decode()
    response = editor_client.post(url("story-undo", w), {"version": 3}, headers=HTMX)
    assert response.status_code == 200
    w["moscow"].refresh_from_db()
    assert w["moscow"].label_id == "LOC"


def test_redo_after_undo_and_the_history_panel_offers_it(editor_client):
    w = world()
    label = url("entity-label", w, entity_id=w["moscow"].pk)
    editor_client.post(label, {"label": "LOC", "version": 1}, headers=HTMX)
    editor_client.post(url("story-undo", w), {"version": 2}, headers=HTMX)
    history = editor_client.get(url("story-history", w), headers=HTMX).content.decode()
    assert "Redo: “Moscow”" in history and url("story-redo", w) in history
    response = editor_client.post(url("story-redo", w), {"version": 3}, headers=HTMX)
    assert response.status_code == 200
    w["moscow"].refresh_from_db()
    assert w["moscow"].label_id == "LOC"
    assert Edit.objects.order_by("-id").first().action == "redo"
    again = editor_client.post(url("story-redo", w), {"version": 4}, headers=HTMX)
    assert again.status_code == 400 and "nothing to redo" in again.content.decode()
    assert "Redo:" not in editor_client.get(url("story-history", w), headers=HTMX).content.decode()


def test_mark_done_asks_about_pending_then_reloads_the_reader_read_only(editor_client):
    w = world()
    asked = editor_client.post(url("story-done", w), {"version": 1}, headers=HTMX)
    html = asked.content.decode()
    assert asked.status_code == 200 and asked["HX-Retarget"] == "#settle-choice"
    assert "suggestion still pending" in html or "suggestions still pending" in html
    assert 'value="accept"' in html and 'value="reject"' in html and "Go back to them" in html
    assert Story.objects.get().status != "done"
    response = editor_client.post(url("story-done", w), {"version": 1, "settle": "accept"}, headers=HTMX)
    assert response["HX-Refresh"] == "true"
    assert Story.objects.get().status == "done"
    assert not Entity.objects.pending().exists()
    assert Character.objects.count() == 2
    page = editor_client.get(url("story-detail", w)).content.decode()
    assert 'id="read-only"' in page and "done and waiting for review" in page
    assert 'class="toolbar"' not in page and "Mark done</button>" not in page


def test_mark_done_without_javascript_asks_on_a_page_of_its_own(editor_client):
    w = world()
    page = editor_client.post(url("story-done", w), {"version": 1})
    assert page.status_code == 200 and b"<html" in page.content and b"still pending" in page.content


@pytest.mark.parametrize("name", sorted(n for n, spec in ENDPOINTS.items() if spec[0] == "post"))
def test_action_urls_opened_directly_lead_to_the_page_that_offers_them(name, editor_client):
    _, target, _ = prepare(name)
    response = editor_client.get(target)
    assert response.status_code == 302
    page = editor_client.get(response["Location"])
    assert page.status_code == 200 and b"<html" in page.content
    assert b'id="entity-panel"' in page.content
    assert Edit.objects.filter(action__in=["create", "relabel", "delete"]).count() == 0


def test_long_character_lists_show_sixty_then_all_and_edit_forms_load_on_demand(editor_client):
    story = make_story("A crowded novel.")
    Character.objects.bulk_create(Character(story=story, name=f"Person {i:02d}") for i in range(65))
    panel_url = reverse("annotations:character-list", args=[story.pk])
    panel = editor_client.get(panel_url, headers=HTMX).content.decode()
    assert panel.count('class="character"') == 60 and "Show all 65 characters" in panel
    assert "Rename" not in panel  # the forms come with character-detail
    everyone = editor_client.get(panel_url + "?all=1", headers=HTMX).content.decode()
    assert everyone.count('class="character"') == 65 and "Show all" not in everyone
    first = Character.objects.filter(story=story).order_by("name").first()
    editor = editor_client.get(
        reverse("annotations:character-detail", args=[story.pk, first.pk]), headers=HTMX
    ).content.decode()
    assert "Rename" in editor and "Merge Person 00 into" in editor and editor.count("<option") >= 64 + 4


def test_character_actions_tell_the_page_which_character_to_show(editor_client):
    w = world()
    target = url("character-merge", w)
    data = {"source": w["boris_character"].pk, "target": w["anna"].pk, "version": 1}
    response = editor_client.post(target, data, headers=HTMX)
    event = json.loads(response["HX-Trigger"])["fabula:changed"]
    assert event["character"] == w["anna"].pk and event["refresh"] is True and event["focus"] is None


def test_an_edit_answers_with_only_the_paragraph_it_touched(editor_client, settings):
    settings.READER_CHUNK_PARAGRAPHS = 1
    w = world()
    editor_client.get(url("story-detail", w))
    target = url("entity-label", w, entity_id=w["boris"].pk)
    response = editor_client.post(target, {"label": "ORG", "version": 1}, headers=HTMX)
    html = response.content.decode()
    paragraph_start = TEXT.index("Anna met")
    assert response["HX-Retarget"] == f'#chunk-1 > p[data-start="{paragraph_start}"]'
    assert html.count("<p ") == 1 and "<section" not in html
    assert 'data-label="ORG"' in html and "Boris" in html and "Zhunussova" not in html
    # The one refresh the page then makes: legend and history together, each out of band.
    panels = editor_client.get(url("story-panels", w), headers=HTMX).content.decode()
    legend, history = panels.split("<section")[1:]
    assert legend.startswith(' id="legend"') and 'hx-swap-oob="true"' in legend.split(">")[0]
    assert "ORG" in legend
    assert history.startswith(' id="history-panel"') and 'hx-swap-oob="true"' in history.split(">")[0]
    assert "Boris" in history and "PERSON → ORG" in history
    # Boris is linked to a character: its panel row counts and lists his mentions, so it refreshes.
    assert "fabula:characters" in json.loads(response["HX-Trigger"])
    moscow = url("entity-label", w, entity_id=w["moscow"].pk)
    response = editor_client.post(moscow, {"label": "LOC", "version": 2}, headers=HTMX)
    # An unlinked mention changed: the characters panel has nothing new to show.
    assert "fabula:characters" not in json.loads(response["HX-Trigger"])


def test_linking_a_mention_asks_the_characters_panel_to_refresh(editor_client):
    w = world()
    target = url("entity-link", w, entity_id=w["moscow"].pk)
    response = editor_client.post(target, {"new_name": "Moscow", "version": 1}, headers=HTMX)
    assert response.status_code == 200
    assert "fabula:characters" in json.loads(response["HX-Trigger"])
    assert 'hx-trigger="load, fabula:characters from:body' not in response.content.decode()
