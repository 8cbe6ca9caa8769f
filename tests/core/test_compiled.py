"""core.compiled: a read compiled once gives what its queryset gives, and reruns without compiling."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import Edit, Entity
from core.compiled import CompiledRead, counted
from stories.models import Story
from tests.factories import make_entity, make_story, make_user

pytestmark = pytest.mark.django_db


def fields_of(obj, names):
    return {name: getattr(obj, name) for name in names}


def test_model_rows_equal_the_querysets_with_deferred_fields_and_converted_values():
    story = make_story("Anna met Boris.", meta={"chapters": [{"start": 0, "title": "One"}]})
    read = CompiledRead(lambda pk: Story.objects.defer("text").filter(pk=pk))
    expected = Story.objects.defer("text").get(pk=story.pk)
    for _ in range(2):  # the first call compiles, the second reruns the kept SQL
        (got,) = read.rows(story.pk)
        assert got.get_deferred_fields() == {"text"}
        assert got.meta == {"chapters": [{"start": 0, "title": "One"}]}  # JSON read back, not a string
        assert isinstance(got.created_at, datetime.datetime) and got.created_at.tzinfo is not None
        names = [f.attname for f in Story._meta.concrete_fields if f.name != "text"]
        assert fields_of(got, names) == fields_of(expected, names)
        assert got._state.adding is False and got._state.db == "default"
    assert read.first(story.pk + 1000) is None


def test_select_related_rows_come_with_their_related_object_and_no_second_query():
    story = make_story()
    user = make_user("editor", username="edna")
    Edit.objects.create(story=story, user=user, action="accept", summary="Accepted Anna", story_version=1)
    Edit.objects.create(story=story, user=None, action="extract", summary="Drafted", story_version=0)
    read = CompiledRead(
        lambda pk: (
            Edit.objects.filter(story_id=pk)
            .select_related("user")
            .defer("before", "after")
            .order_by("-id")[:20]
        )
    )
    read.rows(story.pk)
    with CaptureQueriesContext(connection) as queries:
        rows = read.rows(story.pk)
        assert [(e.summary, e.user.username if e.user else None) for e in rows] == [
            ("Drafted", None),
            ("Accepted Anna", "edna"),
        ]
    assert len(queries) == 1


def test_values_rows_are_dicts_with_several_parameters_in_their_places():
    story = make_story("Anna met Boris in Paris.")
    anna, boris, paris = (make_entity(story, name) for name in ("Anna", "Boris", "Paris"))
    read = CompiledRead(
        lambda pk, start, end: (
            Entity.objects.filter(story_id=pk, start__gte=start, start__lt=end)
            .order_by("start")
            .values("id", "start", "label_id")
        ),
        3,
    )
    assert read.rows(story.pk, 1, 20) == [
        {"id": boris.pk, "start": boris.start, "label_id": "PERSON"},
        {"id": paris.pk, "start": paris.start, "label_id": "PERSON"},
    ]
    assert read.rows(story.pk, 0, 5) == [{"id": anna.pk, "start": 0, "label_id": "PERSON"}]


def test_the_queryset_is_built_and_compiled_once():
    story = make_story()
    built = []

    def build(pk):
        built.append(pk)
        return Story.objects.filter(pk=pk)

    read = CompiledRead(build)
    assert [s.pk for s in read.rows(story.pk)] == [story.pk]
    assert [s.pk for s in read.rows(story.pk)] == [story.pk]
    assert len(built) == 1


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Story.objects.filter(pk=pk) | Story.objects.filter(layer_of_id=pk),  # used twice
        lambda pk: Story.objects.all(),  # not used
    ],
)
def test_a_parameter_must_appear_exactly_once(build):
    with pytest.raises(ValueError, match="must appear once"):
        CompiledRead(build).rows(1)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite's integer columns all hold 64 bits")
def test_a_parameter_the_column_cannot_hold_is_refused_with_a_reason():
    # A PositiveSmallIntegerField cannot hold the sample value: the lookup compiles to no SQL at all.
    from annotations.models import Label

    small = next(
        f for f in Label._meta.concrete_fields if f.get_internal_type().endswith("SmallIntegerField")
    )
    with pytest.raises(ValueError, match="compiled to no SQL"):
        CompiledRead(lambda n: Label.objects.filter(**{small.name: n})).rows(3)


def test_only_model_and_values_reads_are_accepted():
    with pytest.raises(TypeError, match="model instances or values"):
        CompiledRead(lambda pk: Story.objects.filter(pk=pk).values_list("id")).rows(1)


def test_a_counted_read_gives_the_querysets_count_including_zero():
    story = make_story("Anna met Boris in Paris.")
    for name in ("Anna", "Boris", "Paris"):
        make_entity(story, name)
    read = CompiledRead(lambda pk: counted(Entity.objects.filter(story_id=pk)))
    assert read.first(story.pk) == {"n": 3}
    assert read.first(story.pk + 1000) == {"n": 0}
    (sql,) = [q["sql"] for q in _captured(lambda: read.first(story.pk))]
    assert "GROUP BY" not in sql and "COUNT(" in sql


def _captured(run):
    with CaptureQueriesContext(connection) as queries:
        run()
    return queries.captured_queries
