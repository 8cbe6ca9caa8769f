"""A counter of story deletions, kept by a trigger, so the dashboard's cache key needs no COUNT(*).

stories.selectors.corpus_state reads the latest updated_at and the highest id (one index probe each) and
this counter: a deletion changes neither of the first two. PostgreSQL bumps it once per DELETE statement,
SQLite (which has row triggers only) once per deleted row; either way it changes. An upsert, so the
counter's row need not exist first (a test database flushed between tests has none).
"""

from django.db import migrations, models

BUMP = (
    "INSERT INTO stories_storydeletions (id, count) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET count = stories_storydeletions.count + 1"
)
POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION story_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      {BUMP};
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER story_deleted AFTER DELETE ON stories_story
    FOR EACH STATEMENT EXECUTE FUNCTION story_deleted()
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS story_deleted ON stories_story",
    "DROP FUNCTION IF EXISTS story_deleted()",
]
SQLITE = [f"CREATE TRIGGER story_deleted AFTER DELETE ON stories_story FOR EACH ROW BEGIN {BUMP}; END"]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS story_deleted"]


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRES if postgres else SQLITE:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRES_REVERSE if postgres else SQLITE_REVERSE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("stories", "0012_story_list_partial_indexes")]

    operations = [
        migrations.CreateModel(
            name="StoryDeletions",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("count", models.PositiveBigIntegerField(default=0)),
            ],
            options={"verbose_name": "story deletion counter"},
        ),  # fmt: skip
        migrations.RunPython(forward, reverse),
    ]
