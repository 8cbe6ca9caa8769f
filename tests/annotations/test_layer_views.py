"""Double annotation through the web and the command line: the reader, the no-peeking rule, the API,
the adjudication page, the story list's double assignment and `manage.py assign`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations.models import AdjudicationDecision, Entity, Label
from annotations.services import editing
from annotations.services.layers import layers_assign
from core.tokens import token_create
from stories.models import ImportBatch, Story
from tests.factories import make_batch, make_entity, make_story, make_user

TEXT = "Anna Petrova danced in Paris with Boris.\n\nLater Anna left Moscow for Rome."
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return make_user("editor", "anna"), make_user("editor", "ben"), make_user("reviewer", "rita")


@pytest.fixture
def story(people):
    story = make_story(TEXT, title="Two rivers")
    make_entity(story, "Paris", "GPE")
    anna, ben, rita = people
    layers_assign(story=story, editors=[anna, ben], by=rita)
    story.refresh_from_db()
    return story


def layer(story, user):
    return Story.with_layers.get(layer_of=story, annotator=user)


def reader(pk):
    return reverse("annotations:story-detail", args=[pk])


class TestReader:
    def test_an_annotator_opening_the_story_reads_their_own_layer(self, client, story, people):
        anna = people[0]
        client.force_login(anna)
        response = client.get(reader(story.pk))
        assert response.status_code == 302 and response.url == reader(layer(story, anna).pk)
        html = client.get(response.url).content.decode()
        assert "your own layer" in html and "Mark my layer done" in html

    def test_another_annotators_layer_is_refused_before_adjudication(self, client, story, people):
        anna, ben, rita = people
        client.force_login(anna)
        theirs = layer(story, ben)
        response = client.get(reader(theirs.pk))
        assert response.status_code == 403
        assert "only their own layer" in response.content.decode()
        for name in ("story-legend", "story-history", "character-list"):
            assert client.get(reverse(f"annotations:{name}", args=[theirs.pk])).status_code == 403
        start = TEXT.index("Rome")
        post = client.post(
            reverse("annotations:entity-create", args=[theirs.pk]),
            {"start": start, "end": start + 4, "label": "GPE", "version": theirs.version},
        )
        assert post.status_code == 403
        assert not Entity.objects.filter(story=theirs, text="Rome").exists()

    def test_an_editor_edits_their_layer_with_the_usual_requests(self, client, story, people):
        anna = people[0]
        client.force_login(anna)
        mine = layer(story, anna)
        start = TEXT.index("Rome")
        response = client.post(
            reverse("annotations:entity-create", args=[mine.pk]),
            {"start": start, "end": start + 4, "label": "GPE", "version": mine.version},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200 and 'data-label="GPE"' in response.content.decode()
        assert Entity.objects.filter(story=mine, text="Rome").exists()
        assert not Entity.objects.filter(story=story, text="Rome").exists()

    def test_a_reviewer_may_look_at_a_layer(self, client, story, people):
        client.force_login(people[2])
        assert client.get(reader(layer(story, people[1]).pk)).status_code == 200

    def test_the_api_does_not_reach_layers(self, client, story, people):
        anna = people[0]
        key = token_create(user=anna, name="script")[1]
        theirs = layer(story, people[1])
        url = f"/api/v1/stories/{theirs.pk}/characters"
        response = client.get(url, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 404


def finish_layers(story, people):
    anna, ben, rita = people
    for user, label in ((anna, "GPE"), (ben, "LOC")):
        mine = layer(story, user)
        start = TEXT.index("Rome")
        editing.entity_create(
            story=mine,
            start=start,
            end=start + 4,
            label=Label.objects.get(name=label),
            user=user,
            version=mine.version,
        )
        mine.refresh_from_db()
        editing.story_mark_done(story=mine, user=user, version=mine.version, settle="accept")
    story.refresh_from_db()


class TestAdjudicationPage:
    def test_layers_side_by_side_and_a_decision_by_htmx(self, client, story, people):
        finish_layers(story, people)
        assert story.status == Story.Status.ADJUDICATION
        client.force_login(people[2])
        url = reverse("annotations:adjudication", args=[story.pk])
        html = client.get(url).content.decode()
        assert "1 · anna" in html and "2 · ben" in html and "Final layer" in html
        assert '“Rome” <span class="label">GPE</span>' in html and 'data-hotkey="1"' in html
        assert "1</strong> of 1 difference" in html
        start = TEXT.index("Rome")
        response = client.post(
            reverse("annotations:adjudication-decide", args=[story.pk]),
            {"kind": "span", "key": f"{start}-{start + 4}", "choice": "ben", "version": story.version},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "Took ben&#x27;s version" in body or "Took ben's version" in body
        assert Entity.objects.final().get(story=story, text="Rome").label_id == "LOC"
        assert AdjudicationDecision.objects.get(story=story).choice == "ben"
        story.refresh_from_db()
        done = client.post(
            reverse("annotations:adjudication-finish", args=[story.pk]), {"version": story.version}
        )
        assert done.status_code == 302
        story.refresh_from_db()
        assert story.status == Story.Status.DONE

    def test_editors_are_refused_and_open_layers_are_not_compared(self, client, story, people):
        client.force_login(people[0])
        url = reverse("annotations:adjudication", args=[story.pk])
        assert client.get(url).status_code == 403
        client.force_login(people[2])
        html = client.get(url).content.decode()
        assert "still being annotated" in html and "Final layer" not in html

    def test_a_single_story_has_no_adjudication(self, client, people):
        client.force_login(people[2])
        single = make_story("Just one text.")
        assert client.get(reverse("annotations:adjudication", args=[single.pk])).status_code == 404


class TestAssigning:
    def test_story_list_assigns_for_double_annotation(self, client, people):
        anna, ben, rita = people
        new = make_story(TEXT)
        client.force_login(rita)
        response = client.post(
            reverse("annotations:story-assign-double"), {"story": [new.pk], "editors": [anna.pk, ben.pk]}
        )
        assert response.status_code == 302
        names = Story.with_layers.filter(layer_of=new).values_list("annotator__username", flat=True)
        assert sorted(names) == ["anna", "ben"]
        client.force_login(anna)
        refused = client.post(
            reverse("annotations:story-assign-double"), {"story": [new.pk], "editors": [anna.pk]}
        )
        assert refused.status_code == 403

    def test_assign_command_double_and_single(self, people, capsys):
        anna, ben, rita = people
        batch = make_batch("round one")
        stories = [make_story(f"Story number {i} about Anna.", batch=batch) for i in range(3)]
        call_command("assign", "--batch", "round one", "--editors", "anna,ben", "--double")
        assert "3 stories double-annotated: a layer each for anna, ben" in capsys.readouterr().out
        assert Story.with_layers.filter(layer_of__in=stories).count() == 6
        call_command("assign", "--batch", "round one", "--editors", "anna,ben", "--double")
        assert "Skipped 3 stories" in capsys.readouterr().out
        other = make_batch("round two")
        singles = [make_story(f"Other story {i}.", batch=other) for i in range(3)]
        call_command("assign", "--batch", "round two", "--editors", "anna,ben")
        assert [s.assigned_to.username for s in Story.objects.filter(pk__in=[s.pk for s in singles])] == [
            "anna", "ben", "anna"
        ]  # fmt: skip

    def test_assign_command_errors(self, people):
        make_batch("round one")
        with pytest.raises(CommandError, match="No import batch is named 'nope'"):
            call_command("assign", "--batch", "nope", "--editors", "anna")
        make_story("A text.", batch=ImportBatch.objects.get())
        with pytest.raises(CommandError, match="No account is named 'zed'"):
            call_command("assign", "--batch", "round one", "--editors", "anna,zed")
        with pytest.raises(CommandError, match="at least 2 editors"):
            call_command("assign", "--batch", "round one", "--editors", "anna", "--double")


def test_my_queue_and_next_story_include_ones_open_layers(client, story, people):
    from stories.selectors import story_queue_count
    from stories.services import story_next

    anna = people[0]
    assert story_queue_count(user=anna) == 1
    assert story_next(user=anna).pk == layer(story, anna).pk
    client.force_login(anna)
    assert "Two rivers" in client.get(reverse("stories:my-queue"), follow=True).content.decode()
