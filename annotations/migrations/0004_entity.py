"""Rename Annotation to Entity: the word the interface, URLs and docs already use for what an editor tags.

Renaming the constraints makes SQLite rebuild the table, and a rebuilt table loses its triggers, so the
end-within-story trigger of 0003 is dropped first and created again, under the new name, at the end.
The edit log's row snapshots name their model; "annotation" becomes "entity" so undo keeps working on
edits made before the rename. The SQL is written out here, not imported, because a migration must
keep doing what it did when it first ran.
"""

from __future__ import annotations

import django.db.models.deletion
import django.db.models.expressions
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

MESSAGE = "entity end is past the end of the story text"
OLD_SQLITE = [f"DROP TRIGGER IF EXISTS annotation_end_within_story_{e};" for e in ("insert", "update")]
NEW_SQLITE = [
    f"""
    CREATE TRIGGER entity_end_within_story_{event.lower()}
    BEFORE {event} ON annotations_entity
    FOR EACH ROW
    WHEN NEW."end" > (SELECT text_length FROM stories_story WHERE id = NEW.story_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
    for event in ("INSERT", "UPDATE")
]
DROP_NEW_SQLITE = [f"DROP TRIGGER IF EXISTS entity_end_within_story_{e};" for e in ("insert", "update")]
OLD_POSTGRES = [
    "DROP TRIGGER IF EXISTS annotation_end_within_story ON annotations_annotation;",
    "DROP FUNCTION IF EXISTS annotation_end_within_story();",
]
NEW_POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION entity_end_within_story() RETURNS trigger AS $$
    BEGIN
      IF NEW."end" > (SELECT text_length FROM stories_story WHERE id = NEW.story_id) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER entity_end_within_story
    BEFORE INSERT OR UPDATE OF "end", story_id ON annotations_entity
    FOR EACH ROW EXECUTE FUNCTION entity_end_within_story();
    """,
]
DROP_NEW_POSTGRES = [
    "DROP TRIGGER IF EXISTS entity_end_within_story ON annotations_entity;",
    "DROP FUNCTION IF EXISTS entity_end_within_story();",
]


def _run(schema_editor, postgres: list[str], sqlite: list[str]) -> None:
    for sql in postgres if schema_editor.connection.vendor == "postgresql" else sqlite:
        schema_editor.execute(sql)


def drop_old_trigger(apps, schema_editor):
    _run(schema_editor, OLD_POSTGRES, OLD_SQLITE)


def create_new_trigger(apps, schema_editor):
    _run(schema_editor, NEW_POSTGRES, NEW_SQLITE)


def drop_new_trigger(apps, schema_editor):
    _run(schema_editor, DROP_NEW_POSTGRES, DROP_NEW_SQLITE)


def _rename_snapshots(apps, old: str, new: str) -> None:
    Edit = apps.get_model("annotations", "Edit")
    for edit in Edit.objects.only("before", "after").iterator(chunk_size=500):
        changed = False
        for entries in (edit.before, edit.after):
            for entry in entries:
                if isinstance(entry, dict) and entry.get("model") == old:
                    entry["model"] = new
                    changed = True
        if changed:
            edit.save(update_fields=["before", "after"])


def snapshots_forwards(apps, schema_editor):
    _rename_snapshots(apps, "annotation", "entity")


def snapshots_backwards(apps, schema_editor):
    _rename_snapshots(apps, "entity", "annotation")


def recreate_old_trigger(apps, schema_editor):
    from importlib import import_module

    import_module("annotations.migrations.0003_span_bounds_trigger").forwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("annotations", "0003_span_bounds_trigger"), ("stories", "0004_story_text_triggers")]

    operations = [
        migrations.RunPython(drop_old_trigger, recreate_old_trigger),
        migrations.RenameModel("Annotation", "Entity"),
        migrations.AlterModelOptions(
            name='entity',
            options={'ordering': ['story', 'start', 'end'], 'verbose_name_plural': 'entities'},
        ),
        migrations.RemoveConstraint(
            model_name='entity',
            name='annotation_start_nonnegative',
        ),
        migrations.RemoveConstraint(
            model_name='entity',
            name='annotation_start_before_end',
        ),
        migrations.RemoveConstraint(
            model_name='entity',
            name='annotation_text_matches_offsets',
        ),
        migrations.RemoveConstraint(
            model_name='entity',
            name='annotation_no_edge_whitespace',
        ),
        migrations.RemoveConstraint(
            model_name='entity',
            name='annotation_unique_span_label',
        ),
        migrations.RenameIndex(
            model_name='entity',
            new_name='entity_story_start',
            old_name='annotation_story_start',
        ),
        migrations.AlterField(
            model_name='entity',
            name='label',
            field=models.ForeignKey(db_column='label', on_delete=django.db.models.deletion.PROTECT, related_name='entities', to='annotations.label', to_field='name'),
        ),
        migrations.AlterField(
            model_name='entity',
            name='story',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entities', to='stories.story'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.CheckConstraint(condition=models.Q(('start__gte', 0)), name='entity_start_nonnegative'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.CheckConstraint(condition=models.Q(('start__lt', models.F('end'))), name='entity_start_before_end'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.Exact(django.db.models.functions.text.Length('text'), django.db.models.expressions.CombinedExpression(models.F('end'), '-', models.F('start'))), name='entity_text_matches_offsets'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('text__startswith', ' '), _negated=True), models.Q(('text__endswith', ' '), _negated=True), models.Q(('text__startswith', '\n'), _negated=True), models.Q(('text__endswith', '\n'), _negated=True), models.Q(('text__startswith', '\t'), _negated=True), models.Q(('text__endswith', '\t'), _negated=True), models.Q(('text__startswith', '\r'), _negated=True), models.Q(('text__endswith', '\r'), _negated=True), models.Q(('text__startswith', '\xa0'), _negated=True), models.Q(('text__endswith', '\xa0'), _negated=True), models.Q(('text__startswith', '\u2009'), _negated=True), models.Q(('text__endswith', '\u2009'), _negated=True), models.Q(('text__startswith', '\u200a'), _negated=True), models.Q(('text__endswith', '\u200a'), _negated=True), models.Q(('text__startswith', '\u202f'), _negated=True), models.Q(('text__endswith', '\u202f'), _negated=True), models.Q(('text__startswith', '\u3000'), _negated=True), models.Q(('text__endswith', '\u3000'), _negated=True)), name='entity_no_edge_whitespace'),
        ),
        migrations.AddConstraint(
            model_name='entity',
            constraint=models.UniqueConstraint(fields=('story', 'start', 'end', 'label'), name='entity_unique_span_label'),
        ),
        migrations.RunPython(create_new_trigger, drop_new_trigger),
        migrations.RunPython(snapshots_forwards, snapshots_backwards),
    ]
