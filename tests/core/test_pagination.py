"""CappedPaginator: counts no further than its cap, says so, and never offers a page past it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import CappedPaginator, capped_count
from stories.models import Story
from tests.factories import make_story


@pytest.mark.django_db
class TestCappedPaginator:
    def test_below_the_cap_it_counts_exactly(self):
        for _ in range(7):
            make_story()
        paginator = CappedPaginator(Story.objects.all(), 2, max_pages=10)
        assert (paginator.count, paginator.num_pages, paginator.capped) == (7, 4, False)

    def test_at_the_cap_exactly_it_is_not_capped(self):
        for _ in range(4):
            make_story()
        paginator = CappedPaginator(Story.objects.all(), 2, max_pages=2)
        assert (paginator.count, paginator.num_pages, paginator.capped) == (4, 2, False)

    def test_past_the_cap_it_stops_counting_and_offers_no_further_page(self):
        for _ in range(9):
            make_story()
        paginator = CappedPaginator(Story.objects.order_by("id"), 2, max_pages=3)
        assert (paginator.count, paginator.num_pages, paginator.capped) == (6, 3, True)
        last = paginator.get_page(99)
        assert last.number == 3 and not last.has_next()
        assert [s.pk for s in last] == list(Story.objects.order_by("id").values_list("pk", flat=True)[4:6])

    def test_the_count_is_one_limited_subquery(self):
        make_story()
        with CaptureQueriesContext(connection) as queries:
            assert capped_count(Story.objects.order_by("title"), 1000) == 1
        (sql,) = [query["sql"] for query in queries.captured_queries]
        assert "LIMIT 1001" in sql and "ORDER BY" not in sql

    def test_a_list_is_counted_too(self):
        paginator = CappedPaginator(list(range(11)), 5, max_pages=2)
        assert (paginator.count, paginator.capped) == (10, True)
        assert (CappedPaginator([], 5).count, CappedPaginator([], 5).capped) == (0, False)

    def test_rows_reads_the_same_page_in_the_same_order_in_two_queries(self):
        for title in ["b", "d", "a", "e", "c"]:
            make_story(title=title)
        stories = Story.objects.exclude(title="zz").order_by("-title")
        plain = CappedPaginator(stories, 2).get_page(2)
        with CaptureQueriesContext(connection) as queries:
            two_step = CappedPaginator(stories, 2, rows=lambda ids: Story.objects.filter(pk__in=ids))
            titles = [story.title for story in two_step.get_page(2)]
        assert titles == [story.title for story in plain] == ["c", "b"]
        count, ids, rows = [query["sql"] for query in queries.captured_queries]
        assert "zz" in ids and "zz" not in rows  # the rows are read by id alone, not filtered again
