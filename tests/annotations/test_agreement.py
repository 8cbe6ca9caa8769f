"""Agreement between annotators in the database: `manage.py agreement` and the Agreement page on the
ten-token case worked out by hand in tests/nlp/test_agreement.py, batches, empty states and who may look."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotations.services.layers import layer_replace
from stories.models import Story
from tests.annotations.agreement_cases import ALICE, BOB, TEXT, annotator, double_story, entities
from tests.factories import make_batch, make_story
from tests.permissions import assert_permission_matrix

pytestmark = pytest.mark.django_db
URL = reverse("annotations:agreement")


def agreement_json(*args: str) -> dict:
    out = StringIO()
    call_command("agreement", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def cells(html: str, row_label: str) -> list[str]:
    """The text of each cell in the table row headed `row_label`."""
    row = re.search(rf'<tr><th scope="row">{row_label}</th>(.*?)</tr>', html, re.S)
    assert row, f"no row for {row_label}"
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


class TestCommand:
    def test_json_on_the_known_case(self):
        double_story({"bob": BOB, "alice": ALICE})
        data = agreement_json()
        # Exact F1 2/7, κ 13/28, α 52/109 (worked out in tests/nlp/test_agreement.py).
        assert data["pairs"] == [
            {
                "a": "alice",
                "b": "bob",
                "span_f1": 0.2857,
                "span_f1_overlap": 0.5714,
                "kappa": 0.4643,
                "alpha": 0.4771,
                "stories": 1,
                "tokens": 10,
                "spans_a": 3,
                "spans_b": 4,
            }
        ]
        person = {"span_f1": 0.3333, "span_f1_overlap": 0.6667, "kappa": 0.4, "alpha": 0.4124}
        assert data["labels"]["PERSON"] == {**person, "stories": 1, "tokens": 10}
        assert (data["labels"]["GPE"]["span_f1"], data["labels"]["GPE"]["kappa"]) == (0.0, 0.0)
        assert (data["annotators"], data["stories"], data["stories_waiting"]) == (["alice", "bob"], 1, 0)

    def test_table_and_per_story(self):
        story = double_story({"alice": ALICE, "bob": BOB}, title="The known case")
        out = StringIO()
        call_command("agreement", "--per-story", stdout=out)
        text = out.getvalue()
        assert "Agreement over 1 double-annotated story (10 tokens), 2 annotators." in text
        assert re.search(r"alice / bob\s+1\s+0\.286\s+0\.571\s+0\.464\s+0\.477", text)
        assert re.search(r"PERSON\s+6\s+0\.333\s+0\.667\s+0\.400\s+0\.412", text)
        assert f"{story.pk} The known case" in text

    def test_batch_filter_and_unknown_batch(self):
        ours, theirs = make_batch("ours"), make_batch("theirs")
        double_story({"alice": ALICE, "bob": BOB}, batch=ours)
        double_story({"alice": ALICE, "bob": list(ALICE)}, batch=theirs, text=TEXT + " Again.")
        assert agreement_json("--batch", "ours")["pairs"][0]["kappa"] == 0.4643
        assert agreement_json("--batch", "theirs")["pairs"][0]["kappa"] == 1.0
        assert agreement_json()["pairs"][0]["stories"] == 2
        with pytest.raises(
            CommandError, match=r"No import batch named 'nope'\. Known batches: ours, theirs\."
        ):
            call_command("agreement", "--batch", "nope", stdout=StringIO())

    def test_no_double_annotated_stories_is_an_error(self):
        make_story(TEXT)
        with pytest.raises(CommandError, match="No double-annotated stories"):
            call_command("agreement", stdout=StringIO())

    def test_one_done_layer_is_not_enough(self):
        double_story({"alice": ALICE, "bob": None})
        with pytest.raises(CommandError, match="None of the 1 double-annotated stories has two layers"):
            call_command("agreement", "--json", stdout=StringIO())


class TestPage:
    def test_tables_on_the_known_case(self, reviewer_client):
        story = double_story({"alice": ALICE, "bob": BOB}, title="The known case")
        html = reviewer_client.get(URL).content.decode()
        # stories, spans a / b, exact F1, overlap F1, κ, α
        assert cells(html, "alice / bob") == ["1", "3 / 4", "0.286", "0.571", "0.464", "0.477"]
        assert cells(html, "PERSON") == ["6", "0.333", "0.667", "0.400", "0.412"]
        assert cells(html, "GPE") == ["1", "0.000", "0.000", "0.000", "0.000"]
        assert f'href="{reverse("annotations:adjudication", args=[story.pk])}">The known case</a>' in html
        assert 'aria-label="Agreement per pair of annotators"' in html
        assert 'aria-label="Agreement per label"' in html
        # One story, κ 0.464: the "moderate" band holds it.
        assert "<title>0.4–0.6 moderate: 1</title>" in html

    def test_batch_filter_and_htmx_partial(self, reviewer_client):
        ours = make_batch("ours")
        double_story({"alice": ALICE, "bob": BOB}, batch=ours)
        double_story({"carol": ALICE, "dave": ALICE}, text=TEXT + " Again.")
        html = reviewer_client.get(URL, {"batch": ours.pk}).content.decode()
        assert "alice / bob" in html and "carol / dave" not in html
        partial = reviewer_client.get(
            URL, {"batch": ours.pk}, headers={"HX-Request": "true"}
        ).content.decode()
        assert partial.lstrip().startswith('<div id="agreement-body"') and "<html" not in partial

    def test_unknown_batch_is_a_400_that_shows_everything(self, reviewer_client):
        double_story({"alice": ALICE, "bob": BOB})
        response = reviewer_client.get(URL, {"batch": "999999"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Showing every batch instead." in html and "alice / bob" in html

    def test_empty_states(self, reviewer_client):
        html = reviewer_client.get(URL).content.decode()
        assert "No double-annotated stories yet." in html and "<svg" not in html
        double_story({"alice": ALICE, "bob": None})
        html = reviewer_client.get(URL).content.decode()
        assert "None of the 1 double-annotated story has two layers marked done yet." in html

    def test_figures_follow_a_changed_layer(self, reviewer_client):
        story = double_story({"alice": ALICE, "bob": BOB})
        assert cells(reviewer_client.get(URL).content.decode(), "alice / bob")[4] == "0.464"
        # bob's layer re-imported with alice's spans: the cached figures must not be served. (Both layers
        # done sent the story to adjudication; a layer is imported only into a story still in its layers.)
        Story.objects.filter(pk=story.pk).update(status=Story.Status.IN_PROGRESS)
        layer_replace(story=story, annotator=annotator("bob"), entities=entities(TEXT, ALICE))
        assert cells(reviewer_client.get(URL).content.decode(), "alice / bob")[4] == "1.000"

    def test_linked_from_the_dashboard(self, reviewer_client):
        html = reviewer_client.get(reverse("annotations:dashboard")).content.decode()
        assert f'href="{URL}" id="agreement-link"' in html

    def test_permissions(self):
        assert_permission_matrix(URL, expected={"none": 403, "editor": 403, "reviewer": 200, "admin": 200})
