"""Reviewers' dashboard: the evaluation numbers, the SVG charts, stories by status, work per user and label
frequencies, on the hand-made case from review_cases; reviewer-only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from annotations.charts import LABEL_WIDTH, PLOT_WIDTH, ChartRow, Series, bar_chart
from annotations.models import Edit
from annotations.selectors.dashboard import editor_work, label_frequencies, status_counts
from annotations.services.review import story_approve, story_return
from stories.models import Story
from tests.annotations.review_cases import build_evaluation_case
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db
URL = reverse("annotations:dashboard")


def cells(html: str, row_label: str) -> list[str]:
    """The text of each cell in the table row headed `row_label`."""
    row = re.search(rf'<tr[^>]*><th scope="row">{row_label}</th>(.*?)</tr>', html, re.S)
    assert row, f"no row for {row_label}"
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))


class TestDashboardPage:
    def test_scores_per_label_and_overall(self, reviewer_client):
        build_evaluation_case()
        html = reviewer_client.get(URL).content.decode()
        # final, model, tp, fp, fn, precision, recall, f1
        assert cells(html, "PERSON") == ["2", "4", "2", "2", "0", "0.500", "1.000", "0.667"]
        assert cells(html, "GPE") == ["2", "0", "0", "0", "2", "—", "0.000", "0.000"]
        assert cells(html, "ORG") == ["1", "1", "0", "1", "1", "0.000", "0.000", "0.000"]
        assert cells(html, "overall") == ["5", "5", "2", "3", "3", "0.400", "0.400", "0.400"]
        assert "2 approved stories" in html
        assert '<option value="approved" selected>' in html  # the filter shows the default it applied

    def test_confusions_listed(self, reviewer_client):
        build_evaluation_case()
        html = reviewer_client.get(URL).content.decode()
        assert "<td>PERSON</td><td>GPE</td><td>same span, other label</td>" in html
        assert "<td>(nothing)</td><td>GPE</td><td>span the model did not find</td>" in html

    def test_svg_charts_are_drawn(self, reviewer_client, editor):
        case = build_evaluation_case()
        Edit.objects.create(story=case["one"], user=editor, action=Edit.Action.CREATE)
        html = reviewer_client.get(URL).content.decode()
        assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4  # legend keys are small svgs too
        assert 'aria-label="Precision, recall and F1 per label"' in html
        # PERSON recall is 1.0: a bar the full plot width, with its value in the tooltip.
        assert (
            f'width="{float(PLOT_WIDTH)}" height="14" fill="#f58518" class="chart-bar">'
            "<title>PERSON · recall: 1.000</title>" in html
        )

    def test_stories_by_status(self, reviewer_client):
        build_evaluation_case()
        make_story(status=Story.Status.NEW)
        html = reviewer_client.get(URL).content.decode()
        figures = dict(
            re.findall(r'<span class="badge badge--(\w+)">[^<]+</span> <strong>(\d+)</strong>', html)
        )
        assert figures == {
            "new": "1", "in_progress": "0", "adjudication": "0", "done": "1", "approved": "2", "returned": "0"
        }  # fmt: skip
        assert "<title>Approved: 2</title>" in html

    def test_work_per_user(self, reviewer_client, reviewer):
        case = build_evaluation_case()
        editor = make_user("editor", username="olga")
        for action in (Edit.Action.CREATE, Edit.Action.RELABEL, Edit.Action.STATUS):
            Edit.objects.create(story=case["three"], user=editor, action=action)
        Edit.objects.create(story=case["one"], user=editor, action=Edit.Action.CREATE)
        story_return(story=case["three"], user=reviewer, comment="again")
        html = reviewer_client.get(URL).content.decode()
        row = re.search(r"<tr><td>olga</td>(.*?)</tr>", html).group(1)
        # 4 edits; stories done: story one is approved (counts), story three was returned (does not).
        assert re.findall(r'<td class="num">(\d+)</td>', row) == ["4", "1", "0", "0"]
        rev = re.search(r"<tr><td>rev</td>(.*?)</tr>", html).group(1)
        assert re.findall(r'<td class="num">(\d+)</td>', rev) == ["0", "0", "0", "1"]

    def test_label_frequencies(self, reviewer_client):
        build_evaluation_case()
        html = reviewer_client.get(URL).content.decode()
        table = html[html.index('id="labels"') :]
        rows = re.findall(
            r'<span class="swatch"[^>]*></span>(\w+)</td><td class="num">(\d+)</td>'
            r'<td class="num">(\d+)</td>',
            table,
        )
        # Final set counts every non-rejected span of all stories (story three's Zed is rejected).
        assert rows == [("PERSON", "2", "5"), ("GPE", "2", "0"), ("ORG", "1", "1")]

    def test_batch_and_status_filters_over_htmx(self, reviewer_client):
        build_evaluation_case("wanted")
        make_story(status=Story.Status.APPROVED)  # another batch-less story
        case_batch = Story.objects.filter(batch__name="wanted").first().batch
        response = reviewer_client.get(
            URL, {"batch": case_batch.pk, "status": "all"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html and 'id="dashboard-body"' in html
        assert "3 stories in batch wanted" in html
        assert cells(html, "PERSON")[3] == "3"  # Zed counts once every status is evaluated

    def test_no_reviewed_stories_says_what_to_do(self, reviewer_client):
        html = reviewer_client.get(URL).content.decode()
        assert "No stories to evaluate yet." in html and "Nothing to chart yet." in html

    def test_bad_filter_is_400(self, reviewer_client):
        response = reviewer_client.get(URL, {"status": "finished"})
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()

    def test_editor_is_refused(self, editor_client):
        build_evaluation_case()
        response = editor_client.get(URL)
        html = response.content.decode()
        assert response.status_code == 403 and "Only reviewers and admins" in html and "<svg" not in html

    def test_admin_may_look(self, client, admin_user):
        client.force_login(admin_user)
        assert client.get(URL).status_code == 200


class TestDashboardSelectors:
    def test_status_counts_include_zeros(self):
        make_story(status=Story.Status.DONE)
        assert status_counts() == [
            ("new", "New", 0),
            ("in_progress", "In progress", 0),
            ("adjudication", "Adjudication", 0),
            ("done", "Done", 1),
            ("approved", "Approved", 0),
            ("returned", "Returned", 0),
        ]

    def test_editor_work_counts_reviews(self, reviewer):
        story = make_story(status=Story.Status.DONE)
        story_approve(story=story, user=reviewer)
        assert editor_work() == [
            {"user__username": "rev", "edits": 0, "stories_done": 0, "approvals": 1, "returns": 0}
        ]

    def test_label_frequencies_filter_by_batch(self):
        case = build_evaluation_case("b1")
        make_story()  # nothing in it
        assert {row["label"] for row in label_frequencies(batch=case["batch"])} == {"PERSON", "GPE", "ORG"}


class TestBarChart:
    def test_bar_widths_are_proportional_and_none_draws_nothing(self):
        chart = bar_chart(
            title="t",
            rows=[ChartRow("a", [1.0, None]), ChartRow("b", [0.25, 0.5])],
            series=[Series("x", "#111111"), Series("y", "#222222")],
            max_value=1,
        )
        widths = [[bar.width for bar in row.bars] for row in chart.rows]
        assert widths == [[PLOT_WIDTH, 0], [PLOT_WIDTH / 4, PLOT_WIDTH / 2]]
        assert chart.rows[0].bars[1].value_text == "—"
        assert all(bar.x == LABEL_WIDTH for row in chart.rows for bar in row.bars)
        assert chart.rows[1].bars[0].y > chart.rows[0].bars[1].y

    def test_count_axis_rounds_up(self):
        chart = bar_chart(title="t", rows=[ChartRow("a", [7])], series=[Series("", "")])
        assert [tick.text for tick in chart.ticks] == ["0", "2", "4", "6", "8"]
        assert chart.rows[0].bars[0].width == pytest.approx(PLOT_WIDTH * 7 / 8)
        one = bar_chart(title="t", rows=[ChartRow("a", [1])], series=[Series("", "")])
        assert [tick.text for tick in one.ticks] == ["0", "1", "2", "3", "4"]
        big = bar_chart(title="t", rows=[ChartRow("a", [90])], series=[Series("", "")])
        assert [tick.text for tick in big.ticks] == ["0", "25", "50", "75", "100"]


class TestCachedFigures:
    def test_figures_are_computed_once_until_a_story_changes(self, reviewer_client, reviewer, monkeypatch):
        from annotations.selectors import dashboard as selectors

        case = build_evaluation_case()
        calls = []
        real = selectors.evaluation_compute
        monkeypatch.setattr(selectors, "evaluation_compute", lambda **kw: calls.append(1) or real(**kw))
        first = reviewer_client.get(URL).content.decode()
        again = reviewer_client.get(URL).content.decode()
        assert len(calls) == 1 and cells(again, "overall") == cells(first, "overall")
        # Approving the done story changes the approved set: the next view recomputes and shows it.
        story_approve(story=case["three"], user=reviewer)
        after = reviewer_client.get(URL).content.decode()
        assert len(calls) == 2
        assert cells(after, "overall") == ["5", "6", "2", "4", "3", "0.333", "0.400", "0.364"]
        assert "3 approved stories" in after

    def test_an_edit_of_a_story_in_the_set_refreshes_the_figures(self, reviewer_client, reviewer):
        from annotations.models import Entity
        from annotations.services.editing import entity_revert

        case = build_evaluation_case()
        Story.objects.filter(pk=case["one"].pk).update(status=Story.Status.DONE)
        before = reviewer_client.get(URL, {"status": "done"}).content.decode()
        paris = Entity.objects.get(story=case["one"], text="Paris")
        entity_revert(story=case["one"], pk=paris.pk, user=reviewer, version=case["one"].version)
        after = reviewer_client.get(URL, {"status": "done"}).content.decode()
        assert cells(before, "PERSON")[2] != cells(after, "PERSON")[2]  # true positives went up

    def test_a_deleted_story_refreshes_the_figures(self, reviewer_client):
        case = build_evaluation_case()
        before = reviewer_client.get(URL).content.decode()
        assert "3 approved stories" not in before
        approved = Story.objects.filter(status=Story.Status.APPROVED)
        shown = approved.count()
        assert f"{shown} approved stor" in before
        approved.exclude(pk=case["three"].pk).first().delete()
        after = reviewer_client.get(URL).content.decode()
        assert f"{shown - 1} approved stor" in after

    def test_a_deletion_refreshes_the_figures_even_when_the_newest_story_stays(self, reviewer_client):
        # Neither the latest updated_at nor the highest id moves: only the trigger's counter does.
        from django.db.models import Max

        build_evaluation_case()
        oldest = Story.objects.filter(status=Story.Status.APPROVED).order_by("updated_at").first()
        newest = Story.with_layers.aggregate(Max("updated_at"), Max("id"))
        before = reviewer_client.get(URL).content.decode()
        shown = Story.objects.filter(status=Story.Status.APPROVED).count()
        assert f"{shown} approved stor" in before
        Story.objects.filter(pk=oldest.pk).delete()
        assert Story.with_layers.aggregate(Max("updated_at"), Max("id")) == newest
        after = reviewer_client.get(URL).content.decode()
        assert f"{shown - 1} approved stor" in after

    def test_an_import_refreshes_the_figures(self, reviewer_client):
        # A story stored with an updated_at older than the newest (a clock behind, a restored row): only
        # the highest id moves, and that is enough.
        from django.utils import timezone

        build_evaluation_case()
        Story.with_layers.update(updated_at=timezone.now() + timezone.timedelta(days=1))
        reviewer_client.get(URL)
        make_story(status=Story.Status.NEW)
        html = reviewer_client.get(URL).content.decode()
        assert '<span class="badge badge--new">New</span> <strong>1</strong>' in html

    def test_the_deletion_counter_counts_on_this_database(self):
        from stories.models import StoryDeletions

        first, second = make_story(), make_story()
        Story.objects.filter(pk=first.pk).delete()
        counted = StoryDeletions.objects.get(pk=1).count
        second.delete()
        assert StoryDeletions.objects.get(pk=1).count > counted >= 1

    def test_a_cached_view_reads_one_aggregate_of_the_stories_and_nothing_of_entities_or_edits(
        self, reviewer_client
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        build_evaluation_case()
        reviewer_client.get(URL, {"status": "all"})
        with CaptureQueriesContext(connection) as queries:
            response = reviewer_client.get(URL, {"status": "all"})
        assert response.status_code == 200
        sql = [query["sql"] for query in queries.captured_queries]
        # Two index probes (MAX of an indexed column each) and the one-row deletion counter: no COUNT(*).
        assert [q for q in sql if "stories_story" in q] == [
            'SELECT MAX("stories_story"."updated_at") AS "latest", MAX("stories_story"."id") AS "last_id" '
            'FROM "stories_story"',
            'SELECT "stories_storydeletions"."count" AS "count" FROM "stories_storydeletions" '
            'WHERE "stories_storydeletions"."id" = 1 ORDER BY "stories_storydeletions"."id" ASC LIMIT 1',
        ]
        assert not [q for q in sql if "annotations_entity" in q or "annotations_edit" in q]
