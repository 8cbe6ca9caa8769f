"""Story text rules as triggers that fire only when the text or its length is written.

Not a CHECK constraint: a CHECK runs on every UPDATE of the row, so `text_length = length(text)` made
PostgreSQL read (de-TOAST) a novel's whole text on each version bump of an edit. The triggers check the
length on insert and whenever the text or its length is written, and refuse any change to the text
after import: annotation offsets point into it.
"""

from __future__ import annotations

from django.db import migrations

LENGTH_MESSAGE = "story text_length must equal the length of its text"
IMMUTABLE_MESSAGE = "story text cannot change after import: annotation offsets point into it"

SQLITE = [
    f"""
    CREATE TRIGGER story_text_length_on_insert BEFORE INSERT ON stories_story
    FOR EACH ROW WHEN NEW.text_length != length(NEW.text)
    BEGIN SELECT RAISE(ABORT, '{LENGTH_MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER story_text_length_on_update BEFORE UPDATE OF text_length ON stories_story
    FOR EACH ROW WHEN NEW.text_length != length(NEW.text)
    BEGIN SELECT RAISE(ABORT, '{LENGTH_MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER story_text_immutable BEFORE UPDATE OF text ON stories_story
    FOR EACH ROW WHEN NEW.text IS NOT OLD.text
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}'); END;
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS story_text_length_on_insert;",
    "DROP TRIGGER IF EXISTS story_text_length_on_update;",
    "DROP TRIGGER IF EXISTS story_text_immutable;",
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION story_text_rules() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.text IS DISTINCT FROM OLD.text THEN
        RAISE EXCEPTION '{IMMUTABLE_MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.text_length <> char_length(NEW.text) THEN
        RAISE EXCEPTION '{LENGTH_MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER story_text_rules
    BEFORE INSERT OR UPDATE OF text, text_length ON stories_story
    FOR EACH ROW EXECUTE FUNCTION story_text_rules();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS story_text_rules ON stories_story;",
    "DROP FUNCTION IF EXISTS story_text_rules();",
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
    dependencies = [("stories", "0003_story_search_index")]
    operations = [migrations.RunPython(forwards, backwards)]
