"""Many unsaved rows of one model in one statement: COPY on PostgreSQL, one executemany elsewhere (SQLite).

Contract: `insert_rows(model, objs)` writes every concrete column but the primary key of each unsaved
instance as it stands (auto_now and auto_now_add columns get one timestamp, set on the instances too),
reads no ids back and runs no save() or signals. The database still checks every constraint and fires
its triggers; a refusal raises Django's IntegrityError (or DatabaseError), as bulk_create's would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from django.db import connections, models
from django.utils import timezone

# Field types whose Python values both backends take as they are: no per-value conversion needed.
PLAIN_TYPES = frozenset(
    [
        "CharField",
        "TextField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "BigIntegerField",
        "BigAutoField",
        "AutoField",
        "BooleanField",
    ]
)


def insert_rows(model: type[models.Model], objs: Sequence[models.Model], *, using: str | None = None) -> None:
    """INSERT `objs` (unsaved instances of `model`) without reading their ids back.

    Hand-rolled rather than bulk_create(): bulk_create compiles every value of every row through
    Django's expression machinery (and on PostgreSQL dumps each column as an array for UNNEST), most of
    a short story's write at import. These rows hold plain values, so each column is read as it is, or
    converted once per field where its type needs it (timestamps, JSON); PostgreSQL's COPY then takes
    the rows with no SQL to parse or plan per row.
    """
    if not objs:
        return
    connection = connections[using or model.objects.db]
    now = timezone.now()
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    readers = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, now)
            stamp = field.get_db_prep_save(now, connection)  # converted once, not once per row
            readers.append(lambda obj, stamp=stamp: stamp)
        else:
            readers.append(_reader(field, connection))
    rows = [[read(obj) for read in readers] for obj in objs]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    if connection.vendor == "postgresql":
        _copy(connection, f"COPY {table} ({columns}) FROM STDIN", rows)
    else:
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _reader(field: models.Field, connection) -> Callable[[models.Model], object]:
    name = field.attname
    if (field.target_field if field.is_relation else field).get_internal_type() in PLAIN_TYPES:
        return lambda obj: getattr(obj, name)

    def convert(obj):
        value = getattr(obj, name)
        return None if value is None else field.get_db_prep_save(value, connection)

    return convert


def _copy(connection, sql: str, rows: list[list]) -> None:
    """COPY through psycopg 3's cursor.copy(), inside Django's error translation; logged as one query
    where Django logs queries (DEBUG, assertNumQueries), since it bypasses Django's cursor wrapper."""
    connection.ensure_connection()
    start = time.monotonic()
    with connection.wrap_database_errors, connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - start:.3f}"}
        )
