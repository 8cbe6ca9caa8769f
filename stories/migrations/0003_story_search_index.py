"""Full-text search index for the story list (PostgreSQL only; SQLite searches with LIKE instead).

The indexed expression must be exactly what `stories.selectors.story_search` asks for:
SearchVector("title", "text", config="english"), which Django compiles to the expression below.
tests/stories/test_views.py checks with EXPLAIN that PostgreSQL really uses this index.
"""

from __future__ import annotations

from django.db import migrations

INDEX = "story_search_vector_gin"
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(text, ''))"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON stories_story USING GIN (({EXPRESSION}))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("stories", "0002_roles")]
    operations = [migrations.RunPython(create_index, drop_index)]
