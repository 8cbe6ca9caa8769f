"""Search ranks by a stored title vector, and joins its matches to the stories through a partial id index.

Ranking parsed every matching story's title (to_tsvector per row): 5,000 matches of a common word at
100,000 stories cost 15 ms of parsing per page. The trigger of 0011 now writes the title's vector beside
the story's, and this fills it for the stories already there.

`story_ids` (id, stories only): a search's count and page join their matches to stories_story to leave
layers out, and with no narrow index holding exactly the stories PostgreSQL hashed the whole table (a
scan of 100,000 rows, 13-24 ms); with it, it looks each match up in the index alone.

PostgreSQL only for the trigger and the backfill, as 0011: on SQLite the column exists and stays empty.
"""

from __future__ import annotations

import django.contrib.postgres.search
from django.db import migrations, models

VECTOR = "to_tsvector('english'::regconfig, COALESCE({row}title, '') || ' ' || COALESCE({row}text, ''))"
TITLE = "to_tsvector('english'::regconfig, COALESCE({row}title, ''))"

FUNCTION = """
CREATE OR REPLACE FUNCTION story_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stories_storysearch (story_id, vector{title_column}) VALUES (NEW.id, {vector}{title})
  ON CONFLICT (story_id) DO UPDATE SET vector = EXCLUDED.vector{title_update};
  RETURN NULL;
END $$
"""
FORWARD = [
    FUNCTION.format(
        title_column=", title_vector", vector=VECTOR.format(row="NEW."), title=", " + TITLE.format(row="NEW."),
        title_update=", title_vector = EXCLUDED.title_vector",
    ),
    f"UPDATE stories_storysearch f SET title_vector = {TITLE.format(row='s.')} "
    "FROM stories_story s WHERE s.id = f.story_id",
]  # fmt: skip
REVERSE = [FUNCTION.format(title_column="", vector=VECTOR.format(row="NEW."), title="", title_update="")]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("stories", "0013_story_deletions")]

    operations = [
        migrations.AddField(
            model_name="storysearch",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.RunPython(forward, reverse),
        migrations.AddIndex(
            model_name="story",
            index=models.Index(fields=["id"], condition=models.Q(("layer_of__isnull", True)), name="story_ids"),
        ),
    ]
