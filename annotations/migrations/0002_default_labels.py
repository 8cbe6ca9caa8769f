"""Seed spaCy's OntoNotes label set. The eight labels editors work with are shown, with hotkeys 1–8.

Colours are light backgrounds chosen for at least 7:1 contrast with the dark text drawn on them.
"""

from __future__ import annotations

from django.db import migrations

LABELS = [
    # name, description, colour, hotkey, shown
    ("PERSON", "People, including fictional", "#ffd6a5", "1", True),
    ("ORG", "Companies, agencies, institutions", "#bde0fe", "2", True),
    ("GPE", "Countries, cities, states", "#caffbf", "3", True),
    ("LOC", "Non-GPE locations, mountain ranges, bodies of water", "#d0f4de", "4", True),
    ("FAC", "Buildings, airports, highways, bridges", "#e4c1f9", "5", True),
    ("NORP", "Nationalities, religious or political groups", "#fde4cf", "6", True),
    ("WORK_OF_ART", "Titles of books, songs, ballets, operas", "#ffc8dd", "7", True),
    ("EVENT", "Named hurricanes, battles, wars, sports events", "#fbf8cc", "8", True),
    ("PRODUCT", "Objects, vehicles, foods (not services)", "#e9edc9", "", False),
    ("LAW", "Named documents made into laws", "#f1f1f1", "", False),
    ("LANGUAGE", "Any named language", "#f1f1f1", "", False),
    ("DATE", "Absolute or relative dates or periods", "#eeeeee", "", False),
    ("TIME", "Times smaller than a day", "#eeeeee", "", False),
    ("PERCENT", "Percentage", "#eeeeee", "", False),
    ("MONEY", "Monetary values", "#eeeeee", "", False),
    ("QUANTITY", "Measurements, as of weight or distance", "#eeeeee", "", False),
    ("ORDINAL", "first, second, …", "#eeeeee", "", False),
    ("CARDINAL", "Numerals that do not fall under another type", "#eeeeee", "", False),
]


def seed_labels(apps, schema_editor):
    Label = apps.get_model("annotations", "Label")
    for order, (name, description, color, hotkey, shown) in enumerate(LABELS):
        Label.objects.update_or_create(
            name=name,
            defaults={"description": description, "color": color, "hotkey": hotkey, "shown": shown,
                      "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]
    operations = [migrations.RunPython(seed_labels, migrations.RunPython.noop)]
