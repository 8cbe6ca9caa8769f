"""Make the database refuse an annotation that ends past its story's text.

A CHECK constraint cannot look at another table, so a trigger compares `end` with the story's
`text_length` (itself checked against the text). The other span rules are CHECK constraints.
"""

from __future__ import annotations

from django.db import migrations

MESSAGE = "annotation end is past the end of the story text"

SQLITE = [
    f"""
    CREATE TRIGGER annotation_end_within_story_{event.lower()}
    BEFORE {event} ON annotations_annotation
    FOR EACH ROW
    WHEN NEW."end" > (SELECT text_length FROM stories_story WHERE id = NEW.story_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
    for event in ("INSERT", "UPDATE")
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS annotation_end_within_story_{e};" for e in ("insert", "update")]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION annotation_end_within_story() RETURNS trigger AS $$
    BEGIN
      IF NEW."end" > (SELECT text_length FROM stories_story WHERE id = NEW.story_id) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER annotation_end_within_story
    BEFORE INSERT OR UPDATE OF "end", story_id ON annotations_annotation
    FOR EACH ROW EXECUTE FUNCTION annotation_end_within_story();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS annotation_end_within_story ON annotations_annotation;",
    "DROP FUNCTION IF EXISTS annotation_end_within_story();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0002_default_labels")]
    operations = [migrations.RunPython(forwards, backwards)]
