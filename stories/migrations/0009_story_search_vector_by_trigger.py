"""The search column is kept by a trigger that fires only when the title or the text is written.

Migration 0005 made it a stored generated column, on the belief that PostgreSQL recomputes one only
when an UPDATE touches the columns it reads. It does not (PostgreSQL 15 recomputes every stored
generated column on every UPDATE of the row): each edit's version bump re-parsed the whole story, 1.1 s
per edit on a 1 MB novel (measured with psql). A plain tsvector column filled by a BEFORE INSERT OR
UPDATE OF title, text trigger is parsed at import and on a rename only; a version bump leaves it alone.

PostgreSQL only, as 0005: SQLite has no tsvector and searches with LIKE.
"""

from __future__ import annotations

from django.db import migrations

COLUMN = "search_vector"
INDEX = "story_search_vector_gin"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE({row}title, '') || ' ' || COALESCE({row}text, ''))"

FORWARD = [
    f"ALTER TABLE stories_story DROP COLUMN IF EXISTS {COLUMN}",  # drops its GIN index with it
    f"ALTER TABLE stories_story ADD COLUMN {COLUMN} tsvector",
    f"""
    CREATE OR REPLACE FUNCTION story_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.{COLUMN} := {EXPRESSION.format(row="NEW.")};
      RETURN NEW;
    END $$
    """,
    f"""
    CREATE TRIGGER story_search_vector BEFORE INSERT OR UPDATE OF title, text ON stories_story
    FOR EACH ROW EXECUTE FUNCTION story_search_vector()
    """,
    f"UPDATE stories_story SET {COLUMN} = {EXPRESSION.format(row='')}",
    f"CREATE INDEX {INDEX} ON stories_story USING GIN ({COLUMN})",
]
REVERSE = [
    "DROP TRIGGER IF EXISTS story_search_vector ON stories_story",
    "DROP FUNCTION IF EXISTS story_search_vector()",
    f"ALTER TABLE stories_story DROP COLUMN IF EXISTS {COLUMN}",
    f"ALTER TABLE stories_story ADD COLUMN {COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({EXPRESSION.format(row='')}) STORED",
    f"CREATE INDEX {INDEX} ON stories_story USING GIN ({COLUMN})",
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
    dependencies = [("stories", "0008_story_updated_index")]
    operations = [migrations.RunPython(forward, reverse)]
