"""A paginator that stops counting: pages of a long list cost the same at 1,000 rows and at 100,000.

Django's Paginator counts every matching row (COUNT(*) over the whole filtered set) to number the pages.
`CappedPaginator` counts at most `max_pages` pages' worth, through a LIMITed subquery, and says whether
there were more (`capped`); the pages past the cap are not offered, and the templates say "more than N".
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

MAX_PAGES = 1000


def capped_count(rows, limit: int) -> int:
    """How many of `rows` there are, counting no further than `limit` + 1 (so "more than limit" shows)."""
    if isinstance(rows, QuerySet):
        # Ordering and the selected columns do not change a count: without them PostgreSQL can read
        # the LIMITed rows from an index alone.
        return rows.order_by().values("pk")[: limit + 1].count()
    return len(rows[: limit + 1])


class CappedPaginator(Paginator):
    """A Paginator whose `count` stops at `max_pages` × `per_page` rows; `capped` says there are more.

    With `rows`, a page of a queryset is read in two steps: the ids of its rows, by the filters and the
    order alone, then `rows(ids)`, those rows with every column, by primary key. Columns the order does not
    need (counts from other tables, joined names) are then computed for one page, not for every row the
    sort had to see, and the filters are not evaluated twice.
    """

    def __init__(
        self,
        object_list,
        per_page,
        *,
        max_pages: int | None = None,
        rows: Callable[[list], QuerySet] | None = None,
        **kwargs,
    ):
        self.max_pages = max_pages or MAX_PAGES
        self.rows = rows
        super().__init__(object_list, per_page, **kwargs)

    def page(self, number):
        if self.rows is None or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        found = {row.pk: row for row in self.rows(ids)} if ids else {}
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)

    @property
    def limit(self) -> int:
        return self.max_pages * self.per_page

    @cached_property
    def _counted(self) -> int:
        return capped_count(self.object_list, self.limit)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.limit)

    @property
    def capped(self) -> bool:
        """True when more rows match than the pages offered hold."""
        return self._counted > self.limit
