"""Live reading: presence, and other people's changes since a page's version drawn into that page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.models import Label, Presence
from annotations.selectors.live import MAX_PARAGRAPHS, changes_since, others_here
from annotations.services import editing
from annotations.services.presence import presence_touch
from stories.models import Story
from tests.factories import make_entity, make_story, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
TEXT = "Anna met Boris in Moscow.\n\nLater Olga left Riga for Paris."


def live_url(story: Story) -> str:
    return reverse("annotations:story-live", args=[story.pk])


class TestPresence:
    def test_others_here_are_the_recent_other_readers(self):
        story = make_story(TEXT)
        me, olga, ivan = make_user("editor", "me"), make_user("editor", "olga"), make_user("editor", "ivan")
        for user in (me, olga, ivan):
            presence_touch(story=story, user=user)
        Presence.objects.filter(user=ivan).update(seen_at=timezone.now() - timedelta(minutes=5))
        presence_touch(story=story, user=olga)  # a second touch updates, never duplicates
        assert Presence.objects.filter(story=story).count() == 3
        assert others_here(story=story, user=me) == ["olga"]


class TestChangesSince:
    def test_only_other_peoples_changes_and_their_paragraphs(self):
        story = make_story(TEXT)
        riga = make_entity(story, "Riga", "PERSON")
        moscow = make_entity(story, "Moscow", "GPE")
        me, olga = make_user("reviewer", "me"), make_user("reviewer", "olga")
        editing.entity_accept(story=story, pk=moscow.pk, user=me, version=1)
        editing.entity_relabel(story=Story.objects.get(), pk=riga.pk, label=Label.objects.get(name="GPE"),
                               user=olga, version=2)  # fmt: skip
        live = changes_since(story=story, version=1, user=me)
        assert live.version == 3 and live.summaries == ["olga: “Riga”: PERSON → GPE"]
        assert [p.start for p in live.paragraphs] == [TEXT.index("Later")]
        assert 'data-label="GPE"' in live.paragraphs[0].html and not live.reload
        assert not changes_since(story=story, version=3, user=me).any

    def test_a_status_change_or_too_many_paragraphs_reload_the_parts(self):
        text = "\n\n".join(f"Anna {n} waited." for n in range(MAX_PARAGRAPHS + 5))
        story = make_story(text)
        for n in range(MAX_PARAGRAPHS + 5):
            make_entity(story, f"Anna {n}", "PERSON")
        editing.entities_review_label(story=story, label=Label.objects.get(name="PERSON"), accept=True,
                                      user=make_user("editor", "olga"), version=1)  # fmt: skip
        live = changes_since(story=story, version=1, user=make_user("editor", "me"))
        assert live.reload and live.paragraphs == []


class TestLiveView:
    def test_the_answer_draws_the_changed_paragraph_in_place(self, editor_client, editor):
        story = make_story(TEXT)
        riga = make_entity(story, "Riga", "PERSON")
        olga = make_user("editor", "olga")
        presence_touch(story=story, user=olga)
        editing.entity_relabel(story=story, pk=riga.pk, label=Label.objects.get(name="GPE"), user=olga,
                               version=1)  # fmt: skip
        response = editor_client.get(live_url(story), {"version": 1}, headers=HTMX)
        html = response.content.decode()
        assert response.status_code == 200 and response["X-Fabula-Version"] == "2"
        assert html.startswith('<span class="presence-dot"') and "Also here: olga" in html
        start = TEXT.index("Later")
        assert f'<p hx-swap-oob="outerHTML:#chunk-0 > p[data-start=\'{start}\']" class="para"' in html
        assert 'id="legend" class="panel" aria-labelledby="legend-title" hx-swap-oob="true"' in html
        assert (
            'id="history-panel" class="panel" aria-labelledby="history-panel-title" hx-swap-oob="true"'
            in html
        )
        event = json.loads(response["HX-Trigger"])["fabula:live"]
        assert (
            event["version"] == 2 and event["changed"] and event["changes"] == ["olga: “Riga”: PERSON → GPE"]
        )
        assert Presence.objects.filter(story=story, user=editor).exists()

    def test_nothing_new_is_the_presence_line_alone(self, editor_client):
        story = make_story(TEXT)
        response = editor_client.get(live_url(story), {"version": 1}, headers=HTMX)
        html = response.content.decode()
        assert html == ""
        assert json.loads(response["HX-Trigger"])["fabula:live"]["changed"] is False

    @pytest.mark.parametrize("version", ["", "x", "²", "1.5", "-1", "+1", " 1"])
    def test_a_missing_or_bad_version_is_a_400(self, editor_client, version):
        story = make_story(TEXT)
        response = editor_client.get(live_url(story), {"version": version}, headers=HTMX)
        assert response.status_code == 400 and "?version=N" in response.content.decode()

    def test_the_reader_polls_it(self, editor_client, settings):
        settings.READER_POLL_SECONDS = 3
        story = make_story(TEXT)
        page = editor_client.get(reverse("annotations:story-detail", args=[story.pk])).content.decode()
        assert f'hx-get="{live_url(story)}" hx-trigger="load, every 3s"' in page

    def test_people_without_a_role_are_refused(self, client):
        client.force_login(make_user("none"))
        story = make_story(TEXT)
        assert Client().get(live_url(story), {"version": 1}).status_code == 302
        assert client.get(live_url(story), {"version": 1}).status_code == 403
        assert not Presence.objects.exists()
