"""ORM reads compiled to SQL once per process and database, then rerun with new values.

Django builds and compiles a queryset's SQL every time one runs. For the short reads that every page
makes (the request's user, the story, its labels, a chunk's entities, the history) that costs about
0.35 ms of CPU a query here, three to four times what running it costs (measured on PostgreSQL: an
ORM `get()` of a story 456 µs, the same SQL through a cursor and `Model.from_db` 114 µs). A
CompiledRead builds its queryset once, with sample values standing in for the parameters, keeps the
SQL and the compiler's column map and converters, and afterwards only swaps the parameter values in.
Rows come back through the ORM's own converters and model construction (select_related included), so
a rerun gives what the queryset would have given. Only queries whose shape does not depend on the
values fit: the same filters, joins and slices whatever the parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import ref

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Count, QuerySet, Value
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

# Stand-ins for the parameters while compiling: odd values, unlikely to equal a constant of the query,
# within the range of every positive integer column but a small one (an out-of-range value compiles to
# an empty or unconditional clause instead of a parameter, which _plan() refuses).
_SAMPLES = tuple(2_071_828_183 + i for i in range(8))


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple
    slots: tuple[int, ...]  # where each sample's value goes in params
    converters: tuple  # (position, (converter, ...), expression)
    kind: str  # "models" or "values"
    names: tuple[str, ...]  # values(): the keys; models: the model's attnames in select order
    model_start: int
    model_end: int
    klass_info: dict | None
    select: tuple
    annotation_col_map: dict | None
    fetch_mode: Any


class CompiledRead:
    """`build(*parameters)` run as SQL compiled on first use: `rows(*values)` gives model instances for a
    model queryset and dicts for a values() one, as list(queryset) would.

    `build` must take int parameters (ids) and use each in exactly one place of the query."""

    def __init__(self, build: Callable[..., QuerySet], arity: int = 1):
        self.build = build
        self.samples = _SAMPLES[:arity]
        self.model = None
        self._plans: dict[str, _Plan] = {}

    def rows(self, *values: Any) -> list:
        plan = self._plans.get(router.db_for_read(self.model)) if self.model else None
        if plan is None:
            queryset = self.build(*self.samples)
            self.model = queryset.model
            plan = self._plan(queryset, queryset.db)
        alias = router.db_for_read(self.model)
        params = list(plan.params)
        for slot, value in zip(plan.slots, values, strict=True):
            params[slot] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()
        for position, converters, expression in plan.converters:
            for i, row in enumerate(rows):
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                if value is not row[position]:
                    rows[i] = row = (*row[:position], value, *row[position + 1 :])
        if plan.kind == "values":
            return [dict(zip(plan.names, row, strict=True)) for row in rows]
        return self._instances(plan, alias, rows)

    def first(self, *values: Any):
        found = self.rows(*values)
        return found[0] if found else None

    def _plan(self, queryset: QuerySet, alias: str) -> _Plan:
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise TypeError("CompiledRead reads model instances or values() dicts")
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            raise ValueError(
                "a CompiledRead parameter compiled to no SQL (a value out of its column's range?)"
            ) from None
        params = tuple(params)
        slots = []
        for sample in self.samples:
            found = [i for i, value in enumerate(params) if value == sample]
            if len(found) != 1:
                raise ValueError(f"a CompiledRead parameter must appear once in the query, not {len(found)}")
            slots.append(found[0])
        select = tuple(compiler.select)
        converters = tuple(
            (position, tuple(converters), expression)
            for position, (converters, expression) in compiler.get_converters(
                [column for column, _, _ in select]
            ).items()
        )
        if queryset._iterable_class is ValuesIterable:
            query = queryset.query
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
            plan = _Plan(
                sql, params, tuple(slots), converters, "values", tuple(names), 0, 0, None, (), None, None
            )
        else:
            info = compiler.klass_info
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            names = tuple(column.target.attname for column, _, _ in select[start:end])
            plan = _Plan(
                sql, params, tuple(slots), converters, "models", names, start, end,
                info, select, dict(compiler.annotation_col_map or {}), queryset._fetch_mode,
            )  # fmt: skip
        self._plans[alias] = plan
        return plan

    @staticmethod
    def _instances(plan: _Plan, alias: str, rows: list[tuple]) -> list:
        model = plan.klass_info["model"]
        populators = get_related_populators(plan.klass_info, list(plan.select), alias, plan.fetch_mode)
        found, peers = [], []
        for row in rows:
            obj = model.from_db(
                alias, plan.names, row[plan.model_start : plan.model_end], fetch_mode=plan.fetch_mode
            )
            if plan.fetch_mode.track_peers:
                peers.append(ref(obj))
                obj._state.peers = peers
            for populator in populators:
                populator.populate(row, obj)
            for name, position in plan.annotation_col_map.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def counted(queryset: QuerySet) -> QuerySet:
    """`queryset` as a values() read of one row, {"n": how many rows it has}: a count in the shape a
    CompiledRead keeps (count() itself runs at once). Grouping by a constant leaves no GROUP BY, since
    Django drops constants from it, so the SQL is the one count() sends."""
    return queryset.order_by().annotate(_all=Value(1)).values("_all").annotate(n=Count("pk")).values("n")
