"""The search vector moves from a column of the story to a table of its own, kept by the same trigger.

Every edit bumps the story's version and updated_at. updated_at is indexed, so each bump is an UPDATE
that PostgreSQL cannot do in place (no HOT update): it adds the new row version to every index of the
table, and for the GIN index that is every lexeme of the story's vector. On a 1 MB novel that was 2-3 ms
of each edit (measured with psql: 2.0-3.2 ms with the GIN index, 0.3 ms without it). In a table of its
own the vector is written when a story is stored or renamed and never on an edit.

PostgreSQL only, as 0005 and 0009: on SQLite the table is created and stays empty (it searches with LIKE).
"""

from __future__ import annotations

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

INDEX = "story_search_vector_gin"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE({row}title, '') || ' ' || COALESCE({row}text, ''))"

FORWARD = [
    "DROP TRIGGER IF EXISTS story_search_vector ON stories_story",
    "INSERT INTO stories_storysearch (story_id, vector) "
    f"SELECT id, COALESCE(search_vector, {EXPRESSION.format(row='')}) FROM stories_story",
    "ALTER TABLE stories_story DROP COLUMN IF EXISTS search_vector",  # drops its GIN index with it
    f"CREATE INDEX {INDEX} ON stories_storysearch USING GIN (vector)",
    f"""
    CREATE OR REPLACE FUNCTION story_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO stories_storysearch (story_id, vector) VALUES (NEW.id, {EXPRESSION.format(row="NEW.")})
      ON CONFLICT (story_id) DO UPDATE SET vector = EXCLUDED.vector;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER story_search_vector AFTER INSERT OR UPDATE OF title, text ON stories_story
    FOR EACH ROW EXECUTE FUNCTION story_search_vector()
    """,
]
REVERSE = [
    "DROP TRIGGER IF EXISTS story_search_vector ON stories_story",
    f"DROP INDEX IF EXISTS {INDEX}",
    "ALTER TABLE stories_story ADD COLUMN search_vector tsvector",
    "UPDATE stories_story SET search_vector = s.vector FROM stories_storysearch s WHERE s.story_id = id",
    f"""
    CREATE OR REPLACE FUNCTION story_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.search_vector := {EXPRESSION.format(row="NEW.")};
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER story_search_vector BEFORE INSERT OR UPDATE OF title, text ON stories_story
    FOR EACH ROW EXECUTE FUNCTION story_search_vector()
    """,
    f"CREATE INDEX {INDEX} ON stories_story USING GIN (search_vector)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("stories", "0010_annotation_layers")]

    operations = [
        migrations.CreateModel(
            name="StorySearch",
            fields=[
                ("story", models.OneToOneField(editable=False, on_delete=django.db.models.deletion.CASCADE,
                                               primary_key=True, related_name="fulltext", serialize=False,
                                               to="stories.story")),
                ("vector", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"verbose_name": "story search entry", "verbose_name_plural": "story search entries"},
        ),  # fmt: skip
        migrations.RunPython(forward, reverse),
    ]
