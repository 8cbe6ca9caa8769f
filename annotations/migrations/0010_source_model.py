"""The outside model that suggested an entity or a character through the API (`source_model`).

Adding a NOT NULL column makes SQLite rebuild the entity table, and a rebuilt table loses its triggers,
so on SQLite the end-within-story trigger (0004) is dropped first and created again at the end.
PostgreSQL adds the column in place and keeps its trigger. The SQL is written out, as in 0004.
"""

from __future__ import annotations

from django.db import migrations, models

MESSAGE = "entity end is past the end of the story text"
DROP_SQLITE = [f"DROP TRIGGER IF EXISTS entity_end_within_story_{e};" for e in ("insert", "update")]
CREATE_SQLITE = [
    f"""
    CREATE TRIGGER entity_end_within_story_{event.lower()}
    BEFORE {event} ON annotations_entity
    FOR EACH ROW
    WHEN NEW."end" > (SELECT text_length FROM stories_story WHERE id = NEW.story_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
    for event in ("INSERT", "UPDATE")
]


def _sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('annotations', '0009_colour_blind_palette'),
    ]

    operations = [
        migrations.RunPython(_sqlite(DROP_SQLITE), _sqlite(CREATE_SQLITE)),
        migrations.AddField(
            model_name='character',
            name='source_model',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='entity',
            name='source_model',
            field=models.CharField(blank=True, db_index=True, max_length=100),
        ),
        migrations.AlterField(
            model_name='edit',
            name='action',
            field=models.CharField(choices=[('create', 'Created span'), ('relabel', 'Changed label'), ('resize', 'Changed bounds'), ('delete', 'Deleted span'), ('accept', 'Accepted suggestion'), ('reject', 'Rejected suggestion'), ('link', 'Linked character'), ('apply_all', 'Applied to all mentions'), ('character_create', 'Created character'), ('character_rename', 'Renamed character'), ('character_merge', 'Merged characters'), ('character_split', 'Split alias'), ('character_gender', 'Set gender'), ('character_delete', 'Deleted character'), ('status', 'Changed status'), ('approve', 'Approved'), ('return', 'Returned'), ('undo', 'Undid a change'), ('revert', "Reverted to the model's draft"), ('predict', "Stored an outside model's suggestions")], max_length=20),
        ),
        migrations.RunPython(_sqlite(CREATE_SQLITE), _sqlite(DROP_SQLITE)),
    ]
