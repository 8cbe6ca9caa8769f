"""Full-text search reads a stored tsvector column instead of parsing every story's text per query.

With an expression index, PostgreSQL's planner cannot price `to_tsvector()` by text length: on an
analysed table it chose a sequential scan that parsed every story (3.6 s at 10,000 stories), and every
phrase match rechecked, so re-parsed, each hit. A stored generated column is parsed once, at insert.
The story text never changes (migration 0004), and PostgreSQL recomputes a generated column only when
an UPDATE touches the columns it reads, so an edit's version bump costs nothing extra.

PostgreSQL only, and outside Django's model state on purpose: SQLite has no tsvector, and searches
with LIKE. `stories.selectors.story_search` names the column.
"""

from __future__ import annotations

from django.db import migrations

COLUMN = "search_vector"
INDEX = "story_search_vector_gin"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(text, ''))"


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"ALTER TABLE stories_story ADD COLUMN IF NOT EXISTS {COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON stories_story USING GIN ({COLUMN})")


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE stories_story DROP COLUMN IF EXISTS {COLUMN}")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON stories_story USING GIN (({EXPRESSION}))")


class Migration(migrations.Migration):
    dependencies = [("stories", "0004_story_text_triggers")]
    operations = [migrations.RunPython(add_column, drop_column)]
