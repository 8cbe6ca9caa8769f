"""The story list's search, filters and sort, as one django-filter FilterSet bound to the query string.

Every parameter is a plain GET field, so a filtered list is a URL that can be shared or bookmarked.
Filters and sorts from the `stories.listing` extensions join the ones defined here.
"""

from __future__ import annotations

import django_filters
from django import forms

from stories import listing, selectors
from stories.models import Story

# (queryset ordering, URL value, label). Ties fall back to the primary key so pages never overlap.
SORTS = (
    ("title_key", "title", "Title"),
    ("status_rank", "status", "Status"),
    ("updated_at", "updated", "Last updated"),
    ("word_count", "words", "Words"),
)


def ordering_filter(sorts: tuple[tuple[str, str, str], ...]) -> django_filters.OrderingFilter:
    return django_filters.OrderingFilter(
        label="Sort by",
        fields=[(field, value) for field, value, _ in sorts],
        field_labels={field: label for field, _, label in sorts},
        empty_label="Best match / title",
    )


class StoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Title or text  ( / )",
                "autocomplete": "off",
                "data-focus-key": "/",
                "aria-keyshortcuts": "/",
            }
        ),
    )
    status = django_filters.ChoiceFilter(choices=Story.Status.choices, empty_label="Any status")
    batch = django_filters.ModelChoiceFilter(queryset=selectors.batch_list(), empty_label="Any batch")
    editor = django_filters.ModelChoiceFilter(
        label="Assigned to",
        field_name="assigned_to",
        queryset=selectors.assignable_users(),
        empty_label="Anyone",
        null_label="Nobody",
    )
    mine = django_filters.ChoiceFilter(
        choices=[("1", "My queue")], method="filter_mine", widget=forms.HiddenInput
    )
    sort = ordering_filter(SORTS)

    class Meta:
        model = Story
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sorts = SORTS + tuple(s for extension in listing.EXTENSIONS for s in extension.sorts)
        sort = self.filters.pop("sort")
        for extension in listing.EXTENSIONS:
            self.filters.update(extension.filters())
        self.filters["sort"] = ordering_filter(self.sorts) if self.sorts != SORTS else sort
        for name, extra in self.filters.items():
            extra.model, extra.parent = Story, self
            extra.field_name = extra.field_name or name

    def filter_search(self, queryset, name, value):
        return selectors.story_search(queryset, value)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(selectors.mine_condition(self.request.user))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        ordering = list(queryset.query.order_by) if self.form.cleaned_data.get("sort") else []
        if not ordering:
            # No explicit sort: the best search match first when PostgreSQL ranked them, else by title.
            ranked = "search_rank" in queryset.query.annotations
            ordering = ["-search_rank", "title_key"] if ranked else ["title_key"]
        return queryset.order_by(*ordering, "pk")

    def sort_links(self) -> dict[str, dict[str, str]]:
        """Per sortable column: the `sort` value its header asks for next, and its aria-sort state."""
        current = ((self.form.cleaned_data.get("sort") or [""]) if self.is_valid() else [""])[0]
        if not current and not self.data.get("q"):
            current = "title"  # what filter_queryset falls back to
        links = {}
        for _, value, _ in self.sorts:
            if current == value:
                links[value] = {"next": f"-{value}", "aria": "ascending"}
            elif current == f"-{value}":
                links[value] = {"next": value, "aria": "descending"}
            else:  # Counts and dates are most useful biggest/newest first.
                links[value] = {"next": value if value in {"title", "status"} else f"-{value}", "aria": ""}
        return links

    def error_summary(self) -> str:
        """One line naming each bad parameter, for a 400 answer."""
        return "; ".join(
            f"{'Sort by' if name == 'sort' else self.form.fields[name].label or name} "
            f"({name}={self.data.get(name, '')!r}): {' '.join(errors)}"
            for name, errors in self.form.errors.items()
        )
